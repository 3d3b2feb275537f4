"""Incoming documents (收文) at volume: 1,000,000 documents over ten years.

- seeder `documents`: the documents of the last ten years, registered on working days at about
  400 a day (numbers 乌政办收〔year〕n号, one series per year), each taken through the flow of
  `documents.services` as far as it had got at the moment of seeding: screened (2 % returned),
  presented to a leader (批示, one or two instructions with text) or circulated, handled by
  sections and units (主办/协办 with deadlines), confirmed, and filed within the time limit of
  the 归档 work item `incoming_confirm` opens (some late, like every other handler). Old years
  are archived; the current one is mostly completed with the open states in its last days and
  weeks. Each document has its IncomingAccess rows (registrar,
  the leaders it was presented to, readers, the lead and assisting handlers, a restricted
  document's named audience), `grantees` from them by `documents.models.grantee_keys` as
  `services._grant` writes it, and `search_text` from `office.search.index_text` exactly as
  `services._reindex` builds it.
  The rows that need work items (Handling, Circulation) and the work items themselves (screen,
  approve, read, handle, confirm, file; kind "document", linked to the document) are written for
  the documents of the last 365 days plus a 2 % sample of the older ones (`WINDOW_DAYS`,
  `SAMPLE_EVERY`); older documents keep their lead section or unit, instructions and access rows
  but no handling rows. Everything is written with COPY in one transaction (all or nothing),
  with the documents tables' secondary indexes built after the load. No audit entries (the
  hash-chained trail is written only by `audit_record`), no notifications.
- pages: the approval queue (two leaders, ~30 and ~55 waiting), the register unfiltered and
  filtered (state + urgency + a year) as the secretary (view_all) and as section staff of a
  large and a small section (IncomingAccess), a two-character search (供暖, ~1 % of titles) as
  the secretary and as section staff, a document's page and its processing slip (PDF) for a
  document with two instructions and three handlers. The register has no page-size parameter:
  constant query counts are shown across personas and pages with very different volumes.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
import time
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from bench.registry import page, scaled, seeder, url
from documents.models import (
    AccessReason,
    Circulation,
    Handling,
    IncomingAccess,
    IncomingDocument,
    IncomingState,
    Instruction,
    Marking,
    Routing,
    grantee_keys,
)
from office import workcalendar
from office.models import (
    URGENCY_PRIORITY,
    NumberSeries,
    Section,
    Staff,
    TimeLimitRule,
    Unit,
    WorkItem,
)
from office.search import index_text

VOLUME = 1_000_000
YEARS = 10
PREFIX = "乌政办收"  # the marker: bench documents are numbered 乌政办收〔year〕n号
WINDOW_DAYS = 365  # documents this recent get their handling rows and work items …
SAMPLE_EVERY = 50  # … and every 50th older one (2 %)
BATCH = 20_000  # documents generated, then copied, at a time (all in one transaction)
CHUNK = 1_000  # documents per random stream
QUEUE_TARGET = 30  # documents waiting for the mayor at the moment of seeding (about)

# --- Who -----------------------------------------------------------------------------------------
LEADERS = {"mayor": 25, "vicemayor": 45, "secgeneral": 30}  # share of the presentations
REGISTRAR, FORMER_REGISTRAR = "secretary", "secretary_head"  # the latter before REGISTRAR_SINCE
REGISTRAR_SINCE = 4  # years before the current one
ARCHIVIST = "archivist"
# Readers of circulated documents and the named audience of restricted ones, with weights.
READERS = {
    "mayor": 6,
    "vicemayor": 6,
    "secgeneral": 6,
    "general_head": 4,
    "secretary_head": 3,
    "legal_head": 3,
    "supervision_head": 3,
    "clerk": 1,
}
# Lead handlers (主办), by section or unit code: the office's sections, its subordinate units,
# and the city's departments, sub-districts and towns (demo.EXTERNAL_UNITS).
HANDLERS = {
    "general": 14,
    "secretariat": 2,
    "legal": 6,
    "supervision": 6,
    "subdistrict": 10,
    "administration": 4,
    "info-centre": 2,
    "logistics": 2,
    "beijing-office": 1,
    "hohhot-office": 1,
    "drc": 5,
    "education": 4,
    "public-security": 3,
    "civil-affairs": 3,
    "justice": 2,
    "finance": 5,
    "hrss": 3,
    "natural-resources": 3,
    "ecology": 3,
    "housing": 5,
    "transport": 3,
    "agriculture": 3,
    "health": 3,
    "emergency": 3,
    "market": 2,
    "petition-bureau": 2,
    "heping": 1,
    "xingan": 1,
    "dulin": 1,
    "wuyi": 1,
    "aiguo": 1,
    "shengli": 1,
}
# Senders (external units) with weights and their reference prefix (发文字号).
SENDERS = {
    "league-admin": (8, "兴署发"),
    "league-office": (10, "兴署办发"),
    "drc": (6, "乌发改发"),
    "education": (5, "乌教发"),
    "public-security": (4, "乌公发"),
    "civil-affairs": (4, "乌民发"),
    "justice": (3, "乌司发"),
    "finance": (6, "乌财发"),
    "hrss": (4, "乌人社发"),
    "natural-resources": (4, "乌自然资发"),
    "ecology": (4, "乌环发"),
    "housing": (6, "乌住建发"),
    "transport": (4, "乌交发"),
    "agriculture": (4, "乌农牧发"),
    "health": (5, "乌卫健发"),
    "emergency": (5, "乌应急发"),
    "market": (4, "乌市监发"),
    "petition-bureau": (4, "乌信访发"),
    "heping": (2, "和街发"),
    "xingan": (2, "兴街发"),
    "dulin": (2, "都街发"),
    "wuyi": (2, "五街发"),
    "aiguo": (2, "爱街发"),
    "shengli": (2, "胜街发"),
    "chengjiao": (2, "城郊街发"),
    "tiexi": (2, "铁街发"),
    "wulanhada": (2, "乌镇发"),
    "gegenmiao": (2, "葛镇发"),
    "yilelite": (1, "义镇发"),
    "taibenzhan": (1, "太镇发"),
}

# --- What ----------------------------------------------------------------------------------------
# Subjects of municipal work: each is a handful of two-character words, and most words occur in
# one or two subjects only, so that a two-character search finds 0.1–2 % of the titles (供暖:
# two subjects of 169, about 1.2 %).
_TOPIC_TEXT = """
冬季供暖保障 城区集中供暖 热源厂建设 安全生产大检查 危险化学品安全管理 建筑施工安全 消防安全专项整治
道路交通安全 校园安全 燃气安全隐患排查 防汛抗旱 森林草原防火 地质灾害防治 应急救援队伍建设 突发事件应急预案
老旧小区改造 棚户区改造 保障性住房分配 物业服务管理 城市供水水质 污水处理厂提标改造 城区道路维修
城市生活垃圾分类 市容环境卫生整治 违法建设治理 城区道路积雪清理 园林绿化养护 公共停车场建设 背街小巷改造
营商环境优化 招商引资 重点项目建设推进 中小企业纾困 民营经济发展 工业园区基础设施 政务服务一网通办
稳就业保民生 高校毕业生就业 农民工工资支付 职业技能培训 养老保险扩面 医疗保障待遇 城乡低保提标
义务教育学校建设 学前教育普惠 教师队伍建设 职业教育发展 校外培训治理 学生资助 民族教育
疫苗接种 传染病防控 基层医疗卫生服务 家庭医生签约 食品药品安全监管 爱国卫生运动 中蒙医药发展
民族团结进步创建 文明城市创建 新时代文明实践 全民健身 公共文化服务 文物保护 红色旅游
耕地保护 高标准农田建设 畜牧业发展 农村牧区人居环境整治 乡村振兴 农村饮水安全 土地确权登记
河湖长制落实 大气污染防治 水污染防治 土壤污染防治 黄河流域生态保护 自然保护地整合 秸秆禁烧
财政预算执行 政府债务管理 专项资金使用 国有资产清查 政府采购管理 审计整改 税收征管
统计调查 第五次全国经济普查 人口普查数据 信访积案化解 矛盾纠纷排查 扫黑除恶常态化 平安建设
法治政府建设 行政执法监督 规范性文件备案 普法宣传 公共法律服务 政府信息公开 政务公开
机关事务管理 公务用车管理 办公用房清理 节能降耗 档案管理 保密工作 机要通信
网络安全 数字政府建设 电子政务外网 5G基站建设 智慧城市 政务数据共享 信息系统等级保护
退役军人服务保障 双拥共建 国防动员 人民防空 兵役登记 征兵工作 民兵整组
社区治理 网格化管理 居家养老服务 残疾人帮扶 儿童福利 殡葬改革 婚姻登记
市场价格监测 粮食储备 成品油市场整治 计量器具检定 特种设备安全 产品质量抽查 消费维权
交通运输保障 客运站改造 公交线路调整 农村公路养护 铁路沿线环境整治 机场航线开通 物流园区建设
旅游市场秩序 冰雪旅游 那达慕大会筹备 文化旅游节 体育赛事承办 会展活动安全 节日市场供应
人才引进 干部教育培训 公务员考核 事业单位招聘 机构编制管理 工资福利 离退休人员服务
乌兰浩特市第十七届人大 政协提案办理 人大代表建议办理 市政府常务会议 重点工作督查 绩效考核 述职评议
口岸建设 对外开放合作 京蒙协作 东西部协作 对口支援 友好城市交流 招才引智
"""
TOPICS = _TOPIC_TEXT.split()
# doc type, weight, title patterns ({t}: topic, {y}: a year)
TYPES = {
    "notice": (
        28,
        [
            "关于做好{t}工作的通知",
            "关于开展{t}专项行动的通知",
            "关于印发{t}实施方案的通知",
            "关于进一步做好{t}有关工作的通知",
            "关于组织开展{t}检查的通知",
        ],
    ),
    "request": (
        18,
        [
            "关于申请{t}经费的请示",
            "关于恳请解决{t}有关问题的请示",
            "关于拨付{t}资金的请示",
            "关于{t}有关事宜的请示",
        ],
    ),
    "report": (
        16,
        ["关于{y}年{t}工作情况的报告", "关于{t}进展情况的报告", "关于{t}自查情况的报告"],
    ),
    "letter": (14, ["关于商请支持{t}的函", "关于征求{t}意见的函", "关于协助做好{t}的函"]),
    "opinion": (5, ["关于进一步加强{t}工作的实施意见", "关于推进{t}的指导意见"]),
    "bulletin": (6, ["关于{y}年{t}督查情况的通报", "关于{t}考核结果的通报"]),
    "reply": (3, ["关于同意{t}实施方案的批复"]),
    "minutes": (4, ["{t}专题会议纪要"]),
    "decision": (2, ["关于表彰{t}先进集体和先进个人的决定", "关于调整{t}领导小组成员的决定"]),
    "announcement": (1, ["关于{t}的公告"]),
    "public_notice": (1, ["关于{t}期间交通管制的通告"]),
    "motion": (1, ["关于提请审议{t}的议案"]),
    "communique": (0.5, ["{y}年{t}公报"]),
    "resolution": (0.3, ["关于{t}的决议"]),
    "order": (0.2, ["关于{t}的命令"]),
}
# Documents for information are circulated by the secretariat more often than presented.
PRESENT_SHARE = {"request": 1.0, "reply": 0.4, "bulletin": 0.3, "report": 0.5, "minutes": 0.3}
PRESENT_DEFAULT = 0.75
URGENCIES = {"normal": 82, "urgent": 13, "extra_urgent": 5}
MARKINGS = {"public": 25, "internal": 73, "restricted": 2}
RETURN_REASONS = [
    "不符合行文规则，越级行文，请按隶属关系报送。",
    "请示事项不明确，附件不全，请补充后重新报送。",
    "非本机关职责范围，请径送相关部门办理。",
    "同一事项已重复报送，请勿重复行文。",
]
ASSIGN_TEXTS = [
    "请{lead}牵头，{assist}配合研办。",
    "请{lead}牵头，会同{assist}认真研究，提出具体意见，于{due}前报市政府。",
    "此事关系群众切身利益，请{lead}高度重视，{assist}全力配合，妥善处理，{due}前反馈结果。",
]
ASSIGN_ALONE = [
    "请{lead}研办。",
    "同意。请{lead}按程序办理，{due}前反馈办理结果。",
    "请{lead}抓紧落实，确保各项措施按期完成，{due}前报告进展情况。",
    "请{lead}阅研，提出办理意见后报我。",
]
CIRCULATE_TEXTS = ["请{readers}同志阅。", "请{readers}同志阅示。", "请{readers}同志传阅。"]
READ_TEXTS = ["阅。", "已阅。", "阅知。", "同意。", "已阅，请按有关规定执行。"]
HANDLED_TEXTS = [
    "已按批示要求办理完毕。",
    "已牵头研究并提出意见，报市政府审定。",
    "已完成，办理情况已书面报送。",
    "已协调相关单位落实到位。",
    "已答复来文单位。",
]
DUE_WORKDAYS = {5: 40, 10: 35, 15: 15, 20: 10}
RETENTIONS = {"10y": 55, "30y": 35, "permanent": 10}
RETENTION_CODE = {"10y": "D10", "30y": "D30", "permanent": "Y"}

MINUTE, HOUR, DAY = dt.timedelta(minutes=1), dt.timedelta(hours=1), dt.timedelta(days=1)


# --- The office as the seeder needs it, read once --------------------------------------------------
@dataclass
class _Office:
    anchor: dt.datetime
    tz: object
    users: dict[str, int]
    names: dict[int, str]  # user id → 王建华
    posts: dict[int, str]  # user id → 市长
    sections: dict[str, Section]
    units: dict[str, Unit]
    rules: dict[str, TimeLimitRule]
    content_type: int
    url_prefix: str
    titles: dict[str, str]  # work item titles as the services word them, in Chinese
    handler_section: dict[str, int | None] = field(default_factory=dict)

    @classmethod
    def load(cls, anchor: dt.datetime) -> _Office:
        users = dict(User.objects.values_list("username", "pk"))
        wanted = {*LEADERS, *READERS, REGISTRAR, FORMER_REGISTRAR, ARCHIVIST}
        missing = wanted - set(users)
        if missing:
            raise RuntimeError(f"demo people missing: {sorted(missing)}")
        ids = [users[u] for u in wanted]
        names = {
            pk: f"{last}{first}"
            for pk, last, first in User.objects.filter(pk__in=ids).values_list(
                "pk", "last_name", "first_name"
            )
        }
        posts = dict(Staff.objects.filter(user_id__in=ids).values_list("user_id", "post"))
        sections = {s.code: s for s in Section.objects.select_related("head")}
        units = {u.code: u for u in Unit.objects.all()}
        needed = set(HANDLERS) | set(SENDERS) | {"secretariat"}
        missing = needed - set(sections) - set(units)
        if missing:
            raise RuntimeError(f"demo sections or units missing: {sorted(missing)}")
        with translation.override(settings.LANGUAGE_CODE):
            titles = {
                "screen": gettext("Screen: %(t)s"),
                "approve": gettext("For instruction: %(t)s"),
                "read": gettext("For reading: %(t)s"),
                "lead": gettext("Handle (lead): %(t)s"),
                "assist": gettext("Assist: %(t)s"),
                "review": gettext("Confirm completion: %(t)s"),
                "file": gettext("File: %(t)s"),
            }
        path = reverse("documents:incoming", args=[987654321])
        return cls(
            anchor=anchor,
            tz=workcalendar.local_tz(),
            users=users,
            names=names,
            posts=posts,
            sections=sections,
            units=units,
            rules={r.code: r for r in TimeLimitRule.objects.filter(code__startswith="document.")},
            content_type=ContentType.objects.get_for_model(IncomingDocument).pk,
            url_prefix=path.split("987654321")[0],
            titles=titles,
        )


@cache
def _is_workday(day: dt.date) -> bool:
    try:
        return workcalendar.is_workday(day)
    except workcalendar.CalendarNotLoaded:
        return day.weekday() < 5


def _add_workdays(day: dt.date, n: int) -> dt.date:
    """workcalendar.add_workdays, with weekends only for a year that is not loaded."""
    while not _is_workday(day):
        day += DAY
    while n > 0:
        day += DAY
        n -= _is_workday(day)
    return day


def _end_of_day(day: dt.date, tz) -> dt.datetime:
    return dt.datetime.combine(day + DAY, dt.time.min, tzinfo=tz)


class _Timeline:
    """Working time (08:00–17:30 on working days) over the ten years up to the anchor; document
    n of N arrives at the (n + u)/N-th part of it, so numbers follow arrival."""

    START, MINUTES = dt.time(8, 0), 570

    def __init__(self, anchor: dt.datetime, tz):
        local = anchor.astimezone(tz)
        today = local.date()
        first = today.replace(year=today.year - YEARS, day=min(today.day, 28)) + DAY
        self.days, self.ends = [], []
        total, day = 0, first
        while day <= local.date():
            if _is_workday(day):
                span = self.MINUTES
                if day == local.date():  # today: up to half an hour ago
                    opened = dt.datetime.combine(day, self.START, tzinfo=tz)
                    span = min(span, int((local - opened) / MINUTE) - 30)
                if span > 0:
                    total += span
                    self.days.append(day)
                    self.ends.append(total)
            day += DAY
        self.total = total
        self.tz = tz

    def at(self, fraction: float) -> dt.datetime:
        position = fraction * self.total
        i = bisect.bisect_right(self.ends, position)
        i = min(i, len(self.days) - 1)
        before = self.ends[i - 1] if i else 0
        start = dt.datetime.combine(self.days[i], self.START, tzinfo=self.tz)
        return start + dt.timedelta(minutes=position - before)


def _weighted(mapping: dict) -> tuple[list, list]:
    """Keys and cumulative weights, for rng.choices(keys, cum_weights=…)."""
    keys = list(mapping)
    weights = [mapping[k][0] if isinstance(mapping[k], tuple) else mapping[k] for k in keys]
    total, cumulative = 0.0, []
    for w in weights:
        total += w
        cumulative.append(total)
    return keys, cumulative


def _pick(rng: random.Random, table: tuple[list, list]):
    return rng.choices(table[0], cum_weights=table[1])[0]


# --- One document ----------------------------------------------------------------------------------
# Work item columns (ITEM_COLUMNS without the id) the generator fills in after creating the row.
_STATE, _OUTCOME = 22, 25


@dataclass
class _Item:
    """A work item row; `id` is filled in when the batch's ids are reserved."""

    row: list
    id: int | None = None

    def outcome(self, text: str) -> None:
        if self.row[_STATE] == "done":
            self.row[_OUTCOME] = text


@dataclass
class _Doc:
    row: list = field(default_factory=list)
    access: list = field(default_factory=list)  # (user, section, unit, reason, granted_at)
    instructions: list = field(default_factory=list)  # [id, row]
    items: list[_Item] = field(default_factory=list)
    handlings: list = field(default_factory=list)  # (instruction, item, section, unit, …)
    circulations: list = field(default_factory=list)


@dataclass
class _Flow:
    """What happened to a document after it was accepted, as far as the anchor."""

    state: str
    handled: dt.datetime | None = None  # when its handling ended (all handled, read, 阅知)
    last_actor: int | None = None  # who ended it (the confirmation's assigned_by)
    presented_to: int | None = None
    presented_at: dt.datetime | None = None
    proposal: str = ""
    lead_section: int | None = None
    lead_unit: int | None = None
    due_at: dt.datetime | None = None
    outcome: str = ""
    updated: dt.datetime | None = None


class _Generator:
    def __init__(self, office: _Office, total: int):
        self.o = office
        self.total = total
        self.timeline = _Timeline(office.anchor, office.tz)
        self.types = _weighted(TYPES)
        self.senders = _weighted(SENDERS)
        self.handlers = _weighted(HANDLERS)
        self.leaders = _weighted(LEADERS)
        self.readers = _weighted(READERS)
        self.urgencies = _weighted(URGENCIES)
        self.markings = _weighted(MARKINGS)
        self.retentions = _weighted(RETENTIONS)
        self.due_workdays = _weighted(DUE_WORKDAYS)
        # A leader passes a document on to one of the others, in proportion to their share.
        self.others = {
            office.users[leader]: _weighted({k: w for k, w in LEADERS.items() if k != leader})
            for leader in LEADERS
        }
        self.section_leader = {s.pk: s.leader_in_charge_id for s in office.sections.values()}
        # Who records a section's outcome: its head, or a demo member of a section without one.
        members = {"subdistrict": "street_staff", "administration": "admin_staff"}
        self.section_person = {
            s.pk: s.head.user_id if s.head_id else office.users.get(members.get(s.code, ""))
            for s in office.sections.values()
        }
        self.handler_of = {}
        for code in HANDLERS:
            if code in office.sections:
                s = office.sections[code]
                self.handler_of[code] = (s.pk, None, s.name)
            else:
                u = office.units[code]
                self.handler_of[code] = (None, u.pk, u.short_name or u.name)
        self.wait_days = self._calibrate_wait()
        self.year = None
        self.serial = 0
        self.window_start = office.anchor - dt.timedelta(days=WINDOW_DAYS)
        self.registrar_since = office.anchor.astimezone(office.tz).year - REGISTRAR_SINCE

    def _calibrate_wait(self) -> float:
        """The mean wait (days, exponential) for an instruction that leaves about QUEUE_TARGET
        documents waiting for the mayor at the anchor: documents arrive in working hours only,
        so the queue on a weekday evening is longer than Little's law over the week says."""
        t = self.timeline
        per_minute = self.total * 0.98 * 0.72 * LEADERS["mayor"] / sum(LEADERS.values()) / t.total
        anchor = self.o.anchor
        ages = []  # days between each recent working minute (every 10th) and the anchor
        for i in range(max(0, len(t.days) - 40), len(t.days)):
            start = dt.datetime.combine(t.days[i], t.START, tzinfo=t.tz)
            span = t.ends[i] - (t.ends[i - 1] if i else 0)
            age = (anchor - start).total_seconds() / 86400
            ages += [age - m / 1440 for m in range(0, span, 10)]

        def expected(wait: float) -> float:
            return per_minute * 10 * sum(math.exp(-a / wait) for a in ages)

        low, high = 0.05, 20.0
        if expected(high) < QUEUE_TARGET:
            return high
        for _ in range(40):
            mid = (low + high) / 2
            low, high = (mid, high) if expected(mid) < QUEUE_TARGET else (low, mid)
        return (low + high) / 2

    def _due(self, rule, start: dt.datetime) -> dt.datetime | None:
        if rule is None:
            return None
        day = start.astimezone(self.o.tz).date()
        return _end_of_day(_add_workdays(day, rule.amount), self.o.tz)

    def _item(self, d: _Doc, doc_id: int, *, key, title, action, start, done, by, urgency,
              assignee=None, section=None, unit=None, assigned_by=None, leader=None, rule=None,
              due=None, outcome="") -> _Item:  # fmt: skip
        """A work item as `workitem_open` writes it and `workitem_complete` closes it, with the
        deadline ladder where the sweep would have left it at the anchor."""
        o = self.o
        rule = o.rules.get(rule) if rule else None
        if due is None:
            due = self._due(rule, start)
        closed = done is not None and done <= o.anchor
        remind = escalate = escalate_leader = next_sweep = None
        level = 0
        if due is not None:
            before = rule.remind_before_hours if rule else 24
            head_after = rule.escalate_to_head_after_hours if rule else 24
            leader_after = rule.escalate_to_leader_after_hours if rule else 48
            remind = max(due - before * HOUR, start)
            escalate = due + head_after * HOUR
            escalate_leader = due + leader_after * HOUR if leader_after is not None else None
            rungs = (remind, due, escalate, escalate_leader)
            reference = done if closed else o.anchor
            while level < 4 and rungs[level] is not None and rungs[level] <= reference:
                level += 1
            if not closed and level < 4 and rungs[level] is not None:
                next_sweep = rungs[level]
        if section is not None and leader is None:
            leader = self.section_leader.get(section)
        text = o.titles[key] % {"t": title}
        item = _Item([
            text[:300], "document", action, o.content_type, doc_id, f"{o.url_prefix}{doc_id}/",
            assignee, section, unit, assigned_by, leader, urgency, URGENCY_PRIORITY[urgency],
            rule.pk if rule else None, start, due, remind, escalate, escalate_leader, 0, level,
            next_sweep, "done" if closed else "open", done if closed else None,
            by if closed else None, outcome if closed else "", None, 0, start,
        ])  # fmt: skip
        d.items.append(item)
        return item

    def document(self, n: int, doc_id: int, rng: random.Random) -> _Doc:
        o, tz, anchor = self.o, self.o.tz, self.o.anchor
        received = self.timeline.at((n + rng.random()) / self.total)
        local = received.astimezone(tz)
        if local.year != self.year:
            self.year, self.serial = local.year, 0
        self.serial += 1
        year, serial = self.year, self.serial
        number = f"{PREFIX}〔{year}〕{serial}号"

        doc_type = _pick(rng, self.types)
        topic = rng.choice(TOPICS)
        title = rng.choice(TYPES[doc_type][1]).format(t=topic, y=year - (local.month < 3))
        sender_code = _pick(rng, self.senders)
        sender = o.units[sender_code]
        abbr = SENDERS[sender_code][1]
        if doc_type == "letter":
            abbr = abbr[:-1] + "函"
        reference = "" if rng.random() < 0.08 else f"{abbr}〔{year}〕{rng.randrange(1, 320)}号"
        urgency = _pick(rng, self.urgencies)
        marking = _pick(rng, self.markings)
        registrar = o.users[REGISTRAR if year > self.registrar_since else FORMER_REGISTRAR]
        registered = received + rng.uniform(3, 40) * MINUTE
        if urgency != "normal":
            present_rule = f"document.{urgency}"
        else:
            present_rule = "document.request" if doc_type == "request" else None
        windowed = received >= self.window_start or n % SAMPLE_EVERY == 0
        ctx = _Ctx(self, d=_Doc(), doc_id=doc_id, title=title, urgency=urgency,
                   marking=marking, present_rule=present_rule, windowed=windowed, rng=rng)  # fmt: skip
        d = ctx.d
        d.access.append((registrar, None, None, AccessReason.REGISTERED, registered))
        if marking == Marking.RESTRICTED:
            audience = self._people(rng, rng.randint(2, 4))
            d.access += [(u, None, None, AccessReason.AUDIENCE, registered) for u in audience]

        # 签收/登记 → 初审 (2 % returned) → 呈批 or 传阅 …
        screened = registered + rng.expovariate(1 / 1.5) * HOUR
        returned = rng.random() < 0.02
        routed = screened + rng.expovariate(1 / 2) * HOUR
        screen = None
        if windowed:
            screen = self._item(
                d, doc_id, key="screen", title=title, action="screen", start=received,
                done=screened if returned else routed, by=registrar, assignee=registrar,
                section=o.sections["secretariat"].pk, assigned_by=registrar,
                rule=present_rule or "document.request", urgency=urgency,
            )  # fmt: skip
        flow = _Flow(IncomingState.REGISTERED, updated=registered)
        screened_by = screened_at = None
        return_reason = ""
        if screened <= anchor:
            screened_by, screened_at, flow.updated = registrar, screened, screened
            if returned:
                flow.state = IncomingState.RETURNED
                return_reason = rng.choice(RETURN_REASONS)
                if screen:
                    screen.outcome(return_reason)
            else:
                flow.state = IncomingState.ACCEPTED
        if flow.state == IncomingState.ACCEPTED and routed <= anchor:
            present = rng.random() < PRESENT_SHARE.get(doc_type, PRESENT_DEFAULT)
            if present or marking == Marking.RESTRICTED:
                flow = ctx.present(routed, registrar)
            else:  # 传阅 by the secretariat
                readers = self._people(rng, rng.randint(2, 4))
                proposal = f"拟送{'、'.join(o.names[u] for u in readers)}同志传阅。"
                flow = _Flow(IncomingState.CIRCULATING, proposal=proposal, updated=routed)
                flow.handled = ctx.circulate(readers, registrar, routed)
                flow.last_actor = readers[-1]
            if screen:
                screen.outcome(flow.proposal)
            ongoing = flow.state in (IncomingState.HANDLING, IncomingState.CIRCULATING)
            if ongoing and flow.handled <= anchor:
                flow.state, flow.updated = IncomingState.HANDLED, flow.handled

        # … 办结 (confirmed by the secretariat) → 归档 in the spring after.
        completed_at = completed_by = archived_at = archived_by = None
        retention = volume = ""
        if flow.state == IncomingState.HANDLED:
            confirmed = flow.handled + rng.expovariate(1) * DAY
            if windowed:
                self._item(
                    d, doc_id, key="review", title=title, action="review", start=flow.handled,
                    done=confirmed, by=registrar, assignee=registrar,
                    section=o.sections["secretariat"].pk, assigned_by=flow.last_actor,
                    rule="document.request", urgency=urgency,
                )  # fmt: skip
            if confirmed <= anchor:
                flow.state, flow.updated = IncomingState.COMPLETED, confirmed
                completed_at, completed_by = confirmed, registrar
                done_year = confirmed.astimezone(tz).year
                # The archivist files as `incoming_confirm` asks: within the 文件办理 time limit
                # of the work item it opens, in 25–115 % of the time given (some late), not in
                # one spring backlog (which made 97.7 % of the archivist's open work overdue).
                file_due = self._due(o.rules.get("document.handle"), confirmed)
                filed = confirmed + (file_due - confirmed) * rng.uniform(0.25, 1.15)
                archivist = o.users[ARCHIVIST]
                if windowed:
                    self._item(
                        d, doc_id, key="file", title=title, action="file", start=confirmed,
                        done=filed, by=archivist, assignee=archivist, assigned_by=registrar,
                        rule="document.handle", urgency=urgency,
                    )  # fmt: skip
                if filed <= anchor:
                    flow.state, flow.updated = IncomingState.ARCHIVED, filed
                    archived_at, archived_by = filed, archivist
                    retention = _pick(rng, self.retentions)
                    volume = f"{done_year}-{RETENTION_CODE[retention]}-{serial // 50 + 1:04d}"

        search_text = index_text(title, sender.name, reference, number, flow.proposal, *ctx.texts)
        d.row = [
            doc_id, PREFIX, year, serial, number, sender.pk, sender.name, reference, title,
            doc_type, marking, urgency, URGENCY_PRIORITY[urgency],
            1 if rng.random() < 0.7 else rng.randint(2, 5),
            (received - rng.randint(1, 8) * DAY).astimezone(tz).date(), received,
            "乌兰浩特市人民政府" if rng.random() < 0.8 else "乌兰浩特市人民政府办公室", "", None,
            flow.state, registrar, registered, screened_by, screened_at, return_reason,
            flow.proposal, flow.presented_to, flow.presented_at, flow.lead_section,
            flow.lead_unit, flow.due_at, flow.outcome, completed_at, completed_by, retention,
            volume, archived_at, archived_by, search_text, flow.updated,
            grantee_keys(marking, [a[:3] for a in d.access]),
        ]  # fmt: skip
        return d

    def _people(self, rng, k: int, exclude: int | None = None) -> list[int]:
        chosen: list[int] = []
        while len(chosen) < k:
            u = self.o.users[_pick(rng, self.readers)]
            if u not in chosen and u != exclude:
                chosen.append(u)
        return chosen

    def name(self, user: int, post: bool = False) -> str:
        name = self.o.names[user]
        return f"{name}{self.o.posts.get(user, '')}" if post else name


@dataclass
class _Ctx:
    """One document's flow after acceptance: 呈批/批示, 承办, 传阅."""

    g: _Generator
    d: _Doc
    doc_id: int
    title: str
    urgency: str
    marking: str
    present_rule: str | None
    windowed: bool
    rng: random.Random
    texts: list[str] = field(default_factory=list)  # the instructions' text, for the index

    def item(self, **kwargs) -> _Item | None:
        if not self.windowed:
            return None
        return self.g._item(self.d, self.doc_id, title=self.title, urgency=self.urgency, **kwargs)

    def instruction(self, leader, text, routing, *, forwarded_to=None, due=None, at):
        entry = [None, [text, routing, due, at, forwarded_to, leader]]
        self.d.instructions.append(entry)
        self.texts.append(text)
        return entry

    def present(self, at: dt.datetime, registrar: int) -> _Flow:
        """呈批 to a leader; 批示 (7 %: passed on to another leader first, two instructions);
        then 承办, 传阅 or 阅知."""
        g, o, rng, d = self.g, self.g.o, self.rng, self.d
        leader = o.users[_pick(rng, g.leaders)]
        flow = _Flow(
            IncomingState.PRESENTED,
            presented_to=leader,
            presented_at=at,
            proposal=f"拟请{g.name(leader, post=True)}阅示。",
            updated=at,
        )
        d.access.append((leader, None, None, AccessReason.PRESENTED, at))
        by = registrar
        forwarded = False
        while True:
            instructed = at + rng.expovariate(1 / g.wait_days) * DAY
            approve = self.item(
                key="approve", action="approve", start=at, done=instructed, by=leader,
                assignee=leader, leader=leader, assigned_by=by, rule=self.present_rule,
            )  # fmt: skip
            if instructed > o.anchor:
                return flow
            if forwarded or rng.random() >= 0.07:
                break
            other = o.users[_pick(rng, g.others[leader])]
            text = f"请{g.name(other)}同志阅示。"
            self.instruction(leader, text, Routing.FORWARD, forwarded_to=other, at=instructed)
            if approve:
                approve.outcome(text)
            d.access.append((other, None, None, AccessReason.PRESENTED, instructed))
            by, leader, at, forwarded = leader, other, instructed, True
            flow.presented_to, flow.presented_at, flow.updated = leader, at, at
        flow.updated = instructed
        r = rng.random()
        if self.marking == Marking.RESTRICTED:  # its named audience only: 阅知 or 传阅
            routing = Routing.READ if r < 0.6 else Routing.CIRCULATE
        else:
            routing = Routing.ASSIGN if r < 0.72 else Routing.CIRCULATE if r < 0.8 else Routing.READ
        if routing == Routing.ASSIGN:
            text = self.assign(leader, instructed, flow)
            flow.state, flow.last_actor = IncomingState.HANDLING, None
        elif routing == Routing.CIRCULATE:
            readers = g._people(rng, rng.randint(2, 4), exclude=leader)
            text = rng.choice(CIRCULATE_TEXTS).format(readers="、".join(g.name(u) for u in readers))
            self.instruction(leader, text, routing, at=instructed)
            flow.state = IncomingState.CIRCULATING
            flow.handled = self.circulate(readers, leader, instructed)
            flow.last_actor = readers[-1]
        else:
            text = rng.choice(READ_TEXTS)
            self.instruction(leader, text, routing, at=instructed)
            flow.state, flow.handled, flow.last_actor = IncomingState.HANDLED, instructed, leader
        if approve:
            approve.outcome(text)
        return flow

    def assign(self, leader: int, at: dt.datetime, flow: _Flow) -> str:
        """批示 assigning a lead handler and 0–2 assisting ones, with a deadline; each handles
        it in 25–115 % of the time given (some late)."""
        g, o, rng, d = self.g, self.g.o, self.rng, self.d
        lead_code = _pick(rng, g.handlers)
        assists: list[str] = []
        for _ in range(rng.choices((0, 1, 2), (55, 30, 15))[0]):
            code = _pick(rng, g.handlers)
            if code != lead_code and code not in assists:
                assists.append(code)
        due_day = _add_workdays(at.astimezone(o.tz).date(), _pick(rng, g.due_workdays))
        due = _end_of_day(due_day, o.tz)
        lead = g.handler_of[lead_code]
        helpers = [g.handler_of[c] for c in assists]
        text = rng.choice(ASSIGN_TEXTS if helpers else ASSIGN_ALONE).format(
            lead=lead[2],
            assist="、".join(h[2] for h in helpers),
            due=f"{due_day.month}月{due_day.day}日",
        )
        instruction = self.instruction(leader, text, Routing.ASSIGN, due=due, at=at)
        flow.lead_section, flow.lead_unit, flow.due_at = lead[0], lead[1], due
        ends = []
        for (section, unit, _name), role in [(lead, "lead"), *((h, "assist") for h in helpers)]:
            reason = AccessReason.LEAD if role == "lead" else AccessReason.ASSIST
            d.access.append((None, section, unit, reason, at))
            done = at + (due - at) * rng.uniform(0.25, 1.15)
            ends.append(done)
            finished = done <= o.anchor
            result = rng.choice(HANDLED_TEXTS) if finished else ""
            person = g.section_person.get(section) if finished and section else None
            if role == "lead":
                flow.outcome = result
            item = self.item(
                key=role, action="handle", start=at, done=done, by=person, outcome=result,
                section=section, unit=unit, leader=leader, assigned_by=leader,
                rule="document.handle", due=due,
            )  # fmt: skip
            if item:
                state = "done" if finished else "open"
                d.handlings.append(
                    (instruction, item, section, unit, role, state, result,
                     done if finished else None, person)
                )  # fmt: skip
        flow.handled = max(ends)
        return text

    def circulate(self, readers: list[int], by: int, at: dt.datetime) -> dt.datetime:
        """传阅: each reader confirms reading; the last one ends it."""
        last = at
        for reader in readers:
            self.d.access.append((reader, None, None, AccessReason.CIRCULATED, at))
            read = at + self.rng.expovariate(1 / 1.5) * DAY
            last = max(last, read)
            item = self.item(
                key="read", action="read", start=at, done=read, by=reader, assignee=reader,
                assigned_by=by, rule=self.present_rule or "document.handle",
            )  # fmt: skip
            if item:
                unread = read > self.g.o.anchor
                self.d.circulations.append((reader, by, at, None if unread else read, item))
        return last


# --- Writing -----------------------------------------------------------------------------------------
DOC_COLUMNS = (
    "id", "registration_prefix", "registration_year", "registration_serial",
    "registration_number", "sender_id", "sender_name", "sender_reference", "title", "doc_type",
    "marking", "urgency", "priority", "copies", "written_on", "received_at", "main_recipient",
    "summary", "duplicate_of_id", "state", "registered_by_id", "registered_at", "screened_by_id",
    "screened_at", "return_reason", "proposal", "presented_to_id", "presented_at",
    "lead_section_id", "lead_unit_id", "due_at", "outcome", "completed_at", "completed_by_id",
    "retention", "volume_reference", "archived_at", "archived_by_id", "search_text", "updated_at",
    "grantees",
)  # fmt: skip
ACCESS_COLUMNS = ("document_id", "user_id", "section_id", "unit_id", "reason", "granted_at")
INSTRUCTION_COLUMNS = (
    "id",
    "document_id",
    "text",
    "routing",
    "due_at",
    "created_at",
    "forwarded_to_id",
    "leader_id",
)
ITEM_COLUMNS = (
    "id", "title", "kind", "action", "content_type_id", "object_id", "url", "assignee_id",
    "section_id", "unit_id", "assigned_by_id", "leader_id", "urgency", "priority", "rule_id",
    "started_at", "due_at", "remind_at", "escalate_at", "escalate_leader_at", "sweep_cycle",
    "sweep_level", "next_sweep_at", "state", "completed_at", "completed_by_id", "outcome",
    "paused_at", "extensions", "created_at",
)  # fmt: skip
HANDLING_COLUMNS = (
    "document_id", "instruction_id", "work_item_id", "section_id", "unit_id", "role", "state",
    "outcome", "completed_at", "completed_by_id",
)  # fmt: skip
CIRCULATION_COLUMNS = (
    "document_id",
    "reader_id",
    "sent_by_id",
    "sent_at",
    "read_at",
    "comment",
    "work_item_id",
)
# The documents tables: their secondary indexes are dropped for the load and built afterwards
# (in the same transaction). office_workitem is shared and keeps its indexes.
OWN_TABLES = (IncomingDocument, IncomingAccess, Instruction, Handling, Circulation)


def _reserve(cursor, model, k: int) -> list[int]:
    """k ids from the table's identity sequence (safe beside concurrent writers)."""
    if k == 0:
        return []
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [model._meta.db_table, k],
    )
    return [r[0] for r in cursor.fetchall()]


def _copy(raw, model, columns, rows) -> int:
    count = 0
    with raw.cursor() as cursor:
        sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        with cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def _drop_indexes(cursor) -> list[str]:
    """Drop the secondary indexes of the documents tables (not those behind a constraint or
    the primary key); returns their definitions to build them again."""
    tables = [m._meta.db_table for m in OWN_TABLES]
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        JOIN pg_class c ON c.relname = i.indexname
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)
        """,
        [tables],
    )
    found = cursor.fetchall()
    for name, _definition in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]


def _bench_documents():
    return IncomingDocument.objects.filter(registration_prefix=PREFIX)


def _wipe(cursor) -> None:
    """Remove a partial or different-volume bench seeding (children first)."""
    docs = f"SELECT id FROM {IncomingDocument._meta.db_table} WHERE registration_prefix = %s"
    ct = ContentType.objects.get_for_model(IncomingDocument).pk
    for model in (Handling, Circulation, Instruction, IncomingAccess):
        cursor.execute(
            f"DELETE FROM {model._meta.db_table} WHERE document_id IN ({docs})", [PREFIX]
        )
    cursor.execute(
        f"DELETE FROM {WorkItem._meta.db_table} WHERE content_type_id = %s AND object_id IN "
        f"({docs})",
        [ct, PREFIX],
    )
    cursor.execute(
        f"DELETE FROM {IncomingDocument._meta.db_table} WHERE registration_prefix = %s", [PREFIX]
    )
    NumberSeries.objects.filter(series=PREFIX).delete()


@seeder("documents", needs=("demo",))
def seed_documents(scale: float) -> str:
    """1,000,000 incoming documents over ten years with their instructions, access rows, and
    (for the last year and a sample) handling rows and work items. One transaction: either all
    of them are there or none."""
    target = scaled(VOLUME, scale)
    have = _bench_documents().count()
    if have >= target:
        return f"{have:,} documents present (marker: numbers {PREFIX}〔year〕n号)"
    started = time.perf_counter()
    anchor = timezone.now().replace(second=0, microsecond=0)
    office = _Office.load(anchor)
    gen = _Generator(office, target)
    counts = dict.fromkeys(("access", "instructions", "items", "handlings", "circulations"), 0)
    raw = connection.connection
    with transaction.atomic():
        with connection.cursor() as cursor:
            if have:
                _wipe(cursor)
            for model in OWN_TABLES:
                cursor.execute(f"LOCK TABLE {model._meta.db_table} IN EXCLUSIVE MODE")
            # Bulk load: no per-row foreign-key triggers (every id below comes from the rows
            # just read or reserved), and the documents' indexes built once at the end.
            try:
                with transaction.atomic():
                    cursor.execute("SET LOCAL session_replication_role = replica")
            except Exception:  # not a superuser: the checks run, only slower
                pass
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            indexes = _drop_indexes(cursor)
            doc_ids = _reserve(cursor, IncomingDocument, target)
        for start in range(0, target, BATCH):
            end = min(start + BATCH, target)
            docs = []
            for chunk in range(start - start % CHUNK, end, CHUNK):
                rng = random.Random(f"bench-documents-{chunk // CHUNK}")
                for n in range(max(chunk, start), min(chunk + CHUNK, end)):
                    docs.append(gen.document(n, doc_ids[n], rng))
            _write_batch(raw, docs, counts)
            if (end // BATCH) % 10 == 0 or end == target:
                print(
                    f"  documents: {end:,}/{target:,} [{time.perf_counter() - started:.0f} s]",
                    flush=True,
                )
        copied = time.perf_counter() - started
        with connection.cursor() as cursor:
            for definition in indexes:
                cursor.execute(definition)
        indexed = time.perf_counter() - started - copied
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {NumberSeries._meta.db_table} (series, year, last_number)
                SELECT registration_prefix, registration_year, max(registration_serial)
                FROM {IncomingDocument._meta.db_table} WHERE registration_prefix = %s
                GROUP BY 1, 2
                ON CONFLICT (series, year) DO UPDATE SET last_number = EXCLUDED.last_number
                """,
                [PREFIX],
            )
            years = cursor.rowcount
    with connection.cursor() as cursor:
        tables = ", ".join(m._meta.db_table for m in (*OWN_TABLES, WorkItem))
        cursor.execute(f"VACUUM (ANALYZE) {tables}")
    vacuumed = time.perf_counter() - started - copied - indexed
    return (
        f"created {target:,} documents over {years} years (as of "
        f"{anchor.astimezone(office.tz):%Y-%m-%d %H:%M}, mean wait for an instruction "
        f"{gen.wait_days:.2f} days) with {counts['instructions']:,} instructions, "
        f"{counts['access']:,} access rows, {counts['handlings']:,} handlings, "
        f"{counts['circulations']:,} circulations and {counts['items']:,} work items; "
        f"COPY {copied:.0f} s, indexes {indexed:.0f} s, VACUUM ANALYZE {vacuumed:.0f} s"
    )


def _write_batch(raw, docs: list[_Doc], counts: dict) -> None:
    with raw.cursor() as cursor:
        instruction_ids = iter(
            _reserve(cursor, Instruction, sum(len(d.instructions) for d in docs))
        )
        item_ids = iter(_reserve(cursor, WorkItem, sum(len(d.items) for d in docs)))
    for d in docs:
        for entry in d.instructions:
            entry[0] = next(instruction_ids)
        for item in d.items:
            item.id = next(item_ids)
    _copy(raw, IncomingDocument, DOC_COLUMNS, (d.row for d in docs))
    counts["access"] += _copy(
        raw,
        IncomingAccess,
        ACCESS_COLUMNS,
        ((d.row[0], *a) for d in docs for a in d.access),
    )
    counts["instructions"] += _copy(
        raw,
        Instruction,
        INSTRUCTION_COLUMNS,
        ((i, d.row[0], *row) for d in docs for i, row in d.instructions),
    )
    counts["items"] += _copy(
        raw, WorkItem, ITEM_COLUMNS, ((item.id, *item.row) for d in docs for item in d.items)
    )
    counts["handlings"] += _copy(
        raw,
        Handling,
        HANDLING_COLUMNS,
        (
            (d.row[0], instruction[0], item.id, *rest)
            for d in docs
            for instruction, item, *rest in d.handlings
        ),
    )
    counts["circulations"] += _copy(
        raw,
        Circulation,
        CIRCULATION_COLUMNS,
        (
            (d.row[0], reader, by, sent, read, "", item.id)
            for d in docs
            for reader, by, sent, read, item in d.circulations
        ),
    )


# --- Pages -------------------------------------------------------------------------------------------
SECRETARY, STAFF, SMALL_STAFF = "secretary", "clerk", "admin_staff"  # 秘书科, 综合科, 行政科
LEADER, BUSY_LEADER = "mayor", "vicemayor"
SEARCH = "供暖"
BUSIEST_SENDER = "兴安盟行政公署办公室"


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _register_rows(username: str, **query):
    """The rows behind the register for this person and query, through the view's own
    queryset (documents.views.lists._filtered)."""

    def count() -> int:
        from django.test import RequestFactory

        from documents.views.lists import _filtered

        request = RequestFactory().get("/", query)
        request.user = _user(username)
        return _filtered(request)[1].count()

    return count


def _queue_rows(username: str):
    def count() -> int:
        leader = _user(username)
        return IncomingDocument.objects.visible_to(leader).awaiting(leader).count()

    return count


def _filters() -> dict:
    """State + urgency + date range: the 加急 documents archived from the year before last."""
    year = timezone.localdate().year - 2
    return {
        "state": "archived",
        "urgency": "urgent",
        "received_from": f"{year}-01-01",
        "received_to": f"{year}-12-31",
    }


def _register(username: str, *, filtered: bool = False, **query):
    """The register's URL (resolved after seeding: the filters name a year) and its rows."""

    def full() -> dict:
        return {**_filters(), **query} if filtered else dict(query)

    def rows() -> int:
        q = full()
        q.pop("page", None)
        return _register_rows(username, **q)()

    return (lambda: url("documents:index", **full())()), rows


_SHOWCASE: list[int] = []


def _showcase() -> int:
    """The most recent unrestricted document with two instructions (passed on, then assigned)
    and three handlers: the longest processing slip the seeding produces. 0 before seeding."""
    if _SHOWCASE:
        return _SHOWCASE[0]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT d.id FROM {IncomingDocument._meta.db_table} d
            WHERE d.registration_prefix = %s AND d.marking <> 'restricted'
              AND (SELECT count(*) FROM {Instruction._meta.db_table} i
                   WHERE i.document_id = d.id) >= 2
              AND (SELECT count(*) FROM {Handling._meta.db_table} h
                   WHERE h.document_id = d.id) >= 3
            ORDER BY d.received_at DESC, d.id DESC LIMIT 1
            """,
            [PREFIX],
        )
        row = cursor.fetchone()
    if row is None:
        return 0
    _SHOWCASE.append(row[0])
    return row[0]


# --- A single reader: a person whose only grants are their own -------------------------------
READER = "bench_reader"  # 单个读者: no section, no unit; reads every READER_EVERY-th document
READER_EVERY = 5_000


@seeder("documents-reader", needs=("documents",))
def seed_reader(scale: float) -> str:
    """One person who sees only what was circulated to them by name: ~200 documents at full
    volume, spread over the ten years (the smallest audience a register has). Their access
    rows and `grantees` keys are written as services._grant and sync_grantees write them."""
    from django.contrib.auth.models import Group

    from office.roles import Role

    user, created = User.objects.get_or_create(
        username=READER, defaults={"last_name": "阅", "first_name": "单"}
    )
    if created:
        user.groups.add(Group.objects.get(name=Role.STAFF))
        Staff.objects.create(user=user, badge_number="BR0001", post="科员")
    have = IncomingAccess.objects.filter(user=user).count()
    if have:
        return f"{have:,} documents circulated to {READER} present"
    key = f"p{user.pk}"
    table, access = IncomingDocument._meta.db_table, IncomingAccess._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH picked AS (
                SELECT id, received_at FROM {table}
                WHERE registration_prefix = %s AND id %% %s = 0
            ), granted AS (
                INSERT INTO {access} (document_id, user_id, reason, granted_at)
                SELECT id, %s, %s, received_at FROM picked RETURNING document_id
            )
            UPDATE {table} d SET grantees = array_to_string(ARRAY(
                SELECT k FROM (
                    SELECT DISTINCT (unnest(string_to_array(d.grantees, ' ') || %s::text))
                        COLLATE "C" AS k
                ) x WHERE k <> '' ORDER BY k), ' ')
            FROM granted g WHERE d.id = g.document_id
            """,
            [PREFIX, READER_EVERY, user.pk, AccessReason.CIRCULATED, key],
        )
        n = cursor.rowcount
    return f"circulated {n:,} documents to {READER}"


_VOLUME = f"{VOLUME:,} documents"
_NEEDS = ("documents",)

page(
    "documents: queue 批示, mayor",
    url("documents:queue"),
    LEADER,
    f"{_VOLUME}; ~{QUEUE_TARGET} waiting",
    needs=_NEEDS,
    rows=_queue_rows(LEADER),
)
page(
    "documents: queue 批示, vice-mayor",
    url("documents:queue"),
    BUSY_LEADER,
    f"{_VOLUME}; ~{QUEUE_TARGET * LEADERS[BUSY_LEADER] // LEADERS[LEADER]} waiting",
    needs=_NEEDS,
    rows=_queue_rows(BUSY_LEADER),
)
for _name, _persona, _query in [
    ("documents: register, secretary", SECRETARY, {}),
    ("documents: register p500, secretary", SECRETARY, {"page": 500}),
    ("documents: register, staff 综合科", STAFF, {}),
    # The smallest section's register: the audience that paid for everyone's (issue 21).
    ("documents: register, staff 行政科", SMALL_STAFF, {}),
    ("documents: register filtered, secretary", SECRETARY, {"filtered": True}),
    ("documents: register filtered, staff 综合科", STAFF, {"filtered": True}),
    ("documents: register filtered, staff 行政科", SMALL_STAFF, {"filtered": True}),
    (f"documents: search {SEARCH}, secretary", SECRETARY, {"q": SEARCH}),
    (f"documents: search {SEARCH}, staff 综合科", STAFF, {"q": SEARCH}),
    (f"documents: search {SEARCH}, staff 行政科", SMALL_STAFF, {"q": SEARCH}),
    # The busiest sending unit (about 7 % of all documents), picked from the list.
    (f"documents: sender {BUSIEST_SENDER}, secretary", SECRETARY, {"sender": BUSIEST_SENDER}),
    (f"documents: sender {BUSIEST_SENDER}, staff 综合科", STAFF, {"sender": BUSIEST_SENDER}),
    (f"documents: sender {BUSIEST_SENDER}, staff 行政科", SMALL_STAFF, {"sender": BUSIEST_SENDER}),
]:
    _url, _rows = _register(_persona, **_query)
    page(_name, _url, _persona, _VOLUME, needs=_NEEDS, rows=_rows)

_url, _rows = _register(READER)
page(
    "documents: register, single reader",
    _url,
    READER,
    f"{_VOLUME}; ~{VOLUME // READER_EVERY} circulated to the person",
    needs=("documents-reader",),
    rows=_rows,
)
page(
    "documents: document page",
    lambda: reverse("documents:incoming", args=[_showcase()]),
    SECRETARY,
    f"{_VOLUME}; 2 instructions, 3 handlers",
    needs=_NEEDS,
)
page(
    "documents: processing slip PDF",
    lambda: reverse("documents:incoming_slip", args=[_showcase()]),
    SECRETARY,
    f"{_VOLUME}; 2 instructions, 3 handlers",
    needs=_NEEDS,
)
