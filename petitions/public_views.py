"""The public pages: the online petition form (网上信访), and the look-up by query code plus the
last four digits of the phone, with the rating (S-18, S-19, S-20).

Rate limits live in the cache, keyed by the client address: submissions 5 an hour, failed
look-ups 10 per 15 minutes. The form takes up to five PDF or image attachments, checked like every
upload (`forms.check_public_files`), stored under generated names and never served publicly: staff
download them through the permission-checked `petitions:attachment`. A look-up that finds nothing and one with the wrong digits give the
same page, the same message and the same status.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from office import workcalendar
from office.client import client_address
from office.services import TransitionError

from . import crypto, services
from .forms import LookupForm, PublicPetitionForm, RatingForm
from .models import Channel, NoticeKind

SUBMIT_LIMIT = (5, 3600)
LOOKUP_FAIL_LIMIT = (10, 900)
SESSION_CODE = "petitions_public_code"
SESSION_FOUND = "petitions_public_found"

NOT_FOUND = gettext_lazy(
    "No petition matches this query code and these four digits. Check them and try again."
)
TOO_MANY = gettext_lazy("Too many attempts. Please try again later.")


def _over(bucket: str, request, limit: tuple[int, int]) -> bool:
    return cache.get(f"pet:{bucket}:{client_address(request)}", 0) >= limit[0]


def _hit(bucket: str, request, limit: tuple[int, int]) -> None:
    key = f"pet:{bucket}:{client_address(request)}"
    if cache.add(key, 1, timeout=limit[1]):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=limit[1])


@never_cache
def submit(request):
    form = PublicPetitionForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if _over("submit", request, SUBMIT_LIMIT):
            form.add_error(
                None, _("Too many submissions from this address. Please try again in an hour.")
            )
        elif form.is_valid():
            d = form.cleaned_data
            try:
                intake = services.Intake(
                    channel=Channel.ONLINE,
                    category=d["category"],
                    subject_area=d["subject_area"],
                    title=d["title"],
                    request=d["request"],
                    facts=d["facts"],
                    reasons=d["reasons"],
                    location=d["location"],
                    people=[
                        {
                            "name": d["name"],
                            "id_number": d["id_number"],
                            "phone": d["phone"],
                            "address": d["address"],
                        }
                    ],
                    idempotency_token=d["token"],
                )
                petition, code = services.petition_register(
                    intake, by=None, files=d["attachments"], http_request=request
                )
            except (ValidationError, workcalendar.CalendarNotLoaded) as exc:
                form.add_error(None, exc if isinstance(exc, ValidationError) else str(exc))
            else:
                if code is not None:  # a double submission counts once and shows the first code
                    _hit("submit", request, SUBMIT_LIMIT)
                    request.session[SESSION_CODE] = [petition.number, code]
                return redirect("petitions_public:submitted")
    if not form.is_bound:
        form.initial["token"] = secrets.token_urlsafe(24)
    return render(request, "petitions/public/submit.html", {"form": form})


@never_cache
def submitted(request):
    """The query code, shown once after the submission (never in a URL)."""
    number, code = request.session.pop(SESSION_CODE, [None, None])
    return render(
        request,
        "petitions/public/submitted.html",
        {"number": number, "code": crypto.format_query_code(code) if code else None},
    )


PUBLIC_STEPS = {
    NoticeKind.ACKNOWLEDGEMENT: "登记",
    NoticeKind.ACCEPT: "受理告知",
    NoticeKind.ASSIGN: "受理告知（已交办）",
    NoticeKind.REJECT: "不予受理告知",
    NoticeKind.NOT_REACCEPT: "不再受理告知",
    NoticeKind.TRANSFER: "转送告知",
    NoticeKind.EXTENSION: "延长办理期限告知",
    NoticeKind.REPLY: "处理意见书",
    NoticeKind.REVIEW: "复查意见书",
    NoticeKind.RE_REVIEW: "复核意见书",
}


def _public_view(petition) -> dict:
    """Only the state and the dates of each step: no name, no text, no unit, nothing personal."""
    steps = [(PUBLIC_STEPS[n.kind], n.issued_at) for n in petition.notices.all()]
    return {
        "number": petition.number,
        "state": petition.get_state_display(),
        "received_at": petition.received_at,
        "due_at": petition.due_at,
        "steps": steps,
        "rateable": petition.state in services.RATEABLE and petition.rated_at is None,
        "rating": petition.rating,
    }


@never_cache
def lookup(request):
    form = LookupForm(request.POST or None)
    found = None
    status = 200
    if request.method == "POST":
        if _over("lookup", request, LOOKUP_FAIL_LIMIT):
            form = LookupForm()
            messages.error(request, TOO_MANY)
            status = 429
        elif form.is_valid():
            petition = services.lookup(form.cleaned_data["code"], form.cleaned_data["last4"])
            if petition is None:
                _hit("lookup", request, LOOKUP_FAIL_LIMIT)
                messages.error(request, NOT_FOUND)
                form = LookupForm()
            else:
                # The rating form posts back to `rate`, which needs this session mark
                request.session[SESSION_FOUND] = petition.pk
                found = _public_view(petition)
        else:
            _hit("lookup", request, LOOKUP_FAIL_LIMIT)
            messages.error(request, NOT_FOUND)
            form = LookupForm()
    return render(
        request,
        "petitions/public/lookup.html",
        {"form": form, "found": found, "rating_form": RatingForm()},
        status=status,
    )


@require_POST
@never_cache
def rate(request):
    """The rating, for the petition found by this browser's last successful look-up."""
    from .models import Petition

    pk = request.session.get(SESSION_FOUND)
    petition = Petition.objects.filter(pk=pk).first() if pk else None
    form = RatingForm(request.POST)
    if petition is None:
        messages.error(request, NOT_FOUND)
        return redirect("petitions_public:lookup")
    if not form.is_valid():
        messages.error(request, _("Choose one of the ratings offered."))
        return redirect("petitions_public:lookup")
    try:
        services.petition_rate(
            petition=petition, rating=form.cleaned_data["rating"], http_request=request
        )
    except (ValidationError, TransitionError) as exc:
        messages.error(request, str(exc.messages[0] if isinstance(exc, ValidationError) else exc))
    else:
        request.session.pop(SESSION_FOUND, None)
        messages.success(request, _("Thank you for your rating."))
    return redirect("petitions_public:lookup")
