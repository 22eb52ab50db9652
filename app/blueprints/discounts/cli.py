"""`flask --app wsgi discounts expire`: run from cron (e.g. hourly) to log expired approvals."""
import click

from app.blueprints.discounts import bp
from app.services import discounts
from app.web import commit


@bp.cli.command("expire")
def expire():
    """Mark approvals past their validity as expired, with one log event each."""
    count = commit(discounts.expire_due)
    click.echo(f"已将 {count} 条过期的特殊优惠审批标记为已过期")
