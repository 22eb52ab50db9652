"""期初数据: templates, upload → line-by-line check → preview, apply all or nothing."""
from flask import abort
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired

from app.blueprints.opening import bp
from app.forms import Form
from app.loaders import load, project_or_404
from app.models import UnitImport
from app.policy import require
from app.services.board.unit_rows import ImportRejected
from app.services.opening import runner
from app.web import attempt, render_page
from app.xlsx import xlsx_response

LABELS = {"customers": "期初客户", "deals": "期初成交", "users": "员工账号"}


class UploadForm(Form):
    file = FileField("文件(.xlsx 或 .csv)", validators=[FileRequired("请选择要导入的文件")])


def _kind(kind):
    return kind if kind in runner.KINDS else abort(404)


@bp.route("/")
@require("opening.import")
def index():
    return render_page("opening/index.html", project=project_or_404(), labels=LABELS,
                       form=UploadForm(formdata=None))


@bp.route("/<kind>/template")
@require("opening.import")
def template(kind):
    return xlsx_response(runner.template_for(_kind(kind)), f"{LABELS[kind]}模板.xlsx")


@bp.route("/<kind>", methods=["POST"])
@require("opening.import")
def upload(kind):
    project, kind = project_or_404(), _kind(kind)
    form = UploadForm()
    context = {"project": project, "labels": LABELS, "form": form, "kind": kind}
    status = 422
    if form.validate_on_submit():
        file = form.file.data
        ok, result = attempt(form, runner.prepare, kind, project,
                             file.filename or LABELS[kind], file.read(), current_user)
        if ok:
            context["record"], context["preview"] = result
            status = 200
        elif isinstance(result, ImportRejected):
            context.update(errors=result.errors, error_total=result.total)
    return render_page("opening/index.html", partial="opening/_result.html", status=status,
                       **context)


@bp.route("/imports/<int:import_id>/apply", methods=["POST"])
@require("opening.import")
def apply(import_id):
    record = load(UnitImport, import_id)
    if record.kind not in runner.KINDS:
        abort(404)
    form = Form()
    context = {"project": project_or_404(), "labels": LABELS, "kind": record.kind,
               "form": UploadForm(formdata=None)}
    ok, result = (attempt(form, runner.apply, record, context["project"], current_user)
                  if form.validate_on_submit() else (False, None))
    if ok:
        context.update(applied=result, record=record)
    elif isinstance(result, ImportRejected):
        context.update(errors=result.errors, error_total=result.total)
    else:
        context["refused"] = result.message if result else "请求已失效,请重新上传"
    return render_page("opening/index.html", partial="opening/_result.html",
                       status=200 if ok else 422, **context)
