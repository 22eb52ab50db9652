"""The manager's reviews: effective follow-ups (one judged not effective recomputes the card's
validity) and retention (cards past the project's retention period anonymised in bulk); the
customer's consent recorded on the card (seed 004)."""
from datetime import date

from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.blueprints.customers import bp
from app.loaders import load, project_or_404
from app.models import Customer, FollowUp
from app.policy import require
from app.services.clock import today
from app.services.customers import follow_up_review as review
from app.services.customers import links, retention
from app.services.customers.ownership import valid_until
from app.web import perform, render_page


@bp.route("/follow-ups/review")
@require("customers.review")
def follow_up_review():
    """有效跟进复核: the effective follow-ups of the last two months and the cards they keep."""
    project = project_or_404()
    rows = review.effective_follow_ups(project.id)
    return render_page("customers/follow_up_review.html", rows=rows,
                       until={f.customer_id: valid_until(f.customer) for f in rows},
                       rule=review.VALIDITY_RULE)


@bp.route("/follow-ups/<int:follow_up_id>/ineffective", methods=["POST"])
@require("customers.review")
def mark_ineffective(follow_up_id):
    follow_up = load(FollowUp, follow_up_id)
    ok, why = perform(review.mark_not_effective, follow_up, request.form.get("reason"),
                      by=current_user)
    if ok:
        flash(f"已判为无效跟进:{why}", "success")
    return redirect(url_for("customers.follow_up_review"))


@bp.route("/retention")
@require("customers.review")
def retention_page():
    """保存期限: cards without a deal past the project's retention period."""
    project = project_or_404()
    return render_page("customers/retention.html", project=project, today=today(),
                       rows=retention.past_retention(project), rule=retention.RETENTION_RULE)


@bp.route("/retention/anonymise", methods=["POST"])
@require("customers.anonymise")
def anonymise_retention():
    project = project_or_404()
    ids = [int(v) for v in request.form.getlist("customer_ids") if v.isdigit()]
    ok, count = perform(retention.anonymise_past_retention, project, ids, by=current_user)
    if ok:
        flash(f"已匿名化 {count} 位超过保存期限的客户(成交与统计记录保留)", "success")
    return redirect(url_for("customers.retention_page"))


@bp.route("/<int:customer_id>/consent", methods=["POST"])
@require("customers.edit")
def record_consent(customer_id):
    """客户授权: when and how the customer agreed to the use of their data."""
    customer = load(Customer, customer_id, "customers.edit")
    if perform(retention.record_consent, customer, request.form.get("how"),
               _day(request.form.get("when")), by=current_user)[0]:
        flash(f"已记录客户授权:{customer.consent_how}", "success")
    return redirect(url_for("customers.card", customer_id=customer.id))


@bp.route("/<int:customer_id>/link", methods=["POST"])
@require("customers.assign")
def link(customer_id):
    """老带新 / 家庭成员: link to the earlier customer; the first consultant owns both."""
    customer = load(Customer, customer_id)
    ok, why = perform(links.link_customer, customer, request.form.get("linked_phone"),
                      request.form.get("kind"), by=current_user)
    if ok:
        flash(f"已关联:{why}", "success")
    return redirect(url_for("customers.card", customer_id=customer.id))


def _day(text):
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
