"""Every status move of the records finance settles, in one module (STYLE.md "A lifecycle as
a table"): deposits 定金, payments 回款, 过户费, refund payouts 退款, 认筹 registrations,
认购书 voids, and the receipts 收据 behind the money.

A move is one row of MOVES[model][name]: the statuses it starts from, the status it ends in,
the policy action saying who may make it and what a refusal says, the columns it stamps, the
moves that follow it and its audit row. `transition` makes a move in the caller's transaction:

1. `can()` the policy action on the record, else NotAllowed (the person who recorded the
   money is told they may not settle their own entry);
2. the reason, where the move needs one;
3. the lock the record's writers queue on, where they have one (project board, launch);
4. one conditional UPDATE `WHERE id = :id AND status IN (sources)` whose rowcount must be
   1, else Conflict ("该定金已被处理过,请刷新");
5. the moves that follow (the deposit's unit on the board, the money's receipt), then one
   audit row {"status": from} → {"status": to}.

The service functions (deposits.confirm, contracts.decide_payment, payouts.pay ...) keep
their signatures and call `transition`; a unit's own moves live in board/unit_status.
"""
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Callable, Optional

from sqlalchemy import case, update

from app.extensions import db
from app.models import (
    CallStatus,
    CommissionLine,
    Deposit,
    LaunchRegistration,
    LineStatus,
    MoneyStatus,
    Payment,
    Payout,
    PayoutStatus,
    Receipt,
    ReceiptStatus,
    RegistrationStatus,
    Subscription,
    SubscriptionStatus,
    TransferFee,
)
from app.policy import can, roles_allow
from app.services import audit, clock
from app.services.board import unit_status
from app.services.errors import Conflict, NotAllowed, RuleViolation
from app.services.launch import launches

DECIDED = ("decided_by_id", "decided_at")


@dataclass(frozen=True)
class Move:
    sources: tuple  # statuses the move starts from
    target: str  # status it ends in
    audit: str  # audited action name (the audit page and the reports read these)
    action: Optional[str] = None  # policy action; None: only ever part of a checked move
    refused: str = ""  # why not, when can() says no
    own_entry: Optional[str] = None  # why not, to the person who recorded the entry
    conflict: str = ""  # the record moved first; {r} is the record as it is now
    reason: Optional[str] = None  # a reason is required: the message when it is missing
    reason_column: Optional[str] = None  # where the reason is kept
    stamp: tuple = ()  # (actor id column, time column)
    lock: Optional[Callable] = None  # (record): the lock the record's writers queue on
    values: Optional[Callable] = None  # (model) -> extra column values
    then: tuple = ()  # (record, ctx) moves that follow, before the audit row
    shows: tuple = ()  # columns the audit row's `after` shows besides the status


def _project_lock(record):
    unit_status.lock_project(record.project_id)


def _launch_lock(record):
    launches.lock(record.launch)


def _leave_queue(model):
    """A registration turned away or refunded leaves the 选房 queue (a pick stays picked)."""
    column = model.call_status
    return {"call_status": case((column.in_((CallStatus.WAITING, CallStatus.CALLED)),
                                 CallStatus.OUT), else_=column)}


def _unit(name):
    """The deposit's unit follows on the board (its own table: board/unit_status)."""
    def follow(record, ctx):
        unit_status.transition(record.unit, name, ctx.actor, reason=ctx.reason, now=ctx.now,
                               opening=ctx.opening)
    return follow


def _receipt(name):
    """The money's receipt follows: confirmed, voided or refunded with it."""
    def follow(record, ctx):
        transition(record.receipt, name, ctx.actor, reason=ctx.reason, now=ctx.now,
                   opening=ctx.opening)
    return follow


def _finance(noun, action, refused, own_entry, **extra):
    """What finance's confirm / reject of recorded money share."""
    return dict(action=action, refused=refused, own_entry=own_entry,
                conflict=f"该{noun}已被处理过,请刷新", stamp=DECIDED,
                reason_column="reject_reason", **extra)


M, R, G, S = MoneyStatus, ReceiptStatus, RegistrationStatus, SubscriptionStatus
_DEPOSIT = _finance("定金", "deposit.confirm", "只有财务可以确认或退回定金",
                    "登记人不能确认自己登记的定金")
_PAYMENT = _finance("回款", "payment.confirm", "只有财务可以确认回款",
                    "登记人不能确认自己登记的回款")
_FEE = _finance("过户费", "fee.confirm", "只有财务可以确认过户费",
                "登记人不能确认自己登记的款项", lock=_project_lock)
_SINCERITY = dict(action="launch.confirm", refused="只有财务可以处理诚意金",
                  own_entry="登记人不能确认自己登记的诚意金",
                  conflict="该诚意金已被处理过,请刷新", stamp=DECIDED, reason_column="reason",
                  lock=_launch_lock)
_RECEIPT = dict(stamp=("closed_by_id", "closed_at"), reason_column="reason")
_RECEIPT_CONFLICT = "收据 No.{r.number:07d} 状态已变化,不能再"

MOVES = {
    Deposit: {
        "confirm": Move((M.PENDING,), M.CONFIRMED, "deposit_confirmed", **_DEPOSIT,
                        then=(_unit("confirm_deposit"), _receipt("confirm"))),
        "reject": Move((M.PENDING,), M.REJECTED, "deposit_rejected", **_DEPOSIT,
                       reason="请填写退回原因", then=(_unit("reject_deposit"), _receipt("void"))),
        # a 退房 the office executes after a manager's approval (changes/execute.py)
        "refund": Move((M.CONFIRMED,), M.REFUNDED, "deposit_refunded", "change.execute",
                       "只有销售秘书可以执行换房、退房和换名", conflict="定金状态已变化,请刷新"),
    },
    Payment: {
        "confirm": Move((M.PENDING,), M.CONFIRMED, "payment_confirmed", **_PAYMENT,
                        then=(_receipt("confirm"),)),
        "reject": Move((M.PENDING,), M.REJECTED, "payment_rejected", **_PAYMENT,
                       reason="请填写退回原因", then=(_receipt("void"),)),
    },
    TransferFee: {
        "confirm": Move((M.PENDING,), M.CONFIRMED, "fee_confirmed", **_FEE,
                        then=(_receipt("confirm"),)),
        "reject": Move((M.PENDING,), M.REJECTED, "fee_rejected", **_FEE,
                       reason="请填写退回原因", then=(_receipt("void"),)),
    },
    Payout: {  # the caller gives the method and the 退款收据 number
        "pay": Move((PayoutStatus.PENDING,), PayoutStatus.PAID, "payout_paid", "payout.pay",
                    "只有财务可以支付退款", conflict="该退款已支付过,请刷新",
                    stamp=("paid_by_id", "paid_at"), lock=_project_lock,
                    shows=("number", "amount", "method")),
    },
    LaunchRegistration: {
        "confirm": Move((G.PENDING,), G.CONFIRMED, "launch_registration_confirmed",
                        **_SINCERITY, then=(_receipt("confirm"),)),
        "reject": Move((G.PENDING,), G.REJECTED, "launch_registration_rejected", **_SINCERITY,
                       reason="请填写原因", values=_leave_queue, then=(_receipt("void"),)),
        "refund": Move((G.CONFIRMED,), G.REFUNDED, "launch_registration_refunded",
                       **_SINCERITY, reason="请填写原因", values=_leave_queue,
                       then=(_receipt("refund"),)),
    },
    Subscription: {  # a correction, an exchange, a name change or a refund voids it
        "void": Move((S.SIGNED,), S.VOIDED, "subscription_voided", "subscription.void",
                     "只有销售秘书或销售经理可以作废认购书", conflict="该认购书已作废,请刷新",
                     reason="请填写作废原因", reason_column="void_reason",
                     stamp=("voided_by_id", "voided_at")),
    },
    Receipt: {  # closed by the move of the money behind it, which checked who may
        "confirm": Move((R.ISSUED,), R.CONFIRMED, "receipt_confirmed", **_RECEIPT,
                        conflict=_RECEIPT_CONFLICT + "确认"),
        "void": Move((R.ISSUED,), R.VOIDED, "receipt_voided", **_RECEIPT,
                     conflict=_RECEIPT_CONFLICT + "作废", reason="请填写原因"),
        "refund": Move((R.CONFIRMED,), R.REFUNDED, "receipt_refunded", **_RECEIPT,
                       conflict=_RECEIPT_CONFLICT + "退款", reason="请填写原因"),
    },
}
L = LineStatus
MOVES[CommissionLine] = {  # 佣金: accrued at 认购, payable when the money is in (system moves)
    "payable": Move((L.ACCRUED,), L.PAYABLE, "commission_payable",
                    conflict="该佣金状态已变化,请刷新", stamp=(), values=None),
    "approve": Move((L.PAYABLE,), L.APPROVED, "commission_approved", "commission.approve",
                    "只有销售经理可以审批提成,且不能审批自己的提成",
                    conflict="该佣金已被审批或已取消,请刷新",
                    stamp=("approved_by_id", "approved_at"), shows=("amount", "batch_id")),
    "pay": Move((L.APPROVED,), L.PAID, "commission_paid", "commission.pay",
                "只有财务可以发放佣金", conflict="该佣金已发放过或已取消,请刷新",
                stamp=("paid_by_id", "paid_at"),
                shows=("amount", "paid_on", "pay_method", "pay_reference")),
    # 追回: the money of a 追回 line came back (returned, or kept from a later payout)
    "recover": Move((L.RECOVERING,), L.CLAWBACK, "commission_recovered", "commission.pay",
                    "只有财务可以登记追回", conflict="该追回已登记过,请刷新",
                    stamp=("paid_by_id", "paid_at"),
                    shows=("amount", "paid_on", "pay_method", "pay_reference")),
    # 退房 / 换房: a line not yet paid is cancelled (an offsetting line records it)
    "cancel": Move(L.UNPAID, L.CANCELLED, "commission_cancelled",
                   conflict="该佣金已发放,只能追回", reason_column="reason",
                   stamp=("cancelled_by_id", "cancelled_at"), shows=("amount",)),
}
AUDIT_TYPES = {CommissionLine: "commission_line", Deposit: "deposit", Payment: "payment",
               TransferFee: "transfer_fee",
               Payout: "payout", LaunchRegistration: "launch_registration",
               Subscription: "subscription", Receipt: "receipt"}


def transition(record, name, actor, *, reason=None, now=None, values=None, opening=False):
    """Make move `name` on `record`, or raise why not (NotAllowed, RuleViolation, Conflict).

    `values` are the caller's extra column values (a payout's method and number).
    `opening`: an opening import 期初导入 brings in money finance already confirmed on paper;
    the admin's opening.import authorises the move (and the moves that follow) instead of
    the move's own policy action.
    """
    model = type(record)
    move = MOVES[model][name]
    if opening:
        if not can(actor, "opening.import"):
            raise NotAllowed("只有管理员可以导入期初数据")
    else:
        _check_actor(move, record, actor)
    reason = (reason or "").strip() or None
    if move.reason and not reason:
        raise RuleViolation(move.reason, "reason")
    now = now or clock.now()
    if move.lock:
        move.lock(record)
    before = move.sources[0] if len(move.sources) == 1 else record.status
    rows = db.session.execute(
        update(model).where(model.id == record.id, model.status.in_(move.sources))
        .values(**_values(move, model, actor, now, reason), **(values or {}))).rowcount
    db.session.expire(record)
    if rows != 1:
        raise Conflict(move.conflict.format(r=record))
    ctx = SimpleNamespace(actor=actor, now=now, reason=reason, opening=opening)
    for follow in move.then:
        follow(record, ctx)
    audit.record(move.audit, AUDIT_TYPES[model], record.id, project_id=record.project_id,
                 user=actor, before={"status": before},
                 after={"status": move.target, **{c: getattr(record, c) for c in move.shows}},
                 reason=reason)
    return record


def _check_actor(move, record, actor):
    if move.action is None or can(actor, move.action, record):
        return
    # the role may settle money, the object rule refused: they recorded this entry themselves
    if move.own_entry and roles_allow(actor, move.action) and \
            actor.id == getattr(record, "recorded_by_id", None):
        raise NotAllowed(move.own_entry)
    raise NotAllowed(move.refused)


def _values(move, model, actor, now, reason):
    values = {"status": move.target}
    if move.stamp:
        values.update({move.stamp[0]: actor.id, move.stamp[1]: now})
    if move.reason_column:
        values[move.reason_column] = reason and reason[:200]
    if move.values:
        values.update(move.values(model))
    return values

