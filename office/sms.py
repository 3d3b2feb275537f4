"""The pluggable SMS channel. A deployment names its gateway's backend in SMS_BACKEND; the
default prints to the log, like Django's console e-mail backend."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class ConsoleSMSBackend:
    def send(self, number: str, text: str) -> None:
        masked = number[:3] + "****" + number[-4:] if len(number) >= 7 else "****"
        log.info("SMS to %s: %s", masked, text.replace("\n", " "))


class LocmemSMSBackend:
    """For tests: keeps what was sent."""

    outbox: list[tuple[str, str]] = []

    def send(self, number: str, text: str) -> None:
        self.outbox.append((number, text))


def get_backend():
    return import_string(settings.SMS_BACKEND)()
