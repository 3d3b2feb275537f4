"""Petition benchmarks: 1,000,000 petitions from 300,000 distinct petitioners (at scale 1.0).

Measured: repeat detection during intake (a task: the keyed-hash look-up plus the similar-content
scan), the case list for the petition officer, and a year's statistics.

Bench petitions have numbers 信访〔B〕1号, 信访〔B〕2号, …; each petitioner's personal data is
encrypted once and the ciphertext reused on every petition of that person (encrypting a million
rows would measure SM4, not the pages).
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from bench.fake import person_name
from bench.registry import page, scaled, seeder, task, url
from petitions import crypto, services, stats
from petitions.models import Category, Channel, Petition, Petitioner, PetitionState, SubjectArea

PETITIONS = 1_000_000
PEOPLE = 300_000
BATCH = 5_000
PREFIX = "信访〔B〕"
TOPICS = [
    "小区供暖温度不达标",
    "拖欠农民工工资",
    "征地补偿款未到位",
    "建筑工地夜间施工噪声扰民",
    "老旧小区改造进度缓慢",
    "道路积雪清理不及时",
    "学校周边交通拥堵",
    "医保报销手续繁琐",
    "物业服务质量差",
    "农村饮水安全问题",
]


def _person(i: int) -> tuple[str, str]:
    return f"1522011980{i % 10000:04d}{i // 10000 % 10000:04d}"[:18], f"139{i:08d}"[:11]


def _bench():
    return Petition.objects.filter(number__startswith=PREFIX)


@seeder("petitions", needs=("demo",))
def seed_petitions(scale: float) -> str:
    target = scaled(PETITIONS, scale)
    people = scaled(PEOPLE, scale)
    have = _bench().count()
    if have >= target:
        return f"{have:,} bench petitions present"
    officer = User.objects.get(username="petition_officer")
    rng = random.Random(2026 + have)
    cipher: dict[int, tuple] = {}
    tz = timezone.get_current_timezone()
    start = dt.datetime(2025, 1, 1, 9, tzinfo=tz)
    span = (dt.datetime(2026, 11, 30, tzinfo=tz) - start).total_seconds()
    states = [PetitionState.REPLIED] * 6 + [PetitionState.ACCEPTED] * 2 + [PetitionState.REGISTERED]
    for lo in range(have, target, BATCH):
        hi = min(lo + BATCH, target)
        rows, persons = [], []
        for i in range(lo, hi):
            received = start + dt.timedelta(seconds=rng.random() * span)
            state = rng.choice(states)
            decided = (
                received + dt.timedelta(days=rng.randint(1, 18)) if state != "registered" else None
            )
            replied = (
                decided + dt.timedelta(days=rng.randint(10, 70)) if state == "replied" else None
            )
            rows.append(
                Petition(
                    number=f"{PREFIX}{i + 1}号",
                    channel=rng.choice(Channel.values),
                    category=rng.choice(Category.values),
                    subject_area=rng.choice(SubjectArea.values),
                    title=rng.choice(TOPICS),
                    request=f"{rng.choice(TOPICS)}，请求有关部门尽快处理。第{i}号",
                    received_at=received,
                    registered_at=received,
                    registered_by=officer,
                    query_code_hash=crypto.keyed_hash("code", f"bench-{i}"),
                    query_code_enc="",
                    state=state,
                    accept_due_at=received + dt.timedelta(days=15),
                    decided_at=decided,
                    decision="accept" if decided else "",
                    accepted_at=decided,
                    handle_due_at=decided + dt.timedelta(days=60) if decided else None,
                    replied_at=replied,
                    outcome="support" if replied else "",
                    rating=rng.choice(["满意", "满意", "基本满意", "不满意", ""])
                    if replied
                    else "",
                    rated_at=replied if replied else None,
                )
            )
            persons.append(rng.randrange(people))
        with transaction.atomic():
            created = Petition.objects.bulk_create(rows, batch_size=BATCH)
            petitioners = []
            for petition, who in zip(created, persons, strict=True):
                if who not in cipher:
                    id_number, phone = _person(who)
                    cipher[who] = (
                        crypto.encrypt(id_number),
                        crypto.keyed_hash("id", id_number),
                        crypto.encrypt(phone),
                        crypto.keyed_hash("phone", phone),
                    )
                id_enc, id_hash, phone_enc, phone_hash = cipher[who]
                petitioners.append(
                    Petitioner(
                        petition=petition,
                        role="petitioner",
                        order=0,
                        name="".join(person_name(rng)),
                        id_number_enc=id_enc,
                        id_number_hash=id_hash,
                        phone_enc=phone_enc,
                        phone_hash=phone_hash,
                    )
                )
            Petitioner.objects.bulk_create(petitioners, batch_size=BATCH)
    # bulk_create bypasses the services: the statistics' monthly cells from the records at once
    cells = stats.rebuild()
    return f"created {target - have:,} petitions ({people:,} people), {cells:,} statistics cells"


def _rows() -> int:
    return _bench().count()


@task(
    "petitions: repeat detection at intake",
    volume_note=f"{PETITIONS:,} petitions, {PEOPLE:,} people",
    needs=("petitions",),
    rows=_rows,
    repeat=20,
)
def repeat_detection(timed) -> str:
    rng = random.Random()
    id_number, phone = _person(rng.randrange(1000))
    with timed():
        found = services.find_repeats(
            id_numbers=[id_number],
            phones=[phone],
            subject_area="urban",
            text="小区供暖温度不达标，请求有关部门尽快处理。",
        )
    return f"{len(found)} found"


_LIST = {
    "persona": "petition_officer",
    "volume_note": f"{PETITIONS:,} petitions",
    "needs": ("petitions",),
    "rows": _rows,
}
page("petitions: case list", url("petitions:index"), **_LIST)
page("petitions: case list, state filter", url("petitions:index", state="accepted"), **_LIST)
page("petitions: statistics for 2026", url("petitions:stats", year=2026), **_LIST)
