"""Change requests: ask, look, decide (manager), execute (secretary), withdraw."""
from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.blueprints.changes import bp
from app.blueprints.changes.forms import CancelForm, DecideForm, ExecuteForm, RequestForm
from app.forms import choices
from app.loaders import db_id, find, load, project_or_404
from app.models import ChangeRequest, Unit
from app.policy import can, require
from app.services.changes import KINDS, lookups, requests
from app.services.changes import deal as deals
from app.services.changes import execute as executing
from app.services.customers import cards
from app.services.deals.common import new_form_key
from app.services.money import format_money
from app.web import attempt, form_status, render_page


def _request_choices(form, project):
    mine = current_user.id if can(current_user, "records.own_only") else None
    form.unit_id.choices = choices([(0, "— 请选择 —")] + [
        (u.id, f"{u.label}({u.status_label})")
        for u in deals.live_units(project.id, mine)])
    form.target_unit_id.choices = choices([(0, "— 请选择 —")] + [
        (u.id, f"{u.label} {u.layout} ¥{u.total_price:,.0f}")
        for u in lookups.exchange_targets(project.id)])
    form.new_customer_id.choices = choices([(0, "— 请选择 —")] + [
        (c.id, f"{c.name}(尾号 {c.phone[-4:]})") for c in cards.pickable(project.id)])


@bp.route("/new", methods=["GET", "POST"])
@require("change.request")
def new_request():
    project = project_or_404()
    form = RequestForm()
    _request_choices(form, project)
    if request.method == "GET":
        form.unit_id.data = request.args.get("unit", type=db_id)
        form.form_key.data = new_form_key()
    if form.validate_on_submit():
        unit = find(Unit, form.unit_id.data)
        if unit is None:
            form.unit_id.errors = ["请选择本项目的成交房源"]
        else:
            ok, result = attempt(form, requests.ask, unit, form.data, current_user)
            if ok:
                change, created = result
                flash(f"已提交{KINDS[change.kind]}申请 #{change.id},等待经理审批"
                      if created else "该申请已提交过,以下是第一次提交的结果", "success")
                return redirect(url_for("changes.detail", change_id=change.id))
    status = form_status(form)
    return render_page("changes/new.html", form=form, status=status)


@bp.route("/<int:change_id>")
@require("change.view")
def detail(change_id, decide_form=None, execute_form=None, cancel_form=None, fee_form=None,
           status=200):
    change = load(ChangeRequest, change_id, "change.view")
    return render_page("changes/detail.html", change=change, quote=requests.quote(change),
                       needs_fee=executing.needs_fee(change),
                       fee_again=executing.fee_rejected(change),
                       decide_form=decide_form or DecideForm(formdata=None),
                       execute_form=execute_form or ExecuteForm(formdata=None),
                       fee_form=fee_form or ExecuteForm(formdata=None),
                       cancel_form=cancel_form or CancelForm(formdata=None), status=status)


def _decide(change_id, approve):
    change = load(ChangeRequest, change_id, "change.decide")
    form = DecideForm()
    if form.validate_on_submit() and attempt(form, requests.decide, change, approve, form.data,
                                             current_user)[0]:
        flash(f"已批准申请 #{change.id},等待销售秘书执行" if approve
              else f"已驳回申请 #{change.id}", "success")
        return redirect(url_for("changes.detail", change_id=change.id))
    return detail(change_id, decide_form=form, status=422)


@bp.route("/<int:change_id>/approve", methods=["POST"])
@require("change.decide")
def approve(change_id):
    return _decide(change_id, True)


@bp.route("/<int:change_id>/reject", methods=["POST"])
@require("change.decide")
def reject(change_id):
    return _decide(change_id, False)


@bp.route("/<int:change_id>/execute", methods=["POST"])
@require("change.execute")
def execute(change_id):
    change = load(ChangeRequest, change_id, "change.execute")
    form = ExecuteForm()
    if form.validate_on_submit() and attempt(form, executing.execute, change, form.data,
                                             current_user)[0]:
        flash(executed_message(change), "success")
        return redirect(url_for("changes.detail", change_id=change.id))
    return detail(change_id, execute_form=form, status=422)


def executed_message(change):
    """What the execution did with money, as finance checks it against the paper."""
    text = f"申请 #{change.id} 已执行({KINDS[change.kind]})"
    if change.kind == "refund":
        refund = change.payout.amount if change.payout else 0
        return (f"{text}:已收 {format_money(change.received)},违约金 "
                f"{format_money(change.penalty or 0)},退款 {format_money(refund)}"
                + (" 待财务支付" if change.payout else ""))
    if change.kind == "exchange":
        return (f"{text}:新成交总价 {format_money(change.new_price)}"
                f"(原 {format_money(change.old_price)})")
    if change.fee is not None:
        return (f"{text}:过户费 {format_money(change.fee.amount)},收据 "
                f"No.{change.fee.receipt.number:07d},等待财务确认")
    return text


@bp.route("/<int:change_id>/fee", methods=["POST"])
@require("change.execute")
def record_fee(change_id):
    """过户费 recorded again after finance rejected it (new receipt, finance confirms)."""
    change = load(ChangeRequest, change_id, "change.execute")
    form = ExecuteForm()
    if form.validate_on_submit():
        ok, fee = attempt(form, executing.record_fee_again, change, form.data, current_user)
        if ok:
            flash(f"已重新登记过户费 {format_money(fee.amount)},收据 No.{fee.receipt.number:07d},"
                  "等待财务确认", "success")
            return redirect(url_for("changes.detail", change_id=change.id))
    return detail(change_id, fee_form=form, status=422)


@bp.route("/<int:change_id>/cancel", methods=["POST"])
@require("change.cancel")
def cancel(change_id):
    change = load(ChangeRequest, change_id, "change.cancel")
    form = CancelForm()
    if form.validate_on_submit() and attempt(form, requests.cancel, change, form.reason.data,
                                             current_user)[0]:
        flash(f"已撤回申请 #{change.id}", "success")
        return redirect(url_for("changes.detail", change_id=change.id))
    return detail(change_id, cancel_form=form, status=422)
