"""Approval limits per approver (admin): how far below list or floor price each may approve."""
from flask import abort, flash, redirect, url_for
from flask_login import current_user

from app.blueprints.discounts import bp
from app.blueprints.discounts.forms import LimitForm
from app.loaders import load, project_or_404
from app.models import User
from app.policy import require
from app.services import discounts
from app.services.discounts.limits import approvers, configured_limits, is_approver
from app.web import attempt, is_fragment_request, render_page


def _row(project_id, user, configured=None):
    limit = discounts.limit_for(user, project_id, configured)
    form = LimitForm(formdata=None, data={
        "max_percent": "" if limit.max_percent is None else str(limit.max_percent),
        "max_amount": "" if limit.max_amount is None else str(limit.max_amount),
        "max_below_floor": "" if limit.max_below_floor is None else str(limit.max_below_floor)})
    return {"user": user, "limit": limit, "form": form}


@bp.route("/limits")
@require("discount.limits")
def limits():
    project = project_or_404()
    configured = configured_limits(project.id)
    rows = [_row(project.id, user, configured) for user in approvers()]
    return render_page("discounts/limits.html", rows=rows)


@bp.route("/limits/<int:user_id>", methods=["POST"])
@require("discount.limits")
def set_limit(user_id):
    project = project_or_404()
    user = load(User, user_id)
    if not is_approver(user):
        abort(404)
    form = LimitForm()
    status = 422
    if form.validate_on_submit() and attempt(
            form, discounts.set_limit, project.id, user, form.max_percent.data,
            form.max_amount.data, form.max_below_floor.data, current_user)[0]:
        flash(f"已更新 {user.display_name} 的审批权限", "success")
        status = 200
    if not is_fragment_request() and status == 200:
        return redirect(url_for("discounts.limits"))
    configured = configured_limits(project.id)
    rows = [_row(project.id, approver, configured) for approver in approvers()]
    for row in rows:
        if row["user"].id == user.id and status == 422:
            row["form"] = form
    mine = next(row for row in rows if row["user"].id == user.id)
    return render_page("discounts/limits.html", partial="discounts/_limit_row.html",
                       status=status, rows=rows, **mine)
