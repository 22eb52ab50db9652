"""Import the 房源表 (upload → row-level check → preview → apply), template download."""
from flask import abort, flash, redirect, url_for
from flask_login import current_user

from app.blueprints.board import bp
from app.blueprints.board.forms import ImportForm
from app.blueprints.board.routes import project_or_404
from app.extensions import db
from app.models import UnitImport
from app.policy import require
from app.services.board import unit_import, unit_sheet
from app.services.errors import RuleViolation
from app.web import apply_violation, render_page
from app.xlsx import xlsx_response

PREVIEW_ROWS = 100


@bp.route("/board/import", methods=["GET", "POST"])
@require("board.import")
def import_units():
    project = project_or_404()
    form = ImportForm()
    context = {"project": project, "form": form, "labels": unit_sheet.LABELS}
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            record, diff, ignored = unit_import.prepare(project, upload.filename or "房源表",
                                                        upload.read(), current_user)
        except unit_import.ImportRejected as exc:
            db.session.rollback()
            context.update(errors=exc.errors, error_total=exc.total)
            apply_violation(form, exc)
            status = 422
        except RuleViolation as exc:
            db.session.rollback()
            apply_violation(form, exc)
            status = 422
        else:
            db.session.commit()
            context.update(record=record, diff=diff, ignored=ignored, limit=PREVIEW_ROWS)
    elif form.is_submitted():
        status = 422
    return render_page("board/import.html", partial="board/_import_result.html", status=status,
                       **context)


@bp.route("/board/import/<int:import_id>/apply", methods=["POST"])
@require("board.import")
def import_apply(import_id):
    record = db.session.get(UnitImport, import_id) or abort(404)
    project = project_or_404(record.project_id)
    try:
        counts = unit_import.apply(record, project, current_user)
    except RuleViolation as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("board.import_units"))
    db.session.commit()
    flash(f"导入完成:新增 {counts['created']} 套,修改 {counts['updated']} 套"
          f"(调价 {counts['repriced']} 套),未变 {counts['unchanged']} 套,"
          f"已售未改动 {counts['locked']} 套", "success")
    return redirect(url_for("board.index"))


@bp.route("/board/import/template")
@require("board.import")
def import_template():
    return xlsx_response(unit_sheet.template_workbook(), "房源表模板.xlsx")
