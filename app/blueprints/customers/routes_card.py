"""Actions on one card: visits and calls, follow-ups, grade, reveal, dispute, anonymisation.

Each answers htmx with its section of the card (errors: 422 and the section with the form),
and a plain post with a redirect to the card.
"""
from flask import abort, flash, redirect, url_for
from flask_login import current_user

from app.blueprints.customers import bp
from app.blueprints.customers.common import consultant_choices, in_project_or_404, project_or_404
from app.blueprints.customers.forms import (
    FollowUpForm,
    GradeForm,
    ReasonForm,
    SettleForm,
    VisitForm,
)
from app.blueprints.customers.routes import card_context
from app.errors import error_response
from app.extensions import db
from app.models import Customer
from app.policy import require
from app.services.customers import ownership, privacy, visits
from app.services.errors import RuleViolation
from app.web import apply_violation, is_fragment_request, render_page


def _section(customer, project, partial, status=200, **forms):
    context = card_context(customer, project)
    context.update(forms)
    return render_page("customers/card.html", partial=partial, status=status, **context)


def _done(customer, project, partial, message):
    db.session.commit()
    flash(message, "success")
    if is_fragment_request():
        return _section(customer, project, partial)
    return redirect(url_for("customers.card", customer_id=customer.id))


def _failed(customer, project, partial, form, key, exc=None):
    db.session.rollback()
    if exc is not None:
        apply_violation(form, exc)
    return _section(customer, project, partial, status=422, **{key: form})


@bp.route("/<int:customer_id>/visits", methods=["POST"])
@require("customers.follow_up")
def add_visit(customer_id):
    """A repeat walk-in or a call of this customer, taken by its consultant."""
    project = project_or_404()
    customer = in_project_or_404(Customer, customer_id, project, "customers.follow_up")
    form = VisitForm()
    partial = "customers/_visits.html"
    if not form.validate_on_submit():
        return _failed(customer, project, partial, form, "visit_form")
    consultant = customer.owner if current_user.role != "consultant" else current_user
    try:
        if consultant is None:
            raise RuleViolation("该客户在公共池中,请先分配置业顾问")
        visit = visits.record_visit(customer, consultant, form.kind.data, by=current_user,
                                    duration=form.duration.data, result=form.result.data)
    except RuleViolation as exc:
        return _failed(customer, project, partial, form, "visit_form", exc)
    label = f"第 {visit.visit_no} 次来访" if visit.kind == "visit" else "来电"
    return _done(customer, project, partial, f"已登记{label}")


@bp.route("/<int:customer_id>/follow-ups", methods=["POST"])
@require("customers.follow_up")
def add_follow_up(customer_id):
    project = project_or_404()
    customer = in_project_or_404(Customer, customer_id, project, "customers.follow_up")
    form = FollowUpForm()
    partial = "customers/_follow_ups.html"
    if not form.validate_on_submit():
        return _failed(customer, project, partial, form, "follow_form")
    try:
        visits.record_follow_up(customer, current_user, form.way.data, form.content.data,
                                result=form.result.data, effective=form.effective.data,
                                next_on=form.next_on.data)
    except RuleViolation as exc:
        return _failed(customer, project, partial, form, "follow_form", exc)
    return _done(customer, project, partial, "跟进已记录")


@bp.route("/<int:customer_id>/grade", methods=["POST"])
@require("customers.edit")
def change_grade(customer_id):
    project = project_or_404()
    customer = in_project_or_404(Customer, customer_id, project, "customers.edit")
    form = GradeForm()
    partial = "customers/_grade.html"
    if not form.validate_on_submit():
        return _failed(customer, project, partial, form, "grade_form")
    try:
        change = visits.change_grade(customer, form.grade.data, form.reason.data, by=current_user)
    except RuleViolation as exc:
        return _failed(customer, project, partial, form, "grade_form", exc)
    note = ",降级已报经理" if change.is_downgrade else ""
    return _done(customer, project, partial, f"级别已改为 {change.after}{note}")


@bp.route("/<int:customer_id>/reveal/<field>", methods=["POST"])
@require("phone.reveal")
def reveal(customer_id, field):
    """显示: the full number once, written to the access log."""
    project = project_or_404()
    customer = in_project_or_404(Customer, customer_id, project, "customers.view")
    if field not in privacy.REVEALABLE:
        abort(404)
    try:
        value = privacy.reveal(customer, field, user=current_user)
    except RuleViolation as exc:
        db.session.rollback()
        return error_response(400, exc.message)
    db.session.commit()
    return render_page("customers/_revealed.html", partial="customers/_revealed.html",
                       value=value, field=field, customer=customer)


@bp.route("/<int:customer_id>/owner", methods=["POST"])
@require("customers.assign")
def settle(customer_id):
    """A manager settles an ownership dispute (with the reason, from the record)."""
    project = project_or_404()
    customer = in_project_or_404(Customer, customer_id, project)
    form = SettleForm()
    form.to_user.choices = consultant_choices()
    partial = "customers/_ownership.html"
    if not form.validate_on_submit():
        return _failed(customer, project, partial, form, "settle_form")
    try:
        ownership.settle(customer, form.to_user.data, form.reason.data, by=current_user)
    except RuleViolation as exc:
        return _failed(customer, project, partial, form, "settle_form", exc)
    return _done(customer, project, partial, f"已裁定归属 {customer.owner.display_name}")


@bp.route("/<int:customer_id>/anonymise", methods=["POST"])
@require("customers.anonymise")
def anonymise(customer_id):
    project = project_or_404()
    customer = in_project_or_404(Customer, customer_id, project)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            privacy.anonymise(customer, form.reason.data, by=current_user)
        except RuleViolation as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash("已匿名化:个人信息已删除,来访、跟进和成交记录保留", "success")
    else:
        flash("请填写匿名化的依据(如客户书面申请)", "error")
    return redirect(url_for("customers.card", customer_id=customer.id))
