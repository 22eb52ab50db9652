"""Customer list and search, quick registration, the card 温馨卡, 我的今天."""
from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.blueprints.customers import bp
from app.blueprints.customers.common import consultant_choices
from app.blueprints.customers.forms import (
    CardForm,
    FollowUpForm,
    GradeForm,
    QuickRegisterForm,
    SearchForm,
    SettleForm,
    VisitForm,
    fill_choices,
)
from app.forms import choices
from app.loaders import db_id, load, project_or_404
from app.models import Customer
from app.policy import can, require
from app.services.customers import cards, channels, ownership, reception
from app.services.customers import today as my_day
from app.services.customers.links import LINK_KINDS
from app.services.customers.options import all_options, options_for
from app.services.customers.retention import CONSENT_WAYS
from app.web import attempt, form_status, render_page


@bp.route("/")
@require("customers.view")
def index():
    project = project_or_404()
    form = SearchForm(request.args)
    mine = can(current_user, "records.own_only") and request.args.get("scope") != "all"
    owner = current_user.id if mine else _owner(form.owner.data)
    rows = cards.search(project.id, form.q.data if form.validate() else None,
                        owner_id=owner, grade=form.grade.data or None)
    return render_page("customers/index.html", partial="customers/_rows.html", form=form,
                       rows=rows, states=cards.card_states(rows), mine=mine,
                       consultants=cards.consultants())


def _owner(value):
    """归属 filter: "pool" (公共池) or a consultant's id; anything else filters nothing."""
    try:
        return value if value == "pool" else db_id(value)
    except (TypeError, ValueError):
        return None


def _register_form(project):
    form = QuickRegisterForm()
    form.channel.choices = choices((c, c) for c in options_for(project.id, "channel"))
    form.consultant.choices = consultant_choices("请选择")
    return form


@bp.route("/new", methods=["GET", "POST"])
@require("customers.register")
def new():
    """快速登记: name + phone + channel, one click (a consultant registers for themselves)."""
    project = project_or_404()
    form = _register_form(project)
    if form.validate_on_submit():
        ok, result = attempt(form, reception.take_contact, project, current_user,
                             form.consultant.data, form.kind.data, form.name.data,
                             form.phone.data, form.channel.data)
        if ok:
            customer, _visit = result
            flash(f"已登记 {customer.name},归属 {customer.owner.display_name}", "success")
            if can(current_user, "customers.view", customer):
                return redirect(url_for("customers.card", customer_id=customer.id))
            return redirect(url_for("customers.new"))
    return render_page("customers/new.html", status=form_status(form), form=form)


def card_form(customer, project, posted=False):
    """The card form; phone and ID number only for those who may see them in full."""
    form = CardForm(obj=customer) if posted else CardForm(obj=customer, formdata=None)
    fill_choices(form, all_options(project.id), customer)
    if not can(current_user, "phone.full", customer):
        del form.phone
        del form.id_number
    return form


def card_context(customer, project, form=None):
    """Everything the card page shows: the form, history, and the actions' forms."""
    settle = SettleForm(formdata=None)
    settle.to_user.choices = consultant_choices()
    state = cards.card_states([customer])[customer.id]
    return {
        "customer": customer, "form": form or card_form(customer, project),
        "grade_form": GradeForm(formdata=None), "follow_form": FollowUpForm(formdata=None),
        "visit_form": VisitForm(formdata=None), "settle_form": settle,
        **cards.history(customer),
        "valid_until": state.valid_until, "valid": state.valid, "follow_up": state.follow_up,
        "protection": channels.active_protection(customer),
        "reports": channels.matching_reports(customer) if customer.phone_mask else [],
        "change_kinds": ownership.CHANGE_KINDS, "consent_ways": CONSENT_WAYS,
        "link_kinds": LINK_KINDS,
    }


@bp.route("/<int:customer_id>")
@require("customers.view")
def card(customer_id):
    customer = load(Customer, customer_id, "customers.view")
    return render_page("customers/card.html", **card_context(customer, project_or_404()))


@bp.route("/<int:customer_id>/card", methods=["POST"])
@require("customers.edit")
def save_card(customer_id):
    project = project_or_404()
    customer = load(Customer, customer_id, "customers.edit")
    form = card_form(customer, project, posted=True)
    if form.validate_on_submit():
        data = {"phone": customer.phone, "id_number": customer.id_number, **form.data}
        if attempt(form, cards.update_card, customer, data, by=current_user)[0]:
            flash("温馨卡已保存", "success")
            return redirect(url_for("customers.card", customer_id=customer.id))
    return render_page("customers/card.html", status=422, **card_context(customer, project, form))


@bp.route("/today")
@require("customers.today")
def today():
    project = project_or_404()
    return render_page("customers/today.html", project=project,
                       data=my_day.my_day(current_user, project.id),
                       grades=my_day.grade_counts(current_user.id, project.id))
