"""The staff pages: the case list's constant query count, registration with repeat detection,
and the transition views (POST only; bad input changes nothing)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from petitions import services
from petitions.models import Petition, PetitionState

from .conftest import PERSON, at

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("viewer", ["petition_officer", "leader"])
def test_the_case_list_keeps_a_constant_number_of_queries(register, client_for, viewer, request):
    client = client_for(request.getfixturevalue(viewer))
    url = reverse("petitions:index")
    for _ in range(5):
        register()
    client.get(url)  # warm the per-process caches (content types, calendar)
    at_5 = _queries(client, url)
    for _ in range(45):
        register()
    at_50 = _queries(client, url)
    assert at_5 == at_50, (at_5, at_50)
    assert at_50 <= 12, at_50


def test_the_list_filters_and_searches(register, client_for, petition_officer):
    register(title="噪声扰民问题")
    register(title="供暖不热", channel="letter")
    client = client_for(petition_officer)
    html = client.get(reverse("petitions:index"), {"q": "噪声"}).content.decode()
    assert "噪声扰民问题" in html and "供暖不热" not in html
    html = client.get(reverse("petitions:index"), {"channel": "letter"}).content.decode()
    assert "供暖不热" in html and "噪声扰民问题" not in html
    empty = client.get(reverse("petitions:index"), {"q": "不存在的内容"}).content.decode()
    assert "没有符合条件的信访事项" in empty


def intake(**kw):
    data = {
        "channel": "visit",
        "received_at": "2026-11-30T09:30",
        "name": PERSON["name"],
        "id_number": PERSON["id_number"],
        "phone": PERSON["phone"],
        "address": PERSON["address"],
        "headcount": "1",
        "category": "claim",
        "subject_area": "urban",
        "title": "小区供暖温度不达标",
        "request": "请求维修供暖管网。",
    }
    data.update(kw)
    return data


def test_registration_at_the_desk_shows_earlier_petitions_and_links_a_repeat(
    client_for, petition_officer, register
):
    earlier, _code = register(now=at(2026, 9, 1))
    client = client_for(petition_officer)
    url = reverse("petitions:register")
    response = client.post(url, intake())
    html = response.content.decode()
    assert response.status_code == 200
    assert earlier.number in html and "同一信访人" in html
    response = client.post(url, intake(confirm="1", repeat_of=str(earlier.pk)))
    assert response.status_code == 302
    new = Petition.objects.exclude(pk=earlier.pk).latest("pk")
    assert new.repeat_of == earlier and new.first_responder == petition_officer


def test_similar_content_is_found_without_the_same_person(register):
    earlier, _code = register(
        title="和平街道幸福小区供暖温度不达标", request="请求维修小区供暖管网，保证室温达标"
    )
    rows = services.find_repeats(
        phones=["13000000000"],
        subject_area="urban",
        text="幸福小区供暖温度不达标请求维修供暖管网保证室温",
    )
    assert [(p.pk, why) for p, why in rows] == [(earlier.pk, "内容相似")]


def test_a_petition_past_re_review_is_flagged_not_to_be_accepted_again(
    register, petition_officer, client_for
):
    earlier, _code = register(now=at(2026, 3, 2))
    services.petition_decide(
        petition=earlier, by=petition_officer, decision="accept", now=at(2026, 3, 3)
    )
    services.petition_reply(
        petition=earlier,
        by=petition_officer,
        outcome="not_support",
        reply_text="a",
        basis="b",
        now=at(2026, 3, 20),
    )
    r = services.review_apply(
        petition=earlier, by=petition_officer, reasons="不服", now=at(2026, 3, 25)
    )
    services.review_decide(
        review=r, by=petition_officer, outcome="not_support", text="维持", now=at(2026, 4, 5)
    )
    earlier.refresh_from_db()
    r = services.review_apply(
        petition=earlier, by=petition_officer, reasons="仍不服", now=at(2026, 4, 10)
    )
    services.review_decide(
        review=r, by=petition_officer, outcome="not_support", text="维持", now=at(2026, 4, 20)
    )
    html = (
        client_for(petition_officer).post(reverse("petitions:register"), intake()).content.decode()
    )
    assert "不再受理" in html


def test_a_bad_registration_changes_nothing(client_for, petition_officer):
    before = Petition.objects.count()
    response = client_for(petition_officer).post(
        reverse("petitions:register"), intake(id_number="1234", title="")
    )
    assert response.status_code == 200
    assert "身份证号码为18位" in response.content.decode()
    assert Petition.objects.count() == before


def test_the_decision_view_ignores_extra_fields(register, client_for, petition_officer):
    petition, _code = register()
    client = client_for(petition_officer)
    response = client.post(
        reverse("petitions:decide", args=[petition.pk]),
        {
            "decision": "reject",
            "reason": "属于劳动争议",
            "statutory_channel": "arbitration",
            "state": "re_reviewed",
            "number": "X",
        },
    )
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.state == PetitionState.REJECTED and petition.number.startswith("信访")
    # the same decision again: a clear message, nothing changed
    response = client.post(
        reverse("petitions:decide", args=[petition.pk]), {"decision": "accept"}, follow=True
    )
    assert "已由他人办理" in response.content.decode()


def test_a_refused_person_gets_403_from_a_transition(register, client_for, leader):
    petition, _code = register()
    response = client_for(leader).post(
        reverse("petitions:decide", args=[petition.pk]), {"decision": "accept"}
    )
    assert response.status_code == 403
    petition.refresh_from_db()
    assert petition.state == PetitionState.REGISTERED


def test_an_invisible_petition_is_404_for_a_transition(register, client_for, clerk):
    petition, _code = register()
    assert (
        client_for(clerk)
        .post(reverse("petitions:decide", args=[petition.pk]), {"decision": "accept"})
        .status_code
        == 404
    )


def test_the_full_handling_through_the_views(
    register, client_for, petition_officer, leader, housing
):
    petition, _code = register(now=at(2026, 11, 30))
    officer = client_for(petition_officer)
    assert (
        officer.post(
            reverse("petitions:decide", args=[petition.pk]),
            {"decision": "assign", "unit": housing.pk},
        ).status_code
        == 302
    )
    petition.refresh_from_db()
    assert petition.state == PetitionState.ACCEPTED
    head = client_for(leader)
    assert (
        head.post(
            reverse("petitions:extend", args=[petition.pk]), {"days": "30", "reason": "需现场勘查"}
        ).status_code
        == 302
    )
    assignment = petition.assignments.get()
    assert (
        officer.post(
            reverse("petitions:report", args=[assignment.pk]), {"report": "已维修"}
        ).status_code
        == 302
    )
    assert (
        officer.post(
            reverse("petitions:reply", args=[petition.pk]),
            {"outcome": "support", "reply_text": "已维修", "basis": "《供热条例》"},
        ).status_code
        == 302
    )
    petition.refresh_from_db()
    assert petition.state == PetitionState.REPLIED and petition.extended
    reply = petition.notices.get(kind="reply")
    pdf = officer.get(reverse("petitions:notice_pdf", args=[reply.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert (
        officer.post(
            reverse("petitions:notice_deliver", args=[reply.pk]), {"method": "post"}
        ).status_code
        == 302
    )
    reply.refresh_from_db()
    assert reply.delivery_method == "post"


def test_a_case_list_beyond_the_cap_says_more_than(client_for, petition_officer, monkeypatch):
    """At 1,000,000 petitions an exact count took 81 ms of a 104 ms page (office/paging.py)."""
    from office.paging import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 1)  # the demo office has three closed cases
    html = client_for(petition_officer).get("/petitions/").content.decode()
    assert "超过 1 件，请筛选或搜索以缩小范围。" in html


def _bulk_petitions(n: int, *, subject_area: str, title: str, request: str, start) -> None:
    """n petitions straight into the table (no services: only the content matters here)."""
    import datetime as dt

    from petitions import crypto

    Petition.objects.bulk_create(
        Petition(
            number=f"信访〔T〕{i}号",
            channel="letter",
            category="claim",
            subject_area=subject_area,
            title=title,
            request=f"{request}{i}",
            received_at=start + dt.timedelta(minutes=i),
            registered_at=start + dt.timedelta(minutes=i),
            query_code_hash=crypto.keyed_hash("code", f"t-{i}"),
            query_code_enc="",
        )
        for i in range(n)
    )


def test_similar_content_is_found_behind_many_newer_petitions_and_in_another_area(register):
    """The content check looks at all petitions, not the newest 200 of one subject area."""
    earlier, _code = register(
        now=at(2026, 3, 2),
        subject_area="environment",
        title="都林街道养殖场污水直排",
        request="请求责令养殖场停止向河道排放污水并清理",
    )
    _bulk_petitions(
        250,
        subject_area="urban",
        title="小区供暖温度不达标",
        request="请求维修供暖管网，保证室温达标。第",
        start=at(2026, 4, 1),
    )
    rows = services.find_repeats(
        subject_area="urban", text="都林街道养殖场向河道直排污水，请求停止排放并清理河道"
    )
    assert [(p.pk, why) for p, why in rows] == [(earlier.pk, "内容相似")]


def test_different_content_sharing_common_words_is_not_similar(register):
    register(title="道路积雪清理不及时", request="请求有关部门尽快清理积雪")
    rows = services.find_repeats(subject_area="urban", text="医保报销手续繁琐，请求简化")
    assert rows == []


def test_the_candidate_pairs_cover_every_petition_similar_enough():
    """Pigeonhole: a text with Dice ≥ 0.5 shares ≥ n/3 tokens, so it holds one of the pairs."""
    import itertools
    import random

    rng = random.Random(6)
    words = [f"w{i}" for i in range(17)]
    pairs = services._candidate_pairs(words)
    k = -(-len(words) // 3)
    for shared in itertools.islice(itertools.combinations(words, k), 3000):
        assert any(set(pair) <= set(shared) for pair in pairs)
    for _ in range(200):
        shared = rng.sample(words, k)
        assert any(set(pair) <= set(shared) for pair in pairs)
    assert services._candidate_pairs(["a", "b"]) == [("a",), ("b",)]


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the SQL tokeniser exists on PostgreSQL only"
)
def test_the_sql_tokens_are_the_python_tokens():
    from django.db import connection

    title, request = "小区供暖温度不达标", "请求有关部门尽快处理。第123号 ABC x，函"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tsvector_to_array(petition_content_tokens(%s, %s))", [title, request]
        )
        (sql_tokens,) = cursor.fetchone()
    assert set(sql_tokens) == services.content_tokens(title, request)


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the generated column exists on PostgreSQL only"
)
def test_postgresql_keeps_the_content_tokens_of_every_petition(register):
    petition, _code = register(title="养殖场污水直排", request="请求清理河道")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tsvector_to_array(content_tokens) FROM petitions_petition WHERE id = %s",
            [petition.pk],
        )
        (stored,) = cursor.fetchone()
    assert set(stored) == services.content_tokens(petition.title, petition.request)
