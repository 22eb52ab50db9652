"""Launches (开盘活动): the list, creating one, and the secretary's console."""
from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from app.blueprints.launch import bp
from app.blueprints.launch.forms import ActionForm, LaunchForm, PickForm, ReleaseForm
from app.loaders import load, project_or_404
from app.models import Launch
from app.policy import require
from app.services.launch import launches, lookups, selection
from app.sessions import background
from app.web import attempt, kept, render_page


@bp.route("/launches")
@require("launch.view")
def index(form=None, status=200):
    project = project_or_404()
    return render_page("launch/index.html", status=status, project=project,
                       launches=launches.of_project(project.id),
                       form=form or LaunchForm(formdata=None))


@bp.route("/launches/new", methods=["POST"])
@require("launch.manage")
def create():
    project = project_or_404()
    form = LaunchForm()
    if form.validate_on_submit():
        ok, launch = attempt(form, launches.create, project, name=form.name.data,
                             mode=form.mode.data, amount_text=form.amount.data,
                             window_minutes=form.window_minutes.data,
                             miss_penalty=form.miss_penalty.data, actor=current_user)
        if ok:
            flash(f"已创建开盘活动「{launch.name}」,可以开始认筹", "success")
            return redirect(url_for("launch.console", launch_id=launch.id))
    return index(form=form, status=422)


def console_context(launch, pick_form=None, failed=None):
    state = selection.board_state(launch)
    units = selection.available_units(launch.project_id) if state["called"] else []
    # Every called buyer's choice lists the same units: rendered once per list, not per buyer
    # (8 buyers × 300 units was most of a console answer during a launch).
    options = kept("launch_unit_options", tuple(units), lambda: Markup(render_template(
        "launch/_unit_options.html", units=units)), 8)
    return {"launch": launch, "state": state, "units": units, "unit_options": options,
            "failed": failed,
            "pick_form": pick_form or PickForm(formdata=None), "etag": launches.console_tag(
                launch.id)}


@bp.route("/launches/<int:launch_id>")
@require("launch.manage")
def console(launch_id, pick_form=None, failed=None, release_form=None, status=200):
    launch = load(Launch, launch_id)
    release = release_form or ReleaseForm(formdata=None)
    release.building_id.choices = building_choices(launch.project_id)
    links = lookups.hall_links(launch.project_id)
    return render_page("launch/console.html", partial="launch/_live.html", status=status,
                       action_form=ActionForm(formdata=None), release_form=release,
                       hall_links=links, **console_context(launch, pick_form, failed))


@bp.route("/launches/<int:launch_id>/poll")
@require("launch.manage")
@background
def console_poll(launch_id):
    """304 while the queue is unchanged; else the live part of the console."""
    launch = load(Launch, launch_id)
    tag = launches.console_tag(launch.id)
    if request.headers.get("If-None-Match") == tag:
        response = make_response("", 304)
    else:
        response = make_response(render_template("launch/_live.html",
                                                 **console_context(launch)))
    response.headers["ETag"] = tag
    return response


def building_choices(project_id):
    return [(0, "— 请选择 —")] + [(bid, name) for bid, name in lookups.buildings(project_id)]
