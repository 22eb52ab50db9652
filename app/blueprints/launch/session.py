"""The console's actions: fix the queue or run the lottery, call, miss, pick, release."""
from flask import abort, flash, redirect, url_for
from flask_login import current_user

from app.blueprints.launch import bp
from app.blueprints.launch.forms import ActionForm, PickForm, ReleaseForm
from app.blueprints.launch.routes import building_choices, console
from app.database import reads_from_here
from app.loaders import find, load
from app.models import Launch, LaunchRegistration, Unit
from app.policy import require
from app.services.board.unit_status import block_message
from app.services.launch import lookups, lottery, selection
from app.services.money import format_money
from app.web import attempt

# action -> (service call, message on success)
ACTIONS = {
    "fix": (lottery.fix_order, "已按认筹顺序排号"),
    "commit": (lottery.commit, "已公示摇号种子的哈希,认筹截止"),
    "draw": (lottery.draw, "摇号完成,种子已公布,任何人可在核验页重算"),
    "start": (selection.start, "选房开始"),
    "pause": (selection.pause, "选房已暂停,计时冻结"),
    "resume": (selection.resume, "选房继续,暂停时间已补回"),
    "close": (selection.close, "选房已结束"),
    "call": (selection.call_next, None),
}


@bp.route("/launches/<int:launch_id>/do/<action>", methods=["POST"])
@require("launch.manage")
def act(launch_id, action):
    launch = load(Launch, launch_id)
    call, message = ACTIONS.get(action) or abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    ok, result = attempt(form, call, launch, current_user)
    if not ok:
        flash("".join(form.form_errors) or "操作未完成", "warning")
    elif action == "call":
        flash(f"请 {result.queue_no} 号 {result.customer.name[:1]}** 到选房区选房", "success")
    else:
        flash(message, "success")
    return redirect(url_for("launch.console", launch_id=launch.id))


@bp.route("/launches/entries/<int:entry_id>/miss", methods=["POST"])
@require("launch.manage")
def miss(entry_id):
    entry = load(LaunchRegistration, entry_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    ok, _ = attempt(form, selection.miss, entry, current_user)
    if ok:
        flash(f"{entry.queue_no} 号未到场,已顺延 {entry.launch.miss_penalty} 位", "success")
    else:
        flash("".join(form.form_errors), "warning")
    return redirect(url_for("launch.console", launch_id=entry.launch_id))


@bp.route("/launches/entries/<int:entry_id>/pick", methods=["POST"])
@require("launch.pick")
def pick(entry_id):
    entry = load(LaunchRegistration, entry_id)
    form = PickForm()
    if form.validate_on_submit():
        unit = find(Unit, form.unit_id.data)
        ok, deposit = attempt(form, selection.pick, entry, unit, current_user)
        if ok:
            flash(f"{entry.queue_no} 号 选定 {unit.building.name} {unit.unit_no},诚意金 "
                  f"{format_money(deposit.amount)} 已转为定金,收据 No.{deposit.receipt.number:07d}"
                  f"({'已确认' if deposit.status == 'confirmed' else '待财务确认'})", "success")
            return redirect(url_for("launch.console", launch_id=entry.launch_id))
    reads_from_here()  # the console below only reads: no write lock while it renders
    for message in form.form_errors:  # lost races: shown on top, the buyer may be gone
        flash(message, "warning")
    return console(entry.launch_id, pick_form=form, failed=entry.id, status=422)


@bp.route("/launches/<int:launch_id>/release", methods=["POST"])
@require("unit.release")
def release(launch_id):
    launch = load(Launch, launch_id)
    form = ReleaseForm()
    form.building_id.choices = building_choices(launch.project_id)
    if form.validate_on_submit() and form.building_id.data:
        ids = lookups.unit_ids(form.building_id.data, form.floor_from.data, form.floor_to.data)
        ok, result = attempt(form, selection.release, launch, ids, current_user)
        if ok:
            building = dict(form.building_id.choices)[form.building_id.data]
            flash(block_message(building, None, "release", *result), "success")
            return redirect(url_for("launch.console", launch_id=launch.id))
    elif form.is_submitted() and not form.building_id.errors:
        form.building_id.errors = ["请选择楼栋"]
    return console(launch.id, release_form=form, status=422)
