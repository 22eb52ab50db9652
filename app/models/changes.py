"""Exchange 换房, refund 退房 and name change 换名 (DESIGN.md "Exchange, refund, name change").

A ChangeRequest is asked for (reason from a fixed list + notes), decided by a manager
(never the requester), then executed by a secretary in one transaction. A refund leaves a
Payout that finance records as paid (退款收据); a transfer after the contract leaves a
TransferFee that finance confirms like any payment. Nothing is deleted.
"""
from sqlalchemy import CheckConstraint, UniqueConstraint, text

from app.extensions import db
from app.models.deals import MoneyStatus
from app.models.types import Money, UTCDateTime, utcnow


class ChangeStatus:
    """A request's stored statuses: pending → approved / rejected / cancelled;
    approved → executed / cancelled (app/services/changes/requests.py and execute.py)."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXECUTED = "executed"
    CANCELLED = "cancelled"

    ALL = (PENDING, APPROVED, REJECTED, EXECUTED, CANCELLED)
    OPEN = (PENDING, APPROVED)  # not yet decided or not yet executed: may be withdrawn
    LABELS = {PENDING: "待审批", APPROVED: "已批准待执行", REJECTED: "已驳回",
              EXECUTED: "已执行", CANCELLED: "已撤回"}


class PayoutStatus:
    """A refund to pay out is pending until finance pays it (app/services/record_status.py)."""

    PENDING = "pending"
    PAID = "paid"

    ALL = (PENDING, PAID)
    LABELS = {PENDING: "待财务付款", PAID: "已付款"}


class ChangeRequest(db.Model):
    __tablename__ = "change_request"
    __table_args__ = (
        CheckConstraint("kind IN ('exchange', 'refund', 'rename')", name="change_kind_known"),
        CheckConstraint("penalty IS NULL OR penalty >= 0", name="penalty_not_negative"),
    )

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    kind = db.Column(db.String(16), nullable=False)
    status = db.Column(db.String(16), nullable=False, default=ChangeStatus.PENDING, index=True)
    unit_id = db.Column(db.ForeignKey("unit.id"), nullable=False, index=True)  # the deal's unit
    deposit_id = db.Column(db.ForeignKey("deposit.id"), nullable=False)  # the deal's money
    subscription_id = db.Column(db.ForeignKey("subscription.id"))  # None: deposit only
    customer_id = db.Column(db.ForeignKey("customer.id"), nullable=False)
    consultant_id = db.Column(db.ForeignKey("user.id"), nullable=False)  # the deal's consultant
    stage = db.Column(db.String(20), nullable=False)  # unit status when asked
    reason = db.Column(db.String(32), nullable=False)  # code from REASONS
    notes = db.Column(db.String(500))
    target_unit_id = db.Column(db.ForeignKey("unit.id"))  # exchange
    rename_action = db.Column(db.String(16))  # add / remove / replace
    rename_name = db.Column(db.String(32))  # co-buyer added or removed
    rename_id_number = db.Column(db.String(18))
    new_customer_id = db.Column(db.ForeignKey("customer.id"))  # replace the buyer
    requested_by_id = db.Column(db.ForeignKey("user.id"), nullable=False)
    requested_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    decided_by_id = db.Column(db.ForeignKey("user.id"))
    decided_at = db.Column(UTCDateTime)
    comment = db.Column(db.String(200))  # the manager's comment or rejection reason
    override = db.Column(db.Boolean, nullable=False, default=False)
    override_reason = db.Column(db.String(200))
    penalty = db.Column(Money())  # refund: set by the manager
    unit_after = db.Column(db.String(20))  # refund: available / withheld
    executed_by_id = db.Column(db.ForeignKey("user.id"))
    executed_at = db.Column(UTCDateTime)
    received = db.Column(Money())  # money on the deal when executed
    old_price = db.Column(Money())
    new_price = db.Column(Money())  # exchange: the target's deal price
    new_subscription_id = db.Column(db.ForeignKey("subscription.id"))
    form_key = db.Column(db.String(64), nullable=False, unique=True)

    unit = db.relationship("Unit", foreign_keys=[unit_id])
    target_unit = db.relationship("Unit", foreign_keys=[target_unit_id])
    deposit = db.relationship("Deposit")
    subscription = db.relationship("Subscription", foreign_keys=[subscription_id])
    new_subscription = db.relationship("Subscription", foreign_keys=[new_subscription_id])
    customer = db.relationship("Customer", foreign_keys=[customer_id])
    new_customer = db.relationship("Customer", foreign_keys=[new_customer_id])
    consultant = db.relationship("User", foreign_keys=[consultant_id])
    requested_by = db.relationship("User", foreign_keys=[requested_by_id])
    decided_by = db.relationship("User", foreign_keys=[decided_by_id])
    executed_by = db.relationship("User", foreign_keys=[executed_by_id])
    payout = db.relationship("Payout", uselist=False, back_populates="change")
    fees = db.relationship("TransferFee", back_populates="change", order_by="TransferFee.id")

    @property
    def fee(self):
        """The 过户费 as it stands: the newest record (earlier ones were rejected)."""
        return self.fees[-1] if self.fees else None


class Payout(db.Model):
    """A refund to pay out: pending until finance records it paid (退款收据 number)."""

    __tablename__ = "payout"
    __table_args__ = (CheckConstraint("amount > 0", name="payout_amount_positive"),
                      # numbered per project and year in the order paid (TK2026-0001)
                      UniqueConstraint("project_id", "number"))

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    change_id = db.Column(db.ForeignKey("change_request.id"), nullable=False, unique=True)
    customer_id = db.Column(db.ForeignKey("customer.id"), nullable=False)
    amount = db.Column(Money(), nullable=False)
    status = db.Column(db.String(16), nullable=False, default=PayoutStatus.PENDING, index=True)
    number = db.Column(db.String(32))  # TK2026-0001, given when paid
    method = db.Column(db.String(16))
    paid_by_id = db.Column(db.ForeignKey("user.id"))
    paid_at = db.Column(UTCDateTime)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    change = db.relationship("ChangeRequest", back_populates="payout")
    customer = db.relationship("Customer")
    paid_by = db.relationship("User")


class TransferFee(db.Model):
    """过户费 of a name change after the contract; finance confirms it like a payment."""

    __tablename__ = "transfer_fee"
    __table_args__ = (
        CheckConstraint("amount > 0", name="fee_amount_positive"),
        # one live fee per change: a rejected one stays on record and may be recorded again
        db.Index("uq_transfer_fee_live", "change_id", unique=True,
                 sqlite_where=text("status != 'rejected'"),
                 postgresql_where=text("status != 'rejected'")),
    )

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    change_id = db.Column(db.ForeignKey("change_request.id"), nullable=False, index=True)
    receipt_id = db.Column(db.ForeignKey("receipt.id"), nullable=False, unique=True)
    amount = db.Column(Money(), nullable=False)
    method = db.Column(db.String(16), nullable=False)
    status = db.Column(db.String(16), nullable=False, default=MoneyStatus.PENDING, index=True)
    recorded_by_id = db.Column(db.ForeignKey("user.id"), nullable=False)
    recorded_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    decided_by_id = db.Column(db.ForeignKey("user.id"))
    decided_at = db.Column(UTCDateTime)
    reject_reason = db.Column(db.String(200))

    change = db.relationship("ChangeRequest", back_populates="fees")
    receipt = db.relationship("Receipt")
    recorded_by = db.relationship("User", foreign_keys=[recorded_by_id])
