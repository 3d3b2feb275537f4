"""The shell's own pages: home, the staff list, sign-in, and the error pages."""

from __future__ import annotations

import logging
import secrets

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from .models import Section, Staff

log = logging.getLogger("office.errors")

PAGE_SIZE = 50


class LoginForm(AuthenticationForm):
    """One message for unknown user, wrong password and locked account (S-02)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy(
            "The user name or password is wrong, or the account is temporarily locked. "
            "After 5 failed attempts an account is locked for 15 minutes."
        ),
    }


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def lockout_response(request, credentials, *args, **kwargs):
    """django-axes calls this when a sign-in is refused for lock-out: answer exactly as for a
    wrong password, so the page does not reveal that the account exists (S-02)."""
    form = LoginForm(request, data=request.POST or None)
    form.is_valid = lambda: False
    form.add_error(None, LoginForm.error_messages["invalid_login"])
    return render(request, "registration/login.html", {"form": form}, status=200)


@login_required
def about(request):
    """About the system: a trivial signed-in page (also the benchmarks' framework floor)."""
    return render(request, "office/about.html")


STAFF_SORTS = {
    "badge": ("badge_number",),
    "-badge": ("-badge_number",),
    "name": ("user__last_name", "user__first_name"),
    "-name": ("-user__last_name", "-user__first_name"),
    "section": ("section__display_order", "display_order"),
    "-section": ("-section__display_order", "-display_order"),
}


@login_required
@permission_required("office.view_staff", raise_exception=True)
def staff_list(request):
    """The internal staff directory: search, filter by section, sort, paginate.

    Queries: one count and one page, whatever the page size (asserted in the tests).
    """
    staff = Staff.objects.active().for_list()
    q = request.GET.get("q", "").strip()[:50]
    if q:
        staff = staff.filter(
            Q(user__last_name__contains=q)
            | Q(user__first_name__contains=q)
            | Q(badge_number__startswith=q)
            | Q(post__contains=q)
            | Q(phone__contains=q)
        )
    section_code = request.GET.get("section", "")
    if section_code:
        staff = staff.filter(section__code=section_code)
    sort = request.GET.get("sort", "section")
    staff = staff.order_by(*STAFF_SORTS.get(sort, STAFF_SORTS["section"]), "pk")
    page = Paginator(staff, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "office/staff_list.html",
        {
            "page": page,
            "q": q,
            "sort": sort,
            "section_code": section_code,
            "sections": Section.objects.active(),
        },
    )


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_500(request):
    """A Chinese page with a reference number; the traceback goes to the log only (S-39)."""
    reference = secrets.token_hex(4).upper()
    log.error("server error reference=%s path=%s", reference, request.path[:200])
    return render(request, "errors/500.html", {"reference": reference}, status=500)


def module_placeholder(title, description):
    """The entry page of a module whose issue has not landed yet: an honest empty state."""

    @login_required
    def view(request):
        return render(
            request,
            "office/module.html",
            {"module_title": title, "module_description": description},
        )

    return view
