"""Demo petitions: one waiting for the acceptance decision, one assigned to a unit, one answered.
Idempotent: recognised by their subjects."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.utils import timezone

from office.models import Unit

from . import services
from .models import Petition

DEMO = [
    (
        "visit",
        "申诉求决类",
        "和平街道某小区冬季供暖温度不达标",
        "请求供热公司尽快维修管网，保证室温达到18℃。",
        "王桂芝",
        "150221195803121234",
        "13904821234",
        "乌兰浩特市和平街道幸福小区3号楼2单元",
    ),
    (
        "letter",
        "建议意见类",
        "建议在兴安街道增设公交站点",
        "建议在兴安街道新建小区门口增设公交站点，方便老人出行。",
        "李德明",
        "",
        "13847125678",
        "乌兰浩特市兴安街道",
    ),
    (
        "phone",
        "检举控告类",
        "反映某建筑工地夜间施工噪声扰民",
        "请求有关部门查处夜间违规施工行为。",
        "赵小红",
        "",
        "15904829876",
        "",
    ),
]

CATEGORY = {"申诉求决类": "claim", "建议意见类": "suggestion", "检举控告类": "accusation"}


def seed_demo() -> str:
    officer = User.objects.filter(username="petition_officer").first()
    if officer is None:
        return "no petition officer; skipped"
    made = 0
    # Fixed dates in 2026, the last year on the loaded working calendar: a 60-day clock started
    # in December would end in a year the calendar does not know yet.
    base = dt.datetime(2026, 10, 9, 9, 30, tzinfo=timezone.get_current_timezone())
    for i, (channel, category, title, request, name, id_number, phone, address) in enumerate(DEMO):
        if Petition.objects.filter(title=title).exists():
            continue
        petition, _code = services.petition_register(
            by=officer,
            channel=channel,
            category=CATEGORY[category],
            subject_area="urban",
            title=title,
            request=request,
            people=[{"name": name, "id_number": id_number, "phone": phone, "address": address}],
            received_at=base + dt.timedelta(days=20 * i),
            now=base + dt.timedelta(days=20 * i),
        )
        made += 1
        if i == 0:
            housing = Unit.objects.filter(code="housing").first()
            if housing is not None:
                services.petition_decide(
                    petition=petition,
                    by=officer,
                    decision="assign",
                    unit=housing,
                    instructions="请于期限内报告办理结果。",
                    now=base + dt.timedelta(days=3),
                )
        elif i == 1:
            services.petition_decide(
                petition=petition, by=officer, decision="accept", now=base + dt.timedelta(days=22)
            )
            services.petition_reply(
                petition=petition,
                by=officer,
                outcome="explain",
                reply_text="经与市交通运输局核实，该路段已列入2027年公交线网优化计划。",
                basis="《乌兰浩特市城市公共交通发展规划》",
                now=base + dt.timedelta(days=35),
            )
    return f"{made} petitions"
