"""The worker's health check: fails when the worker has not consumed a heartbeat for N minutes
(issue 16). The consuming side runs against a real worker in tests/faults/."""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command
from django.test import override_settings

from office import heartbeat
from tests.helpers import publishing_to


@pytest.fixture
def beats(tmp_path):
    with override_settings(WORKER_HEARTBEAT_DIR=tmp_path, WORKER_HEARTBEAT_MINUTES=5):
        yield tmp_path


def _check(node="celery@worker-1"):
    # Nothing listens on port 1: the next heartbeat cannot be queued, the age alone decides.
    with publishing_to("redis://127.0.0.1:1/0", "zb-test-heartbeat"):
        call_command("worker_health", node=node)


def test_a_worker_that_never_consumed_a_heartbeat_is_unhealthy(beats, capsys):
    with pytest.raises(SystemExit) as exit_:
        _check()
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "never" in err and "could not queue a heartbeat" in err


def test_a_recent_heartbeat_is_healthy_and_an_old_one_is_not(beats, capsys):
    path = heartbeat.heartbeat_path("celery@worker-1")
    heartbeat.beat(str(path))  # what the task does in the worker
    _check()
    assert "healthy" in capsys.readouterr().out
    path.write_text(str(time.time() - 6 * 60), encoding="ascii")  # consumed six minutes ago
    with pytest.raises(SystemExit):
        _check()
    err = capsys.readouterr().err  # read once: a second read is empty
    assert "360 s ago" in err or "unhealthy" in err


def test_each_worker_has_its_own_heartbeat(beats):
    heartbeat.beat(str(heartbeat.heartbeat_path("celery@a")))
    assert heartbeat.age_seconds("celery@a") < 5
    assert heartbeat.age_seconds("celery@b") is None
