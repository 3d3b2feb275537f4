"""Races on PostgreSQL: the same disclosure form sent by many clicks at once makes one request
and one work item; many moderators approving one comment at once: one succeeds, one audit
entry, the rest are told it was already moderated."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection

from office.models import AuditEntry, Staff, WorkItem, WorkKind
from office.services import TransitionError
from portal import services
from portal.models import CommentState, DisclosureRequest, Evaluation

from ..conftest import requires_postgres

pytestmark = [requires_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 16


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr("office.services.notify.kick_delivery", lambda: None)


def _run(target, n: int = THREADS) -> list[BaseException]:
    barrier = threading.Barrier(n, timeout=60)
    escaped: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            target(i)
        except BaseException as exc:
            escaped.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return escaped


def test_many_clicks_on_one_form_make_one_request(demo_office):
    refs = []

    def submit(i):
        obj = services.disclosure_submit(
            applicant_name="张三",
            phone="13800001111",
            description="某信息",
            delivery="pickup",
            client=f"c{i}",
            token="ab" * 16,
        )
        refs.append(obj.reference)

    assert _run(submit) == []
    assert DisclosureRequest.objects.count() == 1
    assert WorkItem.objects.filter(kind=WorkKind.DISCLOSURE).count() == 1
    assert len(set(refs)) == 1 and len(refs) == THREADS


def test_one_comment_approved_by_many_at_once_is_approved_once(demo_office):
    evaluation = services.evaluation_submit(
        staff=Staff.objects.get(badge_number="Z002"), rating="satisfied", comment="好", client="k"
    )
    supervisor = User.objects.get(username="supervisor")
    done = []

    def approve(i):
        try:
            services.evaluation_moderate(evaluation=evaluation, by=supervisor, approve=True)
            done.append(i)
        except TransitionError:
            pass

    assert _run(approve) == []
    assert len(done) == 1
    assert Evaluation.objects.get().comment_state == CommentState.APPROVED
    assert AuditEntry.objects.filter(action="evaluation.moderate").count() == 1
