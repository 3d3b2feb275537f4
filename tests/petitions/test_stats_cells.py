"""The statistics' monthly pre-aggregates: kept in step by the services, rebuilt from the
records, and the statistics page's numbers equal a direct computation from the records."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from office.models import Unit
from petitions import services, stats
from petitions.models import Petition, PetitionMonthStat, PetitionUnitMonthStat

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def transitions(register, petition_officer, leader, housing):
    """Petitions of 2026 on several channels, then: accepted on time and late, assigned to one
    unit and a second, transferred, rejected, extended, replied on time and late, rated."""
    ecology = Unit.objects.get(code="ecology")
    a, _ = register(now=at(2026, 3, 3))
    b, _ = register(now=at(2026, 3, 10), channel="phone", category="suggestion")
    c, _ = register(now=at(2026, 5, 6), channel="letter", subject_area="labour")
    d, _ = register(now=at(2026, 5, 7), channel="letter")
    e, _ = register(now=at(2026, 7, 1), channel="phone", subject_area="education")
    register(now=at(2026, 7, 2))  # stays undecided
    register(now=at(2025, 12, 30))  # the year before: never counted in 2026
    decide = services.petition_decide
    decide(petition=a, by=petition_officer, decision="accept", now=at(2026, 3, 5))
    decide(petition=b, by=petition_officer, decision="assign", unit=housing, now=at(2026, 3, 12))
    decide(petition=c, by=petition_officer, decision="accept", now=at(2026, 6, 30))  # late
    decide(
        petition=d,
        by=petition_officer,
        decision="transfer",
        unit=ecology,
        reason="属生态环境部门职责",
        now=at(2026, 5, 8),
    )
    decide(
        petition=e,
        by=petition_officer,
        decision="reject",
        reason="属劳动争议",
        statutory_channel="arbitration",
        now=at(2026, 7, 2),
    )
    services.petition_assign(petition=b, by=petition_officer, unit=ecology, now=at(2026, 3, 13))
    services.petition_assign(petition=b, by=petition_officer, unit=housing, now=at(2026, 3, 14))
    services.petition_extend(
        petition=a, by=leader, days=30, reason="需联合调查", now=at(2026, 4, 20)
    )
    for assignment in Petition.objects.get(pk=b.pk).assignments.all():
        services.assignment_report(
            assignment=assignment, by=petition_officer, report="已办结", now=at(2026, 4, 1)
        )
    reply = {"by": petition_officer, "outcome": "support", "reply_text": "x", "basis": "y"}
    services.petition_reply(petition=a, now=at(2026, 6, 1), **reply)  # on time (extended)
    services.petition_reply(petition=b, now=at(2026, 4, 2), **reply)
    services.petition_reply(petition=c, now=at(2026, 10, 30), **reply)  # late
    services.petition_rate(petition=a, rating="满意", by=petition_officer, now=at(2026, 6, 5))
    services.petition_rate(petition=b, rating="不满意", by=petition_officer, now=at(2026, 4, 5))


def _direct(year: int, key) -> dict:
    """The counts computed from the records in Python, grouped by key(petition) → [values]."""
    satisfied = settings.PETITION_RATINGS[: settings.PETITION_SATISFIED_COUNT]
    groups: dict = {}
    for p in Petition.objects.prefetch_related("assignments"):
        if stats.month_of(p.received_at).year != year:
            continue
        for value in key(p):
            g = groups.setdefault(value, [0] * 7)
            g[0] += 1
            g[1] += p.decided_at is not None
            g[2] += p.decided_at is not None and p.decided_at <= p.accept_due_at
            g[3] += p.replied_at is not None
            g[4] += p.replied_at is not None and p.replied_at <= p.handle_due_at
            g[5] += p.rated_at is not None
            g[6] += p.rating in satisfied
    return groups


def _counts(rates) -> list[int]:
    return [
        rates.received,
        rates.decided,
        rates.decided_on_time,
        rates.replied,
        rates.replied_on_time,
        rates.rated,
        rates.satisfied,
    ]


def _units(p) -> list[str]:
    names = {a.unit.short_name for a in p.assignments.all() if a.unit_id}
    return sorted(names) or ["—"]


def test_the_cells_equal_a_direct_computation_after_the_transitions(transitions):
    assert PetitionMonthStat.objects.exists() and PetitionUnitMonthStat.objects.exists()
    total, _rows, months = stats.overview(2026, "channel", label_all="all")
    everything = _direct(2026, lambda p: ["all"])["all"]
    assert _counts(total) == everything
    assert everything[0] >= 6 and everything[2] < everything[1]  # with the demo's petitions
    by_month = _direct(2026, lambda p: [stats.month_of(p.received_at).month])
    assert dict(months) == {m: by_month.get(m, [0])[0] for m in range(1, 13)}
    assert dict(months)[3] == 2 and dict(months)[1] == 0
    for by in ("channel", "category", "subject_area"):
        _t, rows, _m = stats.overview(2026, by, label_all="all")
        direct = _direct(2026, lambda p, by=by: [getattr(p, by)])
        assert {r.label: _counts(r) for r in rows} == {k: v for k, v in sorted(direct.items())}
    _t, rows, _m = stats.overview(2026, "unit", label_all="all")
    assert {r.label: _counts(r) for r in rows} == _direct(2026, _units)
    assert [r.label for r in rows][-1] == "—"
    # and the record-based reference agrees on every grouping but the unit's
    assert stats.check(2026) == []


def test_the_page_shows_the_numbers_of_the_records(transitions, client_for, leader):
    from petitions.models import Channel

    html = (
        client_for(leader)
        .get(reverse("petitions:stats"), {"year": 2026, "by": "channel"})
        .content.decode()
    )

    def pct(part, whole):
        return f"{round(100 * part / whole, 1)}%" if whole else "—"

    for channel, g in _direct(2026, lambda p: [p.channel]).items():
        label = dict(Channel.choices)[channel]
        cells = [str(g[0]), pct(g[2], g[1]), pct(g[4], g[3]), pct(g[5], g[3]), pct(g[6], g[5])]
        row = "".join(f"<td>{c}</td>" for c in cells)
        assert f'<th scope="row">{label}</th>{row}' in html


def test_a_rebuild_from_the_records_gives_the_same_cells(transitions):
    def cells():
        main = {
            (r.month, r.channel, r.category, r.subject_area, r.rating): (
                r.received,
                r.decided,
                r.decided_on_time,
                r.replied,
                r.replied_on_time,
                r.rated,
            )
            for r in PetitionMonthStat.objects.all()
            if r.received
        }
        unit = {
            (r.month, r.unit_key, r.rating): (r.received, r.decided, r.replied, r.rated)
            for r in PetitionUnitMonthStat.objects.all()
            if r.received
        }
        return main, unit

    kept = cells()
    PetitionMonthStat.objects.update(received=0, replied=7)  # damaged
    call_command("petition_stats", rebuild=True)
    assert cells() == kept
    call_command("petition_stats", check=2026)


def test_a_failed_transition_leaves_the_cells_as_they_were(register, petition_officer):
    petition, _ = register(now=at(2026, 3, 3))
    before = list(PetitionMonthStat.objects.values_list("received", "decided"))
    with pytest.raises(ValidationError):
        services.petition_decide(petition=petition, by=petition_officer, decision="reject")
    assert list(PetitionMonthStat.objects.values_list("received", "decided")) == before


def test_the_statistics_page_reads_the_cells_not_the_petitions(transitions, client_for, leader):
    client = client_for(leader)

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("petitions:stats"), {"year": 2026, "by": "unit"})
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "petitions_petitionunitmonthstat" in sql
    assert 'FROM "petitions_petition" ' not in sql and "FROM petitions_petition " not in sql
