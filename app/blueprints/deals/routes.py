"""Deposit and subscription pages: record a deposit on a unit, sign and correct 认购书."""
from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.blueprints.deals import bp
from app.blueprints.deals.forms import DepositForm, ReissueForm, SubscriptionForm
from app.loaders import load
from app.models import Subscription, Unit
from app.pdf import pdf_response, printed
from app.policy import require
from app.qr import qr_data_uri
from app.services import clock
from app.services.customers import cards
from app.services.customers.phones import mask_id_number
from app.services.deals import deposits, lookups, price_policy, subscriptions
from app.services.deals.common import PLANS, new_form_key
from app.services.deals.identity import masked_lines
from app.services.money import format_money
from app.services.verification import verify_url
from app.web import attempt, form_status, render_page


def customer_choices(project_id):
    return [(0, "— 请选择 —")] + [(c.id, f"{c.name}(尾号 {c.phone[-4:]})")
                                 for c in cards.pickable(project_id, current_user)]


def consultant_choices():
    return [(0, "— 请选择 —")] + [(u.id, u.display_name) for u in cards.consultants()]


def keyed(form):
    """A fresh one-time key on a form shown for the first time."""
    if not form.form_key.data:
        form.form_key.data = new_form_key()
    return form


def created_message(created, text):
    flash(text if created else "该表单已提交过,以下是第一次提交的结果", "success")


@bp.route("/units/<int:unit_id>/deposit", methods=["GET", "POST"])
@require("deposit.record")
def new_deposit(unit_id):
    unit = load(Unit, unit_id, "deposit.record")
    form = DepositForm()
    form.customer_id.choices = customer_choices(unit.building.project_id)
    form.consultant_id.choices = consultant_choices()
    if unit.held_by_id and not form.consultant_id.data:
        form.consultant_id.data = unit.held_by_id
    if form.validate_on_submit():
        ok, result = attempt(form, deposits.record, unit, kind=form.kind.data,
                             amount_text=form.amount.data, method=form.method.data,
                             receipt_no=form.receipt_no.data, customer_id=form.customer_id.data,
                             consultant_id=form.consultant_id.data,
                             form_key=form.form_key.data, actor=current_user,
                             case=form.case.data)
        if ok:
            deposit, created = result
            created_message(created, f"已登记定金 {format_money(deposit.amount)},收据 "
                                     f"No.{deposit.receipt.number:07d},等待财务确认")
            return redirect(url_for("board.index", building=unit.building_id, unit=unit.id))
    status = form_status(form)
    return render_page("deals/deposit_form.html", unit=unit, form=keyed(form), status=status)


def subscription_data(form):
    return {"form_key": form.form_key.data, "customer_id": form.customer_id.data,
            "co_buyers": form.co_buyers.data, "deal_price": form.deal_price.data,
            "plan": form.plan.data, "down_payment": form.down_payment.data,
            "bank": form.bank.data, "sign_deadline": form.sign_deadline.data,
            "address": form.address.data, "id_type": form.id_type.data,
            "id_number": form.id_number.data, "identity_note": form.identity_note.data}


@bp.route("/units/<int:unit_id>/subscription", methods=["GET", "POST"])
@require("subscription.sign")
def new_subscription(unit_id):
    unit = load(Unit, unit_id)
    deposit = deposits.confirmed_for(unit.id)
    form = SubscriptionForm()
    form.customer_id.choices = customer_choices(unit.building.project_id)
    if request.method == "GET" and deposit is not None:  # the deposit's customer
        form.customer_id.data = deposit.customer_id
    if form.validate_on_submit():
        ok, result = attempt(form, subscriptions.sign, unit, subscription_data(form),
                             current_user)
        if ok:
            sub, created = result
            created_message(created, f"认购书 {sub.number} 已签,成交总价 "
                                     f"{format_money(sub.deal_price)},{unit.building.name} "
                                     f"{unit.unit_no} 已售")
            return redirect(url_for("deals.subscription", subscription_id=sub.id))
    status = form_status(form)
    plan = form.plan.data if form.plan.data in PLANS else None
    steps, standard = price_policy.breakdown(unit, plan)
    card = deposit.customer.id_number if deposit is not None else None
    return render_page("deals/subscription_form.html", unit=unit, deposit=deposit,
                       form=keyed(form), status=status, steps=steps, standard=standard,
                       id_on_file=card and mask_id_number(card), id_source="定金客户卡上",
                       plan=plan, deal=lookups.typed_price(form.deal_price.data, standard)[0],
                       error=None)


@bp.route("/subscriptions/<int:subscription_id>")
@require("deals.view")
def subscription(subscription_id, form=None, status=200):
    sub = load(Subscription, subscription_id)
    from app.services.deals import contracts
    if form is None:
        form = ReissueForm(formdata=None, obj=None)
        form.customer_id.choices = customer_choices(sub.project_id)
        form.process(data={"customer_id": sub.customer_id, "plan": sub.plan,
                           "deal_price": f"{sub.deal_price}", "bank": sub.bank,
                           "down_payment": sub.down_payment and f"{sub.down_payment}",
                           "sign_deadline": sub.sign_deadline, "address": sub.address,
                           "id_type": sub.buyer_id_type or "id_card",
                           "identity_note": sub.identity_note,
                           "co_buyers": masked_lines(subscriptions.co_buyers(sub))})
    return render_page("deals/subscription.html", sub=sub, form=keyed(form), status=status,
                       id_on_file=sub.buyer_id_number and mask_id_number(sub.buyer_id_number),
                       id_source="原认购书",
                       buyers=subscriptions.co_buyers(sub),
                       contract=contracts.of_subscription(sub.id),
                       paid_deposits=subscriptions.deposits_paid(sub),
                       balance=subscriptions.balance(sub),
                       split_label=deposits.split_label(sub.deposit),
                       replaced_by=lookups.replacement_of(sub), outcome=lookups.outcome_of(sub))


@bp.route("/subscriptions/<int:subscription_id>/reissue", methods=["POST"])
@require("subscription.void")
def reissue(subscription_id):
    sub = load(Subscription, subscription_id)
    form = ReissueForm()
    form.customer_id.choices = customer_choices(sub.project_id)
    if form.validate_on_submit():
        ok, result = attempt(form, subscriptions.void_and_reissue, sub,
                             subscription_data(form), form.reason.data, current_user)
        if ok:
            fresh, created = result
            created_message(created, f"认购书 {sub.number} 已作废,已重开 {fresh.number},"
                                     f"成交总价 {format_money(fresh.deal_price)}")
            return redirect(url_for("deals.subscription", subscription_id=fresh.id))
    return subscription(subscription_id, form=form, status=422)


@bp.route("/subscriptions/<int:subscription_id>/pdf")
@require("deals.view")
def subscription_pdf(subscription_id):
    sub = load(Subscription, subscription_id)
    url = verify_url("subscription", sub.id, subscriptions.subscription_fingerprint(sub))
    pdf = printed(sub.customer, f"认购书 {sub.number}", "pdf/subscription.html", sub=sub,
                  qr=qr_data_uri(url),
                  buyers=subscriptions.co_buyers(sub), printed_at=clock.now(),
                  paid_deposits=subscriptions.deposits_paid(sub),
                  balance=subscriptions.balance(sub), outcome=lookups.outcome_of(sub),
                  copies=("客户联", "财务联", "销售联", "销售联(存档)"))
    return pdf_response(pdf, f"认购书-{sub.number}.pdf")
