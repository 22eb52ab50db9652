"""Actions on one card: visits and calls, follow-ups, grade, reveal, dispute, anonymisation.

Each answers htmx with its section of the card (errors: 422 and the section with the form),
and a plain post with a redirect to the card.
"""
from flask import abort, flash, redirect, url_for
from flask_login import current_user

from app.blueprints.customers import bp
from app.blueprints.customers.common import consultant_choices
from app.blueprints.customers.forms import (
    FollowUpForm,
    GradeForm,
    ReasonForm,
    SettleForm,
    VisitForm,
)
from app.blueprints.customers.routes import card_context
from app.errors import error_response
from app.loaders import load, project_or_404
from app.models import Customer
from app.policy import require
from app.services.customers import ownership, privacy, visits
from app.web import attempt, is_fragment_request, perform, render_page, transact


def _section(customer, partial, status=200, **forms):
    context = card_context(customer, project_or_404())
    context.update(forms)
    return render_page("customers/card.html", partial=partial, status=status, **context)


def _done(customer, partial, message):
    flash(message, "success")
    if is_fragment_request():
        return _section(customer, partial)
    return redirect(url_for("customers.card", customer_id=customer.id))


def _refused(customer, partial, key, form):
    """422 and the section with the form, which says why (attempt put it there)."""
    return _section(customer, partial, status=422, **{key: form})


def _submitted(form, call, /, *args, **kwargs):
    """attempt() once the form validates: (ok, result)."""
    return attempt(form, call, *args, **kwargs) if form.validate_on_submit() else (False, None)


@bp.route("/<int:customer_id>/visits", methods=["POST"])
@require("customers.follow_up")
def add_visit(customer_id):
    """A repeat walk-in or a call of this customer, taken by its consultant."""
    customer = load(Customer, customer_id, "customers.follow_up")
    form, partial = VisitForm(), "customers/_visits.html"
    ok, visit = _submitted(form, visits.record_card_visit, customer, current_user,
                           form.kind.data, duration=form.duration.data, result=form.result.data)
    if not ok:
        return _refused(customer, partial, "visit_form", form)
    label = f"第 {visit.visit_no} 次来访" if visit.kind == "visit" else "来电"
    return _done(customer, partial, f"已登记{label}")


@bp.route("/<int:customer_id>/follow-ups", methods=["POST"])
@require("customers.follow_up")
def add_follow_up(customer_id):
    customer = load(Customer, customer_id, "customers.follow_up")
    form, partial = FollowUpForm(), "customers/_follow_ups.html"
    ok, _ = _submitted(form, visits.record_follow_up, customer, current_user, form.way.data,
                       form.content.data, result=form.result.data,
                       effective=form.effective.data, next_on=form.next_on.data)
    if not ok:
        return _refused(customer, partial, "follow_form", form)
    return _done(customer, partial, "跟进已记录")


@bp.route("/<int:customer_id>/grade", methods=["POST"])
@require("customers.edit")
def change_grade(customer_id):
    customer = load(Customer, customer_id, "customers.edit")
    form, partial = GradeForm(), "customers/_grade.html"
    ok, change = _submitted(form, visits.change_grade, customer, form.grade.data,
                            form.reason.data, by=current_user)
    if not ok:
        return _refused(customer, partial, "grade_form", form)
    if change.status == "pending":
        return _done(customer, partial, f"降级 {change.before} → {change.after} 已报经理,"
                                        "确认后生效")
    return _done(customer, partial, f"级别已改为 {change.after}")


@bp.route("/<int:customer_id>/reveal/<field>", methods=["POST"])
@require("phone.reveal")
def reveal(customer_id, field):
    """显示: the full number once, written to the access log."""
    customer = load(Customer, customer_id, "customers.view")
    if field not in privacy.REVEALABLE:
        abort(404)
    ok, value = transact(privacy.reveal, customer, field, user=current_user, keep_refused=True)
    if not ok:  # a refusal over the hourly limit is kept: the manager sees it
        limited = isinstance(value, privacy.RevealLimitReached)
        return error_response(429 if limited else 400, value.message)
    return render_page("customers/_revealed.html", partial="customers/_revealed.html",
                       value=value, field=field, customer=customer)


@bp.route("/<int:customer_id>/owner", methods=["POST"])
@require("customers.assign")
def settle(customer_id):
    """A manager settles an ownership dispute (with the reason, from the record)."""
    customer = load(Customer, customer_id)
    form, partial = SettleForm(), "customers/_ownership.html"
    form.to_user.choices = consultant_choices()
    ok, _ = _submitted(form, ownership.settle, customer, form.to_user.data, form.reason.data,
                       by=current_user)
    if not ok:
        return _refused(customer, partial, "settle_form", form)
    return _done(customer, partial, f"已裁定归属 {customer.owner.display_name}")


@bp.route("/<int:customer_id>/anonymise", methods=["POST"])
@require("customers.anonymise")
def anonymise(customer_id):
    customer = load(Customer, customer_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash("请填写匿名化的依据(如客户书面申请)", "error")
    elif perform(privacy.anonymise, customer, form.reason.data, by=current_user)[0]:
        flash("已匿名化:个人信息已删除,来访、跟进和成交记录保留", "success")
    return redirect(url_for("customers.card", customer_id=customer.id))
