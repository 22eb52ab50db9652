"""The manager's list of complaint splits waiting to be looked into (seed 002 准则(4))."""
from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.blueprints.deals import bp
from app.blueprints.deals.forms import ReasonForm
from app.loaders import load, project_or_404
from app.models import Deposit
from app.policy import require
from app.services.deals import complaints, deposits
from app.web import attempt, render_page


def _page(form=None, failed=None, status=200):
    project = project_or_404()
    return render_page("deals/complaints.html", status=status,
                       waiting=complaints.pending(project.id), split_label=deposits.split_label,
                       form=form or ReasonForm(formdata=None), failed=failed)


@bp.route("/complaints")
@require("deposit.complaint")
def complaints_page():
    return _page()


@bp.route("/deposits/<int:deposit_id>/complaint", methods=["POST"])
@require("deposit.complaint")
def decide_complaint(deposit_id):
    deposit = load(Deposit, deposit_id, "deposit.complaint")
    form = ReasonForm()
    confirm = request.form.get("decision") == "confirm"
    ok = form.validate_on_submit() and attempt(form, complaints.decide, deposit, confirm,
                                               form.reason.data, current_user)[0]
    if not ok:
        return _page(form, failed=deposit.id, status=422)
    flash("已落实:投诉属实,本单与原顾问无关" if confirm else "已落实:投诉不成立,按准则(2)分成",
          "success")
    return redirect(url_for("deals.complaints_page"))
