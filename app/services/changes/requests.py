"""Asking for a change, the manager's decision, withdrawing it, and the figures shown."""
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from sqlalchemy import select, update

from app.extensions import db
from app.models import ChangeRequest, ChangeStatus, Customer, Unit, UnitStatus
from app.policy import can
from app.services import audit, clock, discounts
from app.services.board import unit_status
from app.services.changes import REASONS, RENAME_ACTIONS, UNIT_AFTER
from app.services.changes import deal as deals
from app.services.deals.common import check_form_key, choice, lock_and_find
from app.services.deals.subscriptions import co_buyers, parse_co_buyers
from app.services.errors import Conflict, NotAllowed, RuleViolation
from app.services.money import parse_money, round_price

OPEN = ChangeStatus.OPEN


def ask(unit, data, actor, now=None):
    """A request for an exchange, refund or name change of the deal on `unit`."""
    now = now or clock.now()
    key = check_form_key(data.get("form_key"))
    kind = choice(data.get("kind"), ("exchange", "refund", "rename"), "kind", "申请类型")
    reason = choice(data.get("reason"), REASONS, "reason", "原因")
    project_id = unit.building.project_id
    existing = lock_and_find(project_id, ChangeRequest, key)
    if existing is not None:
        return existing, False
    db.session.refresh(unit)
    deal = deals.of_unit(unit)
    if not can(actor, "change.request", deal.customer):
        raise NotAllowed("置业顾问只能为自己的客户申请")
    if db.session.scalar(select(ChangeRequest.id).where(ChangeRequest.unit_id == unit.id,
                                                        ChangeRequest.status.in_(OPEN))):
        raise RuleViolation("该房源已有未完成的换房/退房/换名申请", "unit_id")
    change = ChangeRequest(
        project_id=project_id, kind=kind, unit_id=unit.id, deposit_id=deal.deposit.id,
        subscription_id=deal.subscription and deal.subscription.id,
        customer_id=deal.customer.id, consultant_id=deal.deposit.consultant_id,
        stage=unit.status, reason=reason, notes=(data.get("notes") or "").strip()[:500] or None,
        requested_by_id=actor.id, requested_at=now, form_key=key)
    if kind != "refund" and deal.subscription is None:
        raise RuleViolation("只有签了认购书的房源可以换房或换名(未认购的定金可以申请退房)", "kind")
    if kind == "exchange":
        change.target_unit_id = _target(unit, data.get("target_unit_id"), change).id
    if kind == "rename":
        _rename_terms(change, data, deal)
    db.session.add(change)
    db.session.flush()
    audit.record("change_requested", "change_request", change.id, project_id=project_id,
                 user=actor, reason=change.notes, after={
                     "kind": kind, "unit": unit.id, "reason": reason, "stage": change.stage,
                     "target": change.target_unit_id, "rename": change.rename_action})
    return change, True


def _target(unit, target_id, change):
    target = db.session.get(Unit, target_id) if target_id else None
    if target is None or target.building.project_id != unit.building.project_id:
        raise RuleViolation("请选择本项目的目标房源", "target_unit_id")
    if target.id == unit.id:
        raise RuleViolation("目标房源不能是原房源", "target_unit_id")
    why = target_refusal(target, change.consultant_id)
    if why:
        raise RuleViolation(why, "target_unit_id")
    return target


def target_refusal(target, consultant_id, now=None):
    """None when the target can take the deal: available, or held by the deal's consultant."""
    status = unit_status.effective(target, now)
    name = f"{target.building.name} {target.unit_no}"
    if status == UnitStatus.HELD and target.held_by_id != consultant_id:
        return f"{name} 已被 {target.held_by.display_name} 保留,不能换入"
    if status not in (UnitStatus.AVAILABLE, UnitStatus.HELD):
        return f"{name} 当前为「{UnitStatus.LABELS[status]}」,不能换入"
    return None


def _rename_terms(change, data, deal):
    action = choice(data.get("rename_action"), RENAME_ACTIONS, "rename_action", "换名方式")
    change.rename_action = action
    current = co_buyers(deal.subscription)
    if action == "replace":
        customer = db.session.get(Customer, data.get("new_customer_id") or 0)
        if customer is None or customer.project_id != change.project_id:
            raise RuleViolation("请选择新的买受人(先在客户中登记)", "new_customer_id")
        if customer.id == deal.customer.id:
            raise RuleViolation("新买受人与原买受人相同", "new_customer_id")
        change.new_customer_id = customer.id
        return
    name = (data.get("rename_name") or "").strip()
    if action == "add":
        try:
            (name, id_number), = parse_co_buyers(f"{name} {data.get('rename_id_number') or ''}")
        except (RuleViolation, ValueError):
            raise RuleViolation("请填写共同购房人姓名和 18 位身份证号",
                                "rename_id_number") from None
        if len(current) >= 4:
            raise RuleViolation("共同购房人最多 4 人", "rename_name")
        change.rename_name, change.rename_id_number = name, id_number
        return
    if name not in [buyer for buyer, _ in current]:
        raise RuleViolation("认购书上没有这位共同购房人", "rename_name")
    change.rename_name = name


def decide(change, approve, data, actor, now=None):
    """The manager approves (setting the refund's penalty and the unit's fate, or
    overriding a house rule with a reason) or rejects with a reason."""
    now = now or clock.now()
    if not can(actor, "change.decide", change):
        raise NotAllowed("申请人不能审批自己的申请" if actor.id == change.requested_by_id
                         else "只有销售经理可以审批")
    comment = (data.get("comment") or "").strip()[:200] or None
    values = {"decided_by_id": actor.id, "decided_at": now, "comment": comment}
    if not approve:
        if not comment:
            raise RuleViolation("请填写驳回原因", "comment")
        values["status"] = ChangeStatus.REJECTED
    else:
        values.update(status=ChangeStatus.APPROVED, **_approval_terms(change, data))
    unit_status.lock_project(change.project_id)  # writers of a project queue on its lock
    rows = db.session.execute(update(ChangeRequest).where(
        ChangeRequest.id == change.id, ChangeRequest.status == ChangeStatus.PENDING)
        .values(**values))
    db.session.expire(change)
    if rows.rowcount != 1:
        raise Conflict("该申请已被处理过,请刷新")
    audit.record(f"change_{values['status']}", "change_request", change.id,
                 project_id=change.project_id, user=actor, reason=comment,
                 before={"status": ChangeStatus.PENDING}, after={
                     k: v for k, v in values.items() if k in (
                         "status", "override", "override_reason", "penalty", "unit_after")})
    return change


def _approval_terms(change, data):
    override = bool(data.get("override"))
    override_reason = (data.get("override_reason") or "").strip()[:200] or None
    if override and not override_reason:
        raise RuleViolation("特批须写明理由", "override_reason")
    terms = {"override": override, "override_reason": override_reason if override else None}
    if change.kind == "exchange":
        why = target_refusal(change.target_unit, change.consultant_id)
        if why:  # taken since the request: approving it could only fail at execution
            raise RuleViolation(why + ",请驳回后重新申请")
    figures = quote(change)
    if figures.needs_override and not override:
        raise RuleViolation(figures.needs_override, "override")
    if change.kind == "refund":
        penalty = parse_money(data.get("penalty") or "0", "penalty")
        check_penalty(penalty, figures.received)
        terms["penalty"] = penalty
        terms["unit_after"] = choice(data.get("unit_after") or UnitStatus.AVAILABLE, UNIT_AFTER,
                                     "unit_after", "退房后房源状态")
    return terms


def check_penalty(penalty, received):
    if penalty < 0:
        raise RuleViolation("违约金不能为负数", "penalty")
    if penalty > received:
        raise RuleViolation(f"违约金不能超过已收金额 ¥{received:,.2f}", "penalty")


def cancel(change, reason, actor, now=None):
    """Withdraw a request not yet executed (the requester, or a manager)."""
    if not can(actor, "change.cancel", change):
        raise NotAllowed("只有申请人或销售经理可以撤回")
    reason = (reason or "").strip()[:200]
    if not reason:
        raise RuleViolation("请填写撤回原因", "reason")
    unit_status.lock_project(change.project_id)
    before = change.status
    rows = db.session.execute(update(ChangeRequest).where(
        ChangeRequest.id == change.id, ChangeRequest.status.in_(OPEN))
        .values(status=ChangeStatus.CANCELLED, comment=reason)).rowcount
    db.session.expire(change)
    if rows != 1:
        raise Conflict("该申请已执行或已结束,不能撤回")
    audit.record("change_cancelled", "change_request", change.id, project_id=change.project_id,
                 user=actor, reason=reason, before={"status": before},
                 after={"status": ChangeStatus.CANCELLED})
    return change


@dataclass
class Quote:
    received: Decimal
    old_price: Optional[Decimal] = None
    new_price: Optional[Decimal] = None
    penalty: Optional[Decimal] = None
    fee: Optional[Decimal] = None
    needs_override: Optional[str] = None  # the house rule an approval must override

    @property
    def difference(self):
        return None if self.new_price is None else self.new_price - self.old_price

    @property
    def new_balance(self):
        return None if self.new_price is None else self.new_price - self.received

    @property
    def refund(self):
        return None if self.penalty is None else self.received - self.penalty


def exchange_override(unit, target, old_price, new_price):
    """Why an exchange needs the manager's 特批 (seed 002 六.1 以小换大: toward a smaller
    building area or a lower amount), naming the figures compared; None when it does not."""
    why = []
    if target.building_area < unit.building_area:
        why.append(f"目标房源建筑面积 {target.building_area}㎡ 小于原房源 {unit.building_area}㎡")
    if new_price < old_price:
        why.append(f"目标房源总价 ¥{new_price:,.2f} 低于原成交价 ¥{old_price:,.2f}")
    if not why:
        return None
    return ";".join(why) + "(以小换大原则),须经理特批并写明理由"


def target_price(target, plan=None):
    """What a fresh 认购书 for the target would cost on the deal's payment plan (standard
    price, project rounding): the reissued 认购书 is priced under the same plan."""
    return round_price(discounts.standard_price(target, plan), target.building.project.rounding)


def quote(change):
    """The figures of a request as they stand now (or as executed)."""
    if change.status == ChangeStatus.EXECUTED:
        return Quote(change.received, change.old_price, change.new_price, change.penalty,
                     change.fee.amount if change.fee else None)
    try:
        deal = deals.of_unit(change.unit)
    except RuleViolation:
        return Quote(Decimal("0.00"))
    figures = Quote(deals.received(deal), deal.price, penalty=change.penalty)
    contracted = change.unit.status == UnitStatus.CONTRACTED
    if change.kind == "exchange" and change.target_unit is not None:
        figures.new_price = target_price(change.target_unit, deal.subscription.plan)
        figures.needs_override = exchange_override(change.unit, change.target_unit,
                                                   figures.old_price, figures.new_price)
    if change.kind == "refund" and contracted:
        figures.needs_override = "已签约的房源原则上不退房,须经理特批并写明理由"
    if change.kind == "rename" and contracted:
        fee = change.unit.building.project.transfer_fee
        figures.fee = fee if fee > 0 else None
    return figures
