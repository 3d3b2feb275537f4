"""Who sees which incoming document (S-11): `IncomingDocument.objects.visible_to`, one query.

The registrar and the other holders of view_all_incoming see every unrestricted document; a
leader sees what was presented, forwarded or circulated to him; a section sees what it leads or
assists, from the assignment on; nobody else. A restricted (受控) document is seen only by the
people named: its audience and the people it was routed to (a section assignment names the
section's active members at that moment), never by view_all holders outside them."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser, Group, User
from django.db import connection

from documents import services
from documents.models import (
    AccessReason,
    IncomingAccess,
    IncomingDocument,
    Marking,
    Routing,
    grantee_keys,
)
from office.models import Staff, Unit
from office.roles import Role

from .incoming_flow import NOW, accept, assign, present, register, section, user

pytestmark = pytest.mark.django_db


def _visible(someone) -> set[str]:
    return set(IncomingDocument.objects.visible_to(someone).values_list("title", flat=True))


@pytest.fixture
def world(secretary, leader, other_leader, section_head):
    """One document at each point where visibility changes, titled by that point."""
    docs = {}

    def new(key, **kwargs):
        docs[key] = register(secretary, title=key, sender_reference="", **kwargs)
        return docs[key]

    new("registered")
    present(accept(new("presented"), secretary), secretary, leader)
    doc = present(accept(new("forwarded"), secretary), secretary, leader)
    services.incoming_instruct(
        document=doc,
        leader=leader,
        text="请志刚同志阅处。",
        routing=Routing.FORWARD,
        forward_to=other_leader,
        now=NOW,
    )
    services.incoming_circulate(
        document=accept(new("circulated"), secretary), by=secretary, readers=[other_leader]
    )
    doc = present(accept(new("assigned"), secretary), secretary, leader)
    assign(doc, leader, lead=section("general"), assist=[section("legal")])
    doc = present(
        accept(new("public-street", marking=Marking.PUBLIC), secretary), secretary, leader
    )
    assign(doc, leader, lead=section("subdistrict"))
    doc = new("restricted", marking=Marking.RESTRICTED, audience=[other_leader])
    assign(present(accept(doc, secretary), secretary, leader), leader, lead=section("general"))
    new("restricted-registered", marking=Marking.RESTRICTED, audience=[section_head])
    return docs


UNRESTRICTED = {
    "registered",
    "presented",
    "forwarded",
    "circulated",
    "assigned",
    "public-street",
}
SEES = {
    "secretary": UNRESTRICTED | {"restricted", "restricted-registered"},  # registered them all
    "supervisor": UNRESTRICTED,
    "archivist": UNRESTRICTED,
    "mayor": {"presented", "forwarded", "assigned", "public-street", "restricted"},
    "vicemayor": {"forwarded", "circulated", "restricted"},
    "clerk": {"assigned", "restricted"},
    "general_head": {"assigned", "restricted", "restricted-registered"},
    "petition_officer": {"assigned", "restricted"},  # also 综合科
    "legal_head": {"assigned"},  # assists on "assigned" only
    "street_staff": {"public-street"},
    "admin_staff": set(),  # 行政科: nothing routed to it
    "auditadmin": set(),
}


def test_view_all_incoming_shows_a_registrar_every_unrestricted_document_she_did_not_register(
    world,
):
    colleague = User.objects.create_user("registrar2")
    colleague.groups.add(Group.objects.get(name=Role.SECRETARY))
    Staff.objects.create(user=colleague, section=section("secretariat"), badge_number="M099")
    assert not IncomingAccess.objects.filter(user=colleague).exists()
    assert _visible(colleague) == UNRESTRICTED


def test_people_with_no_role_and_anonymous_visitors_see_nothing(world, outsider):
    assert _visible(outsider) == set()
    assert not IncomingDocument.objects.visible_to(AnonymousUser()).exists()


def test_a_section_sees_the_document_from_its_assignment_on(secretary, leader, clerk):
    doc = register(secretary)
    for step in (
        lambda: accept(doc, secretary),
        lambda: present(doc, secretary, leader),
    ):
        step()
        assert not services.can_see(clerk, doc)
        assert not services.can_see(user("legal_head"), doc)
    assign(doc, leader, lead=section("general"), assist=[section("legal")])
    assert services.can_see(clerk, doc) and services.can_see(user("legal_head"), doc)
    assert not services.can_see(user("street_staff"), doc)


def test_a_leader_sees_only_what_reached_him(secretary, leader, other_leader):
    doc = register(secretary)
    accept(doc, secretary)
    assert not services.can_see(leader, doc) and not services.can_see(other_leader, doc)
    present(doc, secretary, leader)
    assert services.can_see(leader, doc) and not services.can_see(other_leader, doc)


def test_a_restricted_assignment_names_the_sections_active_members_at_that_moment(
    secretary, leader, supervisor
):
    officer = user("petition_officer")
    officer.is_active = False
    officer.save()
    doc = register(secretary, marking=Marking.RESTRICTED, audience=[user("vicemayor")])
    present(accept(doc, secretary), secretary, leader)
    assign(doc, leader, lead=section("general"))
    named = set(
        IncomingAccess.objects.filter(document=doc, reason="lead").values_list(
            "user__username", flat=True
        )
    )
    assert named == {"clerk", "general_head"}  # not the inactive officer, and no section row
    assert not IncomingAccess.objects.filter(document=doc, section__isnull=False).exists()

    # Someone who joins 综合科 afterwards, or comes back, is not in the audience.
    officer.is_active = True
    officer.save()
    newcomer = User.objects.create_user("newcomer")
    Staff.objects.create(user=newcomer, section=section("general"), badge_number="Z099")
    assert not services.can_see(officer, doc)
    assert not services.can_see(newcomer, doc)
    assert services.can_see(user("clerk"), doc)
    # view_all_incoming does not open a restricted document to someone outside its audience.
    assert supervisor.has_perm("documents.view_all_incoming")
    assert not services.can_see(supervisor, doc)
    assert not services.can_see(user("archivist"), doc)


def test_a_restricted_document_routed_to_a_unit_names_the_units_people(secretary, leader):
    doc = register(secretary, marking=Marking.RESTRICTED, audience=[leader])
    assign(
        present(accept(doc, secretary), secretary, leader),
        leader,
        lead=Unit.objects.get(code="info-centre"),
    )
    assert services.can_see(user("sysadmin"), doc)  # 信息中心 staff
    assert not services.can_see(user("clerk"), doc)


def test_the_same_unrestricted_document_routed_to_a_unit_is_seen_by_its_people(secretary, leader):
    doc = register(secretary)
    assign(
        present(accept(doc, secretary), secretary, leader),
        leader,
        lead=Unit.objects.get(code="info-centre"),
    )
    assert services.can_see(user("secadmin"), doc)
    assert not services.can_see(user("street_staff"), doc)


@pytest.mark.parametrize("username", sorted(SEES))
def test_each_person_sees_exactly_what_was_routed_to_them_in_one_query(
    world, username, django_assert_num_queries
):
    someone = user(username)
    assert _visible(someone) == SEES[username]  # the request has loaded perms and staff
    with django_assert_num_queries(1):
        rows = list(IncomingDocument.objects.visible_to(someone).for_list()[:20])
    assert {d.title for d in rows} == SEES[username]
    with django_assert_num_queries(1):
        assert IncomingDocument.objects.visible_to(someone).count() == len(SEES[username])
    with django_assert_num_queries(1):
        assert services.can_see(someone, world["assigned"]) is ("assigned" in SEES[username])


# --- `grantees`: the access rows copied onto the document (what visible_to reads) ------------
def _from_access_rows(doc) -> str:
    rows = IncomingAccess.objects.filter(document=doc).values_list(
        "user_id", "section_id", "unit_id"
    )
    return grantee_keys(doc.marking, rows)


def test_the_grantees_follow_the_access_rows_through_every_kind_of_routing(world):
    for key, doc in world.items():
        doc = IncomingDocument.objects.get(pk=doc.pk)
        assert doc.grantees == _from_access_rows(doc), key
    secretary, mayor = user("secretary").pk, user("mayor").pk
    general, legal = section("general").pk, section("legal").pk
    assert IncomingDocument.objects.get(pk=world["assigned"].pk).grantees == " ".join(
        sorted({f"p{secretary}", f"p{mayor}", f"s{general}", f"s{legal}"})
    )
    # A restricted document opens only to people: the section it was assigned to is named by
    # its members, never by a section key.
    restricted = IncomingDocument.objects.get(pk=world["restricted"].pk).grantees.split()
    assert not [k for k in restricted if not k.startswith("p")]
    assert f"p{user('clerk').pk}" in restricted and f"p{user('vicemayor').pk}" in restricted


def test_the_grantees_keep_a_restricted_document_closed_to_a_section_row(secretary, clerk):
    # Even a section row on a restricted document (no service writes one: they name the
    # members) does not open it to the section.
    doc = register(secretary, marking=Marking.RESTRICTED, audience=[user("vicemayor")])
    services._grant(doc, AccessReason.LEAD, doc.registered_at, sections=[section("general")])
    assert IncomingAccess.objects.filter(document=doc, section=section("general")).exists()
    assert "s" not in {k[0] for k in IncomingDocument.objects.get(pk=doc.pk).grantees.split()}
    assert not services.can_see(clerk, doc)


@pytest.mark.parametrize(
    "marking,expected",
    [
        (Marking.INTERNAL, "p12 p5 s3 u7"),
        (Marking.PUBLIC, "p12 p5 s3 u7"),
        (Marking.RESTRICTED, "p12 p5"),
    ],
)
def test_grantee_keys_name_each_grantee_once_and_sections_only_when_not_restricted(
    marking, expected
):
    rows = [(5, None, None), (None, 3, None), (None, None, 7), (12, None, None), (5, None, None)]
    assert grantee_keys(marking, rows) == expected


def test_the_migration_backfill_writes_the_grantees_the_services_write(world):
    """The backfill of migration 0005 (one UPDATE on PostgreSQL, row by row elsewhere) gives
    every document the same keys as services._grant."""
    written = dict(IncomingDocument.objects.values_list("pk", "grantees"))
    assert all(written.values())
    IncomingDocument.objects.update(grantees="")
    migration = importlib.import_module("documents.migrations.0005_grantees")
    with connection.cursor() as cursor:
        migration.backfill(apps, SimpleNamespace(connection=connection, execute=cursor.execute))
    assert dict(IncomingDocument.objects.values_list("pk", "grantees")) == written


# --- Small audiences: the register starts from the person's grants (issue 21) -----------------


@pytest.mark.parametrize("username", sorted(set(SEES) - {"secretary", "supervisor", "archivist"}))
def test_grants_first_shows_exactly_what_visible_to_shows(world, username):
    """The grants choose where the query starts; `grantees` still decides what is seen (a
    section's grant never opens a restricted document)."""
    from documents.models import _PLAN_HINTS

    _PLAN_HINTS.clear()
    someone = User.objects.get(username=username)
    rows = IncomingDocument.objects.visible_to_grants_first(someone)
    assert set(rows.values_list("title", flat=True)) == SEES[username]
    if connection.vendor == "postgresql":
        assert "documents_incomingaccess" in str(rows.query)  # few grants: started from them


def test_the_secretariat_walks_the_register_as_before(world, secretary):
    rows = IncomingDocument.objects.visible_to_grants_first(secretary)
    assert "documents_incomingaccess" not in str(rows.query)
    assert set(rows.values_list("title", flat=True)) == SEES["secretary"]


def test_many_grants_walk_the_register_as_before(world, clerk, monkeypatch):
    """Above the limit the received-at index walk is cheaper: the plan stays as it was."""
    from documents import models

    models._PLAN_HINTS.clear()
    monkeypatch.setattr(models, "grants_first_limit", lambda: 0)
    rows = IncomingDocument.objects.visible_to_grants_first(clerk)
    assert "documents_incomingaccess" not in str(rows.query)
    assert set(rows.values_list("title", flat=True)) == SEES["clerk"]


def test_the_register_page_of_a_small_audience_is_its_documents_in_constant_queries(
    world, client_for, clerk
):
    from django.test.utils import CaptureQueriesContext

    client = client_for(clerk)
    client.get("/documents/")  # the session's stamp and the grant probe, once
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/documents/")
    titles = {d.title for d in response.context["page"]}
    assert titles == SEES["clerk"]
    # session, person, navigation counts; the capped count; the page (top 20 ids, then rows);
    # the filter's section list
    queries = [q["sql"] for q in ctx.captured_queries]
    assert len(queries) == (6 if connection.vendor == "postgresql" else 8), queries
    page_sql = next(q for q in queries if '"documents_incomingdocument"."title"' in q)
    assert " IN (SELECT " in page_sql and " LIMIT " in page_sql  # the top ids, then the rows
