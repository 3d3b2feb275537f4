"""The one WeasyPrint entry point (ARCHITECTURE.md "pdf"; SECURITY.md S-20, S-26, S-27).

`render_pdf(template_name, context)` renders a Django template (autoescaped: text from the public
or from staff cannot become markup) and lays it out as an A4 PDF with the system's Noto CJK fonts.

What the renderer may read is decided by `SafeURLFetcher`, never by the template:

- `data:` URLs, decoded in memory;
- `file:` URLs whose resolved path (symlinks followed) lies under our static folders or the system
  font folders;
- nothing else. http, https, ftp and every other scheme are refused before any socket is opened,
  so a template that points at `http://127.0.0.1:…` or `file:///etc/passwd` makes no connection
  and embeds nothing (there is no network code path at all, hence no redirects either).

Render time is bounded in two ways, because WeasyPrint is pure CPU work that a thread cannot be
made to abandon:

1. Inputs are bounded: the HTML handed to WeasyPrint is refused above `PDF_MAX_HTML_BYTES`
   (2 MB by default; the callers also cap how many rows and characters they print), and no
   resource can be fetched from the network, so nothing can stall on I/O.
2. A hard time limit (`PDF_RENDER_TIMEOUT`, 20 s by default): when the render runs in the main
   thread (gunicorn's sync workers, Celery's prefork children, the test runner) a SIGALRM timer
   interrupts it and `PDFRenderTimeout` is raised. Elsewhere (threaded development server) the
   input bounds and the web server's own worker timeout are the guard. A child process per render
   would give a hard limit everywhere but costs a fork of the whole Django process per PDF; the
   deployment runs sync workers, so the signal timer covers production at no cost.
"""

from __future__ import annotations

import logging
import mimetypes
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import DataHandler, Request, url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

SYSTEM_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")
MAX_FILE_BYTES = 64 * 1024 * 1024  # the largest Noto CJK collection is about 25 MB

# The user-agent level defaults every PDF gets; a template's own styles override them.
BASE_CSS = """
@page { size: A4; margin: 20mm 18mm; }
html { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 12pt;
       line-height: 1.5; color: #000; }
"""


class PDFRenderTimeout(Exception):
    """The render took longer than PDF_RENDER_TIMEOUT seconds and was stopped."""


class _Deadline(BaseException):
    """Raised by the alarm inside WeasyPrint. A BaseException, so WeasyPrint's own
    `except Exception` blocks (broken images, bad fonts) cannot swallow it."""


class RefusedURL(ValueError):
    pass


def allowed_roots() -> list[Path]:
    """The folders the renderer may read: our static folders and the system font folders."""
    candidates = [
        *getattr(settings, "STATICFILES_DIRS", ()),
        getattr(settings, "STATIC_ROOT", None),
        *getattr(settings, "PDF_FONT_DIRS", SYSTEM_FONT_DIRS),
    ]
    roots = []
    for candidate in candidates:
        if not candidate:
            continue
        path = Path(candidate[1] if isinstance(candidate, tuple) else candidate)
        if path.is_dir():
            roots.append(path.resolve())
    return roots


class SafeURLFetcher(URLFetcher):
    """Only `data:` and files under `roots`; everything else is refused without any I/O.

    `fetch` is replaced wholesale, so the network handlers urllib's opener would use are never
    reached; `open` (urllib's entry point) goes through the same check.
    """

    def __init__(self, roots: list[Path] | None = None):
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, timeout=1)
        self.roots = [Path(r).resolve() for r in (allowed_roots() if roots is None else roots)]
        self.refused: list[str] = []

    def _refuse(self, url: str, why: str):
        self.refused.append(url)
        logger.warning("PDF render: refused %s (%s)", url[:200], why)
        return RefusedURL(f"{why}: {url[:200]}")

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            response = DataHandler().data_open(Request(url))
            return URLFetcherResponse(
                url, response.read(), {"Content-Type": response.headers.get_content_type()}
            )
        if scheme != "file":
            raise self._refuse(url, "only data: and local static/font files may be loaded")
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise self._refuse(url, "file URL on another host")
        raw = Path(url2pathname(unquote(parts.path)))
        if not raw.is_absolute():
            raise self._refuse(url, "relative file URL")
        try:
            path = raw.resolve(strict=True)
        except (OSError, RuntimeError, ValueError) as error:
            raise self._refuse(url, "no such file") from error
        if not any(path.is_relative_to(root) for root in self.roots):
            raise self._refuse(url, "outside the static and font folders")
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            raise self._refuse(url, "not a regular file of reasonable size")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})

    def open(self, url, data=None, timeout=None):
        return self.fetch(url.full_url if isinstance(url, Request) else url)


@contextmanager
def _time_limit(seconds: float) -> Iterator[bool]:
    """A SIGALRM timer around the render when that is possible (main thread, no timer already
    running); yields whether the limit is armed."""
    if (
        seconds <= 0
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
        or signal.getitimer(signal.ITIMER_REAL)[0] > 0
    ):
        yield False
        return

    def on_alarm(signum, frame):
        raise _Deadline

    previous = signal.signal(signal.SIGALRM, on_alarm)
    # The alarm repeats every 50 ms after the first: an alarm that lands inside a C callback
    # (cffi prints and drops exceptions raised there) is followed by another one.
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def static_base_url() -> str:
    """Relative URLs in a PDF template resolve inside our static folder."""
    folder = Path(settings.STATICFILES_DIRS[0] if settings.STATICFILES_DIRS else settings.BASE_DIR)
    return folder.resolve().as_uri() + "/"


def html_to_pdf(
    html: str,
    *,
    base_url: str | None = None,
    url_fetcher: SafeURLFetcher | None = None,
    relayout: Sequence[Callable[[Any], str | None]] = (),
    finish: Callable[[Any], bytes] | None = None,
) -> bytes:
    """Lay out already-rendered (escaped) HTML as a PDF, with the safe fetcher and time limit.

    `relayout`: callables that look at the laid-out WeasyPrint document (its pages and boxes) and
    return new HTML to lay out instead, or None to keep it — for layouts that depend on where the
    pages break (the GB/T 9704 版记 on the last page). `finish`: draws the final layout instead of
    a plain `write_pdf()` (the typesetter justifies lines, merges attachments, writes the OFD).
    All within the one time limit."""
    limit = getattr(settings, "PDF_MAX_HTML_BYTES", 2 * 1024 * 1024)
    fetcher = url_fetcher or SafeURLFetcher()
    timeout = float(getattr(settings, "PDF_RENDER_TIMEOUT", 20))
    started = time.monotonic()

    def layout(source: str):
        if len(source.encode()) > limit:
            raise ValueError(f"PDF source is larger than {limit} bytes")
        return HTML(
            string=source, base_url=base_url or static_base_url(), url_fetcher=fetcher
        ).render(stylesheets=[CSS(string=BASE_CSS, url_fetcher=fetcher)])

    if len(html.encode()) > limit:
        raise ValueError(f"PDF source is larger than {limit} bytes")
    try:
        with _time_limit(timeout):
            document = layout(html)
            for step in relayout:
                again = step(document)
                if again is not None:
                    document = layout(again)
            pdf = finish(document) if finish else document.write_pdf()
            if time.monotonic() - started > timeout:  # every alarm was swallowed: still late
                raise _Deadline
    except _Deadline:
        logger.error("PDF render stopped after %.1f s", time.monotonic() - started)
        raise PDFRenderTimeout(timeout) from None
    return pdf


def render_pdf(template_name, context: dict, *, request=None) -> bytes:
    """Render a Django template (autoescaped) to A4 PDF bytes. `template_name` may be a list, as
    for `render_to_string`."""
    html = render_to_string(template_name, context, request=request)
    return html_to_pdf(html)
