from flask import abort, redirect, request, session, url_for
from flask_login import current_user

from app.blueprints.main import bp
from app.loaders import current_project, db_id, load
from app.models import Project, UnitStatus
from app.policy import can, require
from app.services import first_run
from app.services.changes import execute as change_execution
from app.services.customers import privacy
from app.services.deals import complaints
from app.services.discounts import queries as discount_queries
from app.services.reports import collection_stats, dashboard, overview
from app.web import render_page


@bp.route("/")
@require("home.view")
def home():
    project = current_project()
    context = {"project": project}
    if can(current_user, "settings.manage"):  # until a new project is ready to sell
        context["checklist"] = first_run.checklist(project)
    if project is not None:
        context.update(
            summary=overview.unit_status_summary(project.id),
            my_holds=overview.units_held_by(current_user.id, project.id),
            pending_deposits=overview.units_in_status(project.id, UnitStatus.DEPOSIT_PENDING),
            activity=overview.recent_activity(project.id),
        )
        if can(current_user, "reports.dashboard"):
            context.update(dashboard_context(project.id))
        if can(current_user, "access_log.view"):  # reveals refused over the hourly limit
            context["reveal_alerts"] = privacy.over_limit(project.id)
        if can(current_user, "discount.decide"):  # pending and overdue verbal approvals
            context["discount_alerts"] = discount_queries.dashboard(project.id, current_user)
    return render_page("main/home.html", **context)


@bp.route("/project", methods=["POST"])
@require("project.switch")
def switch_project():
    project = load(Project, request.form.get("project_id", type=db_id))
    if project.archived:
        abort(404)  # a sold-out project is opened from the admin pages, not switched to
    session["project_id"] = project.id
    return redirect(url_for("main.home"))


def dashboard_context(project_id):
    """The manager's figures: periods, 去化率 per building, overdue follow-ups, live holds,
    arrears and 违约, money waiting on finance, 认购 past the deadline to sign, exchange and
    refund requests waiting, complaint splits to look into."""
    return {"dash": {
        "periods": dashboard.period_figures(project_id),
        "buildings": dashboard.sell_through_by_building(project_id),
        "overdue": dashboard.overdue_follow_ups(project_id),
        "holds": dashboard.active_holds(project_id),
        "attention": dashboard.attention(project_id),
        "changes": change_execution.waiting(project_id),
        "complaints": len(complaints.pending(project_id)),
        "buckets": collection_stats.BUCKETS,
    }}
