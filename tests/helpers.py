"""Small test helpers shared by the apps' tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import override_settings

from office.celery import app as celery_app


class _FormParser(HTMLParser):
    def __init__(self, form_id: str | None):
        super().__init__()
        self.form_id = form_id
        self.in_form = form_id is None
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.form_id is not None:
            self.in_form = a.get("id") == self.form_id
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name and "__prefix__" not in name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.setdefault(name, []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.data.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name and "__prefix__" not in name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name and "__prefix__" not in name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self.form_id is not None:
            self.in_form = False

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data


def form_data(response, form_id: str | None = None) -> dict[str, list[str]]:
    """The values a browser would submit from the page's form, for a faithful POST."""
    parser = _FormParser(form_id)
    parser.feed(response.content.decode())
    return {k: v for k, v in parser.data.items() if v != [] or k}


def kick_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "outbox-kick"]


def reset_publisher() -> None:
    """Forget the cached connection pools (kombu keeps them, keyed by URL), so the next publish
    connects to the current broker_url."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def publishing_to(broker_url: str, queue: str) -> Iterator[None]:
    """This process publishes to `broker_url`, default queue `queue`, for the duration. On the
    way out it waits for the after-commit kicks, so none of them outlives the broker it saw.

    Celery takes CELERY_BROKER_URL from the environment before any configuration, and the app
    reads the rest from Django's settings (CELERY namespace): setting `app.conf.broker_url` does
    not move the publishes while that variable is set, so change the environment and settings."""
    reset_publisher()
    try:
        with (
            pytest.MonkeyPatch.context() as mp,
            override_settings(CELERY_BROKER_URL=broker_url, CELERY_TASK_DEFAULT_QUEUE=queue),
        ):
            mp.setenv("CELERY_BROKER_URL", broker_url)
            mp.delenv("CELERY_BROKER_WRITE_URL", raising=False)
            wanted, conn = urlsplit(broker_url), celery_app.connection_for_write()
            assert (conn.hostname, conn.port, str(conn.virtual_host)) == (
                wanted.hostname,
                wanted.port,
                wanted.path.lstrip("/"),
            ), "the publisher did not switch brokers"
            try:
                yield
            finally:
                for thread in kick_threads():
                    thread.join(timeout=30)
        assert not kick_threads(), "the after-commit publish did not finish within 30 s"
    finally:
        reset_publisher()
