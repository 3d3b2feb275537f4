"""The petition's states and who may move it (《信访工作条例》第三十条–第三十八条): the one table
`petitions.services` checks, the detail page asks and the tests iterate over."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from office.roles import Role
from office.transitions import Step, Transitions, perm, role

from .models import Petition
from .models import PetitionState as S

OFFICER = perm("petitions.decide_petition", "信访专员")
LEADER = role(Role.LEADER)

TRANSITIONS = Transitions(
    "petitions.petition",
    [
        # 第三十条: 15 days to decide — 受理 (or 交办 to a unit), 不予受理, 不再受理, 转送.
        Step(
            "decide",
            [S.REGISTERED],
            may=OFFICER,
            to=[S.ACCEPTED, S.REJECTED, S.NOT_REACCEPTED, S.TRANSFERRED],
        ),
        Step("assign", [S.ACCEPTED], may=OFFICER, note="交办"),
        # 第三十二条: one extension of at most 30 days, approved by the head of the office.
        Step("extend", [S.ACCEPTED], may=LEADER, note="once"),
        Step("reply", [S.ACCEPTED], may=OFFICER, to=[S.REPLIED], note="处理意见书"),
        # 第三十五条, 第三十六条: 复查 within 30 days of the answer, 复核 of the 复查.
        Step("review_apply", [S.REPLIED], may=OFFICER, to=[S.REVIEW], note="复查"),
        Step("review_apply", [S.REVIEWED], may=OFFICER, to=[S.RE_REVIEW], note="复核"),
        Step("review_hearing", [S.RE_REVIEW], may=OFFICER, note="听证 stops the clock"),
        Step("review_decide", [S.REVIEW], may=OFFICER, to=[S.REVIEWED]),
        Step("review_decide", [S.RE_REVIEW], may=OFFICER, to=[S.RE_REVIEWED]),
    ],
    lock=lambda p: Petition.objects.select_for_update(of=("self",)).get(pk=p.pk),
    denied=_("You may not do this with petitions."),
    stale=_("This petition has already been handled by someone else; reload."),
)
