"""`cached_db` sessions that outlive their cache (settings.SESSION_ENGINE with a memory cache).

Django's cached_db store reads the cache first and falls back to the database when the read
fails, but then writes the session back to the cache, and deletes from it, without catching the
cache's errors: with Redis down every signed-in page would fail. The database stays the record;
the cache is only a shortcut (ARCHITECTURE: no web request waits on the broker's machine).
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

logger = logging.getLogger("django.contrib.sessions")


class _Tolerant:
    """The session cache, with every error logged and read as a miss."""

    def __init__(self, cache):
        self._cache = cache

    def _call(self, method, *args, default=None):
        try:
            return getattr(self._cache, method)(*args)
        except Exception:
            logger.warning("session cache unavailable (%s); using the database", method)
            return default

    def get(self, key, default=None):
        return self._call("get", key, default, default=default)

    def set(self, key, value, timeout=None):
        return self._call("set", key, value, timeout)

    def delete(self, key):
        return self._call("delete", key, default=False)

    def __contains__(self, key):
        return bool(self._call("has_key", key, default=False))


class SessionStore(CachedDBStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _Tolerant(self._cache)
