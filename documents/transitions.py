"""The incoming document's states and who may move it (《党政机关公文处理工作条例》第二十四条 收文
办理: 签收, 登记, 初审, 承办, 传阅, 催办, 答复; 第二十七条 归档): the one table `documents.services`
checks, the detail page asks and the tests iterate over. Instructions and handling have their own
rules beyond the state (the leader it was presented to; the handling row) and check them after
the table."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from office.transitions import Step, Transitions, perm

from .models import IncomingDocument
from .models import IncomingState as S

SECRETARIAT = perm("documents.register_incoming", "秘书科登记员")
LEADER = perm("documents.instruct_incoming", "市领导")
ARCHIVIST = perm("documents.archive_incoming", "档案员")

ALREADY_HANDLED = _("This document has already been handled by someone else; reload the page.")

INCOMING = Transitions(
    "documents.incomingdocument",
    [
        Step(
            "screen",
            [S.REGISTERED],
            may=SECRETARIAT,
            to=[S.ACCEPTED, S.RETURNED],
            note="初审: 受理 or 退文",
            denied=_("Only the secretariat screens documents."),
        ),
        Step(
            "present",
            [S.ACCEPTED],
            may=SECRETARIAT,
            to=[S.PRESENTED],
            note="拟办, 呈批",
            denied=_("Only the secretariat presents documents."),
        ),
        Step(
            "circulate",
            [S.ACCEPTED],
            may=SECRETARIAT,
            to=[S.CIRCULATING],
            note="传阅",
            denied=_("Only the secretariat circulates documents."),
        ),
        Step(
            "instruct",
            [S.PRESENTED],
            may=LEADER,
            to=[S.HANDLING, S.PRESENTED, S.CIRCULATING, S.COMPLETED],
            note="批示: assigned, passed on, circulated or read",
            denied=_("Only a city leader writes instructions."),
        ),
        Step(
            "confirm",
            [S.HANDLED],
            may=SECRETARIAT,
            to=[S.COMPLETED],
            note="办结",
            denied=_("Only the secretariat confirms completion."),
        ),
        Step(
            "archive",
            [S.COMPLETED],
            may=ARCHIVIST,
            to=[S.ARCHIVED],
            note="立卷归档",
            denied=_("Only the archivist files documents."),
        ),
    ],
    lock=lambda d: IncomingDocument.objects.select_for_update(of=("self",)).get(pk=d.pk),
    stale=ALREADY_HANDLED,
)
