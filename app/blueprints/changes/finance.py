"""Finance: refunds to pay out (退款收据) and 过户费 to confirm."""
from flask import abort, flash, redirect, url_for
from flask_login import current_user

from app.blueprints.changes import bp
from app.blueprints.changes.forms import FeeForm, PayForm
from app.loaders import load, project_or_404
from app.models import Payout, TransferFee
from app.pdf import pdf_response, printed
from app.policy import require
from app.qr import qr_data_uri
from app.services import clock
from app.services.changes import payouts
from app.services.money import format_money
from app.services.verification import verify_url
from app.web import attempt, render_page


@bp.route("/finance")
@require("payout.pay")
def finance(pay_form=None, fee_form=None, failed=None, status=200):
    project = project_or_404()
    return render_page("changes/finance.html", status=status,
                       payouts=payouts.pending_payouts(project.id),
                       paid=payouts.recent_payouts(project.id),
                       fees=payouts.pending_fees(project.id),
                       pay_form=pay_form or PayForm(formdata=None),
                       fee_form=fee_form or FeeForm(formdata=None), failed=failed)


@bp.route("/payouts/<int:payout_id>/pay", methods=["POST"])
@require("payout.pay")
def pay(payout_id):
    payout = load(Payout, payout_id)
    form = PayForm()
    if form.validate_on_submit() and attempt(form, payouts.pay, payout, form.method.data,
                                             current_user)[0]:
        flash(f"已支付退款 {format_money(payout.amount)},退款收据 {payout.number}", "success")
        return redirect(url_for("changes.finance"))
    return finance(pay_form=form, failed=("payout", payout.id), status=422)


@bp.route("/payouts/<int:payout_id>/pdf")
@require("receipt.print")
def payout_pdf(payout_id):
    payout = load(Payout, payout_id)
    if payout.status != "paid":
        abort(404)
    url = verify_url("payout", payout.id, payouts.payout_fingerprint(payout))
    pdf = printed(payout.customer, f"退款收据 {payout.number}", "pdf/refund_receipt.html",
                  payout=payout, change=payout.change, qr=qr_data_uri(url),
                  printed_at=clock.now())
    return pdf_response(pdf, f"退款收据-{payout.number}.pdf")


def _fee(fee_id, approve):
    fee = load(TransferFee, fee_id, "fee.confirm")
    form = FeeForm()
    if form.validate_on_submit() and attempt(form, payouts.decide_fee, fee, approve,
                                             form.reason.data, current_user)[0]:
        flash(f"已{'确认' if approve else '退回'}过户费 {format_money(fee.amount)},收据 "
              f"No.{fee.receipt.number:07d}", "success")
        return redirect(url_for("changes.finance"))
    return finance(fee_form=form, failed=("fee", fee.id), status=422)


@bp.route("/fees/<int:fee_id>/confirm", methods=["POST"])
@require("fee.confirm")
def confirm_fee(fee_id):
    return _fee(fee_id, True)


@bp.route("/fees/<int:fee_id>/reject", methods=["POST"])
@require("fee.confirm")
def reject_fee(fee_id):
    return _fee(fee_id, False)
