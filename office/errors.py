"""Error pages that need nothing: the 500 and 503 answers (SECURITY.md S-35, S-39).

When the database is away, everything that usually decorates a page fails with it: the shell's
context processor counts work items, the session lives in PostgreSQL, even the rate-limit cache
is a table. So these two answers come from one static template rendered by an engine of their
own — no context processors, no request context, no translation catalog, no database, no cache —
and carry a reference that is written to the log together with the traceback.

A database outage (psycopg's `OperationalError`/`InterfaceError` reaching Django's handler, in a
view or in a middleware) answers 503 with `Retry-After`, so the proxy and the people know to come
back shortly; everything else is a 500.
"""

from __future__ import annotations

import logging
import secrets
import sys
from functools import cache

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import Context, Engine

log = logging.getLogger("office.errors")

# Seconds the client is asked to wait: a PostgreSQL restart or fail-over is back within this
# (S-35 promises recovery within 15 s).
RETRY_AFTER_SECONDS = 15

_PAGES = {
    500: ("系统出错", "系统处理您的请求时出错，请稍后再试。"),
    503: ("系统暂时不可用", "系统正在恢复（数据库暂时无法连接），请稍候片刻再刷新页面。"),
}


@cache
def _template():
    engine = Engine(dirs=[str(settings.BASE_DIR / "templates")], debug=False)
    return engine.get_template("errors/static.html")


def new_reference() -> str:
    return secrets.token_hex(4).upper()


def static_error_response(status: int, reference: str) -> HttpResponse:
    """The static Chinese page for `status` (500 or 503); touches neither database nor cache."""
    title, explanation = _PAGES[status]
    html = _template().render(
        Context({"title": title, "explanation": explanation, "reference": reference})
    )
    response = HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def is_database_outage(exc: BaseException | None) -> bool:
    """True for the errors a lost or refused database connection raises (Django wraps the
    driver's errors in these two classes)."""
    for _depth in range(5):  # the error itself or what it was raised from
        if exc is None:
            return False
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def server_error(request) -> HttpResponse:
    """handler500: called by Django inside its `except`, so the exception is at hand."""
    exc = sys.exception()
    reference = new_reference()
    path = request.path[:200].replace("\r", "%0D").replace("\n", "%0A")  # S-38
    if is_database_outage(exc):
        log.error(
            "database unavailable reference=%s path=%s: %r", reference, path, exc, exc_info=exc
        )
        return static_error_response(503, reference)
    log.error("server error reference=%s path=%s", reference, path, exc_info=exc)
    return static_error_response(500, reference)
