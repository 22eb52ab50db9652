"""Import the 房源表 (upload → row-level check → preview → apply), template download."""
from flask import abort, flash, redirect, url_for
from flask_login import current_user

from app.blueprints.board import bp
from app.blueprints.board.forms import ImportForm
from app.loaders import load, project_or_404
from app.models import UnitImport
from app.policy import require
from app.services.board import unit_import, unit_sheet
from app.web import attempt, form_status, outside_transaction, perform, render_page
from app.xlsx import xlsx_response

PREVIEW_ROWS = 100


@bp.route("/board/import", methods=["GET", "POST"])
@require("board.import")
def import_units():
    project = project_or_404()
    form = ImportForm()
    context = {"project": project, "form": form, "labels": unit_sheet.LABELS}
    status = form_status(form)
    if form.validate_on_submit():
        upload = form.file.data
        name = upload.filename or "房源表"
        ok, result = outside_transaction(form, unit_sheet.read_file, name, upload.read())
        if ok:
            ok, result = attempt(form, unit_import.prepare, project, name, result, current_user)
        if ok:
            record, diff, ignored = result
            context.update(record=record, diff=diff, ignored=ignored, limit=PREVIEW_ROWS)
            status = 200
        elif isinstance(result, unit_import.ImportRejected):  # every line that is wrong
            context.update(errors=result.errors, error_total=result.total)
    return render_page("board/import.html", partial="board/_import_result.html", status=status,
                       **context)


@bp.route("/board/import/<int:import_id>/apply", methods=["POST"])
@require("board.import")
def import_apply(import_id):
    record = load(UnitImport, import_id)
    if record.kind != "units":
        abort(404)  # an opening-data preview applies from its own page
    ok, counts = perform(unit_import.apply, record, project_or_404(), current_user)
    if not ok:
        return redirect(url_for("board.import_units"))
    flash(f"导入完成:新增 {counts['created']} 套,修改 {counts['updated']} 套"
          f"(调价 {counts['repriced']} 套),未变 {counts['unchanged']} 套,"
          f"已售未改动 {counts['locked']} 套", "success")
    return redirect(url_for("board.index"))


@bp.route("/board/import/template")
@require("board.import")
def import_template():
    return xlsx_response(unit_sheet.template_workbook(), "房源表模板.xlsx")
