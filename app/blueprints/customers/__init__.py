import click
from flask import Blueprint

from app.services import admin
from app.services.customers import ownership
from app.web import commit

bp = Blueprint("customers", __name__, url_prefix="/customers")


@bp.cli.command("release-expired")
def release_expired_command():
    """Send customers whose card expired (2 months without contact) to the public pool.

    Run daily from cron: `flask --app wsgi customers release-expired`.
    """
    for project in admin.projects():
        released = commit(ownership.release_expired, project)
        click.echo(f"{project.name}: 释放 {len(released)} 位建档过期的客户到公共池")


from app.blueprints.customers import routes, routes_card, routes_ownership  # noqa: E402,F401
