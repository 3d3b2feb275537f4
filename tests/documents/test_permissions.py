"""Who sees which incoming document (S-11): `IncomingDocument.objects.visible_to`, one query.

The registrar and the other holders of view_all_incoming see every unrestricted document; a
leader sees what was presented, forwarded or circulated to him; a section sees what it leads or
assists, from the assignment on; nobody else. A restricted (受控) document is seen only by the
people named: its audience and the people it was routed to (a section assignment names the
section's active members at that moment), never by view_all holders outside them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User

from documents import services
from documents.models import IncomingAccess, IncomingDocument, Marking, Routing
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
