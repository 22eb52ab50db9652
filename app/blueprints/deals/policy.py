"""The price policy page 价格政策: a manager sets up the standard discounts; everyone in the
office sees them with a worked example; the subscription form previews the price (htmx)."""
from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.blueprints.deals import bp
from app.blueprints.deals.forms import PriceRuleForm, RuleToggleForm
from app.loaders import load, project_or_404
from app.models import PriceRule, Unit
from app.models.pricing import RULE_KINDS, RULE_PLANS
from app.policy import require
from app.services import clock
from app.services.deals import lookups, price_policy
from app.services.deals.common import PLANS
from app.web import attempt, form_status, render_page


def _page(project, form, status=200, editing=None):
    price, examples = lookups.price_examples(project, clock.today())
    return render_page("deals/price_policy.html", form=form, editing=editing, status=status,
                       rules=price_policy.all_rules(project.id), example_price=price,
                       examples=examples, kinds=RULE_KINDS, rule_plans=RULE_PLANS,
                       toggle_form=RuleToggleForm(formdata=None), today=clock.today())


def _data(form):
    return {"name": form.name.data, "kind": form.kind.data, "value": form.value.data,
            "plan": form.plan.data, "valid_from": form.valid_from.data,
            "valid_until": form.valid_until.data, "seq": form.seq.data}


@bp.route("/price-policy")
@require("price_policy.view")
def price_policy_page():
    project = project_or_404()
    form = PriceRuleForm(formdata=None)
    form.seq.data, form.valid_from.data = price_policy.next_seq(project.id), clock.today()
    return _page(project, form)


@bp.route("/price-policy/new", methods=["POST"])
@require("price_policy.manage")
def new_price_rule():
    project = project_or_404()
    form = PriceRuleForm()
    if form.validate_on_submit():
        ok, rule = attempt(form, price_policy.save_rule, project, _data(form), current_user)
        if ok:
            flash(f"已新增价格政策「{rule.name}」({rule.describe})", "success")
            return redirect(url_for("deals.price_policy_page"))
    return _page(project, form, 422)


@bp.route("/price-policy/<int:rule_id>", methods=["GET", "POST"])
@require("price_policy.manage")
def edit_price_rule(rule_id):
    project, rule = project_or_404(), load(PriceRule, rule_id)
    form = PriceRuleForm(obj=rule if request.method == "GET" else None)
    if request.method == "GET":
        form.value.data = f"{rule.value.normalize():f}"
    elif form.validate_on_submit():
        ok, _ = attempt(form, price_policy.save_rule, project, _data(form), current_user, rule)
        if ok:
            flash(f"已修改价格政策「{rule.name}」", "success")
            return redirect(url_for("deals.price_policy_page"))
    return _page(project, form, form_status(form), editing=rule)


@bp.route("/price-policy/<int:rule_id>/toggle", methods=["POST"])
@require("price_policy.manage")
def toggle_price_rule(rule_id):
    rule = load(PriceRule, rule_id)
    form = RuleToggleForm()
    if form.validate_on_submit():
        active = not rule.active
        attempt(form, price_policy.set_active, rule, active, current_user)
        flash(f"已{'启用' if active else '停用'}价格政策「{rule.name}」", "success")
    return redirect(url_for("deals.price_policy_page"))


@bp.route("/units/<int:unit_id>/price")
@require("subscription.sign")
def price_preview(unit_id):
    """The subscription form's price panel for the chosen plan and typed deal price."""
    unit = load(Unit, unit_id)
    plan = request.args.get("plan")
    plan = plan if plan in PLANS else None
    steps, standard = price_policy.breakdown(unit, plan)
    typed = (request.args.get("deal_price") or "").strip()
    deal, error = lookups.typed_price(typed[:20], standard)
    return render_page("deals/_price.html", partial="deals/_price.html", unit=unit, oob=True,
                       steps=steps, standard=standard, deal=deal, error=error, plan=plan)
