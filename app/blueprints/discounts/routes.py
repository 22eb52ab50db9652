"""Requests: ask for a special discount, follow it, attach photos, withdraw."""
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app.blueprints.discounts import bp
from app.blueprints.discounts.common import (
    building_choices,
    conditional,
    customer_choices,
    show_floor,
)
from app.blueprints.discounts.forms import AttachmentForm, ConfirmForm, DecisionForm, RequestForm
from app.loaders import db_id, find, load, project_or_404
from app.models import Customer, DiscountAttachment, DiscountRequest, Unit
from app.policy import authorize, can, require
from app.services import discounts
from app.services.deals.price_policy import PLANS
from app.services.discounts import files, lookups, queries
from app.services.discounts.requests import find_unit
from app.sessions import background
from app.web import apply_violation, attempt, form_status, perform, render_page, transact


@bp.route("/")
@require("discount.request")
def mine():
    project = project_or_404()
    rows = [queries.view_of(r, current_user, show_floor(), rights=False)
            for r in queries.of_requester(project.id, current_user.id)]
    return render_page("discounts/mine.html", rows=rows)


def _preselect(form, project):
    """?customer_id=&unit_id= from the unit panel or a subscription draft."""
    customer = find(Customer, request.args.get("customer_id", type=db_id))
    if customer is not None and can(current_user, "discount.request", customer):
        form.customer_id.data = customer.id
    unit = find(Unit, request.args.get("unit_id", type=db_id))
    if unit is not None:
        form.building_id.data, form.unit_no.data = unit.building_id, unit.unit_no


def quote_context(project, building_id, unit_no, kind, value, plan=None):
    """The price panel: unit, list / standard / deal price, floor gap for those allowed."""
    return lookups.price_panel(project, building_id, unit_no, kind, value, plan, show_floor())


@bp.route("/new", methods=["GET", "POST"])
@require("discount.request")
def new_request():
    project = project_or_404()
    form = RequestForm()
    form.customer_id.choices = customer_choices(project.id, current_user)
    form.building_id.choices = building_choices(project.id)
    if request.method == "GET":
        _preselect(form, project)
    if form.validate_on_submit():
        created = _create(project, form)
        if created is not None:
            flash(f"已提交特殊优惠申请(编号 {created.id}),等待经理审批", "success")
            return redirect(url_for("discounts.detail", request_id=created.id))
    context = quote_context(project, form.building_id.data, form.unit_no.data, form.kind.data,
                            form.value.data, form.plan.data)
    return render_page("discounts/new.html", status=form_status(form), form=form, **context)


def _create(project, form):
    customer = find(Customer, form.customer_id.data)
    if customer is None:
        form.customer_id.errors.append("请选择客户")
        return None
    authorize("discount.request", customer)
    ok, created = attempt(form, _request_with_photo, project, customer, form)
    return created if ok else None


def _request_with_photo(project, customer, form):
    """The request and the photo of its signed paper form, if given: one transaction."""
    unit = find_unit(project.id, form.building_id.data, form.unit_no.data)
    created = discounts.create_request(customer, unit, form.kind.data, form.value.data,
                                       form.reason.data, current_user,
                                       plan=form.plan.data if form.plan.data in PLANS else None)
    if form.attachment.data and form.attachment.data.filename:
        discounts.add_attachment(created, form.attachment.data, "form", current_user)
    return created


@bp.route("/quote")
@require("discount.request")
def quote():
    project = project_or_404()
    args = request.args
    context = quote_context(project, args.get("building_id", type=db_id), args.get("unit_no"),
                            args.get("kind", "percent"), args.get("value"), args.get("plan"))
    return render_page("discounts/_quote.html", partial="discounts/_quote.html", **context)


def render_detail(found, status=200, **forms):
    authorize("discount.view", found)
    view = queries.view_of(found, current_user, show_floor())
    forms.setdefault("decision_form", DecisionForm(formdata=None))
    forms.setdefault("confirm_form", ConfirmForm(formdata=None))
    forms.setdefault("attachment_form", AttachmentForm(formdata=None))
    kinds = forms["attachment_form"].kind
    kinds.choices = [c for c in kinds.choices if files.can_attach(found, current_user, c.value)]
    return render_page("discounts/detail.html", status=status, view=view, **forms)


@bp.route("/<int:request_id>")
@require("discount.view")
def detail(request_id):
    return render_detail(load(DiscountRequest, request_id))


@bp.route("/<int:request_id>/status")
@require("discount.view")
@background
def status(request_id):
    """Polled by the request page until decided: the requester sees the decision appear."""
    found = load(DiscountRequest, request_id, "discount.view")
    stamp = f"{found.status}|{found.decided_at}|{found.confirmed_at}|{found.used_at}"
    # Not render_page: a poll must not take the flashes meant for the page.
    return conditional(stamp, lambda: render_template(
        "discounts/_status.html", view=queries.view_of(found, current_user, show_floor())))


@bp.route("/<int:request_id>/withdraw", methods=["POST"])
@require("discount.request")
def withdraw(request_id):
    found = load(DiscountRequest, request_id, "discount.view")
    if perform(discounts.withdraw, found, current_user, refused="warning")[0]:
        flash("申请已撤回", "success")
    return redirect(url_for("discounts.detail", request_id=found.id))


@bp.route("/<int:request_id>/attachments", methods=["POST"])
@require("discount.attach")
def upload(request_id):
    found = load(DiscountRequest, request_id, "discount.attach")
    form = AttachmentForm()
    if form.validate_on_submit():
        ok, result = transact(discounts.add_attachment, found, form.photo.data, form.kind.data,
                              current_user)
        if ok:
            flash("照片已上传", "success")
            return redirect(url_for("discounts.detail", request_id=found.id))
        # the service names the upload "attachment"; on this form it is the photo field
        result.field = "photo" if result.field == "attachment" else result.field
        apply_violation(form, result)
    return render_detail(found, status=422, attachment_form=form)


@bp.route("/attachments/<int:attachment_id>")
@require("discount.view")
def attachment(attachment_id):
    found = load(DiscountAttachment, attachment_id)
    authorize("discount.view", found.request)
    path = files.path_of(found)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=found.content_type, download_name=found.original_name,
                         max_age=0)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
