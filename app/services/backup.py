"""Backups that can be trusted: an online copy plus a manifest, and a verified restore.

SQLite is copied with the online backup API (never a file copy: in WAL mode the file alone
may miss committed pages); PostgreSQL with `pg_dump -Fc`. Each backup gets a manifest of row
counts, money totals, an audit-chain digest and a digest of every table (all columns);
`restore` loads a backup into an empty scratch database and checks it against that manifest.
It never touches the live database however its URL is spelled: the target is compared by
identity (the same file: device and inode; the same PostgreSQL cluster: system identifier,
and database), never by string.
"""
import hashlib
import json
import os
import sqlite3
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

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
    return {"tables": tables, "totals": totals,
            "audit_sha256": _digest(conn, AuditLog.__table__),
            "digests": {table.name: _digest(conn, table) for table in db.metadata.sorted_tables}}


def _digest(conn, table):
    """sha256 of every row, all columns, in key order: a changed phone or status shows."""
    digest = hashlib.sha256()
    order = list(table.primary_key.columns) or list(table.columns)
    for row in conn.execute(select(table).order_by(*order)):
        digest.update(json.dumps([str(v) for v in row], ensure_ascii=False).encode())
    return digest.hexdigest()


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


def restore(backup_file, target_url, live_url):
    """Load `backup_file` into the empty scratch database `target_url` and verify it.
    Refuses (BackupError) the live database `live_url` however spelled, and any target
    that already holds tables; never deletes a file."""
    backup_file = Path(backup_file)
    url = make_url(target_url)
    if same_database(live_url, url):
        raise LiveTarget("拒绝恢复:目标就是正在使用的数据库(不论写法如何),请指定一个新的空数据库")
    manifest_file = backup_file.with_suffix(".json")
    if not manifest_file.exists():
        raise BackupError(f"找不到备份的清单文件 {manifest_file.name}:没有清单无法校验恢复结果,"
                          "请把备份文件和同名 .json 清单放在同一目录")
    expected = json.loads(manifest_file.read_text())
    if url.get_backend_name() != ("sqlite" if backup_file.suffix == ".db" else "postgresql"):
        raise BackupError("SQLite 备份只能恢复到 SQLite 文件,PostgreSQL 备份只能恢复到 PostgreSQL")
    _refuse_unless_empty(url)
    if backup_file.suffix == ".db":
        _sqlite_copy(backup_file, url.database)
    else:
        _run(["pg_restore", "--no-owner", "-d", _pg_url(url), str(backup_file)])
    found = _manifest_of(url)
    keys = [key for key in ("tables", "totals", "audit_sha256", "digests") if key in expected]
    problems = [_difference(key, expected[key], found[key]) for key in keys
                if expected[key] != found[key]]
    if problems:
        raise BackupError("restore check failed: " + "; ".join(problems))
    return found


class LiveTarget(BackupError):
    """The restore target is the live database."""


def _difference(key, expected, found):
    if key == "digests":  # name the tables, not the hashes
        changed = sorted(name for name in expected if expected[name] != found.get(name))
        return f"digests differ in tables: {', '.join(changed)}"
    return f"{key}: backup {expected!r} != restored {found!r}"


def same_database(live_url, target_url):
    """Whether two URLs name the same database, by identity: the same file (device and
    inode, after resolving the path) or the same PostgreSQL cluster and database."""
    live, target = make_url(live_url), make_url(target_url)
    if live.get_backend_name() != target.get_backend_name():
        return False
    if live.get_backend_name() == "sqlite":
        return _file_identity(live.database) == _file_identity(target.database) is not None
    live_id = _cluster_identity(live)
    return live_id is not None and live_id == _cluster_identity(target)


def _file_identity(path):
    try:
        found = os.stat(Path(path or "").expanduser().resolve())
    except (OSError, RuntimeError):
        return None
    return (found.st_dev, found.st_ino)


def _cluster_identity(url):
    """(system identifier, database) of the cluster `url` reaches; None if unreachable."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            system = conn.exec_driver_sql(
                "SELECT system_identifier FROM pg_control_system()").scalar()
            return (system, conn.exec_driver_sql("SELECT current_database()").scalar())
    except SQLAlchemyError:
        return None
    finally:
        engine.dispose()


def _refuse_unless_empty(url):
    """A restore loads into a new, empty database: one holding tables is someone's data."""
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            names = inspect(conn).get_table_names()
    except SQLAlchemyError as exc:
        raise BackupError(f"无法连接恢复目标:{str(exc).splitlines()[0][:200]}") from None
    finally:
        engine.dispose()
    if names:
        raise BackupError(f"拒绝恢复:目标数据库不是空的(已有 {len(names)} 张表),"
                          "请指定一个新建的空数据库")


def _run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:500]}")
