"""Every `flask --app wsgi ...` command, the ones cron runs included:

    demo-data, create-user, backup, restore      setting up and safeguarding an office
    expire-holds                                 cron, every few minutes
    discounts expire                             cron, hourly
    customers release-expired                    cron, daily
"""
import os
import sys
import time
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from app import demo
from app.extensions import db
from app.models.user import ROLES
from app.services import admin, backup, discounts, users
from app.services.board import unit_status
from app.services.customers import ownership
from app.services.errors import RuleViolation
from app.web import commit


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


@click.command("backup")
@click.option("--dir", "directory", default=None, help="Default: instance/backups")
@click.option("--keep", default=14, show_default=True, help="How many backups to keep.")
@with_appcontext
def backup_command(directory, keep):
    """Back up the database (online, consistent) with a manifest; rotate old backups."""
    directory = directory or os.path.join(current_app.instance_path, "backups")
    started = time.perf_counter()
    target = backup.backup(db.engine, directory, keep=keep)
    size = os.path.getsize(target)
    click.echo(f"backup written: {target} ({size / 1024:.0f} KiB, "
               f"{time.perf_counter() - started:.2f} s)")


@click.command("restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--target", default=None,
              help="Scratch database URL to restore into (default: instance/restore-check.db "
                   "for SQLite backups). Never the live database.")
@with_appcontext
def restore_command(backup_file, target):
    """Restore a backup into a scratch database and verify counts, totals and audit chain."""
    if target is None:
        if not backup_file.endswith(".db"):
            click.echo("PostgreSQL backups need --target postgresql://.../scratch", err=True)
            sys.exit(2)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")  # a new file: never over one
        target = "sqlite:///" + os.path.join(current_app.instance_path,
                                             f"restore-check-{stamp}.db")
    started = time.perf_counter()
    try:
        found = backup.restore(backup_file, target, db.engine.url)
    except backup.LiveTarget as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    except backup.BackupError as exc:
        click.echo(f"RESTORE CHECK FAILED: {exc}", err=True)
        sys.exit(1)
    rows = sum(found["tables"].values())
    click.echo(f"restore verified: {rows} rows in {len(found['tables'])} tables, totals and "
               f"audit chain match ({time.perf_counter() - started:.2f} s)")


@click.command("expire-holds")
@with_appcontext
def expire_holds():
    """Return every hold past its expiry to available, with audit rows (run from cron)."""
    count = unit_status.expire_holds()
    db.session.commit()
    click.echo(f"已释放 {count} 套到期保留的房源")


discounts_cli = AppGroup("discounts", help="特殊优惠 (special discounts).")
customers_cli = AppGroup("customers", help="客户 (customer cards).")


@discounts_cli.command("expire")
def expire_discounts():
    """Mark approvals past their validity as expired, with one log event each (cron, hourly)."""
    count = commit(discounts.expire_due)
    click.echo(f"已将 {count} 条过期的特殊优惠审批标记为已过期")


@customers_cli.command("release-expired")
def release_expired():
    """Send customers whose card expired (2 months without contact) to the public pool
    (cron, daily)."""
    for project in admin.projects():
        released = commit(ownership.release_expired, project)
        click.echo(f"{project.name}: 释放 {len(released)} 位建档过期的客户到公共池")


def register(app):
    for command in (demo_data, create_user, backup_command, restore_command, expire_holds,
                    discounts_cli, customers_cli):
        app.cli.add_command(command)
