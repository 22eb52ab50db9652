"""Commission rules and settings (manager), 提成审批 (manager), payout (finance), and the
内部员工推荐 of a deal (office)."""
from decimal import Decimal

from flask import flash, redirect, url_for
from flask_login import current_user
from sqlalchemy import select

from app.blueprints.commissions import bp
from app.blueprints.commissions.forms import (
    EndRuleForm,
    LinesForm,
    PayForm,
    ProductTypeForm,
    RecoverForm,
    ReferrerForm,
    RuleForm,
    SettingsForm,
)
from app.extensions import db
from app.forms import choices
from app.loaders import find, load, project_or_404
from app.models import Building, CommissionRule, Deposit, LineStatus
from app.policy import require
from app.services import clock
from app.services.commissions import accrual, rules, settlement
from app.services.money import format_money
from app.web import attempt, render_page


def _rules_page(project, form=None, settings_form=None, types_form=None, status=200):
    settings_form = settings_form or SettingsForm(formdata=None,
                                                  payable=project.commission_payable,
                                                  percent=project.commission_percent)
    types_form = types_form or ProductTypeForm(formdata=None)
    types_form.building_id.choices = choices([(b.id, b.name) for b in project.buildings])
    if form is None:
        form = RuleForm(formdata=None)
        form.valid_from.data = clock.today()
    return render_page("commissions/rules.html", status=status, form=form,
                       rules=rules.all_rules(project.id), today=clock.today(),
                       settings_form=settings_form, types_form=types_form,
                       end_form=EndRuleForm(formdata=None),
                       buildings=rules.building_types(project.id))


@bp.route("/rules")
@require("commission.rules")
def rules_page():
    return _rules_page(project_or_404())


@bp.route("/rules/new", methods=["POST"])
@require("commission.manage")
def new_rule():
    project, form = project_or_404(), RuleForm()
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in (
            "payee_kind", "product_type", "kind", "value", "value_2", "value_3", "valid_from",
            "valid_until")}
        ok, rule = attempt(form, rules.add_rule, project, data, current_user)
        if ok:
            flash(f"已新增佣金规则:{rule.describe}", "success")
            return redirect(url_for("commissions.rules_page"))
    return _rules_page(project, form=form, status=422)


@bp.route("/rules/<int:rule_id>/end", methods=["POST"])
@require("commission.manage")
def end_rule(rule_id):
    rule, form = load(CommissionRule, rule_id), EndRuleForm()
    if form.validate_on_submit():
        ok, _ = attempt(form, rules.end_rule, rule, form.valid_until.data, current_user)
        if ok:
            flash(f"规则已设截止日期 {form.valid_until.data}", "success")
            return redirect(url_for("commissions.rules_page"))
    for error in form.valid_until.errors + form.form_errors:
        flash(error, "error")
    return redirect(url_for("commissions.rules_page"))


@bp.route("/settings", methods=["POST"])
@require("commission.manage")
def save_settings():
    project, form = project_or_404(), SettingsForm()
    if form.validate_on_submit():
        ok, _ = attempt(form, rules.save_settings, project, form.payable.data,
                        form.percent.data, current_user)
        if ok:
            flash("已保存佣金结算条件", "success")
            return redirect(url_for("commissions.rules_page"))
    return _rules_page(project, settings_form=form, status=422)


@bp.route("/product-types", methods=["POST"])
@require("commission.manage")
def set_product_type():
    project, form = project_or_404(), ProductTypeForm()
    form.building_id.choices = choices([(b.id, b.name) for b in project.buildings])
    if form.validate_on_submit():
        building = find(Building, form.building_id.data)
        if building is None:
            form.building_id.errors.append("请选择本项目的楼栋")
        else:
            ok, count = attempt(form, rules.set_product_type, building,
                                form.product_type.data, current_user)
            if ok:
                flash(f"已将 {building.name} 的 {count} 套房源设为所选业态", "success")
                return redirect(url_for("commissions.rules_page"))
    return _rules_page(project, types_form=form, status=422)


def _approvals(project, form=None, status=200):
    return render_page("commissions/approvals.html", status=status,
                       form=form or LinesForm(formdata=None),
                       lines=settlement.waiting(project.id, LineStatus.PAYABLE, current_user),
                       batches=settlement.batches(project.id))


@bp.route("/approvals", methods=["GET", "POST"])
@require("commission.approve")
def approvals():
    project = project_or_404()
    form = LinesForm()
    if not form.is_submitted():
        return _approvals(project)
    if form.validate_on_submit():
        ok, batch = attempt(form, settlement.approve, project, form.lines.data or (),
                            current_user)
        if ok:
            flash(f"已审批 {batch.line_count} 笔提成,合计 {format_money(batch.total)}"
                  f"(批次 #{batch.id})", "success")
            return redirect(url_for("commissions.approvals"))
    return _approvals(project, form, 422)


def _payouts(project, form=None, recover_form=None, status=200):
    if form is None:
        form = PayForm(formdata=None)
        form.paid_on.data = clock.today()
    if recover_form is None:
        recover_form = RecoverForm(formdata=None, prefix="recover")
        recover_form.paid_on.data = clock.today()
    return render_page("commissions/payouts.html", status=status, form=form,
                       recover_form=recover_form,
                       lines=settlement.waiting(project.id, LineStatus.APPROVED),
                       recovering=settlement.waiting(project.id, LineStatus.RECOVERING))


def _money_data(form):
    return {"paid_on": form.paid_on.data, "method": form.method.data,
            "reference": form.reference.data}


@bp.route("/payouts", methods=["GET", "POST"])
@require("commission.pay")
def payouts():
    project = project_or_404()
    form = PayForm()
    if not form.is_submitted():
        return _payouts(project)
    if form.validate_on_submit():
        ok, lines = attempt(form, settlement.pay, project, form.lines.data or (),
                            _money_data(form), current_user)
        if ok:
            total = sum((line.amount for line in lines), Decimal("0.00"))
            flash(f"已发放 {len(lines)} 笔佣金,合计 {format_money(total)}", "success")
            return redirect(url_for("commissions.payouts"))
    return _payouts(project, form, status=422)


@bp.route("/recoveries", methods=["POST"])
@require("commission.pay")
def recoveries():
    """追回登记: the money of the ticked 待追回 lines came back."""
    project = project_or_404()
    form = RecoverForm(prefix="recover")
    if form.validate_on_submit():
        ok, lines = attempt(form, settlement.recover, project, form.lines.data or (),
                            _money_data(form), current_user)
        if ok:
            total = -sum((line.amount for line in lines), Decimal("0.00"))
            flash(f"已登记追回 {len(lines)} 笔佣金,合计 {format_money(total)}", "success")
            return redirect(url_for("commissions.payouts"))
    return _payouts(project, recover_form=form, status=422)


def _live_deals(project):
    deals = db.session.scalars(select(Deposit).where(
        Deposit.project_id == project.id, Deposit.status == "confirmed")
        .order_by(Deposit.id.desc())).all()
    return [deal for deal in deals if accrual.live_subscription(deal.id) is not None]


@bp.route("/referrals", methods=["GET", "POST"])
@require("commission.referrer")
def referrals():
    project = project_or_404()
    deals = _live_deals(project)
    form = ReferrerForm()
    form.deposit_id.choices = choices([(0, "请选择")] + [
        (d.id, f"{d.unit.label} {d.customer.name}") for d in deals])
    if not form.is_submitted():
        return render_page("commissions/referrals.html", form=form, deals=deals)
    if form.validate():
        deposit = find(Deposit, form.deposit_id.data)
        if deposit is None:
            form.deposit_id.errors.append("请选择成交房源")
        else:
            ok, _ = attempt(form, accrual.set_referrer, deposit, form.staff_referrer.data,
                            current_user)
            if ok:
                flash(f"已登记 {deposit.unit.label} 的内部员工推荐", "success")
                return redirect(url_for("commissions.referrals"))
    return render_page("commissions/referrals.html", status=422, form=form, deals=deals)
