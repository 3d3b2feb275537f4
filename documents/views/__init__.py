"""The pages of incoming documents (收文): the register (收文登记簿) and its export, registration,
the leaders' approval queue, a document's page, and one POST-only view per transition.

Each view is thin (STYLE.md, Views): one access line (`access._get_document_for_user` answers 404
for what the person may not see), a form, one service from `documents.services`, and a redirect
with a message. The attachment and PDF views are in `documents.views_files`.

- `lists`: the register, its Excel export, the approval queue;
- `incoming`: registration, a document's page and its transitions.
"""

from .incoming import (
    extension_decide,
    extension_request,
    handling_complete,
    handling_note,
    incoming_archive,
    incoming_attach,
    incoming_circulate,
    incoming_confirm,
    incoming_detail,
    incoming_instruct,
    incoming_present,
    incoming_read,
    incoming_register,
    incoming_screen,
)
from .lists import approval_queue, incoming_export, incoming_list

__all__ = [
    "approval_queue",
    "extension_decide",
    "extension_request",
    "handling_complete",
    "handling_note",
    "incoming_archive",
    "incoming_attach",
    "incoming_circulate",
    "incoming_confirm",
    "incoming_detail",
    "incoming_export",
    "incoming_instruct",
    "incoming_list",
    "incoming_present",
    "incoming_read",
    "incoming_register",
    "incoming_screen",
]
