"""督查通报: drafted from the records, commentary edited, issued (numbered, frozen), PDF and
Excel; refused people and states."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from office.models import Notification
from office.services import TransitionError
from supervision import bulletins, services
from supervision.models import BulletinState, SupervisionTask

from .conftest import NOW, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def october(make_task, supervisor, clerk, drc):
    """In October 2026: one task closed on time, one closed late, one overdue (市发改委)."""
    on_time, late = make_task(title="按期事项"), make_task(title="逾期办结事项")
    overdue = make_task(
        title="逾期未办事项", lead_section=None, lead_unit=drc, assisting_sections=[]
    )
    for t in (on_time, late, overdue):
        services.task_acknowledge(task=t, by=supervisor, now=NOW)
    for t, day in ((on_time, 9), (late, 16)):
        report = services.completion_submit(task=t, by=clerk, text="完成", now=at(2026, 10, day))
        services.completion_review(
            report=report, by=supervisor, accept=True, now=at(2026, 10, day + 1)
        )
    return on_time, late, overdue


def test_the_bulletin_names_the_units(october, supervisor):
    b = bulletins.bulletin_draft(by=supervisor, year=2026, month=10, now=at(2026, 11, 2))
    f = b.figures
    assert f["totals"]["closed"] == 2 and f["totals"]["on_time"] == 1 and f["totals"]["late"] == 1
    assert [t["title"] for t in f["overdue"]] == ["逾期未办事项"]
    assert f["overdue"][0]["unit"] == "市发改委"
    general = next(u for u in f["by_unit"] if u["unit"] == "综合科")
    assert (general["closed"], general["rate"]) == (2, 50)


def test_edit_issue_and_freeze(october, supervisor, leader):
    b = bulletins.bulletin_draft(by=supervisor, year=2026, month=10, now=at(2026, 11, 2))
    with pytest.raises(ValidationError):
        bulletins.bulletin_issue(bulletin=b, by=supervisor)  # no commentary yet
    bulletins.bulletin_edit(bulletin=b, by=supervisor, commentary="综合科按期办结率有待提高。")
    bulletins.bulletin_issue(bulletin=b, by=supervisor, now=at(2026, 11, 3))
    b.refresh_from_db()
    assert b.state == BulletinState.ISSUED
    assert b.number.startswith("督查通报〔2026〕")
    with pytest.raises(TransitionError):
        bulletins.bulletin_edit(bulletin=b, by=supervisor, commentary="改")
    with pytest.raises(TransitionError):
        bulletins.bulletin_draft(by=supervisor, year=2026, month=10, now=at(2026, 11, 4))
    assert Notification.objects.filter(recipient=leader, url=b.get_absolute_url()).exists()


@pytest.mark.parametrize("persona", ["clerk", "leader", "secretary"])
def test_only_the_supervision_section_prepares_bulletins(request, persona):
    with pytest.raises(PermissionDenied):
        bulletins.bulletin_draft(
            by=request.getfixturevalue(persona), year=2026, month=10, now=at(2026, 11, 2)
        )


def test_a_month_that_has_not_begun_is_refused(supervisor):
    with pytest.raises(ValidationError):
        bulletins.bulletin_draft(by=supervisor, year=2026, month=12, now=at(2026, 11, 2))


def test_the_beat_drafts_last_month_once(october):
    b = bulletins.draft_last_month(now=at(2026, 11, 1))
    assert (b.year, b.month, b.created_by) == (2026, 10, None)
    assert bulletins.draft_last_month(now=at(2026, 11, 1, 15)) is None


def test_pdf_and_excel(october, supervisor, client_for, clerk):
    from openpyxl import load_workbook

    b = bulletins.bulletin_draft(by=supervisor, year=2026, month=10, now=at(2026, 11, 2))
    c = client_for(supervisor)
    pdf = c.get(reverse("supervision:bulletin_pdf", args=[b.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = c.get(reverse("supervision:bulletin_xlsx", args=[b.pk]))
    wb = load_workbook(io.BytesIO(xlsx.content))
    names = [row[0].value for row in wb.worksheets[0].iter_rows(min_row=2)]
    assert "综合科" in names and "市发改委" in names
    assert (
        client_for(clerk).get(reverse("supervision:bulletin_pdf", args=[b.pk])).status_code == 403
    )


def test_the_page_edits_and_issues(october, supervisor, client_for):
    b = bulletins.bulletin_draft(by=supervisor, year=2026, month=10, now=at(2026, 11, 2))
    c = client_for(supervisor)
    assert "逾期未办事项" in c.get(b.get_absolute_url()).content.decode()
    c.post(
        reverse("supervision:bulletin_edit", args=[b.pk]),
        {"commentary": "予以通报。", "issue": "1", "state": "draft"},
    )
    b.refresh_from_db()
    assert b.state == BulletinState.ISSUED and b.commentary == "予以通报。"


def test_overdue_counts_only_running_tasks(october):
    assert SupervisionTask.objects.filter(title="逾期未办事项").get().due_on == dt.date(2026, 10, 9)


@pytest.mark.parametrize("n", [5, 50])
def test_the_bulletin_list_keeps_a_constant_number_of_queries(
    n, client_for, supervisor, django_assert_max_num_queries
):
    from supervision.models import Bulletin

    Bulletin.objects.bulk_create(
        Bulletin(year=2020 + i // 12, month=i % 12 + 1, created_at=NOW, figures={})
        for i in range(n)
    )
    client = client_for(supervisor)
    client.get(reverse("supervision:bulletins"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("supervision:bulletins"))
    assert response.content.decode().count("<tr>") >= min(n, 50)
