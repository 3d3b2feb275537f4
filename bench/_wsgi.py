"""The WSGI app for `make bench-load`, with every view imported before gunicorn forks
(--preload): otherwise each worker's first request imports the URLconf and its views
(WeasyPrint, openpyxl, …), ~20 s on a loaded two-core machine, and the first seconds of the load
measure imports."""

from django.urls import get_resolver

from office.wsgi import application

get_resolver().url_patterns  # noqa: B018  (imports every view module)

__all__ = ["application"]
