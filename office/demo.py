"""The demo office: the real structure of the Ulanhot city government office (seed/).

Sections and subordinate units come from the office's public charter; external units are a
realistic set of city departments, sub-districts and towns; people are fictional, one per role.
"""

from __future__ import annotations

from .charter import SECTIONS, STREETS, SUBORDINATE_UNITS

__all__ = ["SECTIONS", "STREETS", "SUBORDINATE_UNITS"]

EXTERNAL_UNITS = [
    ("league-admin", "兴安盟行政公署", "盟行署"),
    ("league-office", "兴安盟行政公署办公室", "盟行署办公室"),
    ("drc", "乌兰浩特市发展和改革委员会", "市发改委"),
    ("education", "乌兰浩特市教育局", "市教育局"),
    ("public-security", "乌兰浩特市公安局", "市公安局"),
    ("civil-affairs", "乌兰浩特市民政局", "市民政局"),
    ("justice", "乌兰浩特市司法局", "市司法局"),
    ("finance", "乌兰浩特市财政局", "市财政局"),
    ("hrss", "乌兰浩特市人力资源和社会保障局", "市人社局"),
    ("natural-resources", "乌兰浩特市自然资源局", "市自然资源局"),
    ("ecology", "乌兰浩特市生态环境局", "市生态环境局"),
    ("housing", "乌兰浩特市住房和城乡建设局", "市住建局"),
    ("transport", "乌兰浩特市交通运输局", "市交通运输局"),
    ("agriculture", "乌兰浩特市农牧和科技局", "市农牧科技局"),
    ("health", "乌兰浩特市卫生健康委员会", "市卫健委"),
    ("emergency", "乌兰浩特市应急管理局", "市应急管理局"),
    ("market", "乌兰浩特市市场监督管理局", "市市场监管局"),
    ("petition-bureau", "乌兰浩特市信访局", "市信访局"),
    *STREETS,
    ("wulanhada", "乌兰浩特市乌兰哈达镇人民政府", "乌兰哈达镇"),
    ("gegenmiao", "乌兰浩特市葛根庙镇人民政府", "葛根庙镇"),
    ("yilelite", "乌兰浩特市义勒力特镇人民政府", "义勒力特镇"),
    ("taibenzhan", "乌兰浩特市太本站镇人民政府", "太本站镇"),
]

# username, family name, given name, role, section code or unit code, post, badge, heads section
PEOPLE = [
    ("mayor", "王", "建华", "市领导", None, "市长", "L001", False),
    ("vicemayor", "李", "志刚", "市领导", None, "副市长", "L002", False),
    ("secgeneral", "包", "文斌", "市领导", None, "市政府秘书长", "L003", False),
    ("general_head", "赵", "丽娟", "科室负责人", "general", "综合科科长", "Z001", True),
    ("clerk", "刘", "晓东", "工作人员", "general", "科员", "Z002", False),
    ("secretary_head", "陈", "秀英", "科室负责人", "secretariat", "秘书科科长", "M001", True),
    ("secretary", "张", "敏", "秘书科登记员", "secretariat", "收发员", "M002", False),
    ("archivist", "孙", "桂兰", "档案员", "secretariat", "档案管理员", "M003", False),
    ("legal_head", "周", "海涛", "科室负责人", "legal", "法制办主任", "F001", True),
    ("supervision_head", "吴", "春梅", "科室负责人", "supervision", "督查科科长", "D001", True),
    ("supervisor", "郑", "宇", "督查员", "supervision", "督查员", "D002", False),
    ("petition_officer", "那", "仁", "信访专员", "general", "信访接待员", "Z003", False),
    ("street_staff", "何", "静", "工作人员", "subdistrict", "科员", "J001", False),
    ("admin_staff", "冯", "磊", "工作人员", "administration", "科员", "X001", False),
    ("sysadmin", "高", "鹏", "系统管理员", "info-centre", "系统管理员", "I001", False),
    ("secadmin", "罗", "娜", "安全管理员", "info-centre", "安全保密管理员", "I002", False),
    ("auditadmin", "梁", "晨", "审计管理员", "info-centre", "安全审计员", "I003", False),
]

# section code → username of the leader in charge (分管领导)
LEADERS_IN_CHARGE = {
    "general": "vicemayor",
    "secretariat": "secgeneral",
    "legal": "vicemayor",
    "supervision": "mayor",
    "subdistrict": "vicemayor",
    "administration": "secgeneral",
}

# username, title, kind, action, urgency, hours until due (negative: overdue)
WORK = [
    (
        "mayor",
        "关于2026年冬季供暖保障工作的请示（市住建局）",
        "document",
        "approve",
        "extra_urgent",
        3,
    ),
    ("mayor", "关于兴安街道老旧小区改造资金的报告", "document", "approve", "urgent", 20),
    ("mayor", "市政府常务会议纪要（第32次）审签", "meeting", "sign", "normal", 96),
    ("clerk", "起草全市冬季安全生产工作要点", "document", "handle", "normal", -30),
    ("clerk", "和平街道居民反映供暖不热的信访事项办理", "petition", "handle", "urgent", 10),
    ("clerk", "整理第四季度政务信息报送情况", "other", "report", "normal", 120),
    ("general_head", "督办：城区道路积雪清理落实情况反馈", "supervision", "report", "urgent", -5),
    ("general_head", "审核综合科11月工作总结", "other", "review", "normal", 48),
    (
        "secretary",
        "登记盟行署办公室来文（兴署办发〔2026〕88号）",
        "document",
        "register",
        "normal",
        6,
    ),
]
