"""Passwords (SECURITY.md S-03; issue 15, finding 5): common passwords, the user name and the
office's name refused however they are dressed up; long passphrases still welcome."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

pytestmark = [pytest.mark.django_db, pytest.mark.security("S-03")]


@pytest.mark.parametrize(
    "password",
    [
        "Password1234!",  # the finding
        "P@ssw0rd2026!",  # look-alike characters
        "!!Qwerty123456",  # symbols in front
        "Iloveyou-2026#",
        "Clerk-2026-2026!",  # the user name, dressed up
        "乌兰浩特市人民政府办公室2026!",  # the office's name
        "乌兰浩特Aa2026!!",  # its place name
        "Wulanhaote@2026",  # its place name in pinyin (OFFICE_NAME_WORDS)
    ],
)
def test_dressed_up_common_words_are_refused(demo_office, password):
    with pytest.raises(ValidationError):
        validate_password(password, User.objects.get(username="clerk"))


@pytest.mark.parametrize(
    "password",
    [
        "Zhengban-Demo-2026",
        "Meadow-Lantern-Copper-42",
        "correct horse battery staple 乌兰浩特 Ab1",  # contains the place name among its words
    ],
)
def test_own_words_pass(demo_office, password):
    validate_password(password, User.objects.get(username="clerk"))
