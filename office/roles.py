"""Roles are auth groups with permissions, defined here and synced idempotently by migrations.

The three separate admins (三员: system, security, audit — GB/T 22239-2019 8.1.4.2) have no
overlap, and one person may hold only one of them (`check_role_combination`). Nobody is a
superuser in normal operation.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class Role:
    """Group names as users see them; code refers to these constants, never to literals."""

    STAFF = "工作人员"
    SECTION_HEAD = "科室负责人"
    SECRETARY = "秘书科登记员"
    LEADER = "市领导"
    PETITION_OFFICER = "信访专员"
    SUPERVISOR = "督查员"
    ARCHIVIST = "档案员"
    SYSTEM_ADMIN = "系统管理员"
    SECURITY_ADMIN = "安全管理员"
    AUDIT_ADMIN = "审计管理员"


ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

_READ_ORGANISATION = ["office.view_section", "office.view_unit", "office.view_staff"]

# Permissions per role, as "app_label.codename". A permission whose model does not exist yet is
# skipped; each later app's migration calls `sync_roles` again after adding its models.
_CHASE = ["office.urge_workitem", "office.view_register"]
# The first-inquiry desk and the disclosure requests of one's own section (portal).
_SERVE = ["portal.add_inquiry", "portal.view_inquiry", "portal.view_disclosurerequest"]
_MODERATE = ["portal.moderate_evaluation", "portal.view_evaluation_results"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.STAFF: [
        *_READ_ORGANISATION,
        *_SERVE,
        "documents.draft_outgoing",
        "meetings.add_agendaitem",
    ],
    Role.SECTION_HEAD: [
        *_READ_ORGANISATION,
        *_CHASE,
        *_SERVE,
        *_MODERATE,
        "documents.draft_outgoing",
        "meetings.add_agendaitem",
    ],
    Role.SECRETARY: [
        *_READ_ORGANISATION,
        *_CHASE,
        "documents.register_incoming",
        "documents.view_all_incoming",
        "documents.draft_outgoing",
        "documents.review_outgoing",
        "documents.view_all_outgoing",
        "meetings.add_agendaitem",
        "meetings.organise_meeting",
        "meetings.view_all_meetings",
        "supervision.open_supervisiontask",  # meeting decisions (秘书科 organises the meetings)
        *_SERVE,
    ],
    Role.LEADER: [
        *_READ_ORGANISATION,
        *_CHASE,
        *_SERVE,
        "documents.instruct_incoming",
        "documents.sign_outgoing",
        "petitions.view_all_petitions",
        "supervision.open_supervisiontask",
        "supervision.view_all_supervisiontask",
        "portal.view_evaluation_results",
    ],
    Role.PETITION_OFFICER: [
        *_READ_ORGANISATION,
        *_SERVE,
        "office.urge_workitem",
        "petitions.register_petition",
        "petitions.view_all_petitions",
        "petitions.decide_petition",
        "petitions.reveal_petitioner",
    ],
    Role.SUPERVISOR: [
        *_READ_ORGANISATION,
        *_CHASE,
        "office.view_all_workitems",
        "documents.view_all_incoming",
        "documents.view_all_outgoing",
        "meetings.view_all_meetings",
        "supervision.open_supervisiontask",
        "supervision.manage_supervisiontask",
        "supervision.view_all_supervisiontask",
        *_SERVE,
        *_MODERATE,
        "portal.view_all_disclosure",
        "portal.view_all_evaluation",
    ],
    Role.ARCHIVIST: [
        *_READ_ORGANISATION,
        "documents.archive_incoming",
        "documents.view_all_incoming",
        "documents.view_all_outgoing",
        *_SERVE,
    ],
    # Configuration: sections, units (and later calendars, time-limit rules, number series).
    Role.SYSTEM_ADMIN: [
        "office.add_section",
        "office.change_section",
        "office.delete_section",
        "office.view_section",
        "office.add_unit",
        "office.change_unit",
        "office.delete_unit",
        "office.view_unit",
        "office.add_calendaryear",
        "office.change_calendaryear",
        "office.view_calendaryear",
        "office.add_calendarday",
        "office.change_calendarday",
        "office.delete_calendarday",
        "office.view_calendarday",
        "office.add_timelimitrule",
        "office.change_timelimitrule",
        "office.view_timelimitrule",
        "office.view_outboxmessage",
        "office.add_numberseries",
        "office.change_numberseries",
        "office.view_numberseries",
        "documents.add_outgoingseries",
        "documents.change_outgoingseries",
        "documents.view_outgoingseries",
        # Licensed fonts for the GB/T 9704 PDF (the seals are the security admin's).
        "documents.add_licensedfont",
        "documents.change_licensedfont",
        "documents.delete_licensedfont",
        "documents.view_licensedfont",
        "meetings.add_meetingkind",
        "meetings.change_meetingkind",
        "meetings.view_meetingkind",
        "meetings.add_room",
        "meetings.change_room",
        "meetings.view_room",
        # The public pages' texts and service guides (portal).
        "portal.add_publictext",
        "portal.change_publictext",
        "portal.view_publictext",
        "portal.add_serviceguide",
        "portal.change_serviceguide",
        "portal.view_serviceguide",
    ],
    # People and permissions: accounts, staff records, role membership, lock-outs.
    Role.SECURITY_ADMIN: [
        "auth.add_user",
        "auth.change_user",
        "auth.view_user",
        # Roles are read, never edited: their permissions are ROLE_PERMISSIONS, reviewed code.
        "auth.view_group",
        "office.add_staff",
        "office.change_staff",
        "office.view_staff",
        "office.view_section",
        "office.view_unit",
        # Lock-outs (office.lockout): seen and lifted (audited) here.
        "office.view_signinthrottle",
        "office.delete_signinthrottle",
        "office.view_secondfactor",
        "office.delete_secondfactor",
        # The issuers' seals (印章) printed at 印制: uploaded and replaced only by this role.
        "documents.add_issuerseal",
        "documents.change_issuerseal",
        "documents.view_issuerseal",
    ],
    # Reads the audit trail and the sign-in records; changes nothing.
    Role.AUDIT_ADMIN: [
        "office.view_auditentry",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
    ],
}

# Roles whose holders may open the Django admin (is_staff is derived from these).
ADMIN_SITE_ROLES = ADMIN_ROLES


def check_role_combination(role_names: Iterable[str]) -> None:
    """Refuse holding two of the three admin roles, or an admin role with a business role."""
    names = set(role_names)
    admin = names & ADMIN_ROLES
    if len(admin) > 1:
        raise ValidationError(
            _("One person may hold only one of the three admin roles (system, security, audit).")
        )
    if admin and names - ADMIN_ROLES:
        raise ValidationError(
            _("An admin role cannot be combined with a business role; use a separate account.")
        )


def sync_roles(apps=None, *, using: str = "default") -> None:
    """Create the role groups and set their permissions exactly as ROLE_PERMISSIONS says.

    Idempotent: run by migrations (with the historical `apps`) and by `seed_demo`.
    """
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        wanted = []
        for dotted in perm_names:
            app_label, codename = dotted.split(".", 1)
            perm = (
                Permission.objects.using(using)
                .filter(content_type__app_label=app_label, codename=codename)
                .first()
            )
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)


def sync_roles_migration(apps, schema_editor) -> None:
    sync_roles(apps, using=schema_editor.connection.alias)
