"""The shell's own pages: home, the staff list, sign-in, and the error pages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

from . import errors, lockout, qr, totp
from .models import SecondFactor, Section, Staff
from .services import signin

PAGE_SIZE = 50


class LoginForm(AuthenticationForm):
    """One message for unknown user, wrong password and locked account (S-02), and the
    lock-out checked and counted under a row lock before and after the password (S-01)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy(
            "The user name or password is wrong, or the account is temporarily locked. "
            "After 5 failed attempts an account is locked for 15 minutes."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data
        with lockout.gate(username, self.request) as gate:
            if gate.locked:
                self.user_cache = None
                refused = True
            else:
                self.user_cache = authenticate(self.request, username=username, password=password)
                refused = self.user_cache is None
                if refused:
                    gate.fail()
                elif not signin.steps_for(self.user_cache):
                    gate.succeed()  # signed in now; otherwise only the last step clears
        if refused:
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class LoginView(auth_views.LoginView):
    """Step one: the password. A person who owes a second factor (S-04) or a new password (a
    one-time password an admin set) is not signed in yet: the next pages finish the sign-in."""

    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        steps = signin.steps_for(user)
        if not steps:
            return super().form_valid(form)
        signin.begin(self.request, user, self.get_redirect_url(), steps)
        return redirect(_STEP_URLS[steps[0]])


_STEP_URLS = {signin.CODE: "second_factor", signin.NEW_PASSWORD: "new_password"}


def _refused(request):
    """The sign-in page with the one message for every refusal (S-02), shown once."""
    form = LoginForm(request)
    return render(
        request,
        "registration/login.html",
        {"form": form, "refused": LoginForm.error_messages["invalid_login"]},
    )


def _pending_step(request, step: str):
    """(the half-finished sign-in, None) on the page of its current step; otherwise (None, the
    redirect to where the person belongs: the inbox, the sign-in page, or the step owed)."""
    if request.user.is_authenticated:
        return None, redirect(settings.LOGIN_REDIRECT_URL)
    state = signin.pending(request)
    if state is None:
        messages.info(request, _("Please sign in again: the sign-in took too long."))
        return None, redirect("login")
    if state.step != step:
        return None, redirect(_STEP_URLS[state.step])
    return state, None


def _next_step(request, state):
    if request.user.is_authenticated:
        return redirect(state.next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    return redirect(_STEP_URLS[state.step])


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
    )


def second_factor(request):
    """Step two: the six-digit code from the person's authenticator app; at the first sign-in
    the page shows the QR code to enrol it (RFC 6238; SECURITY.md S-04)."""
    state, elsewhere = _pending_step(request, signin.CODE)
    if elsewhere is not None:
        return elsewhere
    factor = SecondFactor.objects.filter(user=state.user).first()
    if factor is None:  # reset by the security admin since the password step
        signin.abandon(request)
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = signin.check_code(request, state, form.cleaned_data["code"])
        if outcome is signin.Outcome.ACCEPTED:
            return _next_step(request, state)
        if outcome is signin.Outcome.LOCKED:
            return _refused(request)
        form.add_error(
            "code",
            _("The code is wrong or has already been used. Enter the code your app shows now."),
        )
    context = {"form": form, "enrolling": factor.confirmed_at is None}
    if context["enrolling"]:
        secret = totp.unseal(factor.secret)
        uri = totp.provisioning_uri(
            secret, account=state.user.get_username(), issuer=settings.TOTP_ISSUER
        )
        try:  # not through qr.svg's cache: the URI holds the secret, which no cache should keep
            context["qr"] = qr.svg.__wrapped__(
                uri, label=gettext("QR code for the authenticator app")
            )
        except qr.TooLong:  # a very long user name: the key is typed in by hand
            context["qr"] = None
        context["secret"] = totp.grouped(secret)
    return render(request, "registration/second_factor.html", context)


def admin_login(request, extra_context=None):
    """The admin has no sign-in of its own: one sign-in page, with lock-out, audit and the
    second factor, for everyone. A signed-in person without admin rights is refused."""
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            target = request.GET.get("next", "")
            safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
            return redirect(target if target and safe else "admin:index")
        raise PermissionDenied
    return redirect_to_login(
        request.GET.get("next") or reverse("admin:index"), login_url=reverse("login")
    )


class NewPasswordForm(SetPasswordForm):
    pass


def new_password(request):
    """The person replaces a one-time password an admin set, before anything else and before
    enrolling an authenticator (等保 8.1.4.1; 三员分立 8.1.4.2)."""
    state, elsewhere = _pending_step(request, signin.NEW_PASSWORD)
    if elsewhere is not None:
        return elsewhere
    form = NewPasswordForm(state.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        signin.change_password_first(request, state, form.cleaned_data["new_password1"])
        return _next_step(request, state)
    return render(request, "registration/new_password.html", {"form": form})


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
    """A static Chinese page with a reference number; the traceback goes to the log only (S-39).
    A database outage answers 503 with Retry-After instead (S-35); see office.errors."""
    return errors.server_error(request)


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
