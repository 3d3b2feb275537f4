"""Password rules beyond Django's own (等保 2.0 level 3, 8.1.4.1; SECURITY.md S-03).

Length ≥ 12 and the common-password and user-name checks are Django's validators; these add
"three of the four character classes" and a generous maximum so 64-character passphrases pass.
"""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """At least three of: lower-case, upper-case, digits, other characters."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        classes = [
            any(c in string.ascii_lowercase for c in password),
            any(c in string.ascii_uppercase for c in password),
            any(c.isdigit() for c in password),
            any(not c.isascii() or not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                _(
                    "The password must mix at least three of: lower-case letters, upper-case "
                    "letters, digits and other characters."
                ),
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _(
            "Use at least three of: lower-case letters, upper-case letters, digits and other "
            "characters."
        )


class MaximumLengthValidator:
    """Passphrases up to 128 characters; beyond that hashing cost becomes a denial of service."""

    max_length = 128

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                _("The password may be at most %(max)d characters long.")
                % {"max": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("Passphrases of up to 128 characters are welcome.")


class NoUserNameValidator:
    """The password must not contain the user name, in any case (S-03)."""

    def validate(self, password: str, user=None) -> None:
        username = (user.get_username() if user is not None else "") or ""
        if len(username) >= 3 and username.lower() in password.lower():
            raise ValidationError(
                _("The password must not contain the user name."), code="password_has_username"
            )

    def get_help_text(self) -> str:
        return _("The password must not contain the user name.")


_LEET = str.maketrans(
    {
        "@": "a",
        "4": "a",
        "0": "o",
        "1": "l",
        "!": "i",
        "3": "e",
        "$": "s",
        "5": "s",
        "7": "t",
        "+": "t",
        "9": "g",
    }
)


def _core(text: str) -> str:
    """The word a password is built on: digits and symbols cut from both ends (``2026!``),
    look-alike characters read as letters (``P@ssw0rd``), then letters only, lower case."""
    stripped = text.strip().strip("0123456789!@#$%^&*()-_=+.,;:?~`'\"[]{}<>/\\| ")
    stripped = (stripped or text).lower().translate(_LEET)
    return "".join(c for c in stripped if c.isalpha())


def office_words() -> set[str]:
    """The office's name, its place name (before the first 市/县/区) and OFFICE_NAME_WORDS."""
    from django.conf import settings

    name = getattr(settings, "OFFICE_NAME", "")
    words = {name, *getattr(settings, "OFFICE_NAME_WORDS", [])}
    for mark in "市县区旗盟":
        if mark in name:
            words.add(name.split(mark, 1)[0])
            break
    return {_core(w) for w in words if w and len(_core(w)) >= 2}


class CommonVariantValidator:
    """Refuse a common password dressed up (``Password1234!``, ``P@ssw0rd2026``), the user name
    dressed up, and the office's name dressed up (SECURITY.md S-03; 等保 8.1.4.1 a: 口令具有复杂度
    要求): the password's core word — see ``_core`` — is checked against Django's list of
    20,000 common passwords, the user name and the office's name. A long passphrase that merely
    contains one of them keeps other words and passes."""

    def validate(self, password: str, user=None) -> None:
        from django.contrib.auth.password_validation import CommonPasswordValidator

        core = _core(password)
        common = CommonPasswordValidator().passwords
        username = _core(user.get_username()) if user is not None else ""
        office = office_words()
        rest = core
        for word in office | ({username} if username else set()):
            rest = rest.replace(word, "")
        if core in common or len(rest) < 4 or any(core == w for w in office):
            raise ValidationError(
                _(
                    "This password is a common password, the user name or the office's name "
                    "with a few characters added. Choose words of your own."
                ),
                code="password_common_variant",
            )

    def get_help_text(self) -> str:
        return _("Not a common password, your user name or the office's name with a few additions.")
