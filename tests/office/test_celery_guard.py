"""The guard on kombu's Redis QoS (office.celery): on a channel whose connection is gone, putting
back or acknowledging a message must not raise (it stopped the worker for good, issue 16). The
whole story — Redis stopped with a task in flight — runs in tests/faults/test_broker_outage.py."""

from __future__ import annotations

import logging

import pytest
from kombu.transport import redis as kombu_redis

import office.celery  # noqa: F401  (installs the guard, as the worker's import does)


class _DetachedChannel:
    connection = None  # what kombu leaves after the lost connection was closed


@pytest.fixture
def qos():
    q = kombu_redis.QoS.__new__(kombu_redis.QoS)
    q.channel = _DetachedChannel()
    q._delivered = {"tag-1": object()}
    return q


def test_the_guard_is_installed():
    assert kombu_redis.QoS._zb_guarded


def test_restoring_on_a_detached_channel_leaves_the_message_to_redis(qos, caplog):
    with caplog.at_level(logging.WARNING, logger="office.celery"):
        assert qos.restore_unacked() is None
    assert qos._delivered == {}
    assert "come back after the visibility timeout" in caplog.text


def test_a_late_ack_or_reject_on_a_detached_channel_does_not_raise(qos, caplog):
    with caplog.at_level(logging.WARNING, logger="office.celery"):
        assert qos.ack("tag-1") is None
        assert qos.reject("tag-1", requeue=True) is None
    assert caplog.text.count("will be redelivered") == 2
