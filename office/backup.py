"""Backup and restore (SECURITY.md S-36; 等保 2.0 8.1.4.11 数据备份恢复).

A backup is one folder:

    database.dump    pg_dump --format=custom of the database, taken in an exported snapshot
    media/           the attachments folder (MEDIA_ROOT), copied after the dump
    manifest.json    sha256 and size of every file above, the row count of every table and
                     the audit trail's length and last hash, all read in the dump's snapshot

Consistency. The row counts and the audit figures are read in the very snapshot pg_dump dumps
(`pg_export_snapshot()` + `pg_dump --snapshot`), so the manifest describes exactly the dump.
Attachments are copied after the dump: records are never hard-deleted, so every file the dump
refers to is still on disk; files added meanwhile are extra and harmless.

A restore goes only into an empty database and an empty media folder, checks every hash before
it touches anything, then compares the restored row counts with the manifest and verifies the
audit chain (`verify_audit`) before it declares success.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"
FORMAT = 1


class BackupError(Exception):
    pass


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env_and_args(db: dict | None = None) -> tuple[dict, list[str]]:
    db = db or settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        raise BackupError(
            "backup and restore need PostgreSQL (DATABASE_URL=postgres://…); the embedded "
            "SQLite default is one file: copy db.sqlite3 and var/media while nothing runs"
        )
    env = os.environ.copy()
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return env, args


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        return [row[0] for row in cursor.fetchall()]


def table_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # names from the catalog
            counts[table] = cursor.fetchone()[0]
    return counts


def audit_summary() -> dict:
    from .models import AuditEntry

    last = AuditEntry.objects.order_by("-pk").values("pk", "hash").first()
    return {
        "entries": AuditEntry.objects.count(),
        "last_id": last["pk"] if last else None,
        "last_hash": last["hash"] if last else None,
    }


def media_files(root: Path) -> list[dict]:
    if not root.exists():
        return []
    return [
        {"path": p.relative_to(root).as_posix(), "sha256": sha256(p), "size": p.stat().st_size}
        for p in sorted(root.rglob("*"))
        if p.is_file()
    ]


@dataclass
class Result:
    folder: Path
    manifest: dict


def backup(folder: Path) -> Result:
    """Write a backup into `folder` (created; must not exist yet)."""
    env, args = _pg_env_and_args()
    folder.mkdir(parents=True, exist_ok=False)
    db = settings.DATABASES["default"]
    with connection.cursor() as cursor:
        # One snapshot for the dump and for the figures that describe it.
        connection.set_autocommit(False)
        try:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = table_counts()
            audit = audit_summary()
            subprocess.run(
                [
                    "pg_dump",
                    *args,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={folder / DUMP}",
                    str(db["NAME"]),
                ],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
        except subprocess.CalledProcessError as exc:
            raise BackupError(f"pg_dump failed: {exc.stderr.strip()}") from exc
        finally:
            connection.rollback()
            connection.set_autocommit(True)
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists():
        shutil.copytree(media_root, folder / MEDIA)
    else:
        (folder / MEDIA).mkdir()
    from django.db.migrations.recorder import MigrationRecorder

    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "database": {
            "name": str(db["NAME"]),
            "file": DUMP,
            "sha256": sha256(folder / DUMP),
            "size": (folder / DUMP).stat().st_size,
            "migrations": MigrationRecorder(connection).migration_qs.count(),
        },
        "tables": counts,
        "audit": audit,
        "media": media_files(folder / MEDIA),
    }
    (folder / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return Result(folder, manifest)


def verify_files(folder: Path) -> dict:
    """Read the manifest and check every file's hash; raise BackupError on the first mismatch."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(f"{folder}: no {MANIFEST}: not a backup folder") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    dump = folder / manifest["database"]["file"]
    if not dump.is_file() or sha256(dump) != manifest["database"]["sha256"]:
        raise BackupError(f"{dump.name}: missing or its hash differs from the manifest")
    listed = {f["path"]: f for f in manifest["media"]}
    present = {f["path"]: f for f in media_files(folder / MEDIA)}
    for path, entry in listed.items():
        if path not in present:
            raise BackupError(f"media/{path}: missing")
        if present[path]["sha256"] != entry["sha256"]:
            raise BackupError(f"media/{path}: its hash differs from the manifest")
    extra = sorted(set(present) - set(listed))
    if extra:
        raise BackupError(f"media/{extra[0]}: not in the manifest")
    return manifest


def restore(folder: Path) -> dict:
    """Restore `folder` into the configured (empty) database and (empty) MEDIA_ROOT, then
    check counts, media hashes and the audit chain. Returns the manifest."""
    env, args = _pg_env_and_args()
    manifest = verify_files(folder)
    if _tables():
        raise BackupError(
            f"database {settings.DATABASES['default']['NAME']} is not empty: restore only into "
            "a new, empty database (createdb), never over a live one"
        )
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"MEDIA_ROOT {media_root} is not empty: restore into an empty folder")
    try:
        subprocess.run(
            [
                "pg_restore",
                *args,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={settings.DATABASES['default']['NAME']}",
                str(folder / manifest["database"]["file"]),
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"pg_restore failed: {exc.stderr.strip()}") from exc
    connection.close()  # the restored schema: no cached state from the empty database
    media_root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(folder / MEDIA, media_root, dirs_exist_ok=True)
    check_restored(manifest)
    return manifest


def check_restored(manifest: dict) -> None:
    counts = table_counts()
    differ = {
        table: (expected, counts.get(table))
        for table, expected in manifest["tables"].items()
        if counts.get(table) != expected
    }
    if differ:
        table, (expected, found) = sorted(differ.items())[0]
        raise BackupError(f"table {table}: {found} rows restored, the backup has {expected}")
    restored_media = {f["path"]: f["sha256"] for f in media_files(Path(settings.MEDIA_ROOT))}
    for entry in manifest["media"]:
        if restored_media.get(entry["path"]) != entry["sha256"]:
            raise BackupError(f"media/{entry['path']}: not restored intact")
    if audit_summary() != manifest["audit"]:
        raise BackupError("the audit trail's length or last hash differs from the backup")
    from .services.audit import verify_chain

    for broken in verify_chain():
        raise BackupError(f"audit chain broken at entry {broken.entry_id}: {broken.reason}")
