"""The incoming document's declared transitions (documents.transitions.INCOMING) drive this
test: for every action and every state, the allowed step works and lands in a declared next
state, every other is refused with nothing changed, and who may not is refused (403)."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from documents import services
from documents.models import IncomingDocument, IncomingState, Routing
from documents.transitions import INCOMING
from office.services import TransitionError
from tests.documents.incoming_flow import NOW, PROPOSAL, assign, reach, user

pytestmark = pytest.mark.django_db

CASES = [(action, state) for action in INCOMING.actions() for state in IncomingState.values]


def _take(action: str, doc: IncomingDocument, by):
    calls = {
        "screen": lambda: services.incoming_screen(document=doc, by=by, accept=True, now=NOW),
        "present": lambda: services.incoming_present(
            document=doc, by=by, leader=user("mayor"), proposal=PROPOSAL, now=NOW
        ),
        "circulate": lambda: services.incoming_circulate(
            document=doc, by=by, readers=[user("vicemayor")], now=NOW
        ),
        "instruct": lambda: (
            assign(doc, by)
            if by.username == "mayor"
            else services.incoming_instruct(
                document=doc, leader=by, text="阅", routing=Routing.READ, now=NOW
            )
        ),
        "confirm": lambda: services.incoming_confirm(document=doc, by=by, now=NOW),
        "archive": lambda: services.incoming_archive(
            document=doc, by=by, retention="30y", volume_reference="2026-WS-009", now=NOW
        ),
    }
    return calls[action]()


ACTOR = {
    "screen": "secretary",
    "present": "secretary",
    "circulate": "secretary",
    "instruct": "mayor",
    "confirm": "secretary",
    "archive": "archivist",
}


@pytest.mark.parametrize(("action", "state"), CASES)
def test_every_declared_transition_works_and_every_other_is_refused(demo_office, action, state):
    with time_machine.travel(NOW, tick=False):
        doc = reach(state, user("secretary"), user("mayor"))
        before = IncomingDocument.objects.get(pk=doc.pk)
        if INCOMING.allows(state, action):
            with pytest.raises(PermissionDenied):
                _take(action, doc, user("clerk"))
            assert IncomingDocument.objects.get(pk=doc.pk).state == state
            _take(action, doc, user(ACTOR[action]))
            after = IncomingDocument.objects.get(pk=doc.pk).state
            assert after in INCOMING.targets(state, action), (action, state, after)
        else:
            with pytest.raises(TransitionError):
                _take(action, doc, user(ACTOR[action]))
            fresh = IncomingDocument.objects.get(pk=doc.pk)
            assert (fresh.state, fresh.updated_at) == (before.state, before.updated_at)


def test_the_table_answers_what_a_person_may_do_now(demo_office):
    with time_machine.travel(NOW, tick=False):
        doc = reach(IncomingState.REGISTERED, user("secretary"), user("mayor"))
    assert INCOMING.offered(user("secretary"), doc)["screen"]
    assert not INCOMING.offered(user("clerk"), doc)["screen"]
    assert not INCOMING.offered(user("secretary"), doc)["archive"]
