"""去向牌 (today's whereabouts) set by the person or their section head and shown on the public
directory only for today; the system admin edits what the public reads, on the record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from office import workcalendar
from office.models import AuditEntry, Staff
from portal import services
from portal.models import Presence, ServiceGuide

pytestmark = pytest.mark.django_db


def _directory_html() -> str:
    return Client().get(reverse("portal:directory") + "?q=Z002").content.decode()


def test_a_person_sets_their_own_whereabouts_and_the_public_sees_it(client_for, clerk):
    staff = Staff.objects.get(user=clerk)
    response = client_for(clerk).post(
        reverse("portal_staff:presence_set", args=[staff.pk]), {"status": "meeting"}, follow=True
    )
    assert response.status_code == 200
    assert Presence.objects.get(staff=staff).status == "meeting"
    assert "presence-meeting" in _directory_html()
    assert AuditEntry.objects.filter(action="presence.set", object_id=str(staff.pk)).exists()


def test_the_section_head_sets_the_sections_whereabouts(client_for, section_head):
    clerk = Staff.objects.get(user__username="clerk")
    html = client_for(section_head).get(reverse("portal_staff:presence")).content.decode()
    assert clerk.name in html
    client_for(section_head).post(
        reverse("portal_staff:presence_set", args=[clerk.pk]), {"status": "leave"}
    )
    assert Presence.objects.get(staff=clerk).status == "leave"


def test_nobody_else_sets_them(client_for, other_section_staff):
    clerk = Staff.objects.get(user__username="clerk")
    response = client_for(other_section_staff).post(
        reverse("portal_staff:presence_set", args=[clerk.pk]), {"status": "away"}
    )
    assert response.status_code == 404
    assert not Presence.objects.exists()
    with pytest.raises(PermissionDenied):
        services.presence_set(staff=clerk, status="away", by=other_section_staff.staff.user)


def test_yesterdays_whereabouts_are_not_shown_as_todays(demo_office, clerk):
    staff = Staff.objects.get(user=clerk)
    yesterday = dt.datetime.now(tz=workcalendar.local_tz()) - dt.timedelta(days=1)
    services.presence_set(staff=staff, status="away", by=clerk, now=yesterday)
    html = _directory_html()
    assert "presence-away" not in html and "今日未登记" in html


def test_an_unknown_status_changes_nothing(client_for, clerk):
    staff = Staff.objects.get(user=clerk)
    client_for(clerk).post(
        reverse("portal_staff:presence_set", args=[staff.pk]), {"status": "beach"}
    )
    assert not Presence.objects.exists()


def test_the_system_admin_edits_and_publishes_a_guide(client_for, system_admin):
    client = client_for(system_admin)
    response = client.post(
        reverse("portal_staff:guide_new"),
        {
            "slug": "new-guide",
            "title": "新办事指南",
            "materials": "身份证\n申请表",
            "display_order": "5",
            "published": "",
        },
    )
    assert response.status_code == 302
    guide = ServiceGuide.objects.get(slug="new-guide")
    assert not guide.published
    assert Client().get(reverse("portal:guide", args=["new-guide"])).status_code == 404
    client.post(
        reverse("portal_staff:guide_edit", args=[guide.pk]),
        {"slug": "new-guide", "title": "新办事指南", "display_order": "5", "published": "on"},
    )
    assert Client().get(reverse("portal:guide", args=["new-guide"])).status_code == 200
    assert AuditEntry.objects.filter(action="serviceguide.change", actor=system_admin).exists()


def test_business_staff_cannot_edit_public_content(client_for, clerk):
    guide = ServiceGuide.objects.first()
    response = client_for(clerk).post(
        reverse("portal_staff:guide_edit", args=[guide.pk]),
        {"slug": guide.slug, "title": "篡改", "display_order": "1"},
    )
    assert response.status_code == 403
    guide.refresh_from_db()
    assert guide.title != "篡改"


def test_the_presence_page_keeps_its_queries_at_5_and_50_people(client_for, section_head):
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    section = Staff.objects.get(user=section_head).section
    client = client_for(section_head)
    client.get(reverse("portal_staff:presence"))
    counts = []
    for n in (5, 50):
        i = 0
        while Staff.objects.filter(section=section).count() < n:
            user = User.objects.create_user(f"pres{n}-{i}", last_name="测", first_name=str(i))
            staff = Staff.objects.create(user=user, section=section, badge_number=f"P{n}{i:03d}")
            services.presence_set(staff=staff, status="in_office", by=section_head)
            i += 1
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("portal_staff:presence"))
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
