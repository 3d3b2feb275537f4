"""The office's real structure, from its public charter (/work/shared/seed/office-charter.txt):
the six sections, the four subordinate units, and the sub-districts (街道办事处) and 永联镇 whose
co-ordination the office carries (duty 十三: 负责各街道办事处的综合、协调工作及永联镇的居委会建设
工作). `manage.py seed_office` creates exactly this, plus the reference data; no person."""

from __future__ import annotations

SECTIONS = [
    ("general", "综合科", "文稿起草、信息综合、综合协调"),
    ("secretariat", "秘书科", "公文收发、登记、呈批、缮印、立卷归档，会议组织"),
    ("legal", "法制办", "规范性文件合法性审查与备案"),
    ("supervision", "督查科", "市政府决策部署和领导批示的督查督办"),
    ("subdistrict", "街道办", "各街道办事处的综合协调、居委会建设"),
    ("administration", "行政科", "机关事务、办公楼院管理、安全保卫"),
]

SUBORDINATE_UNITS = [
    ("beijing-office", "乌兰浩特市人民政府驻北京联络处", "驻北京联络处"),
    ("hohhot-office", "乌兰浩特市人民政府驻呼和浩特办事处", "驻呼和浩特办事处"),
    ("info-centre", "乌兰浩特市人民政府信息中心", "信息中心"),
    ("logistics", "乌兰浩特市人民政府办公室机关后勤服务中心", "机关后勤服务中心"),
]

# Duty 十三: the sub-districts the office co-ordinates, and 永联镇 (居委会建设).
STREETS = [
    ("heping", "乌兰浩特市和平街道办事处", "和平街道"),
    ("xingan", "乌兰浩特市兴安街道办事处", "兴安街道"),
    ("dulin", "乌兰浩特市都林街道办事处", "都林街道"),
    ("wuyi", "乌兰浩特市五一街道办事处", "五一街道"),
    ("aiguo", "乌兰浩特市爱国街道办事处", "爱国街道"),
    ("shengli", "乌兰浩特市胜利街道办事处", "胜利街道"),
    ("chengjiao", "乌兰浩特市城郊街道办事处", "城郊街道"),
    ("tiexi", "乌兰浩特市铁西街道办事处", "铁西街道"),
    ("yonglian", "乌兰浩特市永联镇人民政府", "永联镇"),
]


def seed_office() -> dict[str, int]:
    """Create (or bring up to date) the real office: roles, reference data (working calendar,
    time-limit rules, the audit chain's head), the sections, the subordinate units and the
    sub-districts and 永联镇. No person: the first account is the security admin, created
    interactively (`createsuperuser`). Idempotent; returns what exists."""
    from .models import Section, Unit, UnitKind
    from .reference import ensure_reference_data
    from .roles import sync_roles

    sync_roles()
    ensure_reference_data()
    for order, (code, name, duties) in enumerate(SECTIONS, start=1):
        Section.objects.update_or_create(
            code=code, defaults={"name": name, "duties": duties, "display_order": order}
        )
    for kind, rows in ((UnitKind.SUBORDINATE, SUBORDINATE_UNITS), (UnitKind.EXTERNAL, STREETS)):
        for order, (code, name, short) in enumerate(rows, start=1):
            Unit.objects.update_or_create(
                code=code,
                defaults={"name": name, "short_name": short, "kind": kind, "display_order": order},
            )
    return {
        "sections": Section.objects.filter(code__in=[c for c, *_ in SECTIONS]).count(),
        "subordinate units": Unit.objects.filter(kind=UnitKind.SUBORDINATE).count(),
        "sub-districts and towns": Unit.objects.filter(code__in=[c for c, *_ in STREETS]).count(),
    }
