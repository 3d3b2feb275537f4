"""Documents themselves are never edited in the admin: every change goes through
`documents.services` (ARCHITECTURE.md). The number series are configured in office's admin."""

from .outgoing import admin as outgoing_admin  # noqa: F401  (document series)
