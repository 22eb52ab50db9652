"""Command-line tools: `flask --app wsgi demo-data`, `create-user`, `expire-holds`."""
import os
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from app.extensions import db
from app.models.user import ROLES
from app.services import demo, unit_status, users
from app.services.errors import RuleViolation


def _logins_file():
    return os.path.join(current_app.instance_path, "demo-logins.txt")


def _print_logins(lines):
    click.echo("")
    click.echo("  演示账号 Demo logins")
    click.echo("  " + "-" * 52)
    for line in lines:
        click.echo("  " + line)
    click.echo("")


@click.command("demo-data")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing (but print the logins) if data exists.")
def demo_data(if_empty):
    """Load the demo project (4 buildings, 608 units) and one user per role."""
    try:
        logins = demo.load_demo()
    except demo.DataExists as exc:
        db.session.rollback()
        if not if_empty:
            click.echo(str(exc), err=True)
            sys.exit(1)
        path = _logins_file()
        if os.path.exists(path):
            with open(path, encoding="utf-8") as fh:
                _print_logins(fh.read().splitlines())
        return
    db.session.commit()
    lines = [f"{role:<11} {username:<10} {password}   ({name})"
             for username, name, role, password in logins]
    os.makedirs(current_app.instance_path, exist_ok=True)
    fd = os.open(_logins_file(), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    click.echo("已载入演示项目 翡翠湾花园 (4 栋, 608 套房源)")
    _print_logins(lines)


@click.command("create-user")
@with_appcontext
@click.option("--username", prompt="用户名")
@click.option("--name", "display_name", prompt="姓名")
@click.option("--role", type=click.Choice(ROLES), prompt="角色")
@click.option("--admin", "is_admin", is_flag=True, help="Also an administrator.")
@click.password_option("--password", prompt="密码", confirmation_prompt=True)
def create_user(username, display_name, role, is_admin, password):
    """Create a user account (refuses an existing username)."""
    try:
        user = users.create_user(username, display_name, role, password, is_admin)
    except RuleViolation as exc:
        db.session.rollback()
        click.echo(f"未创建:{exc.message}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"已创建 {user.username} ({user.role_label})")


@click.command("expire-holds")
@with_appcontext
def expire_holds():
    """Return every hold past its expiry to available, with audit rows (run from cron)."""
    count = unit_status.expire_holds()
    db.session.commit()
    click.echo(f"已释放 {count} 套到期保留的房源")


def register(app):
    for command in (demo_data, create_user, expire_holds):
        app.cli.add_command(command)
