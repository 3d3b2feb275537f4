"""The 纪要 of a meeting through the one typesetter (office.typeset; GB/T 9704-2012 10.3).

The red mark "…纪要" 35 mm below the top of the text block, the number under it, the issuing office
and date on the next line, the red rule; the body on the 22 × 28 grid; 出席 / 请假 / 列席 below the
body in 黑体 labels; not sealed, not signed; the 版记 with 分送 on the even last page. A draft (not
yet issued) carries the 草稿 watermark and no number.
"""

from __future__ import annotations

from office import typeset as ts
from office.people import display_name
from office.typeset.body import parse

from .models import Meeting, Minutes, MinutesState

ISSUER = "乌兰浩特市人民政府办公室"


def context(meeting: Meeting, minutes: Minutes) -> dict:
    from .models import AttendanceRole, Response

    rows = list(meeting.attendances.select_related("user__staff").order_by("-role", "pk"))
    present = [a for a in rows if a.role == AttendanceRole.MEMBER and a.response != Response.LEAVE]
    leave = [a for a in rows if a.response == Response.LEAVE]
    guests = [a for a in rows if a.role == AttendanceRole.ATTENDEE and a.response != Response.LEAVE]
    attendance = [
        {"label": "出席", "names": "、".join(display_name(a.user) for a in present)}
    ]
    if leave:
        names = [
            display_name(a.user) + (f"（{a.substitute}代）" if a.substitute else "")
            for a in leave
        ]
        attendance.append({"label": "请假", "names": "、".join(names)})
    if guests:
        names = [display_name(a.user) for a in guests]
        attendance.append({"label": "列席", "names": "、".join(names)})
    restricted = [i for i in meeting.items.all() if i.restricted]
    notes = ""
    if restricted:
        named = "、".join(f"“{i.title}”" for i in restricted)
        notes = f"{named}会议材料为受控材料，会后收回。"
    from django.utils import timezone

    issued = minutes.state == MinutesState.ISSUED
    day = timezone.localtime(minutes.issued_at).date() if minutes.issued_at else None
    blocks, _ = ts.body_blocks([(b.level, b.text) for b in parse(minutes.body)])
    return ts.document_context(
        title=f"{meeting.title}纪要",
        mark_text=meeting.kind.minutes_title,
        number=minutes.reference if issued else "",
        number_placeholder="（未编号）",
        minutes=True,
        minutes_head=(ISSUER, ts.cn_date(day)),
        blocks=blocks,
        attendance=attendance,
        signed=False,
        notes=notes,
        copy_label="分送",
        copy_text="出席、列席会议人员，各责任单位",
        printer=ISSUER,
        print_date_text=ts.cn_date(day),
        draft=not issued,
    )
