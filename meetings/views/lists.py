"""The meeting list, the week and month calendar, and the personal iCalendar feed."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from office.services.audit import audit_record

from ..forms import CalendarForm
from ..models import AgendaItem, CalendarFeed, Meeting, MeetingState, taking_part_q

PAGE_SIZE = 25
SORTS = {"-starts": "-starts_at", "starts": "starts_at", "title": "title", "-title": "-title"}


@login_required
def index(request):
    meetings = Meeting.objects.visible_to(request.user).for_list()
    q = request.GET.get("q", "").strip()[:100]
    if q:
        meetings = meetings.filter(Q(title__icontains=q) | Q(kind__name__icontains=q))
    state = request.GET.get("state", "")
    if state in MeetingState.values:
        meetings = meetings.filter(state=state)
    sort = request.GET.get("sort", "-starts")
    if sort not in SORTS:
        sort = "-starts"
    # The agenda count as a correlated subquery: computed for the page's rows only, where a
    # GROUP BY over the join counted the items of every visible meeting before paging.
    items = (
        AgendaItem.objects.filter(meeting=OuterRef("pk"))
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    meetings = meetings.annotate(item_count=Coalesce(Subquery(items), 0)).order_by(
        SORTS[sort], "-pk"
    )
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/index.html",
        {
            "page": page,
            "q": q,
            "state": state,
            "sort": sort,
            "states": MeetingState.choices,
            "filtered": bool(q or state),
            "can_organise": request.user.has_perm("meetings.organise_meeting"),
            "can_submit": request.user.has_perm("meetings.add_agendaitem"),
        },
    )


def _participating(user):
    """Meetings a person takes part in (chair, member, 列席, on the list, recorder)."""
    return Meeting.objects.filter(taking_part_q(user))


@login_required
def calendar(request):
    """A week or a month of meetings, optionally for one room or one leader: one query for
    the meetings whatever their number."""
    form = CalendarForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    view = data.get("view") or "week"
    day = data.get("date") or timezone.localdate()
    if view == "month":
        first = day.replace(day=1)
        start = first - dt.timedelta(days=first.weekday())
        last = first.replace(day=_calendar.monthrange(first.year, first.month)[1])
        end = last + dt.timedelta(days=6 - last.weekday())
        previous, following = (first - dt.timedelta(days=1)).replace(day=1), last + dt.timedelta(1)
    else:
        start = day - dt.timedelta(days=day.weekday())
        end = start + dt.timedelta(days=6)
        previous, following = start - dt.timedelta(days=7), start + dt.timedelta(days=7)
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    meetings = (
        Meeting.objects.visible_to(request.user)
        .for_list()
        .filter(starts_at__lt=hi, ends_at__gt=lo)
        .exclude(state=MeetingState.CANCELLED)
        .order_by("starts_at", "pk")
    )
    if data.get("room"):
        meetings = meetings.filter(room=data["room"])
    if data.get("leader"):
        meetings = meetings.filter(pk__in=_participating(data["leader"]).values("pk"))
    by_day: dict[dt.date, list] = {}
    for m in meetings:
        by_day.setdefault(timezone.localtime(m.starts_at).date(), []).append(m)
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    weeks = [
        [(d, by_day.get(d, []), d.month == day.month) for d in days[i : i + 7]]
        for i in range(0, len(days), 7)
    ]
    return render(
        request,
        "meetings/calendar.html",
        {
            "form": form,
            "view": view,
            "day": day,
            "weeks": weeks,
            "start": start,
            "end": end,
            "previous": previous,
            "following": following,
            "weekdays": ["一", "二", "三", "四", "五", "六", "日"],
            "today": timezone.localdate(),
        },
    )


# --- iCalendar ------------------------------------------------------------------------------
@login_required
def feed(request):
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = request.build_absolute_uri(f"/meetings/feed/{feed.token}.ics") if feed is not None else ""
    return render(request, "meetings/feed.html", {"feed": feed, "url": url})


@login_required
@require_POST
def feed_reset(request):
    """A new token (the old URL stops working at once), or none at all (`revoke`)."""
    CalendarFeed.objects.filter(user=request.user).delete()
    revoke = "revoke" in request.POST
    if not revoke:
        CalendarFeed.objects.create(
            user=request.user, token=secrets.token_urlsafe(32), created_at=timezone.now()
        )
    audit_record(
        action="meetings.feed_revoke" if revoke else "meetings.feed_reset",
        actor=request.user,
        object_type="meetings.calendarfeed",
        object_repr=str(request.user),
        request=request,
    )
    messages.success(
        request,
        _("Your calendar link is revoked.") if revoke else _("Your calendar link is ready."),
    )
    return redirect("meetings:feed")


def _ical_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545 3.1: lines longer than 75 octets are folded."""
    out, current = [], b""
    for ch in line:
        b = ch.encode()
        if len(current) + len(b) > 74:
            out.append(current.decode())
            current = b" "
        current += b
    out.append(current.decode())
    return "\r\n".join(out)


def ical(request, token: str):
    """The person's meetings as iCalendar: the token is the credential, revocable at any time;
    the feed says only what that person may see anyway."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    since = timezone.now() - dt.timedelta(days=90)
    meetings = (
        _participating(feed.user)
        .filter(starts_at__gte=since)
        .exclude(state=MeetingState.CANCELLED)
        .select_related("room", "kind")
        .order_by("starts_at")[:500]
    )
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Zhengban//Meetings//ZH",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:" + _ical_text(_("Meetings")),
    ]
    host = request.get_host().split(":")[0]
    for m in meetings:
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{m.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{m.starts_at.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}",
            f"DTEND:{m.ends_at.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}",
            "SUMMARY:" + _ical_text(m.title),
            "LOCATION:" + _ical_text(m.room.name),
            "CATEGORIES:" + _ical_text(m.kind.name),
            "URL:" + request.build_absolute_uri(m.get_absolute_url()),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    body = "\r\n".join(_fold(line) for line in lines) + "\r\n"
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
