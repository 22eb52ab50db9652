"""佣金明细表, 佣金结算表 (.xlsx), and the 佣金结算单 of one payee for a period (page and PDF;
for a channel company it is the company's statement)."""
from flask import abort, request
from flask_login import current_user

from app.blueprints.commissions import bp
from app.blueprints.visits.forms import parse_day
from app.loaders import project_or_404
from app.models.commission import PAYEE_KINDS, LineStatus
from app.pdf import pdf_response, render_pdf
from app.policy import require
from app.services import audit, clock
from app.services.commissions import registers
from app.web import commit, filter_args, render_page
from app.xlsx import build_workbook, xlsx_response

DETAIL, SUMMARY = "佣金明细表", "佣金结算表"


def _filters():
    args = request.args
    status = args.get("status")
    kind = args.get("payee_kind")
    return {"payee": (args.get("payee") or "")[:80] or None,
            "payee_kind": kind if kind in PAYEE_KINDS else None,
            "status": status if status in LineStatus.LABELS else None,
            "start": parse_day(args.get("start"), None), "end": parse_day(args.get("end"), None)}


def _context(project, filters):
    return {"filters": filters, "payees": registers.payees(project.id, current_user),
            "export_args": filter_args(registers.FILTERS)}


@bp.route("/")
@require("commission.view")
def index():
    project = project_or_404()
    filters = _filters()
    return render_page("commissions/index.html", partial="commissions/_rows.html",
                       rows=registers.rows(project.id, filters, current_user),
                       totals=registers.totals(project.id, filters, current_user),
                       columns=registers.PAGE_COLUMNS, limit=registers.PAGE_LIMIT,
                       **_context(project, filters))


@bp.route("/summary")
@require("commission.view")
def summary():
    project = project_or_404()
    filters = _filters()
    rows, totals = registers.summary(project.id, filters, current_user)
    return render_page("commissions/summary.html", rows=rows, totals=totals,
                       columns=registers.SUMMARY_COLUMNS, **_context(project, filters))


def _export(title, columns, rows, totals):
    project = project_or_404()
    commit(audit.record, "commissions_exported", "project", project.id, project_id=project.id,
           after={"register": title, "rows": len(rows)})
    return xlsx_response(build_workbook(title, columns, rows, totals),
                         f"{title}-{clock.today():%Y%m%d}.xlsx")


@bp.route("/export.xlsx")
@require("commission.registers")
def export():
    project, filters = project_or_404(), _filters()
    rows = registers.rows(project.id, filters, limit=None)
    return _export(DETAIL, registers.COLUMNS, rows, registers.totals(project.id, filters))


@bp.route("/summary.xlsx")
@require("commission.registers")
def export_summary():
    project, filters = project_or_404(), _filters()
    rows, totals = registers.summary(project.id, filters)
    return _export(SUMMARY, registers.SUMMARY_COLUMNS, rows, totals)


def _statement(project):
    filters = _filters()
    if not filters["payee"]:
        return filters, None, [], None
    rows = registers.rows(project.id, filters, limit=None)
    summary_rows, _ = registers.summary(project.id, filters)
    return filters, (summary_rows[0] if summary_rows else None), rows, \
        registers.totals(project.id, filters)


@bp.route("/statement")
@require("commission.registers")
def statement():
    project = project_or_404()
    filters, payee, rows, totals = _statement(project)
    return render_page("commissions/statement.html", payee=payee, rows=rows, totals=totals,
                       **_context(project, filters))


@bp.route("/statement.pdf")
@require("commission.registers")
def statement_pdf():
    project = project_or_404()
    filters, payee, rows, totals = _statement(project)
    if payee is None:
        abort(404)
    pdf = render_pdf("pdf/commission_statement.html", project=project, payee=payee,
                     rows=rows, totals=totals, filters=filters, printed_at=clock.now())
    return pdf_response(pdf, f"佣金结算单-{payee['payee_name']}-{clock.today():%Y%m%d}.pdf")
