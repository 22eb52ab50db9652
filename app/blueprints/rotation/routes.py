"""轮流接待: the front desk's duty queue, one-click walk-in registration, away/back, the order."""
from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.blueprints.customers.common import consultant_choices
from app.blueprints.rotation import bp
from app.blueprints.rotation.forms import OrderForm, WalkInForm, positions
from app.blueprints.visits.forms import parse_day
from app.forms import choices
from app.loaders import load, project_or_404
from app.models import ASSIGNMENT_KINDS, User
from app.policy import require
from app.services.clock import today
from app.services.customers import cards, reception, rotation
from app.services.customers.options import options_for
from app.web import attempt, form_status, is_fragment_request, perform, render_page


def _walk_in_form(project, formdata=True):
    form = WalkInForm() if formdata else WalkInForm(formdata=None)
    form.channel.choices = choices((c, c) for c in options_for(project.id, "channel"))
    form.named.choices = consultant_choices("无(按轮排)")
    return form


def _desk(project, form=None, result=None, status=200):
    row = rotation.duty_day(project.id)
    entry, kind, skipped = rotation.next_up(row)
    return render_page("rotation/desk.html", partial="rotation/_desk.html", status=status,
                       project=project, row=row, next_entry=entry, next_kind=kind,
                       form=form or _walk_in_form(project, formdata=False), result=result,
                       assignments=rotation.assignments(project.id), day=today(),
                       has_previous=bool(rotation.last_order(project.id, today())))


@bp.route("/")
@require("rotation.view")
def desk():
    return _desk(project_or_404())


@bp.route("/walk-in", methods=["POST"])
@require("rotation.desk")
def walk_in():
    """新到访: one submit registers the customer and assigns them from the queue."""
    project = project_or_404()
    form = _walk_in_form(project)
    if form.validate_on_submit():
        ok, result = attempt(form, reception.receive_walk_in, project, form.name.data,
                             form.phone.data, form.channel.data, by=current_user,
                             named_id=form.named.data or None)
        if ok and is_fragment_request():
            return _desk(project, result=result)
        if ok:
            flash(f"{result.customer.name} → {result.consultant.display_name}"
                  f"({ASSIGNMENT_KINDS[result.kind]})", "success")
            return redirect(url_for("rotation.desk"))
    return _desk(project, form=form, status=form_status(form))


@bp.route("/lookup")
@require("rotation.desk")
def lookup():
    """As the phone is typed: a returning customer, and who they belong to."""
    customer, valid = reception.lookup(project_or_404().id, request.args.get("phone"))
    return render_page("rotation/_lookup.html", partial="rotation/_lookup.html",
                       customer=customer, valid=valid)


@bp.route("/away/<int:user_id>", methods=["POST"])
@require("rotation.desk")
def toggle_away(user_id):
    project = project_or_404()
    perform(rotation.toggle_away, project, load(User, user_id).id, by=current_user)
    if is_fragment_request():
        return _desk(project)
    return redirect(url_for("rotation.desk"))


@bp.route("/busy/<int:user_id>", methods=["POST"])
@require("rotation.desk")
def toggle_busy(user_id):
    """忙于接待: skipped by the queue, without a make-up turn."""
    project = project_or_404()
    perform(rotation.toggle_busy, project, load(User, user_id).id, by=current_user)
    if is_fragment_request():
        return _desk(project)
    return redirect(url_for("rotation.desk"))


@bp.route("/start", methods=["POST"])
@require("rotation.desk")
def start_day():
    """Start today with the last day's order (the manager may change it at any time)."""
    if perform(rotation.start_like_last, project_or_404(), by=current_user)[0]:
        flash("已沿用上次的接待顺序", "success")
    return redirect(url_for("rotation.desk"))


@bp.route("/order", methods=["GET", "POST"])
@require("rotation.order")
def order():
    """The manager sets today's order (people on the list keep their turns and owed turns)."""
    project = project_or_404()
    form = OrderForm()
    consultants = cards.consultants()
    if form.validate_on_submit():
        # the typed positions are checked inside the attempt: a bad number is a form error
        ok, _ = attempt(form, lambda: rotation.set_order(
            project, positions(request.form, consultants), by=current_user))
        if ok:
            flash("今日接待顺序已保存", "success")
            return redirect(url_for("rotation.desk"))
    consultants, current = rotation.order_proposal(project.id, consultants)
    return render_page("rotation/order.html", status=form_status(form), form=form,
                       consultants=consultants, current=current, day=today())


@bp.route("/log")
@require("rotation.view")
def log():
    """Every assignment of a day, with who was skipped: the record disputes are settled from."""
    project = project_or_404()
    day = parse_day(request.args.get("day"), today())
    return render_page("rotation/log.html", day=day,
                       assignments=rotation.assignments(project.id, day),
                       row=rotation.duty_day(project.id, day))
