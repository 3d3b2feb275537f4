"""Who is asking: the client's network address, one rule for every place that records or limits
by it (the public portal's rate limits, the online petition form, the audit trail, the sign-in
log). SECURITY.md: behind a reverse proxy REMOTE_ADDR is the proxy; the real client is read from
X-Forwarded-For only as far as the configured trusted proxies wrote it."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def client_address(request, default: str = "unknown") -> str:
    """The client's address. Behind TRUSTED_PROXY_COUNT trusted proxies (the same setting the
    sign-in lock-out uses) it is the entry that many places from the right of X-Forwarded-For —
    the last one a trusted proxy wrote; otherwise REMOTE_ADDR. Entries further left are the
    client's own claims and are never trusted."""
    if request is None:
        return default
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0
    if proxies:
        chain = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        chain = [p for p in chain if p]
        if len(chain) >= proxies:
            return chain[-proxies]
    return request.META.get("REMOTE_ADDR") or default


def client_key(request) -> str:
    """A keyed hash of the client's address: equal addresses give equal keys, and the key does
    not give the address back (nothing about the public is kept that is not needed)."""
    address = client_address(request)
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()
