"""Backup folders are checked before anything is restored (office.backup). The full drill —
dump, restore into an empty database, counts, hashes, the audit chain — runs on a PostgreSQL of
its own in tests/faults/test_backup_restore.py."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from office import backup


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "media" / "2026").mkdir(parents=True)
    (tmp_path / "media" / "2026" / "a.pdf").write_bytes(b"%PDF-1.7 attachment")
    (tmp_path / "database.dump").write_bytes(b"PGDMP custom format")
    manifest = {
        "format": backup.FORMAT,
        "database": {"file": "database.dump", "sha256": backup.sha256(tmp_path / "database.dump")},
        "tables": {},
        "audit": {},
        "media": backup.media_files(tmp_path / "media"),
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return tmp_path


def test_an_intact_folder_verifies(folder):
    manifest = backup.verify_files(folder)
    assert [m["path"] for m in manifest["media"]] == ["2026/a.pdf"]


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda f: (f / "database.dump").write_bytes(b"changed"), "database.dump"),
        (lambda f: (f / "media" / "2026" / "a.pdf").write_bytes(b"changed"), "a.pdf"),
        (lambda f: (f / "media" / "2026" / "a.pdf").unlink(), "missing"),
        (lambda f: (f / "media" / "b.pdf").write_bytes(b"new"), "not in the manifest"),
        (lambda f: (f / "manifest.json").unlink(), "not a backup folder"),
    ],
)
def test_a_tampered_or_incomplete_folder_is_refused(folder, tamper, message):
    tamper(folder)
    with pytest.raises(backup.BackupError, match=message):
        backup.verify_files(folder)


@pytest.mark.django_db
def test_restore_refuses_a_database_that_is_not_empty(folder, settings, tmp_path_factory):
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    with pytest.raises(CommandError, match="restore failed"):
        call_command("restore", str(folder))
