"""换房退房一览表 (filters, .xlsx export) and the reasons report."""
from flask import request
from flask_login import current_user

from app.blueprints.changes import bp
from app.blueprints.visits.forms import parse_day
from app.loaders import db_id, project_or_404
from app.policy import can, require
from app.services import audit, clock
from app.services.changes import execute as executing
from app.services.changes import registers
from app.services.customers import cards
from app.web import commit, filter_args, render_page
from app.xlsx import build_workbook, xlsx_response

TITLE = "换房退房一览表"


FILTERS = ("kind", "status", "reason", "building", "consultant", "start", "end",
           "basis", "stage")


def _filters():
    args = request.args
    return {"kind": args.get("kind") or None, "status": args.get("status") or None,
            "reason": args.get("reason") or None, "building": args.get("building", type=db_id),
            "consultant": args.get("consultant", type=db_id),
            "start": parse_day(args.get("start"), None), "end": parse_day(args.get("end"), None),
            "basis": args.get("basis") if args.get("basis") in registers.BASES else None,
            "stage": args.get("stage") if args.get("stage") in registers.STAGES else None}


def _filter_choices(project):
    return {"buildings": registers.buildings(project.id), "bases": registers.BASES,
            "stages": registers.STAGES,
            "consultants": cards.consultants(active_only=False)}


@bp.route("/")
@require("change.view")
def index():
    project = project_or_404()
    filters = _filters()
    todo = {}
    if can(current_user, "change.decide"):
        # not the user's own requests: another manager decides those (an object rule)
        todo["pending"] = [c for c in executing.pending(project.id, "pending")
                           if can(current_user, "change.decide", c)]
    if can(current_user, "change.execute"):
        todo["approved"] = executing.pending(project.id, "approved")
    return render_page("changes/index.html", partial="changes/_rows.html", filters=filters,
                       rows=registers.rows(project.id, filters, current_user),
                       totals=registers.totals(project.id, filters, current_user),
                       columns=registers.COLUMNS, limit=registers.PAGE_LIMIT, todo=todo,
                       export_args=filter_args(FILTERS),
                       **_filter_choices(project))


@bp.route("/export.xlsx")
@require("change.register")
def export():
    project = project_or_404()
    filters = _filters()
    rows = registers.rows(project.id, filters, limit=None)
    commit(audit.record, "changes_exported", "project", project.id, project_id=project.id,
           after={"register": TITLE, "rows": len(rows)})
    data = build_workbook(TITLE, registers.COLUMNS, rows,
                          registers.totals(project.id, filters))
    return xlsx_response(data, f"{TITLE}-{clock.today():%Y%m%d}.xlsx")


@bp.route("/reasons")
@require("change.register")
def reasons():
    project = project_or_404()
    filters = _filters()
    return render_page("changes/reasons.html", filters=filters,
                       report=registers.reasons(project.id, filters),
                       **_filter_choices(project))
