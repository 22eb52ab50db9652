"""Customer list and search, quick registration, the card 温馨卡, 我的今天."""
from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.blueprints.customers import bp
from app.blueprints.customers.common import (
    consultant_choices,
    form_status,
    in_project_or_404,
    project_or_404,
)
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
from app.extensions import db
from app.forms import choices
from app.models import Customer, FollowUp, GradeChange, OwnershipChange, Visit
from app.policy import can, require
from app.services.customers import cards, channels, ownership, reception
from app.services.customers import today as my_day
from app.services.customers.options import all_options, options_for
from app.services.errors import RuleViolation
from app.web import apply_violation, render_page


@bp.route("/")
@require("customers.view")
def index():
    project = project_or_404()
    form = SearchForm(request.args)
    mine = current_user.role == "consultant" and request.args.get("scope") != "all"
    owner = current_user.id if mine else (form.owner.data or None)
    rows = cards.search(project.id, form.q.data if form.validate() else None,
                            owner_id=owner, grade=form.grade.data or None)
    return render_page("customers/index.html", partial="customers/_rows.html", form=form,
                       rows=rows, mine=mine, consultants=cards.consultants(),
                       ownership=ownership)


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
        try:
            consultant = _contact_consultant(form)
            customer, _visit = reception.register_contact(
                project, consultant, form.kind.data, form.name.data, form.phone.data,
                form.channel.data, by=current_user)
        except RuleViolation as exc:
            db.session.rollback()
            apply_violation(form, exc)
        else:
            db.session.commit()
            flash(f"已登记 {customer.name},归属 {customer.owner.display_name}", "success")
            if can(current_user, "customers.view", customer):
                return redirect(url_for("customers.card", customer_id=customer.id))
            return redirect(url_for("customers.new"))
    return render_page("customers/new.html", status=form_status(form), form=form)


def _contact_consultant(form):
    if current_user.role == "consultant":
        return current_user
    user = next((u for u in cards.consultants() if u.id == form.consultant.data), None)
    if user is None:
        raise RuleViolation("请选择接待顾问", "consultant")
    return user


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
    card_form_ = form or card_form(customer, project)
    settle = SettleForm(formdata=None)
    settle.to_user.choices = consultant_choices()
    return {
        "customer": customer, "form": card_form_, "grade_form": GradeForm(formdata=None),
        "follow_form": FollowUpForm(formdata=None), "visit_form": VisitForm(formdata=None),
        "settle_form": settle,
        "visits": db.session.scalars(db.select(Visit).where(Visit.customer_id == customer.id)
                                     .order_by(Visit.at.desc())).all(),
        "follow_ups": db.session.scalars(db.select(FollowUp).where(
            FollowUp.customer_id == customer.id).order_by(FollowUp.at.desc())).all(),
        "grades": db.session.scalars(db.select(GradeChange).where(
            GradeChange.customer_id == customer.id).order_by(GradeChange.at.desc())).all(),
        "owners": db.session.scalars(db.select(OwnershipChange).where(
            OwnershipChange.customer_id == customer.id).order_by(OwnershipChange.at.desc())).all(),
        "valid_until": ownership.valid_until(customer),
        "valid": ownership.ownership_valid(customer),
        "protection": channels.active_protection(customer),
        "reports": channels.matching_reports(customer) if customer.phone_mask else [],
        "change_kinds": ownership.CHANGE_KINDS,
    }


@bp.route("/<int:customer_id>")
@require("customers.view")
def card(customer_id):
    project = project_or_404()
    customer = in_project_or_404(Customer, customer_id, project, "customers.view")
    return render_page("customers/card.html", **card_context(customer, project))


@bp.route("/<int:customer_id>/card", methods=["POST"])
@require("customers.edit")
def save_card(customer_id):
    project = project_or_404()
    customer = in_project_or_404(Customer, customer_id, project, "customers.edit")
    form = card_form(customer, project, posted=True)
    if form.validate_on_submit():
        data = {"phone": customer.phone, "id_number": customer.id_number, **form.data}
        try:
            cards.update_card(customer, data, by=current_user)
        except RuleViolation as exc:
            db.session.rollback()
            apply_violation(form, exc)
        else:
            db.session.commit()
            flash("温馨卡已保存", "success")
            return redirect(url_for("customers.card", customer_id=customer.id))
    return render_page("customers/card.html", status=422, **card_context(customer, project, form))


@bp.route("/today")
@require("customers.today")
def today():
    project = project_or_404()
    return render_page("customers/today.html", project=project,
                       data=my_day.my_day(current_user, project.id),
                       grades=my_day.grade_counts(current_user.id, project.id),
                       valid_until=ownership.valid_until)
