"""The complaint case of seed 002 准则(4): the customer would not go back to the consultant
who owns them and complained; the split (all to the consultant serving now) waits until the
manager has looked into it (待销售主任落实): until then it counts for nobody, in 业绩 and in the
bonus lines. Confirmed, it counts and the card follows the deal; rejected, the deal is split as
准则(2) (the customer chose another consultant: 80/20). Either way the lines follow."""
from sqlalchemy import delete, select, update

from app.extensions import db
from app.models import DealShare, Deposit, MoneyStatus, Subscription, SubscriptionStatus
from app.policy import can
from app.services import audit, clock
from app.services.clock import local
from app.services.commissions import accrual
from app.services.customers import attribution
from app.services.deals.deposits import store_split
from app.services.errors import Conflict, NotAllowed, RuleViolation


def pending(project_id):
    """Live deposits whose complaint split waits for the manager, oldest first."""
    return db.session.scalars(select(Deposit).where(
        Deposit.project_id == project_id, Deposit.split_status == "pending",
        Deposit.status.in_(MoneyStatus.LIVE)).order_by(Deposit.recorded_at)).all()


def decide(deposit, confirm, comment, actor, now=None):
    """The manager confirms the complaint (the split counts) or rejects it (准则(2) split)."""
    now = now or clock.now()
    if not can(actor, "deposit.complaint", deposit):
        raise NotAllowed("只有销售经理可以落实投诉分成")
    comment = (comment or "").strip()[:200]
    if not comment:
        raise RuleViolation("请写明落实情况", "reason")
    status = "confirmed" if confirm else "rejected"
    rows = db.session.execute(update(Deposit).where(
        Deposit.id == deposit.id, Deposit.split_status == "pending").values(
        split_status=status, split_decided_by_id=actor.id, split_decided_at=now)).rowcount
    db.session.expire(deposit)
    if rows != 1:
        raise Conflict("该投诉分成已处理过,请刷新")
    verdict = (f"{local(now):%Y-%m-%d} 经理 {actor.display_name} 落实"
               f"{'投诉属实,与原顾问无关' if confirm else '投诉不成立,按准则(2)分成'}:{comment}")
    if not confirm:
        _split_as_chosen(deposit)
    deposit.split_reason = f"{deposit.split_reason or ''};{verdict}"[-400:]
    signed = db.session.scalar(select(Subscription).where(
        Subscription.deposit_id == deposit.id,
        Subscription.status == SubscriptionStatus.SIGNED).limit(1))
    if signed is not None:  # the 认购书 is signed: the card and the bonus follow the split now
        db.session.expire(deposit, ["shares"])
        attribution.mark_deal(signed.customer, at=now, user=actor, deposit=deposit)
        accrual.settle(deposit, actor, "投诉分成落实", now)
    audit.record(f"split_{status}", "deposit", deposit.id, project_id=deposit.project_id,
                 user=actor, reason=comment, before={"split_status": "pending"},
                 after={"split_status": status, "split_case": deposit.split_case})
    return deposit


def _split_as_chosen(deposit):
    """准则(2) as of the day the deposit was recorded: 业绩 to the consultant serving,
    奖金 80% to them and 20% to the owner."""
    split = attribution.split_for(deposit.customer, deposit.consultant, deposit.recorded_at,
                                  "customer_chose")
    db.session.execute(delete(DealShare).where(DealShare.deposit_id == deposit.id))
    store_split(deposit, split)
    deposit.split_case = split.case
    deposit.split_reason = split.reason
