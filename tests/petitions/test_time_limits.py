"""Time limits against the rules (DOMAIN.md §3.2, §4.1): calendar days, the first day not
counted, a last day on a holiday rolls over to the next working day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from office.models import WorkItem, WorkState
from office.services import TransitionError
from petitions import services
from petitions.models import NoticeKind, PetitionState

from .conftest import at

pytestmark = pytest.mark.django_db


def last_day(moment: dt.datetime) -> dt.date:
    """The deadline is 24:00 of its last day (stored as 00:00 of the next)."""
    return (timezone.localtime(moment) - dt.timedelta(microseconds=1)).date()


def test_acceptance_is_due_15_calendar_days_after_receipt(register):
    petition, _code = register(now=at(2026, 6, 10))
    assert last_day(petition.due_at) == dt.date(2026, 6, 25)
    item = WorkItem.objects.get(object_id=petition.pk, action="screen")
    assert item.rule.code == "petition.accept" and item.due_at == petition.due_at


def test_an_acceptance_deadline_in_the_national_day_holiday_rolls_over(register):
    # 16 September + 15 days = 1 October, inside the 2026 National Day holiday (1–7 October)
    petition, _code = register(now=at(2026, 9, 16))
    assert last_day(petition.due_at) == dt.date(2026, 10, 8)


def test_handling_is_due_60_days_after_acceptance(register, petition_officer):
    petition, _code = register(now=at(2026, 6, 1))
    services.petition_decide(
        petition=petition, by=petition_officer, decision="accept", now=at(2026, 6, 3)
    )
    petition.refresh_from_db()
    assert petition.state == PetitionState.ACCEPTED
    # 3 June + 60 days = 2 August, a Sunday (a weekend is a rest day): rolls to Monday 3 August
    assert last_day(petition.due_at) == dt.date(2026, 8, 3)
    screen = WorkItem.objects.get(object_id=petition.pk, action="screen")
    assert screen.state == WorkState.DONE


def test_one_extension_of_at_most_30_days_by_the_head_with_a_notice(
    register, petition_officer, leader
):
    petition, _code = register(now=at(2026, 6, 1))
    services.petition_decide(
        petition=petition, by=petition_officer, decision="accept", now=at(2026, 6, 2)
    )
    petition.refresh_from_db()
    assert last_day(petition.due_at) == dt.date(2026, 8, 3)  # 1 August + roll over the weekend
    services.petition_extend(
        petition=petition,
        by=leader,
        days=30,
        reason="涉及多个部门，需联合调查",
        now=at(2026, 7, 20),
    )
    petition.refresh_from_db()
    assert petition.extended
    assert last_day(petition.due_at) == dt.date(2026, 9, 2)
    notice = petition.notices.get(kind=NoticeKind.EXTENSION)
    assert "涉及多个部门" in notice.body and "30日" in notice.body
    with pytest.raises(TransitionError):
        services.petition_extend(
            petition=petition, by=leader, days=5, reason="再次", now=at(2026, 7, 21)
        )


def test_an_extension_longer_than_30_days_is_refused(register, petition_officer, leader):
    petition, _code = register(now=at(2026, 6, 1))
    services.petition_decide(
        petition=petition, by=petition_officer, decision="accept", now=at(2026, 6, 2)
    )
    with pytest.raises(TransitionError):
        services.petition_extend(
            petition=petition, by=leader, days=31, reason="太复杂", now=at(2026, 7, 1)
        )
    petition.refresh_from_db()
    assert not petition.extended


@pytest.mark.parametrize("persona", ["petition_officer", "section_head", "clerk"])
def test_only_the_head_may_extend(register, petition_officer, persona, request):
    petition, _code = register(now=at(2026, 6, 1))
    services.petition_decide(
        petition=petition, by=petition_officer, decision="accept", now=at(2026, 6, 2)
    )
    with pytest.raises(PermissionDenied):
        services.petition_extend(
            petition=petition,
            by=request.getfixturevalue(persona),
            days=10,
            reason="复杂",
            now=at(2026, 7, 1),
        )


def _replied(register, officer, *, reply_at):
    petition, _code = register(now=at(2026, 3, 2))
    services.petition_decide(petition=petition, by=officer, decision="accept", now=at(2026, 3, 3))
    services.petition_reply(
        petition=petition,
        by=officer,
        outcome="not_support",
        reply_text="经核实……",
        basis="《信访工作条例》",
        now=reply_at,
    )
    petition.refresh_from_db()
    return petition


def test_review_must_be_applied_for_within_30_days_of_the_reply(register, petition_officer):
    petition = _replied(register, petition_officer, reply_at=at(2026, 4, 1))
    # 1 April + 30 = 1 May: the Labour Day holiday (1–5 May) rolls the window to 6 May
    with pytest.raises(ValidationError):
        services.review_apply(
            petition=petition,
            by=petition_officer,
            reasons="不服",
            applied_at=at(2026, 5, 7),
            now=at(2026, 5, 7),
        )
    review = services.review_apply(
        petition=petition,
        by=petition_officer,
        reasons="不服",
        applied_at=at(2026, 5, 6, 23),
        now=at(2026, 5, 7),
    )
    assert review.work_item.rule.code == "petition.review"
    # decided within 30 days of the application: 6 May + 30 = 5 June
    assert last_day(review.work_item.due_at) == dt.date(2026, 6, 5)


def test_re_review_window_and_hearing_pause_the_clock(register, petition_officer):
    petition = _replied(register, petition_officer, reply_at=at(2026, 4, 1))
    review = services.review_apply(
        petition=petition, by=petition_officer, reasons="不服", now=at(2026, 4, 10)
    )
    services.review_decide(
        review=review, by=petition_officer, outcome="not_support", text="维持", now=at(2026, 4, 20)
    )
    petition.refresh_from_db()
    assert petition.state == PetitionState.REVIEWED
    with pytest.raises(ValidationError):  # 20 April + 30 = 20 May
        services.review_apply(
            petition=petition,
            by=petition_officer,
            reasons="仍不服",
            applied_at=at(2026, 5, 21),
            now=at(2026, 5, 21),
        )
    re_review = services.review_apply(
        petition=petition, by=petition_officer, reasons="仍不服", now=at(2026, 5, 11)
    )
    assert re_review.work_item.rule.code == "petition.re_review"
    assert last_day(re_review.work_item.due_at) == dt.date(2026, 6, 10)
    services.review_hearing(review=re_review, by=petition_officer, start=True, now=at(2026, 5, 20))
    with pytest.raises(TransitionError):
        services.review_decide(
            review=re_review,
            by=petition_officer,
            outcome="not_support",
            text="维持",
            now=at(2026, 5, 22),
        )
    services.review_hearing(review=re_review, by=petition_officer, start=False, now=at(2026, 5, 25))
    re_review.work_item.refresh_from_db()
    # five days of hearing do not count
    assert last_day(re_review.work_item.due_at) == dt.date(2026, 6, 15)
    services.review_decide(
        review=re_review,
        by=petition_officer,
        outcome="not_support",
        text="维持原意见",
        now=at(2026, 6, 1),
    )
    petition.refresh_from_db()
    assert petition.state == PetitionState.RE_REVIEWED
    assert petition.notices.filter(kind=NoticeKind.RE_REVIEW).exists()
