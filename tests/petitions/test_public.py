"""The public pages (S-18, S-19, S-20): one case per double submission, bounded fields, a
rate-limited look-up that answers "not found" and "wrong digits" identically, the rating, and
text from the public escaped on staff pages, in e-mails and in PDFs."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.core.cache import cache
from django.urls import reverse

from office.models import OutboxMessage
from petitions import services
from petitions.models import Petition

from .conftest import at

pytestmark = pytest.mark.django_db

TOKEN = "Xy7-token-for-one-submission-0001"


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def form(**kw):
    data = {
        "token": TOKEN,
        "name": "李德明",
        "phone": "13847125678",
        "id_number": "",
        "address": "乌兰浩特市兴安街道",
        "category": "suggestion",
        "subject_area": "transport",
        "title": "建议增设公交站点",
        "request": "建议在新建小区门口增设公交站点。",
        "facts": "",
        "reasons": "",
        "location": "兴安街道",
    }
    data.update(kw)
    return data


def test_an_online_petition_is_registered_and_its_code_shown_once(client):
    response = client.post(reverse("petitions_public:submit"), form())
    assert response.status_code == 302 and response.url == reverse("petitions_public:submitted")
    petition = Petition.objects.get(title="建议增设公交站点")
    assert petition.channel == "online" and petition.registered_by is None
    page = client.get(reverse("petitions_public:submitted")).content.decode()
    code = petition.query_code
    assert f"{code[:4]}-{code[4:8]}" in page
    again = client.get(reverse("petitions_public:submitted")).content.decode()
    assert code[:4] + "-" + code[4:8] not in again


def test_a_double_submission_makes_one_petition(client):
    before = Petition.objects.count()
    first = client.post(reverse("petitions_public:submit"), form())
    second = client.post(reverse("petitions_public:submit"), form())
    assert first.status_code == second.status_code == 302
    assert Petition.objects.count() == before + 1


def test_field_sizes_are_bounded(client):
    before = Petition.objects.count()
    response = client.post(reverse("petitions_public:submit"), form(request="长" * 1001))
    assert response.status_code == 200
    assert Petition.objects.count() == before
    response = client.post(
        reverse("petitions_public:submit"), form(title="长" * 101, token="another-token-000000001")
    )
    assert Petition.objects.count() == before


def test_submissions_are_rate_limited(client):
    for i in range(5):
        assert (
            client.post(
                reverse("petitions_public:submit"), form(token=f"token-number-{i:012d}")
            ).status_code
            == 302
        )
    response = client.post(
        reverse("petitions_public:submit"), form(token="token-number-999999999999")
    )
    assert response.status_code == 200
    assert "提交过于频繁" in response.content.decode()


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.fixture
def replied(register, petition_officer):
    petition, code = register(now=at(2026, 9, 1))
    services.petition_decide(
        petition=petition, by=petition_officer, decision="accept", now=at(2026, 9, 2)
    )
    services.petition_reply(
        petition=petition,
        by=petition_officer,
        outcome="support",
        reply_text="已维修",
        basis="《供热条例》",
        now=at(2026, 9, 20),
    )
    return Petition.objects.get(pk=petition.pk), code


def test_the_look_up_shows_state_and_dates_only(client, replied):
    petition, code = replied
    response = client.post(
        reverse("petitions_public:lookup"), {"code": code.lower(), "last4": "5678"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        petition.number in html
        and "已答复" in html
        and "处理意见书" in html
        and "2026年9月20日" in html
    )
    for secret in ("王桂芝", "13904825678", "150221", "已维修", "供暖管网", "幸福小区"):
        assert secret not in html


def test_not_found_and_wrong_digits_look_the_same(client, replied):
    petition, code = replied
    wrong_digits = client.post(reverse("petitions_public:lookup"), {"code": code, "last4": "0000"})
    cache.clear()
    not_found = client.post(
        reverse("petitions_public:lookup"), {"code": "23456789ABCDEFGHJ", "last4": "5678"}
    )
    assert wrong_digits.status_code == not_found.status_code == 200
    assert _without_tokens(wrong_digits.content.decode()) == _without_tokens(
        not_found.content.decode()
    )
    assert petition.number not in wrong_digits.content.decode()


def test_wrong_guesses_are_rate_limited(client, replied):
    _petition, code = replied
    for _ in range(10):
        client.post(
            reverse("petitions_public:lookup"), {"code": "23456789ABCDEFGHJ", "last4": "1111"}
        )
    # even the right answer is refused now, for this address
    response = client.post(reverse("petitions_public:lookup"), {"code": code, "last4": "5678"})
    assert response.status_code == 429
    assert "尝试次数过多" in response.content.decode()


def test_the_petitioner_rates_the_outcome_once(client, replied):
    petition, code = replied
    # the rating needs a successful look-up in this session first
    assert client.post(reverse("petitions_public:rate"), {"rating": "满意"}).status_code == 302
    petition.refresh_from_db()
    assert petition.rating == ""
    client.post(reverse("petitions_public:lookup"), {"code": code, "last4": "5678"})
    client.post(reverse("petitions_public:rate"), {"rating": "满意", "state": "registered"})
    petition.refresh_from_db()
    assert petition.rating == "满意" and not petition.rated_by_phone and petition.state == "replied"
    page = client.post(
        reverse("petitions_public:lookup"), {"code": code, "last4": "5678"}
    ).content.decode()
    assert "提交评价" not in page


SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_script_from_the_public_is_text_on_staff_pages_in_emails_and_pdfs(
    client, client_for, petition_officer
):
    client.post(
        reverse("petitions_public:submit"),
        form(title="供暖<script>", request=SCRIPT, name="<b>李</b>"),
    )
    petition = Petition.objects.get(title="供暖<script>")
    staff = client_for(petition_officer)
    for url in (reverse("petitions:detail", args=[petition.pk]), reverse("petitions:index")):
        html = staff.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>李</b>" not in html
    assert (
        "&lt;script&gt;alert"
        in staff.get(reverse("petitions:detail", args=[petition.pk])).content.decode()
    )
    # e-mails are plain text: the subject is exactly what was typed, nothing is interpreted
    mail = OutboxMessage.objects.filter(channel="email", subject__contains="供暖<script>").first()
    assert mail is not None and "供暖<script>" in mail.subject
    # the acknowledgement PDF shows the characters themselves
    notice = petition.notices.get()
    pdf = staff.get(reverse("petitions:notice_pdf", args=[notice.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert "<b>李</b>" in text and "供暖<script>" in text
