"""Demo petitions: three closed cases of autumn 2026 — one transferred to 市住建局, one answered
and rated, one not accepted (a labour dispute, for arbitration) — so the list, a case page, its
notices and the statistics show something. Idempotent: recognised by their subjects.

They are written as historical records (as an import of an earlier 台账 would be), not through
the services: closed cases open no work and tell no one, so the demo people's inboxes and
outboxes stay as the office's own demo sets them.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from office.models import Unit

from . import crypto, services, stats
from .models import NoticeKind, Petition, Petitioner, PetitionState

TZ = timezone.get_fixed_timezone(8 * 60)

DEMO = [
    {
        "channel": "visit",
        "category": "claim",
        "subject_area": "urban",
        "title": "和平街道某小区冬季供暖温度不达标",
        "request": "请求供热公司尽快维修管网，保证室温达到18℃。",
        "person": (
            "王桂芝",
            "150221195803121234",
            "13904821234",
            "乌兰浩特市和平街道幸福小区3号楼2单元",
        ),
        "received_at": dt.datetime(2026, 10, 9, 9, 30, tzinfo=TZ),
        "state": PetitionState.TRANSFERRED,
        "decision": "transfer",
        "decision_reason": "供热管网维修属市住建局职责。",
        "notices": [NoticeKind.ACKNOWLEDGEMENT, NoticeKind.TRANSFER],
    },
    {
        "channel": "letter",
        "category": "suggestion",
        "subject_area": "transport",
        "title": "建议在兴安街道增设公交站点",
        "request": "建议在兴安街道新建小区门口增设公交站点，方便老人出行。",
        "person": ("李德明", "", "13847125678", "乌兰浩特市兴安街道"),
        "received_at": dt.datetime(2026, 9, 1, 10, 0, tzinfo=TZ),
        "state": PetitionState.REPLIED,
        "decision": "accept",
        "outcome": "explain",
        "reply_text": "经与市交通运输局核实，该路段已列入2027年公交线网优化计划。",
        "reply_basis": "《乌兰浩特市城市公共交通发展规划》",
        "rating": "基本满意",
        "notices": [NoticeKind.ACKNOWLEDGEMENT, NoticeKind.ACCEPT, NoticeKind.REPLY],
    },
    {
        "channel": "phone",
        "category": "claim",
        "subject_area": "labour",
        "title": "反映某建筑公司拖欠工资",
        "request": "请求责令某建筑公司支付拖欠的三个月工资。",
        "person": ("赵小红", "", "15904829876", ""),
        "received_at": dt.datetime(2026, 11, 2, 15, 0, tzinfo=TZ),
        "state": PetitionState.REJECTED,
        "decision": "reject",
        "decision_reason": "属劳动争议，应当申请劳动争议仲裁。",
        "statutory_channel": "arbitration",
        "notices": [NoticeKind.ACKNOWLEDGEMENT, NoticeKind.REJECT],
    },
]


def seed_demo() -> str:
    officer = User.objects.filter(username="petition_officer").first()
    if officer is None:
        return "no petition officer; skipped"
    made = 0
    for row in DEMO:
        if not Petition.objects.filter(title=row["title"]).exists():
            _historical(row, officer)
            made += 1
    return f"{made} petitions"


@transaction.atomic
def _historical(row: dict, officer) -> Petition:
    received = row["received_at"]
    decided = received + dt.timedelta(days=3)
    replied = received + dt.timedelta(days=40) if row["state"] == PetitionState.REPLIED else None
    code = crypto.new_query_code()
    petition = Petition.objects.create(
        number=services._number(received),
        channel=row["channel"],
        category=row["category"],
        subject_area=row["subject_area"],
        title=row["title"],
        request=row["request"],
        received_at=received,
        registered_at=received,
        registered_by=officer,
        first_responder=officer if row["channel"] in ("visit", "phone") else None,
        query_code_hash=crypto.keyed_hash("code", code),
        query_code_enc=crypto.encrypt(code),
        state=row["state"],
        decision=row["decision"],
        decision_reason=row.get("decision_reason", ""),
        statutory_channel=row.get("statutory_channel", ""),
        transferred_to=Unit.objects.filter(code="housing").first()
        if row["decision"] == "transfer"
        else None,
        decided_at=decided,
        decided_by=officer,
        accept_due_at=received + dt.timedelta(days=15),
        accepted_at=decided if row["decision"] == "accept" else None,
        handle_due_at=decided + dt.timedelta(days=60) if row["decision"] == "accept" else None,
        outcome=row.get("outcome", ""),
        reply_text=row.get("reply_text", ""),
        reply_basis=row.get("reply_basis", ""),
        replied_at=replied,
        replied_by=officer if replied else None,
        rating=row.get("rating", ""),
        rated_at=replied + dt.timedelta(days=5) if replied and row.get("rating") else None,
        rated_by_phone=bool(row.get("rating")),
    )
    name, id_number, phone, address = row["person"]
    person = Petitioner(petition=petition, role="petitioner", order=0, name=name)
    person.set_personal(id_number=id_number, phone=phone, address=address)
    person.save()
    stats.apply({}, stats.contribution(petition, new=True))  # the statistics' monthly cells
    for kind in row["notices"]:
        at = {NoticeKind.ACKNOWLEDGEMENT: received, NoticeKind.REPLY: replied}.get(kind, decided)
        services._notice(
            petition,
            kind,
            officer,
            at,
            code=code,
            unit=petition.transferred_to,
            review_until=(replied or at) + dt.timedelta(days=30),
        )
    return petition
