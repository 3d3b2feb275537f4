"""Statistics: the four rates computed from the records, the month chart, the ledger export."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from office.models import AuditEntry
from petitions import services, stats
from petitions.models import Petition

from .conftest import PERSON, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_2025(register, petition_officer):
    """Four petitions of 2025: decided on time ×2 and late ×1, one undecided; of the two replies
    one on time and one late; one rated 满意, one 不满意."""
    a, _ = register(now=at(2025, 3, 3))
    b, _ = register(now=at(2025, 3, 10))
    c, _ = register(now=at(2025, 5, 6))
    register(now=at(2025, 7, 1))
    services.petition_decide(petition=a, by=petition_officer, decision="accept", now=at(2025, 3, 5))
    services.petition_decide(
        petition=b, by=petition_officer, decision="accept", now=at(2025, 3, 12)
    )
    services.petition_decide(
        petition=c, by=petition_officer, decision="accept", now=at(2025, 6, 30)
    )  # late
    services.petition_reply(
        petition=a,
        by=petition_officer,
        outcome="support",
        reply_text="x",
        basis="y",
        now=at(2025, 4, 1),
    )
    services.petition_reply(
        petition=b,
        by=petition_officer,
        outcome="support",
        reply_text="x",
        basis="y",
        now=at(2025, 6, 1),
    )  # late
    services.petition_rate(petition=a, rating="满意", by=petition_officer, now=at(2025, 4, 5))
    services.petition_rate(petition=b, rating="不满意", by=petition_officer, now=at(2025, 6, 5))


def test_the_four_rates_are_computed_from_the_records(year_2025):
    start, end = stats.period(2025)
    rates = stats.totals(stats.for_period(Petition.objects.all(), start, end))
    assert (rates.received, rates.decided, rates.decided_on_time) == (4, 3, 2)
    assert rates.timely_acceptance == 66.7
    assert rates.on_time_completion == 50.0
    assert rates.rating_participation == 100.0
    assert rates.satisfaction == 50.0
    months = dict(stats.by_month(stats.for_period(Petition.objects.all(), start, end), 2025))
    assert (months[3], months[5], months[7], months[1]) == (2, 1, 1, 0)


def test_the_statistics_page_draws_the_chart_on_the_server(year_2025, client_for, leader):
    html = (
        client_for(leader)
        .get(reverse("petitions:stats"), {"year": 2025, "by": "category"})
        .content.decode()
    )
    assert "<svg" in html and "<rect" in html and "66.7%" in html and "申诉求决类" in html
    assert "<script" not in html


def test_the_ledger_masks_personal_data_without_the_export_permission(
    year_2025, client_for, petition_officer
):
    response = client_for(petition_officer).get(reverse("petitions:ledger"), {"year": 2025})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 5
    body = str(rows[1:])
    assert (
        PERSON["id_number"] not in body
        and PERSON["phone"] not in body
        and PERSON["name"] not in body
    )
    assert "150221********1234" in body
    entry = AuditEntry.objects.filter(action="petition.export").latest("pk")
    assert entry.changes == {"year": 2025, "rows": 4, "personal_data": False}


def test_the_ledger_with_the_export_permission_has_the_data(
    year_2025, client_for, petition_officer
):
    from django.contrib.auth.models import Permission

    petition_officer.user_permissions.add(Permission.objects.get(codename="export_petitioner_data"))
    response = client_for(petition_officer).get(reverse("petitions:ledger"), {"year": 2025})
    body = str(list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)))
    assert PERSON["id_number"] in body
    assert (
        AuditEntry.objects.filter(action="petition.export").latest("pk").changes["personal_data"]
        is True
    )


def test_a_formula_typed_by_the_public_stays_text_in_the_ledger(
    register, client_for, petition_officer
):
    register(title='=HYPERLINK("http://x")', now=at(2025, 2, 2))
    response = client_for(petition_officer).get(reverse("petitions:ledger"), {"year": 2025})
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.cell(row=2, column=6).value.startswith("'=")


def test_a_long_ledger_is_built_in_the_background_with_its_progress(
    year_2025, client_for, petition_officer, leader, monkeypatch
):
    from petitions import exports, views
    from petitions.models import LedgerExport

    monkeypatch.setattr(views, "SYNC_LIMIT", 2)
    kicked = []
    monkeypatch.setattr(exports, "_kick", kicked.append)
    client = client_for(petition_officer)
    with_commit = client.get(reverse("petitions:ledger"), {"year": 2025})
    job = LedgerExport.objects.latest("pk")
    assert with_commit.status_code == 302
    assert with_commit.url == reverse("petitions:ledger_status", args=[job.pk])
    status = client.get(with_commit.url)
    assert status["Refresh"] == "3" and "<progress" in status.content.decode()
    assert client.get(reverse("petitions:ledger_download", args=[job.pk])).status_code == 404
    # the worker's part (the task body, called directly)
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    assert exports.ledger_build(job.pk) == "4 rows"
    assert exports.ledger_build(job.pk) == "already taken"  # a redelivered task does nothing
    job.refresh_from_db()
    assert job.state == "done" and job.done_rows == 4 and job.percent == 100
    status = client.get(reverse("petitions:ledger_status", args=[job.pk]))
    assert "Refresh" not in status
    download = client.get(reverse("petitions:ledger_download", args=[job.pk]))
    ws = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert len(list(ws.iter_rows(values_only=True))) == 5
    # somebody else's export does not exist for them
    assert (
        client_for(leader).get(reverse("petitions:ledger_status", args=[job.pk])).status_code == 404
    )
