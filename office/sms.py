"""The pluggable SMS channel. A deployment names its gateway's backend in SMS_BACKEND; the
default prints to the log, like Django's console e-mail backend. A backend's `send(number, text,
*, secrets=(), idempotency_key=None)` gets the parts of the text that are secrets (a backend that
logs must mask them) and a key that is the same on every attempt to send one outbox message: a
gateway backend passes it on as the gateway's client message id, so a re-send after a crash is
dropped by the gateway instead of reaching the phone twice (office.delivery)."""

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

    def send(self, number: str, text: str, *, secrets=(), idempotency_key=None) -> None:
        masked = number[:3] + "****" + number[-4:] if len(number) >= 7 else "****"
        log.info("SMS to %s: %s", masked, mask(text, secrets).replace("\n", " "))


class LocmemSMSBackend:
    """For tests: keeps what was sent (the real text, as a gateway would send it)."""

    outbox: list[tuple[str, str]] = []
    keys: list[str | None] = []

    def send(self, number: str, text: str, *, secrets=(), idempotency_key=None) -> None:
        self.outbox.append((number, text))
        self.keys.append(idempotency_key)


def get_backend():
    return import_string(settings.SMS_BACKEND)()
