"""Backups restore into a scratch database and prove themselves against their manifest."""
import json
import os

import psycopg
from sqlalchemy import text

from app import demo
from app.extensions import db as _db


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


def test_backup_then_restore_matches_counts_totals_and_audit_chain(app, tmp_path):
    app.instance_path = str(tmp_path)
    with app.app_context():
        demo.load_demo()
        _db.session.commit()
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


def test_a_backup_that_does_not_match_its_manifest_is_caught(app, tmp_path):
    with app.app_context():
        demo.load_demo()
        _db.session.commit()
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
    assert result.exit_code == 2 and "live database" in result.output
