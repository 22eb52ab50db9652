"""Backups restore into a scratch database and prove themselves against their manifest."""
import json
import os
import sqlite3
import subprocess
from pathlib import Path

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.extensions import db as _db
from app.services import audit


def _scratch_url(app, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored.db'}"
    base = url.replace("+psycopg", "")
    name = base.rsplit("/", 1)[1] + "_restore"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + "/" + name


def test_backup_then_restore_matches_counts_totals_and_audit_chain(app, tmp_path, demo_office):
    app.instance_path = str(tmp_path)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["backup", "--dir", str(tmp_path / "b"), "--keep", "2"])
    assert result.exit_code == 0, result.output
    backups = sorted(p for p in (tmp_path / "b").iterdir() if p.suffix in {".db", ".dump"})
    assert len(backups) == 1
    meta = json.loads(backups[0].with_suffix(".json").read_text())
    assert meta["tables"]["unit"] == 608 and meta["tables"]["user"] == 8
    assert oct(os.stat(backups[0]).st_mode)[-3:] == "600"
    restored = runner.invoke(args=["restore", str(backups[0]), "--target",
                                   _scratch_url(app, tmp_path)])
    assert restored.exit_code == 0, restored.output
    assert "restore verified" in restored.output


def test_a_backup_that_does_not_match_its_manifest_is_caught(app, tmp_path, demo_office):
    runner = app.test_cli_runner()
    runner.invoke(args=["backup", "--dir", str(tmp_path / "b")])
    backup = next(p for p in (tmp_path / "b").iterdir() if p.suffix in {".db", ".dump"})
    meta_path = backup.with_suffix(".json")
    meta = json.loads(meta_path.read_text())
    meta["totals"]["unit.total_price"] = "1.00"  # as if a price changed on the way
    meta_path.write_text(json.dumps(meta))
    result = runner.invoke(args=["restore", str(backup), "--target", _scratch_url(app, tmp_path)])
    assert result.exit_code == 1 and "unit.total_price" in result.output


def test_rotation_keeps_the_newest(tmp_path):
    from app.services.backup import _rotate
    for stamp in ("20261101-000000", "20261102-000000", "20261103-000000"):
        (tmp_path / f"anchang-{stamp}.db").write_text("x")
        (tmp_path / f"anchang-{stamp}.json").write_text("{}")
    _rotate(tmp_path, keep=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "anchang-20261102-000000.db", "anchang-20261102-000000.json",
        "anchang-20261103-000000.db", "anchang-20261103-000000.json"]


def test_restore_refuses_the_live_database(app, tmp_path):
    with app.app_context():
        live = _db.engine.url.render_as_string(hide_password=False)
        _db.session.execute(text("SELECT 1"))
    (tmp_path / "anchang-x.db").write_text("x")
    result = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "anchang-x.db"),
                                                "--target", live])
    assert result.exit_code == 2 and "正在使用的数据库" in result.output


def _live_spellings(app, tmp_path):
    """The live database written as a person might: each must be refused."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        path = Path(url.database).resolve()
        (tmp_path / "link.db").symlink_to(path)
        os.link(path, tmp_path / "hard.db")
        return [f"sqlite:///{path}", f"sqlite:///{path.parent}/./{path.name}",
                f"sqlite:///{os.path.relpath(path)}",
                f"sqlite:///{path.parent}/../{path.parent.name}/{path.name}",
                f"sqlite+pysqlite:///{path}", f"sqlite:///{tmp_path / 'link.db'}",
                f"sqlite:///{tmp_path / 'hard.db'}"]
    db_name, user = url.database, url.username or "postgres"
    return [url.render_as_string(hide_password=False),
            f"postgresql://{user}@127.0.0.1:5432/{db_name}",  # the README's own spelling
            f"postgresql://{user}@localhost/{db_name}",
            f"postgresql+psycopg://{user}@localhost:5432/{db_name}?sslmode=disable",
            f"postgresql://127.0.0.1/{db_name}?user={user}&application_name=restore",
            f"postgresql:///{db_name}?host=/var/run/postgresql&user={user}"]


def _count_audit(app):
    with app.app_context():
        return _db.session.scalar(text("SELECT count(*) FROM audit_log"))


def test_restore_refuses_the_live_database_however_it_is_spelled(app, tmp_path, demo_office):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", "--dir", str(tmp_path / "b")]).exit_code == 0
    dump = next(p for p in (tmp_path / "b").iterdir() if p.suffix in {".db", ".dump"})
    with app.app_context():  # committed after the backup: a restore over live would drop it
        audit.record("demo_loaded", "project", 1)
        _db.session.commit()
    before = _count_audit(app)
    spellings = _live_spellings(app, tmp_path)
    for spelling in spellings:
        result = runner.invoke(args=["restore", str(dump), "--target", spelling])
        assert result.exit_code == 2, (spelling, result.output)
        assert "正在使用的数据库" in result.output, spelling
        assert "restore verified" not in result.output
    assert _count_audit(app) == before
    print(f"refused {len(spellings)} spellings of the live database: {spellings}")


def test_restore_refuses_a_target_that_is_not_empty(app, tmp_path, demo_office):
    runner = app.test_cli_runner()
    runner.invoke(args=["backup", "--dir", str(tmp_path / "b")])
    dump = next(p for p in (tmp_path / "b").iterdir() if p.suffix in {".db", ".dump"})
    scratch = _scratch_url(app, tmp_path)
    assert runner.invoke(args=["restore", str(dump), "--target", scratch]).exit_code == 0
    again = runner.invoke(args=["restore", str(dump), "--target", scratch])
    assert again.exit_code == 1 and "目标数据库不是空的" in again.output


def test_a_backup_without_its_manifest_is_refused_in_chinese(app, tmp_path):
    runner = app.test_cli_runner()
    runner.invoke(args=["backup", "--dir", str(tmp_path / "b")])
    dump = next(p for p in (tmp_path / "b").iterdir() if p.suffix in {".db", ".dump"})
    dump.with_suffix(".json").unlink()
    result = runner.invoke(args=["restore", str(dump), "--target", _scratch_url(app, tmp_path)])
    assert result.exit_code == 1 and "找不到备份的清单文件" in result.output
    assert "Traceback" not in result.output


def test_a_changed_phone_or_unit_status_in_a_backup_fails_the_check(app, tmp_path, demo_office):
    """Counts and money totals stay the same; the per-table digest (all columns) catches it."""
    runner = app.test_cli_runner()
    runner.invoke(args=["backup", "--dir", str(tmp_path / "b")])
    dump = next(p for p in (tmp_path / "b").iterdir() if p.suffix in {".db", ".dump"})
    changes = ["UPDATE customer SET phone = '13900000000' "
               "WHERE id = (SELECT min(id) FROM customer)",
               "UPDATE unit SET status = 'withheld' WHERE id = (SELECT min(id) FROM unit "
               "WHERE status = 'available')"]
    _tamper(app, dump, tmp_path, changes)
    result = runner.invoke(args=["restore", str(dump), "--target", _scratch_url(app, tmp_path)])
    assert result.exit_code == 1, result.output
    assert "customer" in result.output and "unit" in result.output


def _tamper(app, dump, tmp_path, statements):
    """Change rows inside the backup file itself, keeping its manifest."""
    if dump.suffix == ".db":
        with sqlite3.connect(dump) as conn:
            for statement in statements:
                conn.execute(statement)
        return
    scratch = _scratch_url(app, tmp_path)
    subprocess.run(["pg_restore", "--no-owner", "-d", scratch, str(dump)], check=True)
    with psycopg.connect(scratch, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)
    subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), scratch], check=True)
