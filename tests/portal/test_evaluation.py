"""社会评议: ratings without sign-in, rate-limited, a bot field, comments moderated before anyone
sees them, monthly results per person and section."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from office import workcalendar
from office.client import client_address, client_key
from office.models import AuditEntry, Staff
from office.services import TransitionError
from portal import services
from portal.models import CommentState, Evaluation, ServiceGuide

pytestmark = pytest.mark.django_db


@pytest.fixture
def anon(demo_office) -> Client:
    return Client()


def _rate(client, badge="Z002", **data):
    return client.post(
        reverse("portal:rate_staff", args=[badge]),
        {"rating": "satisfied", "comment": "", "website": "", **data},
        follow=True,
    )


def test_a_citizen_rates_a_staff_member_without_signing_in(anon):
    response = _rate(anon, rating="fairly")
    assert "感谢您的评价" in response.content.decode()
    evaluation = Evaluation.objects.get()
    clerk = Staff.objects.get(badge_number="Z002")
    assert evaluation.staff == clerk and evaluation.section == clerk.section
    assert evaluation.rating == "fairly" and evaluation.comment_state == CommentState.NONE
    assert AuditEntry.objects.filter(action="evaluation.submit").exists()


def test_a_service_can_be_rated(anon):
    guide = ServiceGuide.objects.published().first()
    anon.post(reverse("portal:rate_guide", args=[guide.slug]), {"rating": "dissatisfied"})
    evaluation = Evaluation.objects.get()
    assert evaluation.guide == guide and evaluation.section == guide.section


def test_the_bot_field_keeps_nothing(anon):
    response = _rate(anon, website="http://spam.example", comment="buy now")
    assert "感谢您的评价" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_the_honeypot_is_hidden_from_people(anon):
    html = anon.get(reverse("portal:rate_staff", args=["Z002"])).content.decode()
    assert 'class="honeypot" aria-hidden="true"' in html
    assert 'name="website"' in html and 'tabindex="-1"' in html


def test_the_same_person_is_rated_once_a_day_from_one_address(anon):
    _rate(anon)
    response = _rate(anon)
    assert "您今天已评价过" in response.content.decode()
    assert Evaluation.objects.count() == 1


def test_ratings_are_rate_limited_per_hour_with_a_chinese_message(anon):
    badges = list(
        Staff.objects.in_public_directory().values_list("badge_number", flat=True)[
            : services.EVALUATIONS_PER_HOUR + 1
        ]
    )
    for badge in badges[:-1]:
        _rate(anon, badge=badge)
    assert Evaluation.objects.count() == services.EVALUATIONS_PER_HOUR
    response = _rate(anon, badge=badges[-1])
    assert "请稍后再试" in response.content.decode()
    assert Evaluation.objects.count() == services.EVALUATIONS_PER_HOUR
    # Another address may still rate.
    _rate(Client(REMOTE_ADDR="10.1.2.3"), badge=badges[-1])
    assert Evaluation.objects.count() == services.EVALUATIONS_PER_HOUR + 1


def test_the_hourly_limit_expires(demo_office):
    clerk = Staff.objects.get(badge_number="Z002")
    earlier = dt.datetime(2026, 6, 1, 9, 0, tzinfo=workcalendar.local_tz())
    for _ in range(services.EVALUATIONS_PER_HOUR):
        Evaluation.objects.create(staff=clerk, rating="satisfied", client="k", created_at=earlier)
    later = earlier + dt.timedelta(days=1, hours=1)
    services.evaluation_submit(staff=clerk, rating="satisfied", client="k", now=later)
    with pytest.raises(services.RateLimited):
        services.evaluation_submit(
            staff=Staff.objects.get(badge_number="J001"),
            rating="satisfied",
            client="k",
            now=earlier + dt.timedelta(minutes=30),
        )


def test_extra_fields_are_ignored(anon):
    _rate(anon, comment="很好", comment_state="approved", staff="1", section="2")
    evaluation = Evaluation.objects.get()
    assert evaluation.comment_state == CommentState.PENDING
    assert evaluation.staff.badge_number == "Z002"


def test_a_comment_is_invisible_until_a_moderator_approves_it(anon, client_for, section_head):
    _rate(anon, comment="刘同志耐心细致，一次讲清楚")
    person_url = reverse("portal:person", args=["Z002"])
    assert "一次讲清楚" not in anon.get(person_url).content.decode()
    evaluation = Evaluation.objects.get()
    assert evaluation.comment_state == CommentState.PENDING
    head = client_for(section_head)
    assert "一次讲清楚" in head.get(reverse("portal_staff:moderation")).content.decode()
    head.post(reverse("portal_staff:moderate", args=[evaluation.pk]), {"decision": "approve"})
    evaluation.refresh_from_db()
    assert evaluation.comment_state == CommentState.APPROVED
    assert evaluation.moderated_by == section_head
    assert "一次讲清楚" in anon.get(person_url).content.decode()


def test_a_rejected_comment_is_never_shown(anon, section_head):
    _rate(anon, comment="不当言论内容")
    evaluation = Evaluation.objects.get()
    services.evaluation_moderate(evaluation=evaluation, by=section_head, approve=False)
    assert "不当言论内容" not in anon.get(reverse("portal:person", args=["Z002"])).content.decode()
    with pytest.raises(TransitionError):
        services.evaluation_moderate(evaluation=evaluation, by=section_head, approve=True)


def test_only_moderators_of_the_section_moderate(anon, clerk, client_for):
    _rate(anon, comment="意见")
    evaluation = Evaluation.objects.get()
    with pytest.raises(PermissionDenied):
        services.evaluation_moderate(evaluation=evaluation, by=clerk, approve=True)
    from django.contrib.auth.models import User

    secretary_head = User.objects.get(username="secretary_head")  # heads another section
    with pytest.raises(PermissionDenied):
        services.evaluation_moderate(evaluation=evaluation, by=secretary_head, approve=True)
    response = client_for(secretary_head).post(
        reverse("portal_staff:moderate", args=[evaluation.pk]), {"decision": "approve"}
    )
    assert response.status_code == 404
    evaluation.refresh_from_db()
    assert evaluation.comment_state == CommentState.PENDING


def test_nobody_moderates_comments_about_themselves(anon, section_head):
    _rate(anon, badge="Z001", comment="关于科长本人的意见")
    evaluation = Evaluation.objects.get()
    with pytest.raises(PermissionDenied):
        services.evaluation_moderate(evaluation=evaluation, by=section_head, approve=True)


def test_public_text_is_escaped_on_the_staff_pages(anon, client_for, supervisor):
    _rate(anon, comment="<script>alert('x')</script>")
    html = client_for(supervisor).get(reverse("portal_staff:moderation")).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_monthly_results_per_person_and_section(demo_office, client_for, leader):
    clerk = Staff.objects.get(badge_number="Z002")
    street = Staff.objects.get(badge_number="J001")
    now = dt.datetime(2026, 11, 10, 10, 0, tzinfo=workcalendar.local_tz())
    for i, (who, rating) in enumerate(
        [(clerk, "satisfied"), (clerk, "dissatisfied"), (street, "fairly")]
    ):
        services.evaluation_submit(staff=who, rating=rating, client=f"r{i}", now=now)
    # December's rating is not November's.
    services.evaluation_submit(
        staff=clerk, rating="satisfied", client="r9", now=now + dt.timedelta(days=30)
    )
    response = client_for(leader).get(reverse("portal_staff:results") + "?month=2026-11")
    rows = {r["person"].badge_number: r for r in response.context["per_staff"]}
    assert (rows["Z002"]["total"], rows["Z002"]["satisfied"], rows["Z002"]["dissatisfied"]) == (
        2,
        1,
        1,
    )
    assert rows["J001"]["fairly"] == 1
    sections = {r["section_obj"].code: r["total"] for r in response.context["per_section"]}
    assert sections == {"general": 2, "subdistrict": 1}


def test_moderation_list_query_count_is_constant(demo_office, client_for, supervisor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    people = list(Staff.objects.in_public_directory())
    client = client_for(supervisor)
    client.get(reverse("portal_staff:moderation"))
    counts = []
    for n in (5, 50):
        while Evaluation.objects.count() < n:
            i = Evaluation.objects.count()
            services.evaluation_submit(
                staff=people[i % len(people)],
                rating="satisfied",
                comment=f"意见{i}",
                client=f"q{i}",
            )
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("portal_staff:moderation"))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(settings):
    from django.test import RequestFactory

    settings.TRUSTED_PROXY_COUNT = 1
    rf = RequestFactory()
    one = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    spoofed = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="9.9.9.9, 1.2.3.4")
    other = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="5.6.7.8")
    assert client_address(one) == client_address(spoofed) == "1.2.3.4"
    assert client_key(one) != client_key(other)
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(spoofed) == "10.0.0.1"
