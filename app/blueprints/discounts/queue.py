"""The manager queue 待审批: decide in place, verbal approvals, confirmations, the nav badge."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.blueprints.discounts import bp
from app.blueprints.discounts.common import conditional, show_floor, user_choices
from app.blueprints.discounts.forms import ConfirmForm, DecisionForm, VerbalForm
from app.blueprints.discounts.routes import render_detail
from app.loaders import current_project, find, load, project_or_404
from app.models import DiscountRequest, DiscountStatus, User
from app.policy import require
from app.services import discounts
from app.services.clock import local, now, zone
from app.services.discounts import queries
from app.services.errors import Conflict
from app.services.money import format_money
from app.sessions import background
from app.web import apply_violation, form_status, is_fragment_request, render_page, transact

CHANGED = {"HX-Trigger": "discounts-changed"}  # the badge refreshes at once


@bp.route("/queue")
@require("discount.queue")
def queue():
    project = project_or_404()
    views, verbal = queries.queue(project.id, current_user, show_floor())
    return render_page("discounts/queue.html", views=views, verbal=verbal, at=now(),
                       form=DecisionForm(formdata=None), confirm_form=ConfirmForm(formdata=None))


def _apply(form, call, /, *args):
    """Run one service call: 200 done; 409 someone decided first (flashed); 422 refused (the
    form says why)."""
    ok, refusal = transact(call, *args)
    if ok:
        return 200
    if isinstance(refusal, Conflict):
        flash(refusal.message, "warning")
        return 409
    apply_violation(form, refusal)
    return 422


def _row(found, form, status, partial):
    view = queries.view_of(found, current_user, show_floor())
    response = render_page(partial, partial=partial, status=200 if status == 409 else status,
                           view=view, form=form, confirm_form=form, at=now())
    response.headers.update(CHANGED)
    return response


@bp.route("/<int:request_id>/decide", methods=["POST"])
@require("discount.decide")
def decide(request_id):
    found = load(DiscountRequest, request_id, "discount.decide")
    form = DecisionForm()
    status = 422
    if not form.validate_on_submit():
        pass
    elif form.decision.data not in ("approve", "reject"):
        form.decision.errors = ["请点击“批准”或“驳回”"]
    else:
        approve = form.decision.data == "approve"
        status = _apply(form, discounts.decide, found, approve, form.comment.data,
                        current_user)
        if status == 200:
            flash(f"已{'批准' if approve else '驳回'} {found.customer.name} 的特殊优惠申请"
                  + (f":成交总价 {format_money(found.deal_price)}"
                     f"(优惠 {format_money(found.discount_amount)})" if approve else ""),
                  "success")
    if is_fragment_request():
        return _row(found, form, status, "discounts/_queue_row.html")
    if status == 422:
        return render_detail(found, status=422, decision_form=form)
    return redirect(url_for("discounts.detail", request_id=found.id))


@bp.route("/<int:request_id>/confirm", methods=["POST"])
@require("discount.confirm")
def confirm(request_id):
    found = load(DiscountRequest, request_id, "discount.confirm")
    form = ConfirmForm()
    status = 422
    if form.validate_on_submit():
        status = _apply(form, discounts.confirm_verbal, found, current_user, form.comment.data)
        if status == 200:
            flash("已确认口头批准", "success")
    if is_fragment_request():
        return _row(found, form, status, "discounts/_verbal_row.html")
    if status == 422:
        return render_detail(found, status=422, confirm_form=form)
    return redirect(url_for("discounts.detail", request_id=found.id))


@bp.route("/<int:request_id>/verbal", methods=["GET", "POST"])
@require("discount.verbal")
def verbal(request_id):
    """The secretary records that a manager approved by phone."""
    found = load(DiscountRequest, request_id, "discount.view")
    form = VerbalForm()
    form.approver_id.choices = user_choices("discount.decide", blank="请选择",
                                            exclude_id=found.requested_by_id)
    if request.method == "GET":
        form.approved_at.data = local(now()).replace(second=0, microsecond=0, tzinfo=None)
    if form.validate_on_submit():
        approver = find(User, form.approver_id.data)
        approved_at = form.approved_at.data.replace(tzinfo=zone())
        if approver is None:
            form.approver_id.errors.append("请选择批准人")
        elif _apply(form, discounts.record_verbal, found, approver, approved_at,
                    form.note.data, current_user) == 200:
            flash(f"已登记 {approver.display_name} 的口头批准(成交总价 "
                  f"{format_money(found.deal_price)}),须在 "
                  f"{discounts.CONFIRM_DAYS} 天内补书面审批", "success")
            return redirect(url_for("discounts.queue"))
    view = queries.view_of(found, current_user, show_floor())
    return render_page("discounts/verbal.html", status=form_status(form), form=form, view=view,
                       pending=found.status == DiscountStatus.PENDING)


@bp.route("/badge")
@require("discount.decide")
@background
def badge():
    """The pending count in the manager's navigation, polled with If-None-Match."""
    project = current_project()
    count, overdue, signature = (queries.badge(project.id, current_user) if project
                                 else (0, 0, "none"))
    # No flashes here (render_page would take them): a poll must not eat the page's messages.
    return conditional(f"{count}|{overdue}|{signature}", lambda: render_template(
        "discounts/_badge.html", count=count, overdue=overdue))
