"""Backup and restore of a large project, on SQLite and on PostgreSQL.

    python bench/backup.py [--quick]

Builds the demo database plus the large project of bench/reports.py (3,000 units, 20,000
customers, 100,000 visits and calls, 1,500 sales with their audit rows), then times
`flask backup` and `flask restore` (into a scratch database, with the manifest check: row
counts, money totals, audit digest) exactly as the cron line in the README runs them.
Prints the database size, the backup size and both times per engine; PostgreSQL is skipped
with a note when no server answers. --quick is accepted for `make bench ARGS=--quick` and
changes nothing: the figures are for the full-size project. Ends with one RESULT line.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import BIN, ROOT, demo_database  # noqa: E402
from bench.reports import fill  # noqa: E402

PG_SERVER = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")


def flask(env, *args):
    """Run one flask CLI command as cron would; (seconds, output)."""
    began = time.perf_counter()
    result = subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env={**os.environ, **env},
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return time.perf_counter() - began, result.stdout + result.stderr


def fresh_pg_database(name):
    """Drop and create `name` on the bench server; None when PostgreSQL does not answer."""
    import psycopg
    try:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        print(f"  PostgreSQL skipped: {PG_SERVER} does not answer ({exc})")
        return None
    return f"{PG_SERVER}/{name}"


def pg_size(url):
    import psycopg
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def measure(engine):
    """Build the project on `engine`, back it up, restore it; the figures."""
    instance = Path(tempfile.mkdtemp(prefix=f"anchang-backup-bench-{engine}-"))
    if engine == "sqlite":
        env, _ = demo_database()
        scratch = f"sqlite:///{instance / 'restore-check.db'}"
    else:
        url = fresh_pg_database("anchang_bench_backup")
        if url is None or fresh_pg_database("anchang_bench_restore") is None:
            return None
        env = {"DATABASE_URL": url, "ANCHANG_INSTANCE": str(instance), "FLASK_APP": "wsgi"}
        flask(env, "db", "upgrade")
        flask(env, "demo-data")
        scratch = f"{PG_SERVER}/anchang_bench_restore"
    began = time.perf_counter()
    fill(env)
    built = time.perf_counter() - began
    size = (Path(env["DATABASE_URL"].removeprefix("sqlite:///")).stat().st_size
            if engine == "sqlite" else pg_size(env["DATABASE_URL"]))
    backup_s, out = flask(env, "backup", "--dir", str(instance / "backups"))
    backup_file = next(p for p in (instance / "backups").iterdir() if p.suffix in {".db", ".dump"})
    restore_s, checked = flask(env, "restore", str(backup_file), "--target", scratch)
    figures = {"engine": engine, "db_mb": size / 2**20,
               "backup_mb": backup_file.stat().st_size / 2**20, "backup_s": backup_s,
               "restore_s": restore_s, "built_s": built}
    print(f"  {engine}: database {figures['db_mb']:.1f} MiB; backup {figures['backup_mb']:.1f} "
          f"MiB in {backup_s:.1f} s; restore + check {restore_s:.1f} s "
          f"(project built in {built:.0f} s)")
    print("    " + checked.strip().splitlines()[-1])
    return figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="accepted; changes nothing")
    parser.parse_args()
    print("backup benchmark: 3,000 units, 20,000 customers, 100,000 visits, 1,500 sales",
          flush=True)
    results = [r for r in (measure("sqlite"), measure("postgresql")) if r]
    print("RESULT " + " ".join(
        f"{r['engine']}_backup_mb={r['backup_mb']:.1f} {r['engine']}_backup_s={r['backup_s']:.1f} "
        f"{r['engine']}_restore_s={r['restore_s']:.1f}" for r in results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
