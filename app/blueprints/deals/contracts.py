"""Contracts 签约: sign from a subscription, instalments, payments 回款, arrears and 催款通知单."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from app.blueprints.deals import bp
from app.blueprints.deals.forms import ContractForm, PaymentForm
from app.blueprints.deals.routes import created_message, keyed
from app.forms import choices
from app.loaders import find, load, project_or_404
from app.models import Contract, Instalment, Subscription, Unit
from app.pdf import pdf_response, printed
from app.policy import require
from app.services import clock
from app.services.deals import contracts
from app.services.money import format_money
from app.web import attempt, form_status, render_page


@bp.route("/subscriptions/<int:subscription_id>/contract", methods=["GET", "POST"])
@require("contract.sign")
def new_contract(subscription_id):
    sub = load(Subscription, subscription_id)
    form = ContractForm()
    if request.method == "GET":
        form.sign_date.data = clock.today()
    if form.validate_on_submit():
        data = {"form_key": form.form_key.data, "number": form.number.data,
                "sign_date": form.sign_date.data, "first_due": form.first_due.data,
                "count": form.count.data}
        ok, result = attempt(form, contracts.sign, sub, data, current_user)
        if ok:
            contract, created = result
            created_message(created, f"已签约,合同编号 {contract.number},总价 "
                                     f"{format_money(contract.total_price)}")
            return redirect(url_for("deals.contract", contract_id=contract.id))
    signed = contracts.of_subscription(sub.id)
    return render_page("deals/contract_form.html", sub=sub, form=keyed(form), signed=signed,
                       signed_note=signed and contracts.already_signed(signed),
                       status=form_status(form))


@bp.route("/contracts/<int:contract_id>")
@require("deals.view")
def contract(contract_id, form=None, status=200):
    item = load(Contract, contract_id)
    form = form or PaymentForm(formdata=None)
    # a paid instalment (or one whose payment waits on finance) is not offered again
    form.instalment_id.choices = choices([(i.id, f"{i.label} · 未付 {format_money(left)}")
                                          for i, left in contracts.open_instalments(item)])
    ids = [i.id for i in item.instalments]
    return render_page("deals/contract.html", contract=item, form=keyed(form), status=status,
                       paid=contracts.paid(ids), pending=contracts.paid(ids, ("pending",)),
                       balance=contracts.balance(item), today=clock.today(),
                       credited=contracts.credited(item),
                       payments=sorted((p for i in item.instalments for p in i.payments),
                                       key=lambda p: p.id))


@bp.route("/contracts/<int:contract_id>/payments", methods=["POST"])
@require("payment.record")
def record_payment(contract_id):
    item = load(Contract, contract_id)
    form = PaymentForm()
    form.instalment_id.choices = choices([(i.id, i.label) for i in item.instalments])
    if form.validate_on_submit():
        instalment = find(Instalment, form.instalment_id.data)
        ok, result = attempt(form, contracts.record_payment, instalment, form.amount.data,
                             form.method.data, form.receipt_no.data, form.form_key.data,
                             current_user)
        if ok:
            payment, created = result
            created_message(created, f"已登记回款 {format_money(payment.amount)},收据 "
                                     f"No.{payment.receipt.number:07d},等待财务确认")
            return redirect(url_for("deals.contract", contract_id=item.id))
    return contract(contract_id, form=form, status=422)


@bp.route("/overdue")
@require("deals.view")
def overdue():
    project = project_or_404()
    rows = contracts.overdue(project.id)
    return render_page("deals/overdue.html", rows=rows, defaults=contracts.in_default(rows))


@bp.route("/instalments/<int:instalment_id>/reminder.pdf")
@require("deals.view")
def reminder_pdf(instalment_id):
    instalment = load(Instalment, instalment_id)
    unpaid = instalment.due - contracts.paid([instalment.id]).get(instalment.id, 0)
    today = clock.today()
    if instalment.due_date >= today or unpaid <= 0:
        flash("该期款项未逾期,无需催款", "warning")
        return redirect(url_for("deals.contract", contract_id=instalment.contract_id))
    contract = instalment.contract
    pdf = printed(contract.customer, f"催款通知单 {contract.number}-{instalment.seq}",
                  "pdf/reminder.html", instalment=instalment, contract=contract,
                  unpaid=unpaid, days=(today - instalment.due_date).days, today=today)
    return pdf_response(pdf, f"催款通知单-{instalment.contract.number}-{instalment.seq}.pdf")


@bp.route("/units/<int:unit_id>/contract")
@require("contract.sign")
def unit_contract(unit_id):
    """The board's 签约 button: the contract form of the unit's current subscription."""
    from app.services.deals import subscriptions
    sub = subscriptions.current_for(load(Unit, unit_id).id) or abort(404)
    return redirect(url_for("deals.new_contract", subscription_id=sub.id))
