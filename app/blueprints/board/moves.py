"""Status moves from the unit panel: thin views over app.services.board.unit_status."""
from flask import abort, flash, make_response, redirect, request, url_for
from flask_login import current_user

from app.blueprints.board import bp
from app.blueprints.board.forms import BlockForm, ExtendHoldForm, ReasonForm
from app.blueprints.board.panel import panel_context
from app.blueprints.board.routes import unit_or_404
from app.database import reads_from_here
from app.loaders import find, load, project_or_404
from app.models import Building, Unit
from app.policy import authorize, require
from app.services import clock
from app.services.board import grid, unit_status
from app.services.errors import Conflict
from app.web import apply_violation, commit, is_fragment_request, render_page, transact

DONE = {"hold": "已保留 {name},请在 {expires} 前办理定金", "cancel_hold": "已取消保留 {name}",
        "extend_hold": "已延长保留 {name},到期 {expires}", "withhold": "已销控 {name}(暂不推售)",
        "release": "已推售 {name}"}


def _panel(unit, forms=None, status=200, trigger=None, context=None, messages=()):
    context = context or panel_context(unit, forms)
    response = render_page("board/unit.html", fragment=context["panel_html"], status=status,
                           messages=messages, **context)
    if trigger:
        response.headers["HX-Trigger"] = trigger
    return response


def _back_to_board(unit):
    return redirect(url_for("board.index", building=unit.building_id, unit=unit.id))


def _move(unit_id, name):
    """One move from the panel. The unit is read once, under the project lock, by the move
    itself (unit_status.move_unit), with its object check; only a refused form or a lost race
    loads it again to answer."""
    action = f"unit.{name}"
    form_class = ExtendHoldForm if name == "extend_hold" else ReasonForm
    form = _submitted(form_class, name)
    if form is not None and not form.validate_on_submit():
        return _panel(unit_or_404(unit_id, action), {name: form}, 422)
    ok, result = transact(_moved, unit_id, name, current_user._get_current_object(),
                          None if form is None else form.reason.data, keep_loaded=True)
    reads_from_here()
    if isinstance(result, Conflict):
        return _conflict(unit_id, result.message)
    if not ok:
        form = form or form_class(prefix=name)
        apply_violation(form, result)
        return _panel(unit_or_404(unit_id, action), {name: form}, 422)
    unit, context = result
    expires = clock.local(unit.hold_expires_at)
    done = DONE[name].format(name=f"{unit.building.name} {unit.unit_no}",
                             expires=f"{expires:%H:%M}" if expires else "")
    if is_fragment_request():
        return _panel(unit, trigger="board-refresh", context=context,
                      messages=[("success", done)])
    flash(done, "success")
    return _back_to_board(unit)


def _submitted(form_class, prefix):
    """The move's form, or None for a ReasonForm whose reason was not posted (a hold, a
    release, cancelling one's own hold: their buttons post no field). Such a form has
    nothing to check (the reason is optional) and would pass with no reason: on launch day
    a hold is pressed several times a second, and building the form cost each one as much
    as its audit row."""
    if form_class is ReasonForm and f"{prefix}-reason" not in request._get_current_object().form:
        return None
    return form_class(prefix=prefix)


def _moved(unit_id, name, actor, reason):
    """The move, then what its answer shows read in the same transaction (the panel's history
    includes the move's own audit row): the answer needs no second transaction."""
    unit = unit_status.move_unit(project_or_404().id, unit_id, name, actor, reason=reason,
                                 check=lambda unit: authorize(f"unit.{name}", unit, actor))
    if unit is None:
        abort(404)
    return unit, panel_context(unit) if is_fragment_request() else None


def _conflict(unit_id, message):
    """A lost race: the user is told who was first, the board and panel catch up (htmx: with
    no second read of the unit; a plain form goes back to the board at the unit)."""
    if is_fragment_request():
        response = make_response(message, 409)
        response.headers["Content-Type"] = "text/plain; charset=utf-8"
        response.headers["HX-Trigger"] = '{"board-refresh": true, "panel-refresh": true}'
        return response
    flash(message, "error")
    return _back_to_board(unit_or_404(unit_id))


@bp.route("/board/units/<int:unit_id>/hold", methods=["POST"])
@require("unit.hold")
def hold(unit_id):
    return _move(unit_id, "hold")


@bp.route("/board/units/<int:unit_id>/cancel-hold", methods=["POST"])
@require("unit.cancel_hold")
def cancel_hold(unit_id):
    return _move(unit_id, "cancel_hold")


@bp.route("/board/units/<int:unit_id>/extend-hold", methods=["POST"])
@require("unit.extend_hold")
def extend_hold(unit_id):
    return _move(unit_id, "extend_hold")


@bp.route("/board/units/<int:unit_id>/withhold", methods=["POST"])
@require("unit.withhold")
def withhold(unit_id):
    return _move(unit_id, "withhold")


@bp.route("/board/units/<int:unit_id>/release", methods=["POST"])
@require("unit.release")
def release(unit_id):
    return _move(unit_id, "release")


def _block(building_id, name):
    """销控 or 推售 a whole floor or building (滚动释放) in one transaction."""
    building = load(Building, building_id)
    form = BlockForm(prefix="block")
    unit = find(Unit, form.unit.data)
    if not form.validate_on_submit():
        return _panel(unit, {"block": form}, 422) if unit else abort(400)
    ids = grid.unit_ids(building.id, form.floor.data)
    if not ids:
        form.floor.errors = ["该楼层没有房源"]
        return _panel(unit, {"block": form}, 422) if unit else abort(404)
    moved, refused = commit(unit_status.transition_many, building.project_id, ids, name,
                            current_user, reason=form.reason.data)
    flash(unit_status.block_message(building.name, form.floor.data, name, moved, refused),
          "success" if moved else "warning")
    if unit is not None and is_fragment_request():
        return _panel(unit, trigger="board-refresh")
    return redirect(url_for("board.index", building=building.id, unit=unit.id if unit else None))


@bp.route("/board/buildings/<int:building_id>/withhold", methods=["POST"])
@require("unit.withhold")
def withhold_block(building_id):
    return _block(building_id, "withhold")


@bp.route("/board/buildings/<int:building_id>/release", methods=["POST"])
@require("unit.release")
def release_block(building_id):
    return _block(building_id, "release")
