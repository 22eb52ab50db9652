"""The manager's side: public pool, reassignments, monthly recycling, downgrades, option lists,
the access log, and the customer export."""
from flask import flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.blueprints.customers import bp
from app.blueprints.customers.common import consultant_choices, in_project_or_404, project_or_404
from app.blueprints.customers.forms import AssignForm, OptionsForm, ReassignForm
from app.extensions import db
from app.models import Customer, GradeChange
from app.policy import authorize, can, require
from app.services.customers import cards, ownership, privacy, visits
from app.services.customers.options import OPTION_KINDS, all_options, is_customised, set_options
from app.services.errors import RuleViolation
from app.web import apply_violation, render_page
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
    ids = form.customer_ids.data or []
    chosen = db.session.scalars(select(Customer).where(
        Customer.project_id == project.id, Customer.owner_id.is_(None),
        Customer.anonymised_at.is_(None), Customer.id.in_(ids))).all()
    try:
        if not chosen:
            raise RuleViolation("请勾选公共池中的客户")
        if form.to_user.data:
            user = ownership.assign(chosen, form.to_user.data, by=current_user,
                                    reason="公共池分配")
            message = f"已将 {len(chosen)} 位客户分配给 {user.display_name}"
        else:
            counts = ownership.distribute(chosen, [u.id for u in cards.consultants()],
                                          by=current_user, reason="公共池随机分配")
            message = "已随机分配:" + "、".join(f"{u.display_name} {n} 位"
                                           for u, n in counts.items() if n)
    except RuleViolation as exc:
        db.session.rollback()
        apply_violation(form, exc)
        return _ownership_page(project, 422, assign_form=form)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("customers.ownership_page"))


@bp.route("/ownership/reassign", methods=["POST"])
@require("customers.assign")
def reassign():
    """Leave or resignation: all customers of one consultant move (随机抽数分配 or to one)."""
    project = project_or_404()
    form = ReassignForm()
    if form.validate_on_submit():
        try:
            counts = ownership.reassign_all(project, form.from_user.data, form.to_user.data,
                                            by=current_user, reason=form.reason.data)
        except RuleViolation as exc:
            db.session.rollback()
            apply_violation(form, exc)
        else:
            db.session.commit()
            flash("已转移:" + "、".join(f"{u.display_name} {n} 位" for u, n in counts.items() if n),
                  "success")
            return redirect(url_for("customers.ownership_page"))
    return _ownership_page(project, 422, reassign_form=form)


@bp.route("/ownership/release", methods=["POST"])
@require("customers.assign")
def release_expired():
    released = ownership.release_expired(project_or_404(), by=current_user)
    db.session.commit()
    flash(f"已将 {len(released)} 位建档过期的客户释放到公共池", "success")
    return redirect(url_for("customers.ownership_page"))


@bp.route("/ownership/recycle", methods=["POST"])
@require("customers.assign")
def recycle():
    try:
        recycled = ownership.recycle(project_or_404(), by=current_user)
    except RuleViolation as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(f"本月回收完成:{len(recycled)} 位到访满 3 个月未成交的客户进入公共池", "success")
    return redirect(url_for("customers.ownership_page"))


@bp.route("/downgrades/<int:change_id>/ack", methods=["POST"])
@require("customers.assign")
def acknowledge_downgrade(change_id):
    project = project_or_404()
    change = in_project_or_404(GradeChange, change_id, project)
    try:
        visits.acknowledge(change, by=current_user)
    except RuleViolation as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash("已确认降级", "success")
    return redirect(request.referrer or url_for("customers.ownership_page"))


@bp.route("/options", methods=["GET", "POST"])
@require("customers.options")
def options():
    """A manager edits the card's option lists for this project (one list per save)."""
    project = project_or_404()
    form = OptionsForm()
    status = 200
    if form.validate_on_submit():
        try:
            labels = set_options(project, form.kind.data, form.labels.data,
                                 reset=request.form.get("reset") == "1")
        except RuleViolation as exc:
            db.session.rollback()
            apply_violation(form, exc)
            status = 422
        else:
            db.session.commit()
            flash(f"已保存“{OPTION_KINDS[form.kind.data][0]}”({len(labels)} 项)", "success")
            return redirect(url_for("customers.options"))
    return render_page("customers/options.html", status=status, form=form,
                       options=all_options(project.id), kinds=OPTION_KINDS,
                       customised={k: is_customised(project.id, k) for k in OPTION_KINDS})


@bp.route("/access-log")
@require("access_log.view")
def access_log():
    project = project_or_404()
    rows = privacy.access_log(project.id, before_id=request.args.get("before", type=int))
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
    """客户一览 as .xlsx; full phones only for roles that may reveal them; logged."""
    project = project_or_404()
    authorize("customers.view")
    full = can(current_user, "phone.reveal")
    rows = [{"name": c.name, "phone": c.phone if full else c.phone_mask, "grade": c.grade,
             "channel": c.channel, "area_band": c.area_band, "wanted_layout": c.wanted_layout,
             "owner": c.owner.display_name if c.owner else "公共池",
             "first_visit_at": c.first_visit_at, "last_visit_at": c.last_visit_at,
             "valid_until": ownership.valid_until(c)}
            for c in cards.search(project.id, limit=100000)]
    privacy.log_export(project, "客户一览", len(rows), user=current_user, full_phones=full)
    db.session.commit()
    return xlsx_response(build_workbook("客户一览", EXPORT_COLUMNS, rows), "客户一览.xlsx")
