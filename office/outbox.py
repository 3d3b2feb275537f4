"""Messages to the outside world (SMS, e-mail) go through the outbox, after commit.

A service never calls a gateway itself: it writes an OutboxMessage in its own transaction, and
`office.delivery` sends it after the commit, retrying on failure (ARCHITECTURE.md "Side effects
after commit"). So a gateway that is down can never undo, or raise after, data already saved —
the petitioner still gets the query code on screen, and the SMS follows when the gateway is back.

A text that carries a secret (a petition's query code is a bearer secret, SECURITY.md S-18) is
queued with the placeholder SECRET and a `secret_ref` "kind:key"; the app that owns the secret
registers a provider for the kind in its AppConfig.ready, and delivery fills it in at the last
moment (the secret stays encrypted at rest, and never reaches a log).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

SECRET = "{secret}"

# kind -> provider(key) -> (the text to put in, the parts a log must mask)
_PROVIDERS: dict[str, Callable[[str], tuple[str, tuple[str, ...]]]] = {}


def register_secret(kind: str, provider: Callable[[str], tuple[str, tuple[str, ...]]]) -> None:
    _PROVIDERS[kind] = provider


def queue_sms(number: str, text: str, *, secret_ref: str = "", now: dt.datetime | None = None):
    """An SMS, sent after the caller's transaction commits (and retried until delivered)."""
    from .models import Channel, OutboxMessage
    from .services.notify import kick_delivery

    message = OutboxMessage.objects.create(
        channel=Channel.SMS,
        address=number,
        body=text,
        secret_ref=secret_ref,
        created_at=now or timezone.now(),
    )
    transaction.on_commit(kick_delivery)
    return message


def render(message) -> tuple[str, tuple[str, ...]]:
    """The text to send and the secrets it carries."""
    if not message.secret_ref:
        return message.body, ()
    kind, _sep, key = message.secret_ref.partition(":")
    shown, secrets = _PROVIDERS[kind](key)
    return message.body.replace(SECRET, shown), secrets
