"""The pluggable SMS channel. A deployment names its gateway's backend in SMS_BACKEND; the
default prints to the log, like Django's console e-mail backend. A backend's `send(number, text,
*, secrets=())` gets the parts of the text that are secrets; a backend that logs must mask them."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


SECRET_MASK = "****"


def mask(text: str, secrets=()) -> str:
    """The text with each secret it carries (a petition's query code, S-18) blanked out."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, SECRET_MASK)
    return text


class ConsoleSMSBackend:
    """Writes to the log instead of sending. `secrets` are parts of the text that must never
    reach a log (a query code is a bearer secret): they are masked, the rest is kept."""

    def send(self, number: str, text: str, *, secrets=()) -> None:
        masked = number[:3] + "****" + number[-4:] if len(number) >= 7 else "****"
        log.info("SMS to %s: %s", masked, mask(text, secrets).replace("\n", " "))


class LocmemSMSBackend:
    """For tests: keeps what was sent (the real text, as a gateway would send it)."""

    outbox: list[tuple[str, str]] = []

    def send(self, number: str, text: str, *, secrets=()) -> None:
        self.outbox.append((number, text))


def get_backend():
    return import_string(settings.SMS_BACKEND)()
