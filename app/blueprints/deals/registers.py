"""The registers: one page each with filters and totals, and its .xlsx export (audited)."""
from flask import abort, redirect, request, url_for

from app.blueprints.deals import bp
from app.blueprints.visits.forms import parse_day
from app.loaders import project_or_404
from app.policy import require
from app.services import audit, clock
from app.services.deals import lookups, registers
from app.web import commit, render_page
from app.xlsx import build_workbook, xlsx_response


def _filters():
    args = request.args
    return {"status": args.get("status") or None, "start": parse_day(args.get("start"), None),
            "end": parse_day(args.get("end"), None)}


def _register(name):
    if name not in registers.REGISTERS:
        abort(404)
    return registers.REGISTERS[name][0]


@bp.route("/registers/<name>")
@require("deals.view")
def register(name):
    project = project_or_404()
    spec, filters = _register(name), _filters()
    rows = lookups.register_rows(name, project.id, filters)
    return render_page("deals/register.html", partial="deals/_register.html", name=name,
                       spec=spec, rows=rows, totals=registers.totals(name, project.id, filters),
                       filters=filters, registers=registers.REGISTERS,
                       limit=registers.PAGE_LIMIT)


@bp.route("/registers/<name>.xlsx")
@require("deals.view")
def register_export(name):
    project = project_or_404()
    spec, filters = _register(name), _filters()
    rows = lookups.register_rows(name, project.id, filters, limit=None)
    totals = registers.totals(name, project.id, filters)
    commit(audit.record, "register_exported", "project", project.id, project_id=project.id,
           after={"register": spec.title, "rows": len(rows)})
    notes = [spec.title] + ([f"合计 {totals['count']} 笔;其中{spec.uncounted_labels()} "
                             f"{totals['uncounted']} 笔列出但不计入合计金额。"]
                            if totals["uncounted"] else []) + ([spec.note] if spec.note else [])
    data = build_workbook(spec.title, spec.columns, rows, totals, notes if len(notes) > 1 else None)
    return xlsx_response(data, f"{spec.title}-{clock.today():%Y%m%d}.xlsx")


@bp.route("/registers")
@require("deals.view")
def registers_index():
    return redirect(url_for("deals.register", name="small"))
