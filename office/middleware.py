"""Session limits and security headers (SECURITY.md S-05, S-07)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _

_LAST_SEEN = "_zb_last_seen"
_SIGNED_IN_AT = "_zb_signed_in_at"


class SessionTimeoutMiddleware:
    """Sign a person out after 30 idle minutes or 8 hours in all (等保 8.1.4.1 d).

    Timestamps live in the session itself (database-backed), so the limits hold across
    processes and survive a Redis outage.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            signed_in_at = session.setdefault(_SIGNED_IN_AT, now)
            last_seen = session.get(_LAST_SEEN, now)
            idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
            absolute = settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
            if now - last_seen > idle or now - signed_in_at > absolute:
                logout(request)
                messages.info(request, _("Your session has expired. Please sign in again."))
                return redirect_to_login(request.get_full_path())
            if now - last_seen >= 60 or _LAST_SEEN not in session:
                # Record activity at most once a minute: a session write on every request
                # would cost three statements per page for no gain in precision.
                session[_LAST_SEEN] = now
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers Django does not set itself; CSP comes from Django's own middleware (S-07)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Simplified Chinese unless the person chose otherwise.

    Django's LocaleMiddleware follows the browser's Accept-Language, so an office PC whose
    browser happens to be in English would show English. Here only an explicit choice (the
    language cookie set by the footer's switch, `set_language`) changes the language.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
