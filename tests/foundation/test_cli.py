"""The demo data and create-user commands."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import Building, Unit, UnitStatus, User
from tests.helpers import Browser


def test_demo_data_builds_a_realistic_project_and_prints_logins(app, tmp_path):
    app.instance_path = str(tmp_path)
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert "翡翠湾花园" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Building)) >= 3
        assert db.session.scalar(select(func.count()).select_from(Unit)) >= 600
        layouts = db.session.scalars(select(Unit.layout).distinct()).all()
        assert len(layouts) >= 4
        statuses = set(db.session.scalars(select(Unit.status).distinct()))
        # the demo deals (app/demo/deals.py) take units through every status
        assert statuses == set(UnitStatus.ALL)
        roles = set(db.session.scalars(select(User.role)))
        assert roles == {"consultant", "secretary", "finance", "manager", "admin"}
    line = next(line for line in result.output.splitlines() if "zhaomin" in line)
    password = line.split()[2]
    assert Browser(app.test_client()).login("zhaomin", password).status_code == 302
    # printed again on the next run, never re-created
    again = app.test_cli_runner().invoke(args=["demo-data", "--if-empty"])
    assert again.exit_code == 0 and password in again.output


def test_demo_data_refuses_to_clobber(app, make_user, tmp_path):
    app.instance_path = str(tmp_path)
    make_user("admin")
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 1 and "不会覆盖" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Unit)) == 0


def test_create_user_command(app):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["create-user", "--username", "sunli", "--name", "孙丽",
                             "--role", "finance", "--password", "Jade-Bay-2026"])
    assert ok.exit_code == 0 and "已创建 sunli" in ok.output
    dup = runner.invoke(args=["create-user", "--username", "sunli", "--name", "x",
                              "--role", "finance", "--password", "Jade-Bay-2026"])
    assert dup.exit_code == 1 and "已存在" in dup.output
    weak = runner.invoke(args=["create-user", "--username", "zhou", "--name", "x",
                               "--role", "finance", "--password", "password"])
    assert weak.exit_code == 1 and "过于常见" in weak.output
