"""The declared transition table (petitions.transitions) drives this test: for every action and
every state, the allowed step works and leads to a declared next state, and every other one is
refused with nothing changed; a person outside "who may" is refused (403) in the allowed state."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from office.services import TransitionError
from petitions import services
from petitions.models import Petition, PetitionState, ReviewLevel
from petitions.services import Intake
from petitions.transitions import TRANSITIONS

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


def day(d: int) -> dt.datetime:
    return dt.datetime(2026, 6, d, 10, 0, tzinfo=SH)


# The ordinary path: each state reached through the services themselves.
PATH = [
    PetitionState.REGISTERED,
    PetitionState.ACCEPTED,
    PetitionState.REPLIED,
    PetitionState.REVIEW,
    PetitionState.REVIEWED,
    PetitionState.RE_REVIEW,
    PetitionState.RE_REVIEWED,
]
DECISIONS = {
    PetitionState.REJECTED: "reject",
    PetitionState.NOT_REACCEPTED: "not_reaccept",
    PetitionState.TRANSFERRED: "transfer",
}
CASES = [(action, state) for action in TRANSITIONS.actions() for state in PetitionState.values]


def _reach(state: str, officer) -> Petition:
    """A petition in `state`, reached through the services."""
    petition, _code = services.petition_register(
        Intake(
            channel="visit",
            category="claim",
            subject_area="urban",
            title="小区供暖温度不达标",
            request="请求维修供暖管网。",
            people=[{"name": "王桂芝", "phone": "13904825678"}],
            received_at=day(1),
        ),
        by=officer,
        now=day(1),
    )
    if state in DECISIONS:  # the other ends of the 15-day decision
        services.petition_decide(
            petition=petition,
            by=officer,
            decision=DECISIONS[state],
            reason="不属于本机关职责",
            statutory_channel="litigation" if state == PetitionState.REJECTED else "",
            unit=_housing() if state == PetitionState.TRANSFERRED else None,
            now=day(2),
        )
        return Petition.objects.get(pk=petition.pk)
    steps = PATH[: PATH.index(state) + 1]
    for i, reached in enumerate(steps[1:], start=2):
        _take(_next_action(steps[i - 2]), petition, officer, at=day(i * 2))
        petition = Petition.objects.get(pk=petition.pk)
        assert petition.state == reached
    return Petition.objects.get(pk=petition.pk)


def _next_action(state: str) -> str:
    return {
        PetitionState.REGISTERED: "decide",
        PetitionState.ACCEPTED: "reply",
        PetitionState.REPLIED: "review_apply",
        PetitionState.REVIEW: "review_decide",
        PetitionState.REVIEWED: "review_apply",
        PetitionState.RE_REVIEW: "review_decide",
    }[state]


def _take(action: str, petition: Petition, by, at: dt.datetime):
    review = petition.reviews.order_by("-pk").first()
    calls = {
        "decide": lambda: services.petition_decide(
            petition=petition, by=by, decision="accept", now=at
        ),
        "assign": lambda: services.petition_assign(
            petition=petition, by=by, unit=_housing(), now=at
        ),
        "extend": lambda: services.petition_extend(
            petition=petition, by=by, days=10, reason="需现场调查", now=at
        ),
        "reply": lambda: services.petition_reply(
            petition=petition,
            by=by,
            outcome="support",
            reply_text="已维修",
            basis="《供热条例》",
            now=at,
        ),
        "review_apply": lambda: services.review_apply(
            petition=petition, by=by, reasons="对处理意见不服", now=at
        ),
        "review_hearing": lambda: services.review_hearing(
            review=review, by=by, start=True, reason="听证", now=at
        ),
        "review_decide": lambda: services.review_decide(
            review=review, by=by, outcome="support", text="维持原处理意见", now=at
        ),
    }
    return calls[action]()


def _housing():
    from office.models import Unit

    return Unit.objects.get(code="housing")


def _actor(action: str) -> User:
    return User.objects.get(username="mayor" if action == "extend" else "petition_officer")


@time_machine.travel(dt.datetime(2026, 6, 30, 9, 0, tzinfo=SH), tick=False)
@pytest.mark.parametrize(("action", "state"), CASES)
def test_every_declared_transition_works_and_every_other_is_refused(demo_office, action, state):
    officer = User.objects.get(username="petition_officer")
    petition = _reach(state, officer)
    if action in ("review_hearing", "review_decide") and not petition.reviews.exists():
        pytest.skip("no review to act on in this state (refused before the table is asked)")
    if action == "review_hearing" and petition.reviews.order_by("-pk")[0].level != (
        ReviewLevel.RE_REVIEW
    ):
        pytest.skip("a hearing belongs to a 复核 only")
    before = (petition.state, petition.updated_at)
    if TRANSITIONS.allows(state, action):
        # Who may not: refused, nothing changed.
        with pytest.raises(PermissionDenied):
            _take(action, petition, User.objects.get(username="clerk"), at=day(29))
        assert Petition.objects.get(pk=petition.pk).state == state
        _take(action, petition, _actor(action), at=day(29))
        after = Petition.objects.get(pk=petition.pk).state
        assert after in TRANSITIONS.targets(state, action), (action, state, after)
    else:
        with pytest.raises(TransitionError):
            _take(action, petition, _actor(action), at=day(29))
        fresh = Petition.objects.get(pk=petition.pk)
        assert (fresh.state, fresh.updated_at) == before


def test_the_detail_page_offers_what_the_table_allows(demo_office):
    officer = User.objects.get(username="petition_officer")
    with time_machine.travel(day(30), tick=False):
        petition = _reach(PetitionState.REGISTERED, officer)
    offered = TRANSITIONS.offered(officer, petition)
    assert offered["decide"] and not offered["reply"] and not offered["extend"]
    clerk = User.objects.get(username="clerk")
    assert not any(TRANSITIONS.offered(clerk, petition).values())
