"""The shared spine at volume (the issue's acceptance figures): 1,000,000 work items.

- seeder `spine-staff`: ten sections (科室) of twenty staff each, usernames spine<section><rank>.
  Work falls unevenly on a section's people (rank 1 the most); spine<ss>02 heads section ss and
  gets half its approvals on top, spine<ss>20 has the least. Section 01 is the busiest.
- seeder `spine`: the work items, ~30 % open, the rest done or cancelled, written with COPY. Their
  deadline ladder (remind_at, escalate_at, escalate_leader_at, next_sweep_at, sweep_level) is set
  as `office.services.workitems._schedule` sets it and as the sweep would have left it at the
  moment of seeding (the anchor); each rung reached has its DeadlineMarker and notifications.
- pages: the inbox (`office:home`): 待办 of the busiest person (first page and page 100) and of
  a light one, 科室待办 of the heads of the largest and the smallest section. The number of
  queries must be the same for all of them, whatever the number of rows behind them.
- task: one `office.sweep.sweep()` after 1 % of all work items (10,000) have been moved just
  past their next rung; rolled back and vacuumed after each run, so every run does the same work.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from functools import cache

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.utils import timezone, translation

from bench.fake import person_name
from bench.office import BENCH_PASSWORD
from bench.registry import page, scaled, seeder, task, url
from office import workcalendar
from office.models import (
    URGENCY_PRIORITY,
    DeadlineMarker,
    Notification,
    OutboxMessage,
    Section,
    Staff,
    TimeLimitRule,
    TimeUnit,
    WorkItem,
    WorkState,
)
from office.roles import Role
from office.sweep import _ladder, sweep

ITEM_VOLUME = 1_000_000
CROSSING = 0.01  # the share of the items the measured sweep finds past a rung
URL_PREFIX = "/bench/spine/"  # the marker: every spine work item links to /bench/spine/<n>/
BATCH = 50_000  # rows per COPY, each committed whole
CHUNK = 1_000  # rows per random stream: item n's data depends on n alone
STAFF_PER_SECTION = 20
HEAD_RANK = 2
ZIPF = 0.8  # how unevenly work falls on the people of a section (rank 1 the busiest)

# code, name, share of the work (%). Names differ from the demo office's six sections.
SECTIONS = [
    ("spine-01", "文电科", 18),
    ("spine-02", "督查二科", 14),
    ("spine-03", "信息调研科", 12),
    ("spine-04", "会务科", 11),
    ("spine-05", "政务公开科", 10),
    ("spine-06", "接待科", 9),
    ("spine-07", "应急值守科", 8),
    ("spine-08", "财务科", 7),
    ("spine-09", "人事科", 6),
    ("spine-10", "机要科", 5),
]
LEADERS = ("vicemayor", "secgeneral", "mayor")  # 分管领导, in turn

BUSY, LIGHT = "spine0101", "spine0120"
BIG_HEAD, SMALL_HEAD = "spine0102", f"spine{len(SECTIONS):02d}02"

# kind, share (%), [(action, time-limit rule code or None, weight)]
KINDS = [
    (
        "document",
        38,
        [
            ("handle", "document.handle", 45),
            ("approve", "document.request", 20),
            ("sign", "document.dispatch", 10),
            ("read", None, 15),
            ("register", None, 10),
        ],
    ),
    (
        "petition",
        15,
        [
            ("handle", "petition.handle", 50),
            ("register", "petition.accept", 25),
            ("review", "petition.review", 15),
            ("review", "petition.re_review", 10),
        ],
    ),
    ("meeting", 10, [("sign", None, 30), ("handle", None, 40), ("read", None, 30)]),
    (
        "supervision",
        12,
        [
            ("report", "supervision.meeting_decision", 60),
            ("reply", "supervision.proposal", 25),
            ("handle", None, 15),
        ],
    ),
    ("disclosure", 5, [("reply", "disclosure.answer", 100)]),
    ("inquiry", 8, [("reply", "inquiry.promise", 100)]),
    ("other", 12, [("handle", None, 50), ("report", None, 30), ("file", None, 20)]),
]
URGENCIES = [("normal", 82), ("urgent", 13), ("extra_urgent", 5)]
OPEN_SHARE, CANCELLED_SHARE = 0.30, 0.05
OVERDUE_SHARE = 0.12  # of the open work with a deadline
LATE_SHARE = 0.12  # of the work done with a deadline
HISTORY_DAYS = 3 * 365

TOPICS = (
    "冬季供暖保障",
    "老旧小区改造",
    "城区道路积雪清理",
    "安全生产大检查",
    "营商环境优化",
    "义务教育学校建设",
    "农村牧区人居环境整治",
    "森林草原防火",
    "河湖长制落实",
    "城市生活垃圾分类",
    "稳就业保民生",
    "政务服务“一网通办”",
    "防汛抗旱",
    "食品药品安全监管",
    "重点项目建设推进",
    "文明城市创建",
    "疫苗接种工作",
    "民族团结进步创建",
    "耕地保护",
    "棚户区改造资金使用",
)
DOC_TYPES = ("请示", "报告", "通知", "函", "意见", "实施方案")
UNITS = (
    "盟行署办公室",
    "市发改委",
    "市教育局",
    "市民政局",
    "市财政局",
    "市住建局",
    "市交通运输局",
    "市卫健委",
    "市应急管理局",
    "市信访局",
)
PLACES = (
    "和平街道",
    "兴安街道",
    "都林街道",
    "五一街道",
    "爱国街道",
    "胜利街道",
    "城郊街道",
    "铁西街道",
    "乌兰哈达镇",
    "葛根庙镇",
)
ISSUES = (
    "供暖不热",
    "物业服务",
    "拆迁补偿",
    "拖欠工资",
    "噪声扰民",
    "道路破损",
    "低保待遇",
    "房产证办理",
    "供水水压不足",
    "小区停车难",
)
OUTCOMES = ("已办结。", "已按要求办理完毕。", "已答复当事人。", "已报送。", "已阅。", "")


# --- The organisation ------------------------------------------------------------------------


def _username(section: int, rank: int) -> str:
    return f"spine{section:02d}{rank:02d}"


@seeder("spine-staff", needs=("demo",))
def seed_spine_staff(scale: float) -> str:
    """Ten sections of twenty staff with accounts; the same at every scale (the organisation does
    not shrink with the volume of work)."""
    leaders = {u.username: u for u in User.objects.filter(username__in=LEADERS)}
    sections = []
    for i, (code, name, _share) in enumerate(SECTIONS):
        section, _ = Section.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "duties": "基准测试科室（bench/spine.py）",
                "display_order": 200 + i,
                "leader_in_charge": leaders.get(LEADERS[i % len(LEADERS)]),
            },
        )
        sections.append(section)
    wanted = {
        _username(s, r): (s, r)
        for s in range(1, len(SECTIONS) + 1)
        for r in range(1, STAFF_PER_SECTION + 1)
    }
    present = set(
        Staff.objects.filter(user__username__in=wanted).values_list("user__username", flat=True)
    )
    missing = [name for name in wanted if name not in present]
    if missing:
        password = make_password(BENCH_PASSWORD)
        staff_group = Group.objects.get(name=Role.STAFF)
        head_group = Group.objects.get(name=Role.SECTION_HEAD)
        with transaction.atomic():
            users = []
            for username in missing:
                rng = random.Random(f"spine-staff-{username}")
                family, given = person_name(rng)
                users.append(
                    User(
                        username=username,
                        last_name=family,
                        first_name=given,
                        password=password,
                        email=f"{username}@ulanhot.gov.cn" if rng.random() < 0.9 else "",
                    )
                )
            User.objects.bulk_create(users, ignore_conflicts=True)
            ids = dict(User.objects.filter(username__in=missing).values_list("username", "pk"))
            links, staff = [], []
            for username in missing:
                s, r = wanted[username]
                rng = random.Random(f"spine-post-{username}")
                head = r == HEAD_RANK
                groups = (staff_group, head_group) if head else (staff_group,)
                links += [User.groups.through(user_id=ids[username], group_id=g.pk) for g in groups]
                staff.append(
                    Staff(
                        user_id=ids[username],
                        section=sections[s - 1],
                        post="科长" if head else rng.choice(("科员", "一级科员", "副科长")),
                        badge_number=f"W{s:02d}{r:02d}",
                        phone=f"0482-82{s:02d}{r:03d}",
                        mobile=f"1394820{s:02d}{r:02d}" if rng.random() < 0.7 else "",
                        display_order=100 + r,
                    )
                )
            User.groups.through.objects.bulk_create(links, ignore_conflicts=True)
            Staff.objects.bulk_create(staff)
    for i, section in enumerate(sections, 1):
        if section.head_id is None:
            head = Staff.objects.get(user__username=_username(i, HEAD_RANK))
            Section.objects.filter(pk=section.pk).update(head=head)
    people = len(SECTIONS) * STAFF_PER_SECTION
    if missing:
        return f"created {len(missing)} staff ({people} in {len(SECTIONS)} sections)"
    return f"{people} staff in {len(SECTIONS)} sections present"


# --- The work items ----------------------------------------------------------------------------


def _spine_items():
    return WorkItem.objects.filter(url__startswith=URL_PREFIX)


class _Office:
    """What the generator needs to know about the organisation and the rules, read once."""

    def __init__(self):
        self.tz = workcalendar.local_tz()
        codes = [code for code, *_ in SECTIONS]
        sections = {s.code: s for s in Section.objects.filter(code__in=codes)}
        self.sections = [sections[code] for code in codes]
        users = dict(
            User.objects.filter(username__startswith="spine").values_list("username", "pk")
        )
        # members[s][rank - 1]: the user id of that rank in section s (0-based)
        self.members = [
            [users[_username(s, r)] for r in range(1, STAFF_PER_SECTION + 1)]
            for s in range(1, len(SECTIONS) + 1)
        ]
        self.all_members = [uid for ms in self.members for uid in ms]
        self.rules = {r.code: r for r in TimeLimitRule.objects.all()}
        _RULES.update({r.pk: r for r in self.rules.values()})

    def nominal(self, rule) -> dt.timedelta:
        """About how long the rule gives (for placing the start of open work)."""
        if rule is None:
            return dt.timedelta(days=10)
        days = {TimeUnit.WORKDAY: 1.45, TimeUnit.MONTH: 30.4, TimeUnit.HOUR: 1 / 24}
        return dt.timedelta(days=rule.amount * days.get(rule.unit, 1.0) + 0.5)


@cache
def _due_on(rule_pk: int, day: dt.date) -> dt.datetime:
    """workcalendar.due_at for work started on `day` (the same for any hour of a day-based rule);
    for a year whose holiday schedule is not loaded, weekends only."""
    rule = _RULES[rule_pk]
    start = dt.datetime.combine(day, dt.time(12), tzinfo=workcalendar.local_tz())
    try:
        return workcalendar.due_at(rule, start)
    except workcalendar.CalendarNotLoaded:
        return workcalendar.end_of_day(_approximate(day, rule.unit, rule.amount))


@cache
def _extended(rule_pk: int, due: dt.datetime) -> dt.datetime:
    rule = _RULES[rule_pk]
    try:
        return workcalendar.extend(rule, due, rule.max_extension_amount)
    except workcalendar.CalendarNotLoaded:
        last = (due.astimezone(workcalendar.local_tz()) - dt.timedelta(microseconds=1)).date()
        return workcalendar.end_of_day(_approximate(last, rule.unit, rule.max_extension_amount))


def _approximate(day: dt.date, unit: str, amount: int) -> dt.date:
    if unit == TimeUnit.WORKDAY:
        while amount > 0:
            day += dt.timedelta(days=1)
            amount -= day.weekday() < 5
    elif unit == TimeUnit.MONTH:
        day += dt.timedelta(days=round(30.4 * amount))
    else:
        day += dt.timedelta(days=amount)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


_RULES: dict[int, TimeLimitRule] = {}

COLUMNS = (
    "title",
    "kind",
    "action",
    "url",
    "assignee_id",
    "section_id",
    "assigned_by_id",
    "leader_id",
    "urgency",
    "priority",
    "rule_id",
    "started_at",
    "due_at",
    "remind_at",
    "escalate_at",
    "escalate_leader_at",
    "sweep_cycle",
    "sweep_level",
    "next_sweep_at",
    "state",
    "completed_at",
    "completed_by_id",
    "outcome",
    "paused_at",
    "extensions",
    "created_at",
)


def _title(rng: random.Random, kind: str, action: str) -> str:
    topic = rng.choice(TOPICS)
    if kind == "document":
        title = f"关于{topic}工作的{rng.choice(DOC_TYPES)}（{rng.choice(UNITS)}）"
        return f"登记来文：{title}" if action == "register" else title
    if kind == "petition":
        return f"{rng.choice(PLACES)}居民反映{rng.choice(ISSUES)}的信访事项"
    if kind == "meeting":
        return f"市政府常务会议（第{rng.randrange(1, 60)}次）{topic}议题"
    if kind == "supervision":
        return f"督办：{topic}工作落实情况反馈"
    if kind == "disclosure":
        return f"政府信息公开申请（第{rng.randrange(1, 900):03d}号）：{topic}相关信息"
    if kind == "inquiry":
        return f"{rng.choice(PLACES)}群众咨询{rng.choice(ISSUES)}问题"
    return f"整理{topic}工作材料"


def _items(first: int, end: int, anchor: dt.datetime, office: _Office):
    """Rows for items first … end - 1, in COLUMNS order. Item n depends on n alone: each chunk of
    CHUNK numbers draws from its own random stream, generated whole even when only part of it is
    wanted."""
    for chunk in range(first - first % CHUNK, end, CHUNK):
        rng = random.Random(f"spine-items-{chunk // CHUNK}")
        for n in range(chunk, chunk + CHUNK):
            row = _row(n, rng, anchor, office)
            if first <= n < end:
                yield row


_SECTION_WEIGHTS = [share for *_, share in SECTIONS]
_RANK_WEIGHTS = [1 / r**ZIPF for r in range(1, STAFF_PER_SECTION + 1)]
_KIND_WEIGHTS = [share for _, share, _ in KINDS]
_URGENCY, _URGENCY_WEIGHTS = zip(*URGENCIES, strict=True)
HOUR, DAY = dt.timedelta(hours=1), dt.timedelta(days=1)


def _row(n: int, rng: random.Random, anchor: dt.datetime, office: _Office) -> tuple:
    tz = office.tz
    s = rng.choices(range(len(SECTIONS)), _SECTION_WEIGHTS)[0]
    rank = rng.choices(range(STAFF_PER_SECTION), _RANK_WEIGHTS)[0]
    kind, _share, actions = rng.choices(KINDS, _KIND_WEIGHTS)[0]
    urgency = rng.choices(_URGENCY, _URGENCY_WEIGHTS)[0]
    action, rule_code, _w = rng.choices(actions, [a[2] for a in actions])[0]
    if kind == "document" and urgency != "normal" and action in ("approve", "sign", "register"):
        rule_code = f"document.{urgency}"
    rule = office.rules.get(rule_code) if rule_code else None
    members = office.members[s]
    section = office.sections[s]
    head = members[HEAD_RANK - 1]

    # Who: a person of the section (75 %), the section with nobody named yet (15 %), or a person
    # alone (10 %). Approvals and sign-offs go to the head half of the time.
    mode = rng.random()
    assignee = members[rank]
    if action in ("approve", "sign", "review") and rng.random() < 0.5:
        assignee = head
    section_id = section.pk
    if 0.75 <= mode < 0.90:
        assignee = None
    elif mode >= 0.90:
        section_id = None
    r = rng.random()
    if r < 0.45:
        assigned_by = head
    elif r < 0.65:
        assigned_by = section.leader_in_charge_id
    elif r < 0.85:
        assigned_by = rng.choice(office.all_members)
    else:
        assigned_by = None  # opened by the system (an app's intake)
    leader = section.leader_in_charge_id if section_id else None

    # When: open work is recent, closed work spans three years.
    r = rng.random()
    state = (
        "open" if r < OPEN_SHARE else "cancelled" if r < OPEN_SHARE + CANCELLED_SHARE else "done"
    )
    has_due = rule is not None or rng.random() < (0.5 if action in ("read", "file") else 0.75)
    nominal = office.nominal(rule)
    if state == "open":
        if not has_due:
            age = dt.timedelta(days=rng.expovariate(1 / 10))
        elif rng.random() < OVERDUE_SHARE:
            age = nominal + dt.timedelta(days=rng.expovariate(1 / max(1.0, nominal.days * 0.3)))
        else:
            age = nominal * rng.random()
    else:
        age = nominal + dt.timedelta(days=35 + rng.random() * HISTORY_DAYS)
    start_day = (anchor - age).astimezone(tz).date()
    started_at = dt.datetime.combine(start_day, dt.time(8, 30), tzinfo=tz) + dt.timedelta(
        minutes=rng.randrange(9 * 60)
    )
    if started_at > anchor - dt.timedelta(minutes=5):
        started_at -= DAY

    extensions = cycle = 0
    if not has_due:
        due_at = None
    elif rule is None:
        due_day = start_day + dt.timedelta(days=rng.randrange(1, 21))
        due_at = dt.datetime.combine(due_day, dt.time(17, 30), tzinfo=tz)
    elif rule.unit == TimeUnit.HOUR:
        due_at = started_at + rule.amount * HOUR
    else:
        due_at = _due_on(rule.pk, start_day)
        if rule.max_extensions and rng.random() < 0.04:
            due_at = _extended(rule.pk, due_at)
            extensions = cycle = 1

    # How it ended.
    completed_at = completed_by = paused_at = None
    outcome = ""
    if state == "done":
        if due_at is None:
            completed_at = started_at + dt.timedelta(days=rng.expovariate(1 / 3))
        elif rng.random() < LATE_SHARE:
            completed_at = due_at + min(30 * DAY, dt.timedelta(days=rng.expovariate(1 / 2)))
        else:
            completed_at = started_at + (due_at - started_at) * (0.1 + 0.9 * rng.random())
        completed_by = assignee or rng.choices(members, _RANK_WEIGHTS)[0]
        outcome = rng.choice(OUTCOMES)
    elif state == "cancelled":
        span = (due_at - started_at) if due_at else 10 * DAY
        completed_at = started_at + span * rng.random()
        completed_by = assigned_by
    if completed_at is not None and completed_at > anchor:  # a long extension, then late
        completed_at = anchor - dt.timedelta(minutes=rng.randrange(5, 600))
    if state == "open" and rule is not None and rule.pausable and rng.random() < 0.15:
        until = min(due_at, anchor)
        paused_at = started_at + (until - started_at) * (0.2 + 0.7 * rng.random())

    # The deadline ladder, as office.services.workitems._schedule sets it.
    remind_at = escalate_at = escalate_leader_at = next_sweep_at = None
    level = 0
    if due_at is not None:
        if rule is None:
            remind_before, head_after, leader_after = 24, 24, 48
        else:
            remind_before = rule.remind_before_hours
            head_after = rule.escalate_to_head_after_hours
            leader_after = rule.escalate_to_leader_after_hours
        remind_at = max(due_at - remind_before * HOUR, started_at)
        escalate_at = due_at + head_after * HOUR
        if leader_after is not None:
            escalate_leader_at = due_at + leader_after * HOUR
        # Where the sweep left it: every rung up to the reference reached, in order.
        rungs = (remind_at, due_at, escalate_at, escalate_leader_at)
        reference = completed_at or paused_at or anchor
        while level < 4 and rungs[level] is not None and rungs[level] <= reference:
            level += 1
        if state == "open" and level < 4:
            next_sweep_at = rungs[level]
    return (
        _title(rng, kind, action),
        kind,
        action,
        f"{URL_PREFIX}{n}/",
        assignee,
        section_id,
        assigned_by,
        leader,
        urgency,
        URGENCY_PRIORITY[urgency],
        rule.pk if rule else None,
        started_at,
        due_at,
        remind_at,
        escalate_at,
        escalate_leader_at,
        cycle,
        level,
        next_sweep_at,
        state,
        completed_at,
        completed_by,
        outcome,
        paused_at,
        extensions,
        anchor,
    )


def _anchor() -> dt.datetime:
    """The moment the data describes: when the first spine items were written (their
    created_at), so that items added later by a larger --scale fit the same picture."""
    first = _spine_items().order_by().values_list("created_at", flat=True).first()
    return first or timezone.now().replace(second=0, microsecond=0)


def _copy_items(first: int, end: int, anchor: dt.datetime, office: _Office) -> int:
    """COPY items first … end - 1 in batches; each batch commits whole with its markers and
    notifications. Returns the number of notifications written."""
    table = WorkItem._meta.db_table
    sql = f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN"
    rows = _items(first, end, anchor, office)
    notifications = 0
    for start in range(first, end, BATCH):
        # Generated before the COPY starts: the working calendar may query the database, which
        # a connection in the middle of a COPY cannot answer.
        batch = [next(rows) for _ in range(start, min(start + BATCH, end))]
        with transaction.atomic():
            after = WorkItem.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
                for row in batch:
                    copy.write_row(row)
            notifications += _markers_and_notifications(after)
    return notifications


def _ladder_titles() -> list[tuple[str, str, str]]:
    """(notification level, text before the title, text after) per rung, as the sweep words it."""
    with translation.override(settings.LANGUAGE_CODE):
        return [(r.notification_level, *r.title.split("%(t)s", 1)) for r in _ladder()]


# The markers of every rung reached by the items just copied (id > after), and the notifications
# the sweep sent for them: read, except for a third of those about open work.
MARKERS_AND_NOTIFICATIONS = """
WITH marker AS (
    INSERT INTO {marker} (work_item_id, cycle, level, at)
    SELECT w.id, w.sweep_cycle, l.level,
           (CASE l.level WHEN 1 THEN w.remind_at WHEN 2 THEN w.due_at
                         WHEN 3 THEN w.escalate_at ELSE w.escalate_leader_at END)
           + make_interval(mins => ((w.id + l.level) %% 5)::int)
    FROM {item} w CROSS JOIN LATERAL generate_series(1, w.sweep_level) AS l(level)
    WHERE w.id > %(after)s AND w.url LIKE %(prefix)s AND w.sweep_level > 0
    RETURNING work_item_id, level, at
)
INSERT INTO {notification} (recipient_id, level, title, body, url, work_item_id, created_at,
                            read_at)
SELECT r.uid, t.level, left(t.before || w.title || t.after, 300), '', w.url, w.id, m.at,
       CASE WHEN w.state = 'open' AND (w.id + r.uid) %% 3 = 0 THEN NULL
            ELSE m.at + make_interval(hours => ((w.id + r.uid) %% 30)::int) END
FROM marker m
JOIN {item} w ON w.id = m.work_item_id
JOIN (VALUES (1, %(l1)s, %(b1)s, %(a1)s), (2, %(l2)s, %(b2)s, %(a2)s),
             (3, %(l3)s, %(b3)s, %(a3)s), (4, %(l4)s, %(b4)s, %(a4)s))
     AS t(rung, level, before, after) ON t.rung = m.level
LEFT JOIN {section} s ON s.id = w.section_id
LEFT JOIN {staff} st ON st.user_id = w.assignee_id
LEFT JOIN {section} s2 ON s2.id = st.section_id
LEFT JOIN {staff} h ON h.id = COALESCE(s.head_id, s2.head_id)
CROSS JOIN LATERAL (VALUES
    (CASE m.level WHEN 3 THEN h.user_id
                  WHEN 4 THEN COALESCE(w.leader_id, s2.leader_in_charge_id)
                  ELSE COALESCE(w.assignee_id, h.user_id) END),
    (CASE WHEN m.level = 2 AND w.assigned_by_id <> COALESCE(w.assignee_id, h.user_id)
          THEN w.assigned_by_id END)
) AS r(uid)
WHERE r.uid IS NOT NULL
"""


def _markers_and_notifications(after: int) -> int:
    params = {"prefix": f"{URL_PREFIX}%", "after": after}
    for i, (level, before, after) in enumerate(_ladder_titles(), 1):
        params |= {f"l{i}": str(level), f"b{i}": before, f"a{i}": after}
    sql = MARKERS_AND_NOTIFICATIONS.format(
        marker=DeadlineMarker._meta.db_table,
        item=WorkItem._meta.db_table,
        notification=Notification._meta.db_table,
        section=Section._meta.db_table,
        staff=Staff._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _vacuum(*, analyze: bool = True) -> None:
    """As autovacuum would after a bulk load: planner statistics and the visibility map (which
    index-only scans, e.g. the inbox counts, rely on)."""
    models = (WorkItem, DeadlineMarker, Notification, OutboxMessage)
    tables = ", ".join(m._meta.db_table for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {'(ANALYZE) ' if analyze else ''}{tables}")


@seeder("spine", needs=("spine-staff",))
def seed_spine(scale: float) -> str:
    """1,000,000 work items, their markers and notifications. Items are numbered; each batch
    commits whole, so the items present are 1 … count and a larger scale adds the rest."""
    target = scaled(ITEM_VOLUME, scale)
    have = _spine_items().count()
    if have >= target:
        return f"{have:,} spine work items present (marker: url {URL_PREFIX}…)"
    anchor = _anchor()
    office = _Office()
    started = time.perf_counter()
    notifications = _copy_items(have + 1, target + 1, anchor, office)
    copied = time.perf_counter() - started
    _vacuum()
    vacuumed = time.perf_counter() - started - copied
    return (
        f"created {target - have:,} work items ({target:,} in all, as of "
        f"{anchor.astimezone(office.tz):%Y-%m-%d %H:%M}) with {notifications:,} notifications "
        f"in {copied:.0f} s, VACUUM ANALYZE {vacuumed:.0f} s"
    )


# --- Pages -------------------------------------------------------------------------------------


def _waiting(username: str):
    def count() -> int:
        user = User.objects.get(username=username)
        return WorkItem.objects.waiting_for(user, Staff.objects.get(user=user)).count()

    return count


def _section_open(username: str):
    def count() -> int:
        return WorkItem.objects.of_section(
            Section.objects.get(head__user__username=username).pk
        ).count()

    return count


_VOLUME = f"{ITEM_VOLUME:,} work items"
_INBOX = {"volume_note": _VOLUME, "needs": ("spine",)}
page("spine: inbox 待办, busiest staff", url("office:home"), BUSY, rows=_waiting(BUSY), **_INBOX)
page(
    "spine: inbox 待办, busiest staff, page 100",
    url("office:home", page=100),
    BUSY,
    rows=_waiting(BUSY),
    **_INBOX,
)
page("spine: inbox 待办, light staff", url("office:home"), LIGHT, rows=_waiting(LIGHT), **_INBOX)
page(
    "spine: inbox 科室待办, largest section",
    url("office:home", tab="section"),
    BIG_HEAD,
    rows=_section_open(BIG_HEAD),
    **_INBOX,
)
page(
    "spine: inbox 科室待办, smallest section",
    url("office:home", tab="section"),
    SMALL_HEAD,
    rows=_section_open(SMALL_HEAD),
    **_INBOX,
)


# --- The sweep ---------------------------------------------------------------------------------


# The items whose next rung comes first (the ones that would cross next), moved back in time as
# a whole (start, deadline and every rung) so that their next rung falls a minute before the
# moment: one rung each, the mix of rungs as it comes.
ARRANGE_CROSSING = """
UPDATE {item} w
SET started_at = w.started_at - c.shift, due_at = w.due_at - c.shift,
    remind_at = w.remind_at - c.shift, escalate_at = w.escalate_at - c.shift,
    escalate_leader_at = w.escalate_leader_at - c.shift, next_sweep_at = w.next_sweep_at - c.shift
FROM (
    SELECT id, next_sweep_at - %(moment)s + interval '1 minute' AS shift
    FROM {item}
    WHERE state = 'open' AND paused_at IS NULL AND next_sweep_at > %(moment)s
    ORDER BY next_sweep_at, id
    LIMIT %(crossing)s
) c
WHERE w.id = c.id
"""


def _due_for_sweep(moment: dt.datetime):
    return WorkItem.objects.filter(
        state=WorkState.OPEN, paused_at__isnull=True, next_sweep_at__lte=moment
    )


def _sweep_once(timed, moment: dt.datetime, before=None) -> str:
    """sweep(now=moment), timed, inside a transaction rolled back afterwards (the sweep's
    per-batch transactions become savepoints; on_commit, hence delivery, never fires); `before`
    arranges the data first, untimed. Then VACUUM, as autovacuum would: the rolled-back rows are
    dead and their pages no longer all-visible, so the next run (and the pages of the next
    benchmark run) would start from a different table."""
    with transaction.atomic():
        if before is not None:
            before()
        due = _due_for_sweep(moment).count()
        with timed():
            reached = sweep(now=moment)
        written = Notification.objects.filter(created_at=moment).count()
        transaction.set_rollback(True)
    _vacuum(analyze=False)
    rungs = ", ".join(f"{level}: {count:,}" for level, count in reached.items())
    return f"{due:,} items due; rungs reached {rungs}; {written:,} notifications"


@task(
    "spine: sweep, 1 % crossing",
    volume_note=_VOLUME,
    needs=("spine",),
    rows=lambda: WorkItem.objects.count(),
    repeat=5,
    warmup=1,
)
def sweep_crossing(timed) -> str:
    """The issue's case: at the moment the data describes (swept up to then), 1 % of all work
    items have just passed a rung (with any demo work never swept)."""
    moment = _anchor()
    crossing = max(1, round(CROSSING * WorkItem.objects.count()))

    def arrange():
        with connection.cursor() as cursor:
            cursor.execute(
                ARRANGE_CROSSING.format(item=WorkItem._meta.db_table),
                {"moment": moment, "crossing": crossing},
            )

    return _sweep_once(timed, moment, arrange)


@task(
    "spine: sweep, first after midnight",
    volume_note=_VOLUME,
    needs=("spine",),
    rows=lambda: WorkItem.objects.count(),
    repeat=3,
    warmup=0,
)
def sweep_midnight(timed) -> str:
    """The daily peak, as the data has it: periods end at 24:00 (民法典 第二百零三条), so most
    reminders, deadlines and escalations fall due at midnight. The sweep a minute before
    midnight runs untimed; the one a minute after is measured."""
    tz = workcalendar.local_tz()
    midnight = workcalendar.end_of_day(_anchor().astimezone(tz).date())
    minute = dt.timedelta(minutes=1)
    return _sweep_once(timed, midnight + minute, lambda: sweep(now=midnight - minute))
