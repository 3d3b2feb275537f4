"""The portal's rows of the access table (see tests/access.py).

Public pages (/public/) answer everyone alike, signed in or not. Staff pages (/service/) use
objects made by `url_for`: an inquiry logged by the clerk (综合科) and a disclosure request of
综合科, each seen by 综合科's people it concerns, its head and the supervisor; 404 for others.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.urls import reverse

from tests.access import BUSINESS, everyone, only, public

SERVING = [*BUSINESS]  # every business role works the desk and sees its section's requests

TABLE: dict[str, dict[str, object]] = {
    # --- Public pages ---
    "portal:home": public(200),
    "portal:charter": public(200),
    "portal:guides": public(200),
    "portal:guide": public(200),
    "portal:rate_guide": public(200),
    "portal:disclosure": public(200),
    "portal:policies": public(200),
    "portal:policy_pdf": public(200),  # a published (dispatched, public) document
    "portal:directory": public(200),
    "portal:person": public(200),
    # The clerk has no photo: 404, as for anyone not in the directory.
    "portal:photo": public(404),
    "portal:rate_staff": public(200),
    "portal:display": public(302),  # sets a display cookie and goes back
    # --- Staff pages ---
    "portal_staff:desk": only(SERVING),
    "portal_staff:desk_new": only(SERVING),
    "portal_staff:desk_detail": only(["clerk", "section_head", "supervisor"], refused=404),
    "portal_staff:desk_receipt": only(["clerk", "section_head", "supervisor"], refused=404),
    "portal_staff:disclosure_list": only(SERVING),
    # 综合科's request: its staff (clerk, petition officer), its head, and the supervisor.
    "portal_staff:disclosure": only(
        ["clerk", "petition_officer", "section_head", "supervisor"], refused=404
    ),
    "portal_staff:disclosure_answer": everyone(405),
    "portal_staff:disclosure_extend": everyone(405),
    "portal_staff:presence": everyone(200),
    "portal_staff:presence_set": everyone(405),
    "portal_staff:moderation": only(["section_head", "supervisor"]),
    "portal_staff:moderate": everyone(405),
    "portal_staff:results": only(["section_head", "leader", "supervisor"]),
    "portal_staff:content": only(["system_admin"]),
    "portal_staff:text_new": only(["system_admin"]),
    "portal_staff:text_edit": only(["system_admin"]),
    "portal_staff:guide_new": only(["system_admin"]),
    "portal_staff:guide_edit": only(["system_admin"]),
}


def _inquiry_pk() -> int:
    from portal.models import Inquiry
    from portal.services import inquiry_log

    clerk = User.objects.get(username="clerk")
    inquiry = Inquiry.objects.filter(created_by=clerk, visitor="访问表测试").first()
    if inquiry is None:
        inquiry = inquiry_log(
            by=clerk, visitor="访问表测试", matter="咨询办事流程", result="settled"
        )
    return inquiry.pk


def _disclosure_pk() -> int:
    from portal.models import DisclosureRequest
    from portal.services import disclosure_submit

    obj = DisclosureRequest.objects.filter(applicant_name="访问表测试").first()
    if obj is None:
        obj = disclosure_submit(
            applicant_name="访问表测试",
            phone="13800000000",
            description="2026年城区供暖补贴发放情况",
            delivery="pickup",
            client="access-table",
        )
    return obj.pk


def url_for(name: str) -> str:
    from office.models import Staff
    from portal.models import PublicText, ServiceGuide

    badge = Staff.objects.get(user__username="clerk").badge_number
    slug = ServiceGuide.objects.published().first().slug
    args = {
        "portal:guide": [slug],
        "portal:rate_guide": [slug],
        "portal:person": [badge],
        "portal:photo": [badge],
        "portal:rate_staff": [badge],
        "portal_staff:desk_detail": [_inquiry_pk()],
        "portal_staff:desk_receipt": [_inquiry_pk()],
        "portal_staff:disclosure": [_disclosure_pk()],
        "portal_staff:disclosure_answer": [_disclosure_pk()],
        "portal_staff:disclosure_extend": [_disclosure_pk()],
        "portal_staff:presence_set": [Staff.objects.get(user__username="clerk").pk],
        "portal_staff:moderate": [1],
        "portal_staff:text_edit": [PublicText.objects.first().pk],
        "portal_staff:guide_edit": [ServiceGuide.objects.first().pk],
    }.get(name, [])
    if name == "portal:policy_pdf":
        from tests.portal.test_policies import published_document

        args = [published_document().pk]
    return reverse(name, args=args)
