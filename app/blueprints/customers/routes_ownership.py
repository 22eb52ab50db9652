"""The manager's side: public pool, reassignments, monthly recycling, downgrades, option lists,
the access log, and the customer export."""
from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.blueprints.customers import bp
from app.blueprints.customers.common import consultant_choices
from app.blueprints.customers.forms import AssignForm, ExportReasonForm, OptionsForm, ReassignForm
from app.loaders import db_id, load, project_or_404
from app.models import GradeChange
from app.policy import authorize, require
from app.services.customers import cards, ownership, privacy, visits
from app.services.customers.options import OPTION_KINDS, all_options, is_customised, set_options
from app.web import attempt, commit, perform, render_page
from app.xlsx import Column, build_workbook, xlsx_response


def _consultant_choices(form_field, blank=None):
    form_field.choices = consultant_choices(blank)


def _ownership_page(project, status=200, assign_form=None, reassign_form=None):
    assign_form = assign_form or AssignForm(formdata=None)
    reassign_form = reassign_form or ReassignForm(formdata=None)
    _consultant_choices(assign_form.to_user, "随机平均分配给全部在职顾问")
    _consultant_choices(reassign_form.from_user)
    _consultant_choices(reassign_form.to_user, "随机平均分配给其他顾问")
    return render_page(
        "customers/ownership.html", status=status, project=project,
        pool=ownership.pool(project.id), expired=ownership.expired_owned(project),
        recycle_due=ownership.recycle_due(project), last_recycle=ownership.last_recycle(project),
        downgrades=visits.downgrades(project.id), assign_form=assign_form,
        reassign_form=reassign_form, kinds=ownership.CHANGE_KINDS)


@bp.route("/ownership")
@require("customers.assign")
def ownership_page():
    return _ownership_page(project_or_404())


@bp.route("/ownership/assign", methods=["POST"])
@require("customers.assign")
def assign_pool():
    """From the public pool: the chosen customers to one consultant, or shared at random."""
    project = project_or_404()
    form = AssignForm()
    _consultant_choices(form.to_user, "随机")
    ok, counts = attempt(form, ownership.assign_pool, project, form.customer_ids.data,
                         form.to_user.data, by=current_user)
    if not ok:
        return _ownership_page(project, 422, assign_form=form)
    if form.to_user.data:
        (user, count), = counts.items()
        flash(f"已将 {count} 位客户分配给 {user.display_name}", "success")
    else:
        flash("已随机分配:" + _shares(counts), "success")
    return redirect(url_for("customers.ownership_page"))


def _shares(counts):
    return "、".join(f"{u.display_name} {n} 位" for u, n in counts.items() if n)


@bp.route("/ownership/reassign", methods=["POST"])
@require("customers.assign")
def reassign():
    """Leave or resignation: all customers of one consultant move (随机抽数分配 or to one)."""
    project = project_or_404()
    form = ReassignForm()
    if form.validate_on_submit():
        ok, counts = attempt(form, ownership.reassign_all, project, form.from_user.data,
                             form.to_user.data, by=current_user, reason=form.reason.data)
        if ok:
            flash("已转移:" + _shares(counts), "success")
            return redirect(url_for("customers.ownership_page"))
    return _ownership_page(project, 422, reassign_form=form)


@bp.route("/ownership/release", methods=["POST"])
@require("customers.assign")
def release_expired():
    released = commit(ownership.release_expired, project_or_404(), by=current_user)
    flash(f"已将 {len(released)} 位建档过期的客户释放到公共池", "success")
    return redirect(url_for("customers.ownership_page"))


@bp.route("/ownership/recycle", methods=["POST"])
@require("customers.assign")
def recycle():
    ok, recycled = perform(ownership.recycle, project_or_404(), by=current_user)
    if ok:
        flash(f"本月回收完成:{len(recycled)} 位到访满 3 个月未成交的客户进入公共池", "success")
    return redirect(url_for("customers.ownership_page"))


@bp.route("/downgrades/<int:change_id>/ack", methods=["POST"])
@require("customers.assign")
def acknowledge_downgrade(change_id):
    change = load(GradeChange, change_id)
    if perform(visits.acknowledge, change, by=current_user)[0]:
        flash(f"已确认降级:{change.customer.name} 现为 {change.after} 级", "success")
    return redirect(request.referrer or url_for("customers.ownership_page"))


@bp.route("/downgrades/<int:change_id>/reject", methods=["POST"])
@require("customers.assign")
def reject_downgrade(change_id):
    """The manager does not accept a downgrade: the card keeps its grade."""
    change = load(GradeChange, change_id)
    if perform(visits.decide_downgrade, change, False, request.form.get("note"),
               by=current_user)[0]:
        flash(f"已驳回降级:{change.customer.name} 保持 {change.before} 级", "success")
    return redirect(request.referrer or url_for("customers.ownership_page"))


@bp.route("/options", methods=["GET", "POST"])
@require("customers.options")
def options():
    """A manager edits the card's option lists for this project (one list per save)."""
    project = project_or_404()
    form = OptionsForm()
    status = 200
    if form.validate_on_submit():
        ok, labels = attempt(form, set_options, project, form.kind.data, form.labels.data,
                             reset=request.form.get("reset") == "1")
        if ok:
            flash(f"已保存“{OPTION_KINDS[form.kind.data][0]}”({len(labels)} 项)", "success")
            return redirect(url_for("customers.options"))
        status = 422
    return render_page("customers/options.html", status=status, form=form,
                       options=all_options(project.id), kinds=OPTION_KINDS,
                       customised={k: is_customised(project.id, k) for k in OPTION_KINDS})


@bp.route("/access-log")
@require("access_log.view")
def access_log():
    project = project_or_404()
    rows = privacy.access_log(project.id, before_id=request.args.get("before", type=db_id))
    return render_page("customers/access_log.html", rows=rows)


EXPORT_COLUMNS = [
    Column("姓名", "name", width=12), Column("电话", "phone", width=16),
    Column("级别", "grade", width=6), Column("认知途径", "channel"),
    Column("意向面积", "area_band"), Column("意向户型", "wanted_layout"),
    Column("置业顾问", "owner", width=10), Column("首次到访", "first_visit_at", "datetime", 18),
    Column("最近到访", "last_visit_at", "datetime", 18),
    Column("建档有效至", "valid_until", "date"),
]


@bp.route("/export.xlsx", methods=["POST"])
@require("data.export")
def export():
    """客户一览 as .xlsx with masked phones; logged."""
    project = project_or_404()
    authorize("customers.view")
    rows = cards.export_rows(project.id)
    commit(privacy.log_export, project, "客户一览", len(rows), user=current_user)
    return xlsx_response(build_workbook("客户一览", EXPORT_COLUMNS, rows), "客户一览.xlsx")


@bp.route("/full-export", methods=["GET", "POST"])
@require("data.export_full")
def export_full():
    """客户一览 with full phones: the user says what for; each customer is logged."""
    project = project_or_404()
    authorize("customers.view")
    form = ExportReasonForm()
    if form.validate_on_submit():
        ok, rows = attempt(form, privacy.export_full, project, form.reason.data,
                           user=current_user)
        if ok:
            return xlsx_response(build_workbook("客户一览", EXPORT_COLUMNS, rows),
                                 "客户一览(完整号码).xlsx")
    return render_page("customers/export_full.html", status=422 if form.is_submitted() else 200,
                       form=form)
