"""Backup → restore drill (SECURITY.md S-36; issue 16, finding 5): `manage.py backup` of the
suite's database (the demo office and whatever the other cases wrote) with attachments,
`manage.py restore` into a new empty database and media folder, then every table's row count,
every attachment's hash and the audit chain compared with the original."""

from __future__ import annotations

import hashlib
import time

import pytest

from .conftest import report

pytestmark = pytest.mark.faults


def _hashes(folder) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _counts(stack, database: str) -> dict[str, int]:
    tables = [
        t
        for (t,) in stack.pg.rows(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'", database=database
        )
    ]
    return {t: stack.pg.scalar(f'SELECT count(*) FROM "{t}"', database=database) for t in tables}


def test_backup_then_restore_gives_identical_counts_hashes_and_chain(stack):
    media = stack.root / "media"
    (media / "attachments" / "2026").mkdir(parents=True, exist_ok=True)
    for i in range(5):
        (media / "attachments" / "2026" / f"附件{i}.pdf").write_bytes(
            b"%PDF-1.7\n" + hashlib.sha256(str(i).encode()).digest() * 200
        )
    folder = stack.root / "backup"
    started = time.monotonic()
    out = stack.manage("backup", "--output", str(folder)).stdout
    backed_up = time.monotonic() - started

    with stack.pg.connect("postgres") as conn:
        conn.execute("CREATE DATABASE zb_restored")
    restored_media = stack.root / "media-restored"
    started = time.monotonic()
    restored = stack.manage(
        "restore",
        str(folder),
        DATABASE_URL=stack.pg.url("zb_restored"),
        MEDIA_ROOT=str(restored_media),
    ).stdout
    restore_seconds = time.monotonic() - started
    chain = stack.manage("verify_audit", DATABASE_URL=stack.pg.url("zb_restored")).stdout

    original, copy = _counts(stack, "zb_faults"), _counts(stack, "zb_restored")
    differing = {t: (original[t], copy.get(t)) for t in original if original[t] != copy.get(t)}
    hashes_equal = _hashes(media) == _hashes(restored_media)
    report(
        "backup → restore",
        tables=len(original),
        rows=sum(original.values()),
        tables_differing=len(differing),
        media_files=len(_hashes(media)),
        hashes_equal=hashes_equal,
        audit=chain.strip(),
        backup_seconds=round(backed_up, 1),
        restore_seconds=round(restore_seconds, 1),
    )
    assert "restore verified" in restored, restored
    assert not differing, differing
    assert hashes_equal
    assert "audit chain intact" in chain
    assert "backup written" in out
    # A second restore over the now-filled database is refused, nothing changed.
    again = stack.manage(
        "restore",
        str(folder),
        check=False,
        DATABASE_URL=stack.pg.url("zb_restored"),
        MEDIA_ROOT=str(stack.root / "media-other"),
    )
    assert again.returncode != 0 and "not empty" in again.stderr
