"""Demo records for documents: the office's document series (DOMAIN.md §0) and one draft."""

from __future__ import annotations

SERIES = [
    # code, issuer, red header, letter format, signer up, signer down
    ("乌政发", "乌兰浩特市人民政府", "乌兰浩特市人民政府文件", False, "mayor", "mayor"),
    (
        "乌政办发",
        "乌兰浩特市人民政府办公室",
        "乌兰浩特市人民政府办公室文件",
        False,
        "mayor",
        "secgeneral",
    ),
    ("乌政函", "乌兰浩特市人民政府", "乌兰浩特市人民政府", True, "mayor", "vicemayor"),
]

DEMO_TITLE = "关于做好2026年冬季安全生产工作的通知"
DEMO_BODY = """为切实做好今冬明春安全生产工作，现将有关事项通知如下。
一、总体要求
坚持人民至上、生命至上，统筹发展和安全，坚决防范遏制重特大事故发生。
二、重点任务
（一）加强供暖安全管理
各供热企业要全面排查供热管网和锅炉设备，确保安全稳定运行。
（二）强化道路交通安全
1.加强冰雪天气道路巡查。
2.及时清理城区主干道积雪。
三、工作要求
各单位要于2026年12月10日前将落实情况报市政府办公室。"""


def seed_demo() -> str:
    from django.contrib.auth import get_user_model

    from office.models import Staff, Unit

    from .outgoing.models import OutgoingDocument, OutgoingSeries

    User = get_user_model()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["mayor", "secgeneral", "vicemayor"])
    }
    made = 0
    for code, issuer, header, letter, up, down in SERIES:
        _series, created = OutgoingSeries.objects.get_or_create(
            code=code,
            defaults={
                "issuer_name": issuer,
                "header_text": header,
                "letter_format": letter,
                # 条例 第九条: the "…文件" series issue 普发性 documents with a specific issuer
                # mark, which may go unsealed; a letter (函) always carries the seal.
                "seal_required": letter,
                "signer_upward": users.get(up),
                "signer_downward": users.get(down),
            },
        )
        made += created
    drafts = 0
    clerk = Staff.objects.filter(user__username="clerk").select_related("user").first()
    if clerk is not None and not OutgoingDocument.objects.filter(title=DEMO_TITLE).exists():
        from .outgoing.services import outgoing_draft

        document = outgoing_draft(
            by=clerk.user,
            series=OutgoingSeries.objects.get(code="乌政办发"),
            doc_type="notice",
            direction="down",
            title=DEMO_TITLE,
            body=DEMO_BODY,
            main_recipients=Unit.objects.filter(code__in=["heping", "xingan"]),
            copy_recipients=Unit.objects.filter(code__in=["info-centre"]),
            attachments="2026年冬季安全生产检查表",
            notes="此件公开发布",
        )
        drafts = 1 if document else 0
    return f"{made} document series, {drafts} outgoing draft"
