"""The access table (SECURITY.md S-09, S-10): every URL pattern × every persona, one table.

A URL pattern that is missing from the table fails the suite, so each new page must state who
may open it. Expected answers: 200, 403 (may see the area, not this), 404 (may not know it
exists), 405 (wrong method), "login" (to the sign-in page), "admin-login" (to the admin's).
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.urls import URLPattern, URLResolver, get_resolver

from tests.access import ADMINS, BUSINESS, PERSONAS, app_tables, everyone, only, public

# 综合科 (the clerk, its head and the petition officer who sits in it), the secretariat, the mayor
# it was presented to, and the supervisor, whose role oversees all non-restricted documents.
INCOMING_SEEN_BY = [
    "clerk",
    "petition_officer",
    "section_head",
    "secretary",
    "leader",
    "supervisor",
]
DOCUMENT_TRANSITIONS = [
    "incoming_screen",
    "incoming_present",
    "incoming_circulate",
    "incoming_instruct",
    "incoming_read",
    "incoming_confirm",
    "incoming_archive",
    "incoming_attach",
    "handling_note",
    "handling_complete",
    "extension_request",
    "extension_decide",
]

# --- Site pages ------------------------------------------------------------------------
TABLE: dict[str, dict[str, object]] = {
    "login": everyone(302, anonymous=200),  # signed in → straight to the inbox
    "logout": everyone(405, anonymous=405),  # POST only
    # The code step of signing in: without a password step just passed, back to the sign-in
    # page; a signed-in person goes on to the inbox.
    "second_factor": everyone(302, anonymous="login"),
    # Replacing a one-time password an admin set: the same, for the same reason.
    "new_password": everyone(302, anonymous="login"),
    # Django's set_language: a GET changes nothing and only redirects back.
    "set_language": everyone(302, anonymous=302),
    # The probes (office.health): public, JSON, the same for everyone.
    "healthz": public(200),
    "readyz": public(200),
    "office:home": everyone(200),
    "office:staff_list": only([*BUSINESS, "security_admin"]),
    # The supervisor oversees all work (office.view_all_workitems).
    # A work item assigned to the clerk (综合科) by the secretary: seen by the clerk, the head
    # of 综合科 and the secretary who assigned it; everyone else gets 404, so its existence does
    # not leak.
    "office:workitem": only(["clerk", "section_head", "secretary", "supervisor"], refused=404),
    # Actions are POST-only: a GET is refused before anything else is looked at.
    **{
        f"office:workitem_{action}": everyone(405, anonymous="login")
        for action in ("complete", "urge", "pause", "resume", "extend", "cancel")
    },
    "office:notifications": everyone(200),
    "office:about": everyone(200),
    "office:notification_open": everyone(405, anonymous="login"),
    "office:notifications_read_all": everyone(405, anonymous="login"),
    # The working calendar: the system admin enters each year's State Council notice.
    "office:calendar": only(["system_admin"]),
    "office:calendar_year": only(["system_admin"]),
    "office:register": only(["section_head", "secretary", "leader", "supervisor"]),
    "office:register_export": only(["section_head", "secretary", "leader", "supervisor"]),
    # Incoming documents. The register, its export and the queue list only what the person may
    # see; the object URLs use a document (see _incoming) registered by the secretary, presented
    # to the mayor and assigned to 综合科: seen by those four, 404 for everyone else.
    "documents:index": everyone(200),
    "documents:incoming_export": everyone(200),
    "documents:incoming_register": only(["secretary"]),
    "documents:queue": only(["leader"]),
    **{
        f"documents:{name}": only(INCOMING_SEEN_BY, refused=404)
        for name in ("incoming", "incoming_slip", "attachment", "attachment_inline")
    },
    # A returned document: only the registrar (and the rest of the secretariat) sees it.
    "documents:return_slip": only(["secretary", "supervisor"], refused=404),
    # Transitions are POST-only: a GET is refused before anything else is looked at.
    **{f"documents:{name}": everyone(405, anonymous="login") for name in DOCUMENT_TRANSITIONS},
}

# Each app's rows live beside its tests, in tests/<app>/access.py (see tests/access.py).
APP_TABLES = app_tables()
for _module in APP_TABLES:
    _clash = set(_module.TABLE) & set(TABLE)
    assert not _clash, f"{_module.__name__} repeats rows: {sorted(_clash)}"
    TABLE.update(_module.TABLE)

# --- The admin -------------------------------------------------------------------------
# What each admin persona may do with each registered model: v(iew) a(dd) c(hange) d(elete).
ADMIN_MODELS: dict[str, dict[str, str]] = {
    "office_section": {"system_admin": "vacd", "security_admin": "v"},
    "office_unit": {"system_admin": "vacd", "security_admin": "v"},
    "office_staff": {"security_admin": "vac"},
    "office_calendaryear": {"system_admin": "vac"},
    "office_calendarday": {"system_admin": "vacd"},
    "office_timelimitrule": {"system_admin": "vac"},
    "office_secondfactor": {"security_admin": "vd"},
    "office_auditentry": {"audit_admin": "v"},
    "office_outboxmessage": {"system_admin": "v"},
    "office_numberseries": {"system_admin": "vac"},
    "documents_outgoingseries": {"system_admin": "vac"},
    "auth_user": {"security_admin": "vac"},
    "auth_group": {"security_admin": "v"},  # roles are office/roles.py, read-only here
    "office_signinthrottle": {"security_admin": "vd"},  # lock-outs, lifted by deleting
    "axes_accessattempt": {},
    "axes_accesslog": {"audit_admin": "v"},
    "axes_accessfailurelog": {"audit_admin": "v"},
}
for _module in APP_TABLES:  # an app's own admin models, beside its rows (tests/<app>/access.py)
    ADMIN_MODELS.update(getattr(_module, "ADMIN_MODELS", {}))
ADMIN_VIEW_NEEDS = {"changelist": "v", "add": "a", "change": "v", "delete": "d", "history": "v"}

ADMIN_PAGES = {
    "admin:index": {p: 200 for p in ADMINS},
    "admin:password_change": {p: 200 for p in ADMINS},
    "admin:password_change_done": {p: 200 for p in ADMINS},
    "admin:jsi18n": {p: 200 for p in ADMINS},
    "admin:autocomplete": {p: 403 for p in ADMINS},  # without a valid source field
    "admin:app_list:office": {p: 200 for p in ADMINS},
    # The security admin sees the documents app for the issuers' seals (tests/outgoing/access.py).
    "admin:app_list:documents": {"system_admin": 200, "security_admin": 200, "audit_admin": 404},
    "admin:app_list:auth": {"system_admin": 404, "security_admin": 200, "audit_admin": 404},
    "admin:app_list:axes": {"system_admin": 404, "security_admin": 404, "audit_admin": 200},
    "admin:view_on_site": {p: 404 for p in ADMINS},  # no model of ours is viewed on site
}
for model, grants in ADMIN_MODELS.items():
    for view, letter in ADMIN_VIEW_NEEDS.items():
        ADMIN_PAGES[f"admin:{model}_{view}"] = {
            p: (
                200
                if letter in grants.get(p, "") or (letter == "v" and "c" in grants.get(p, ""))
                else 403
            )
            for p in ADMINS
        }
_OBJECT_VIEWS = {
    f"admin:{model}_{view}" for model in ADMIN_MODELS for view in ("change", "delete", "history")
}
ADMIN_PAGES["admin:auth_user_password_change"] = {
    p: (200 if p == "security_admin" else 403) for p in ADMINS
}

for name, answers in ADMIN_PAGES.items():
    TABLE[name] = {"anonymous": "admin-login", **dict.fromkeys(BUSINESS, "admin-login"), **answers}
# POST only; whoever is not signed in to the admin is sent back to it.
TABLE["admin:logout"] = {
    "anonymous": 302,
    **dict.fromkeys(BUSINESS, 302),
    **dict.fromkeys(ADMINS, 405),
}
# The admin has no sign-in page of its own: the one sign-in page (lock-out, audit, second
# factor) for everyone; a signed-in person without admin rights is refused.
TABLE["admin:login"] = {
    "anonymous": "login",
    **dict.fromkeys(BUSINESS, 403),
    **dict.fromkeys(ADMINS, 302),
}


def _walk(resolver: URLResolver, namespace: str = "", prefix: str = ""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p, ns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", prefix + str(p.pattern)


def all_url_names() -> set[str]:
    names = set()
    for name, _route in _walk(get_resolver()):
        if name == "admin:app_list":
            names.update(f"admin:app_list:{label}" for label in _admin_app_labels())
        else:
            names.add(name)
    return names


def _admin_app_labels() -> set[str]:
    return {m._meta.app_label for m in admin.site._registry}


def test_every_url_pattern_is_in_the_access_table():
    missing = sorted(all_url_names() - set(TABLE))
    assert not missing, f"add these URLs to the access table: {missing}"
    stale = sorted(set(TABLE) - all_url_names())
    assert not stale, f"these table rows name no URL: {stale}"


def test_every_admin_model_is_in_the_table():
    registered = {f"{m._meta.app_label}_{m._meta.model_name}" for m in admin.site._registry}
    assert registered == set(ADMIN_MODELS), sorted(registered ^ set(ADMIN_MODELS))


def _url_for(name: str) -> str:
    from django.urls import reverse

    for module in APP_TABLES:
        if name in module.TABLE:
            return module.url_for(name)

    if name.startswith("admin:app_list:"):
        return reverse("admin:app_list", kwargs={"app_label": name.rsplit(":", 1)[1]})
    if name == "admin:view_on_site":
        return reverse("admin:view_on_site", kwargs={"content_type_id": 1, "object_id": "1"})
    if name.startswith("office:workitem") or name == "office:notification_open":
        from office.models import WorkItem

        if name == "office:notification_open":
            return reverse(name, args=[1])  # POST-only: refused before any lookup
        clerk = User.objects.get(username="clerk")
        return reverse(name, args=[WorkItem.objects.filter(assignee=clerk).first().pk])
    if name == "office:calendar_year":
        from django.utils import timezone

        return reverse(name, args=[timezone.localdate().year + 1])
    if name.startswith("documents:") and name.removeprefix("documents:") in DOCUMENT_TRANSITIONS:
        return reverse(name, args=[1])  # POST-only: refused before any lookup
    if name in ("documents:incoming", "documents:incoming_slip"):
        return reverse(name, args=[_incoming().pk])
    if name in ("documents:attachment", "documents:attachment_inline"):
        return reverse(name, args=[_incoming().attachments.get().pk])
    if name == "documents:return_slip":
        return reverse(name, args=[_incoming(returned=True).pk])
    if name == "admin:auth_user_password_change":
        return reverse(name, args=[User.objects.get(username="clerk").pk])
    if name in _OBJECT_VIEWS:
        model = _admin_model(name)
        obj = _admin_object(model)
        return reverse(name, args=[obj.pk])
    return reverse(name)


def _incoming(*, returned: bool = False):
    """A document with a scanned PDF, registered by the secretary, then either returned to the
    sender or presented to the mayor and assigned to 综合科 (the clerk's and its head's)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from documents import services
    from office import workcalendar
    from office.models import Section

    secretary = User.objects.get(username="secretary")
    mayor = User.objects.get(username="mayor")
    scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
    doc = services.incoming_register(
        by=secretary,
        title="关于做好冬季供暖保障工作的通知",
        doc_type="notice",
        sender_name="兴安盟行政公署办公室",
        files=[("scan", scan)],
    )
    if returned:
        return services.incoming_screen(
            document=doc, by=secretary, accept=False, reason="不属于本机关职责"
        )
    services.incoming_screen(document=doc, by=secretary, accept=True)
    services.incoming_present(document=doc, by=secretary, leader=mayor, proposal="拟请综合科研办。")
    services.incoming_instruct(
        document=doc,
        leader=mayor,
        text="请综合科研办。",
        routing="assign",
        lead=Section.objects.get(code="general"),
        due_on=workcalendar.add_workdays(timezone.localdate(), 5),
    )
    return doc


def _admin_model(name: str):
    key = name.removeprefix("admin:").rsplit("_", 1)[0]
    for model in admin.site._registry:
        if f"{model._meta.app_label}_{model._meta.model_name}" == key:
            return model
    raise LookupError(name)


def _admin_object(model):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    if model is Group:
        return Group.objects.get(name="工作人员")
    if model is User:
        return User.objects.get(username="clerk")
    from office.models import AuditEntry, NumberSeries, OutboxMessage, SecondFactor
    from office.services.audit import audit_record

    if model is NumberSeries:
        return NumberSeries.objects.get_or_create(series="收文", year=2026)[0]

    if model is SecondFactor:
        from office import totp

        return SecondFactor.objects.get_or_create(
            user=User.objects.get(username="mayor"), defaults={"secret": totp.seal(b"x" * 20)}
        )[0]
    if model is AuditEntry:
        return audit_record(action="test.access_table", object_repr="access table")
    from office.models import SignInThrottle

    if model is SignInThrottle:
        return SignInThrottle.objects.get_or_create(username="clerk", address="10.0.0.1")[0]
    if model is OutboxMessage:
        from django.utils import timezone

        return OutboxMessage.objects.create(
            channel="email", address="a@example.com", body="x", created_at=timezone.now()
        )
    if model in (AccessAttempt, AccessLog, AccessFailureLog):
        defaults = {"user_agent": "test", "ip_address": "10.0.0.1", "username": "clerk"}
        if model is AccessAttempt:
            defaults["failures_since_start"] = 1
        return model.objects.create(**defaults)
    return model.objects.order_by("pk").first()


CASES = [(name, persona) for name in sorted(TABLE) for persona in PERSONAS]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "persona"), CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_access(name, persona, request, client_for):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    client = client_for(user)
    if name.startswith("documents:"):  # attachments are stored: not in the project's media
        request.getfixturevalue("settings").MEDIA_ROOT = request.getfixturevalue("tmp_path")
    url = _url_for(name)
    response = client.get(url)
    expected = TABLE[name][persona]
    if expected == "login":
        assert response.status_code == 302, (url, response.status_code)
        assert response.url.startswith("/accounts/login/"), response.url
    elif expected == "admin-login":
        assert response.status_code == 302, (url, response.status_code)
        assert response.url.startswith("/manage/login/"), response.url
    else:
        assert response.status_code == expected, (url, response.status_code)
