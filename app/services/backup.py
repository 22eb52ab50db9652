"""Backups that can be trusted: an online copy plus a manifest, and a verified restore.

SQLite is copied with the online backup API (never a file copy: in WAL mode the file alone
may miss committed pages); PostgreSQL with `pg_dump -Fc`. Each backup gets a manifest of row
counts, money totals and an audit-chain digest; `restore` loads a backup into a scratch
database and checks it against that manifest.
"""
import hashlib
import json
import os
import sqlite3
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from app.extensions import db
from app.models import AuditLog
from app.models.types import ScaledDecimal


class BackupError(Exception):
    pass


def manifest(conn):
    """Row counts, totals of every money/area column, and a digest of the audit log."""
    tables, totals = {}, {}
    for table in db.metadata.sorted_tables:
        tables[table.name] = conn.scalar(select(func.count()).select_from(table))
        for column in table.columns:
            if isinstance(column.type, ScaledDecimal):
                value = conn.scalar(select(func.coalesce(func.sum(column), 0)))
                totals[f"{table.name}.{column.name}"] = str(value)
    digest = hashlib.sha256()
    for row in conn.execute(select(AuditLog.__table__).order_by(AuditLog.id)):
        digest.update(json.dumps([str(v) for v in row], ensure_ascii=False).encode())
    return {"tables": tables, "totals": totals, "audit_sha256": digest.hexdigest()}


def _manifest_of(url):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return manifest(conn)
    finally:
        engine.dispose()


def _pg_url(url):
    """libpq form of a SQLAlchemy URL (pg_dump does not know '+psycopg')."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def backup(engine, directory, keep=14):
    """Write a backup and its manifest into `directory`; keep the newest `keep`."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    url = engine.url
    if url.get_backend_name() == "sqlite":
        target = directory / f"anchang-{stamp}.db"
        _sqlite_copy(url.database, target)
        meta = _manifest_of(f"sqlite:///{target}")  # the copy is one consistent snapshot
    else:
        target = directory / f"anchang-{stamp}.dump"
        meta = _pg_dump(engine, target)
    meta.update(created_at=stamp, engine=url.get_backend_name(), file=target.name,
                size=target.stat().st_size)
    target.with_suffix(".json").write_text(json.dumps(meta, indent=1, ensure_ascii=False))
    os.chmod(target, 0o600)
    _rotate(directory, keep)
    return target


def _sqlite_copy(source_path, target_path):
    source, dest = sqlite3.connect(source_path), sqlite3.connect(target_path)
    try:
        source.backup(dest)
        if dest.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("integrity_check failed")
    finally:
        dest.close()
        source.close()


def _pg_dump(engine, target):
    """pg_dump and the manifest read the same exported snapshot, so they agree exactly."""
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        with conn.begin():
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
            _run(["pg_dump", "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(target),
                  _pg_url(engine.url)])
            return manifest(conn)


def _rotate(directory, keep):
    backups = sorted(p for p in directory.glob("anchang-*") if p.suffix in {".db", ".dump"})
    for old in backups[:-keep] if keep else []:
        old.unlink()
        old.with_suffix(".json").unlink(missing_ok=True)


def restore(backup_file, target_url):
    """Load `backup_file` into the scratch database `target_url` and verify it."""
    backup_file = Path(backup_file)
    expected = json.loads(backup_file.with_suffix(".json").read_text())
    url = make_url(target_url)
    if backup_file.suffix == ".db":
        if url.get_backend_name() != "sqlite":
            raise BackupError("SQLite backups restore into a SQLite file")
        Path(url.database).unlink(missing_ok=True)
        _sqlite_copy(backup_file, url.database)
    else:
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "-d", _pg_url(url),
              str(backup_file)])
    found = _manifest_of(url)
    problems = [f"{key}: backup {expected[key]!r} != restored {found[key]!r}"
                for key in ("tables", "totals", "audit_sha256") if expected[key] != found[key]]
    if problems:
        raise BackupError("restore check failed: " + "; ".join(problems))
    return found


def _run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:500]}")
