"""The log 特殊优惠客户一览表: filters, totals, .xlsx and PDF export."""
from flask import request
from flask_login import current_user

from app.blueprints.discounts import bp
from app.blueprints.discounts.common import building_choices, show_floor, user_choices
from app.blueprints.discounts.forms import LogFilterForm
from app.loaders import project_or_404
from app.pdf import pdf_response, render_pdf
from app.policy import authorize, require
from app.services import audit
from app.services.clock import local, now
from app.services.discounts import queries, register
from app.web import commit, filter_args, render_page
from app.xlsx import Column, build_workbook, xlsx_response

COLUMNS = [
    Column("申请时间", "created_at", "datetime", 17), Column("客户", "customer", width=10),
    Column("电话", "phone", width=13), Column("房源", "unit", width=12),
    Column("户型", "layout", width=14), Column("置业顾问", "consultant", width=10),
    Column("特殊优惠", "discount", width=20), Column("表价", "list_price", "money", 15),
    Column("标准优惠价", "standard_price", "money", 15),
    Column("成交价", "deal_price", "money", 15),
    Column("特殊优惠额", "discount_amount", "money", 14),
    Column("低于表价", "percent", "percent", 10),
]
FLOOR_COLUMNS = [Column("底价", "floor_price", "money", 15),
                 Column("成交价-底价", "floor_gap", "money", 14)]
TAIL_COLUMNS = [
    Column("状态", "status", width=18), Column("审批人", "approver", width=10),
    Column("口头", "verbal", width=6), Column("审批时间", "decided_at", "datetime", 17),
    Column("认购书", "subscription", width=14), Column("理由", "reason", width=30),
    Column("经过", "history", width=60),
]


def _filters(project):
    form = LogFilterForm(request.args)
    form.approver_id.choices = user_choices("discount.decide")
    form.consultant_id.choices = user_choices("discount.request")
    form.building_id.choices = building_choices(project.id, blank="全部")
    form.validate()
    filters = register.Filters(
        start=None if form.start.errors else form.start.data,
        end=None if form.end.errors else form.end.data,
        approver_id=form.approver_id.data, consultant_id=form.consultant_id.data,
        building_id=form.building_id.data, status=form.status.data or None)
    return form, filters


@bp.route("/log")
@require("discount.log")
def log():
    project = project_or_404()
    form, filters = _filters(project)
    at = now()
    rows = [queries.view_of(r, current_user, show_floor(), at=at, rights=False)
            for r in register.entries(project.id, filters, at)]
    totals = register.totals(project.id, filters, at)
    return render_page("discounts/log.html", partial="discounts/_log_rows.html", form=form,
                       rows=rows, totals=totals, at=at, limit=register.PAGE_LIMIT,
                       export_args=filter_args(form.data))


def _export(project, fmt):
    """All matching rows, and an audit row saying who exported the register."""
    authorize("data.export")
    _form, filters = _filters(project)
    at = now()
    totals = register.totals(project.id, filters, at)
    project_id = project.id
    commit(audit.record, "discount_log_exported", "discount_request", None,
           project_id=project_id, fresh=True,
           after={"format": fmt, "rows": totals["count"], "filters": request.args.to_dict()})
    return register.entries(project_id, filters, at, limit=None), totals, at


@bp.route("/log.xlsx")
@require("discount.log")
def log_xlsx():
    project = project_or_404()
    rows, totals, at = _export(project, "xlsx")
    floor = show_floor()
    columns = COLUMNS + (FLOOR_COLUMNS if floor else []) + TAIL_COLUMNS
    data = build_workbook("特殊优惠客户一览表", columns, register.export_rows(rows, at, floor),
                          totals={"discount_amount": totals["amount"]})
    return xlsx_response(data, f"特殊优惠客户一览表-{local(at):%Y%m%d}.xlsx")


@bp.route("/log.pdf")
@require("discount.log")
def log_pdf():
    project = project_or_404()
    rows, totals, at = _export(project, "pdf")
    pdf = render_pdf("pdf/discounts_log.html", project=project, at=at, totals=totals,
                     rows=register.export_rows(rows, at, show_floor()), floor=show_floor(),
                     printed_by=current_user.display_name)
    return pdf_response(pdf, f"特殊优惠客户一览表-{local(at):%Y%m%d}.pdf")
