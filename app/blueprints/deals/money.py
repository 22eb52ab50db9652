"""Finance: the 待确认收款 queue, confirm / reject, receipt books and printed receipts."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from app.blueprints.deals import bp
from app.blueprints.deals.forms import BookForm, ReasonForm, VoidReceiptForm
from app.loaders import load, project_or_404
from app.models import Deposit, Payment, Receipt
from app.pdf import pdf_response, printed
from app.policy import require
from app.qr import qr_data_uri
from app.services import clock
from app.services.deals import contracts, deposits, lookups, receipts
from app.services.money import format_money
from app.services.verification import verify_url
from app.web import attempt, form_status, render_page


@bp.route("/queue")
@require("deposit.queue")
def queue(reject_form=None, failed=None, status=200):
    project = project_or_404()
    return render_page("deals/queue.html", partial="deals/_queue.html", status=status,
                       deposits=deposits.pending(project.id),
                       payments=contracts.pending_payments(project.id),
                       reject_form=reject_form or ReasonForm(formdata=None), failed=failed)


@bp.route("/deposits/<int:deposit_id>/confirm", methods=["POST"])
@require("deposit.confirm")
def confirm_deposit(deposit_id):
    deposit = load(Deposit, deposit_id, "deposit.confirm")
    form = ReasonForm()
    ok = form.validate_on_submit() and attempt(form, deposits.confirm, deposit, current_user)[0]
    if not ok:
        return queue(reject_form=form, failed=("deposit", deposit.id), status=422)
    flash(f"已确认定金 {format_money(deposit.amount)},收据 No.{deposit.receipt.number:07d}",
          "success")
    return redirect(url_for("deals.queue"))


@bp.route("/deposits/<int:deposit_id>/reject", methods=["POST"])
@require("deposit.confirm")
def reject_deposit(deposit_id):
    deposit = load(Deposit, deposit_id, "deposit.confirm")
    form = ReasonForm()
    ok = form.validate_on_submit() and attempt(form, deposits.reject, deposit, form.reason.data,
                                               current_user)[0]
    if not ok:
        return queue(reject_form=form, failed=("deposit", deposit.id), status=422)
    flash(f"已退回定金 {format_money(deposit.amount)},收据 No.{deposit.receipt.number:07d} "
          "已作废,房源已恢复", "success")
    return redirect(url_for("deals.queue"))


def _payment(payment_id, approve):
    payment = load(Payment, payment_id, "payment.confirm")
    form = ReasonForm()
    ok = form.validate_on_submit() and attempt(form, contracts.decide_payment, payment, approve,
                                               form.reason.data, current_user)[0]
    if not ok:
        return queue(reject_form=form, failed=("payment", payment.id), status=422)
    flash(f"已{'确认' if approve else '退回'}回款 {format_money(payment.amount)},收据 "
          f"No.{payment.receipt.number:07d}", "success")
    return redirect(url_for("deals.queue"))


@bp.route("/payments/<int:payment_id>/confirm", methods=["POST"])
@require("payment.confirm")
def confirm_payment(payment_id):
    return _payment(payment_id, True)


@bp.route("/payments/<int:payment_id>/reject", methods=["POST"])
@require("payment.confirm")
def reject_payment(payment_id):
    return _payment(payment_id, False)


@bp.route("/receipts/<int:receipt_id>/pdf")
@require("receipt.print")
def receipt_pdf(receipt_id):
    receipt = load(Receipt, receipt_id)
    if receipt.unit_id is None:
        abort(404)  # a spoiled blank: nothing to print
    url = verify_url("receipt", receipt.id, receipts.receipt_fingerprint(receipt))
    pdf = printed(receipt.payer, f"收据 No.{receipt.number:07d}", "pdf/receipt.html",
                  receipt=receipt, qr=qr_data_uri(url), printed_at=clock.now())
    return pdf_response(pdf, f"收据-{receipt.number:07d}.pdf")


@bp.route("/receipt-books", methods=["GET", "POST"])
@require("receipt.books")
def receipt_books():
    project = project_or_404()
    form = BookForm()
    if form.validate_on_submit():
        ok, book = attempt(form, receipts.register_book, project.id, form.first_no.data,
                           form.last_no.data, form.holder.data, current_user)
        if ok:
            flash(f"已登记收据本 {book.first_no:07d}–{book.last_no:07d}", "success")
            return redirect(url_for("deals.receipt_books"))
    books, used = lookups.receipt_books(project.id)
    return render_page("deals/receipt_books.html", form=form, books=books, used=used,
                       status=form_status(form))


@bp.route("/receipts/void", methods=["GET", "POST"])
@require("receipt.void")
def void_receipt():
    """Finance voids a spoiled or wrongly written receipt: kept, never deleted or reused."""
    project = project_or_404()
    form = VoidReceiptForm()
    if request.method == "GET" and request.args.get("number", "").isdigit():
        form.receipt_no.data = request.args["number"][:20]
    if form.validate_on_submit():
        ok, receipt = attempt(form, receipts.void, project.id, form.receipt_no.data,
                              form.reason.data, current_user)
        if ok:
            flash(f"已作废收据 No.{receipt.number:07d},该编号不能再使用", "success")
            return redirect(url_for("deals.void_receipt"))
    return render_page("deals/receipt_void.html", form=form,
                       voided=receipts.recently_voided(project.id),
                       status=form_status(form))
