"""The meetings rows of the access table (see tests/access.py).

Object pages are opened on a meeting scheduled by the secretariat with the mayor in the chair:
the secretariat and the supervisor see every meeting, the mayor chairs it, nobody else may know
it exists (404). The minutes PDF is opened on an issued meeting whose item came from 综合科, so
综合科's people see that one too.
"""

from __future__ import annotations

from django.urls import reverse

from tests.access import ADMINS, BUSINESS, everyone, only, public

SEES_MEETING = ["secretary", "leader", "supervisor"]
SEES_ISSUED = [*SEES_MEETING, "clerk", "section_head", "petition_officer"]

POST_ONLY = [
    "feed_reset",
    "meeting_recorders",
    "meeting_cancel",
    "agenda_approve",
    "meeting_notify",
    "attendance_respond",
    "check_in_at_door",
    "close_record",
    "minutes_draft",
    "minutes_check",
    "minutes_sign",
    "minutes_issue",
    "item_legal_review",
    "item_check",
    "item_approve_late",
    "agenda_add",
    "agenda_remove",
    "record_note",
    "item_outcome",
    "decision_add",
]


def _organiser_only():
    """200 for the secretariat, 403 for others who see the meeting, 404 for the rest."""
    return {
        "anonymous": "login",
        **{
            p: 200 if p == "secretary" else 403 if p in SEES_MEETING else 404
            for p in BUSINESS + ADMINS
        },
    }


TABLE: dict[str, dict[str, object]] = {
    "meetings:index": everyone(200),
    "meetings:calendar": everyone(200),
    "meetings:feed": everyone(200),
    "meetings:ical": public(200),
    "meetings:meeting_new": only(["secretary"]),
    "meetings:item_submit": only(["clerk", "other_section_staff", "section_head", "secretary"]),
    "meetings:meeting": only(SEES_MEETING, refused=404),
    "meetings:check_in_code": _organiser_only(),
    "meetings:signin_sheet": _organiser_only(),
    # On the attendance list (the mayor) or the secretariat; the link itself is the secret.
    "meetings:check_in_self": only(["secretary", "leader"], refused=404),
    "meetings:minutes_pdf": only(SEES_ISSUED, refused=404),
    **{f"meetings:{name}": everyone(405) for name in POST_ONLY},
    "admin:app_list:meetings": {
        "anonymous": "admin-login",
        **dict.fromkeys(BUSINESS, "admin-login"),
        "system_admin": 200,
        "security_admin": 404,
        "audit_admin": 404,
    },
}

# The admin models: the system admin configures meeting kinds and rooms; nobody deletes them.
ADMIN_MODELS = {
    "meetings_meetingkind": {"system_admin": "vac"},
    "meetings_room": {"system_admin": "vac"},
}


def url_for(name: str) -> str:
    from tests.meetings import flow

    short = name.removeprefix("meetings:")
    if name == "admin:app_list:meetings":
        return reverse("admin:app_list", kwargs={"app_label": "meetings"})
    if short in POST_ONLY:
        return reverse(name) if short == "feed_reset" else reverse(name, args=[1])
    if short == "ical":
        import secrets

        from django.utils import timezone

        from meetings.models import CalendarFeed

        feed = CalendarFeed.objects.create(
            user=flow.user("clerk"), token=secrets.token_urlsafe(32), created_at=timezone.now()
        )
        return reverse(name, args=[feed.token])
    if short in ("meeting", "check_in_code", "signin_sheet"):
        return reverse(name, args=[flow.schedule().pk])
    if short == "check_in_self":
        return reverse(name, args=[flow.notified().checkin_token])
    if short == "minutes_pdf":
        return reverse(name, args=[flow.issued().meeting_id])
    return reverse(name)
