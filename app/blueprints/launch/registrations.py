"""认筹 pages: register a buyer, the list with finance's decisions, the export, the 认筹单."""
from flask import abort, flash, redirect, url_for
from flask_login import current_user

from app.blueprints.launch import bp
from app.blueprints.launch.forms import ReasonForm, RegistrationForm
from app.forms import choices
from app.loaders import load
from app.models import Launch, LaunchRegistration
from app.pdf import pdf_response, printed
from app.policy import authorize, require
from app.qr import qr_data_uri
from app.services import audit, clock
from app.services.deals.common import new_form_key
from app.services.launch import lookups, registrations
from app.services.money import format_money
from app.services.verification import verify_url
from app.web import attempt, commit, form_status, render_page
from app.xlsx import Column, build_workbook, xlsx_response

EXPORT_COLUMNS = [Column("认筹号", "code", width=10), Column("客户", "name"),
                  Column("电话", "phone"), Column("置业顾问", "consultant"),
                  Column("诚意金", "amount", "money"), Column("付款方式", "method", width=10),
                  Column("收据", "receipt", width=12), Column("意向户型", "layouts", width=24),
                  Column("状态", "status", width=10),
                  Column("登记时间", "registered_at", "datetime", width=17),
                  Column("排号", "queue_no", width=8), Column("选房", "call", width=8),
                  Column("选定房源", "unit")]


@bp.route("/launches/<int:launch_id>/registrations")
@require("launch.view")
def registrations_list(launch_id, reason_form=None, failed=None, status=200):
    launch = load(Launch, launch_id)
    return render_page("launch/registrations.html", status=status, launch=launch,
                       entries=registrations.listing(launch, current_user), failed=failed,
                       reason_form=reason_form or ReasonForm(formdata=None))


def layout_choices(project_id):
    return [(layout, layout) for layout in lookups.layouts(project_id)]


@bp.route("/launches/<int:launch_id>/register", methods=["GET", "POST"])
@require("launch.register")
def register(launch_id):
    launch = load(Launch, launch_id)
    form = RegistrationForm()
    form.customer_id.choices = choices([(0, "— 请选择 —")] + [
        (c.id, f"{c.name}(尾号 {c.phone[-4:]})")
        for c in registrations.customers_for(launch.project_id, current_user)])
    form.consultant_id.choices = choices([(0, "— 客户归属顾问 —")] + [
        (u.id, u.display_name) for u in registrations.consultants()])
    form.layouts.choices = layout_choices(launch.project_id)
    if not form.is_submitted():
        form.form_key.data = new_form_key()
        form.amount.data = f"{launch.sincerity_amount:.2f}"
    if form.validate_on_submit():
        ok, result = attempt(form, registrations.register, launch,
                             customer_id=form.customer_id.data, amount_text=form.amount.data,
                             method=form.method.data, receipt_no=form.receipt_no.data,
                             layouts=form.layouts.data, consultant_id=form.consultant_id.data,
                             form_key=form.form_key.data, actor=current_user)
        if ok:
            entry, created = result
            flash(f"已认筹:{entry.code} {entry.customer.name},诚意金 "
                  f"{format_money(entry.amount)},收据 No.{entry.receipt.number:07d},待财务确认"
                  if created
                  else "该表单已提交过,以下是第一次提交的结果", "success")
            return redirect(url_for("launch.registrations_list", launch_id=launch.id))
    return render_page("launch/register.html", launch=launch, form=form,
                       status=form_status(form))


@bp.route("/launches/<int:launch_id>/registrations.xlsx")
@require("data.export")
def export(launch_id):
    launch = load(Launch, launch_id)
    entries = registrations.listing(launch, current_user)
    notes = [f"{launch.name} 认筹明细", f"导出时间 {clock.local(clock.now()):%Y-%m-%d %H:%M}",
             "电话已脱敏"]
    data = build_workbook("认筹明细", EXPORT_COLUMNS, registrations.export_rows(entries),
                          notes=notes)
    commit(audit.record, "launch_registration_exported", "launch", launch.id,
           project_id=launch.project_id, after={"rows": len(entries)})
    return xlsx_response(data, f"{launch.name}-认筹明细-{clock.today():%Y%m%d}.xlsx")


@bp.route("/launches/registrations/<int:entry_id>/pdf")
@require("receipt.print")
def registration_pdf(entry_id):
    entry = load(LaunchRegistration, entry_id)
    url = verify_url("launch_registration", entry.id,
                     registrations.registration_fingerprint(entry))
    pdf = printed(entry.customer, f"认筹单 {entry.code}", "pdf/launch_registration.html",
                  entry=entry, launch=entry.launch, qr=qr_data_uri(url), printed_at=clock.now())
    return pdf_response(pdf, f"认筹单-{entry.code}.pdf")


DECISIONS = {"confirm": (registrations.confirm, "已确认诚意金 {amount},收据 {receipt}"),
             "reject": (registrations.reject, "已退回诚意金 {amount},收据 {receipt} 作废"),
             "refund": (registrations.refund,
                        "已登记诚意金退款 {amount}(收据 {receipt}),该客户退出排队")}


@bp.route("/launches/registrations/<int:entry_id>/<decision>", methods=["POST"])
@require("launch.confirm")
def decide(entry_id, decision):
    entry = load(LaunchRegistration, entry_id)
    call, message = DECISIONS.get(decision) or abort(404)
    authorize("launch.confirm", entry)
    form = ReasonForm()
    args = (entry, current_user) if decision == "confirm" else (entry, form.reason.data,
                                                                 current_user)
    ok = form.validate_on_submit() and attempt(form, call, *args)[0]
    if not ok:
        return registrations_list(entry.launch_id, reason_form=form, failed=entry.id,
                                  status=422)
    flash(f"{entry.code}:" + message.format(amount=format_money(entry.amount),
                                            receipt=f"No.{entry.receipt.number:07d}"), "success")
    return redirect(url_for("launch.registrations_list", launch_id=entry.launch_id))
