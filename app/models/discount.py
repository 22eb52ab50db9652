"""Special discounts 特殊优惠: requests, their append-only event log, attachments, limits."""
from sqlalchemy import CheckConstraint, UniqueConstraint, text

from app.extensions import db
from app.models.types import Money, ScaledDecimal, UTCDateTime, utcnow


class DiscountStatus:
    """Stored statuses; moves between them live in app.services.discounts only."""

    PENDING = "pending"
    APPROVED = "approved"  # in the system, or verbally (see DiscountRequest.verbal)
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    USED = "used"  # consumed by a subscription, never reusable
    EXPIRED = "expired"

    ALL = (PENDING, APPROVED, REJECTED, WITHDRAWN, USED, EXPIRED)
    LABELS = {PENDING: "待审批", APPROVED: "已批准", REJECTED: "已驳回", WITHDRAWN: "已撤回",
              USED: "已使用", EXPIRED: "已过期"}


class DiscountKind:
    PERCENT = "percent"
    AMOUNT = "amount"
    PRICE = "price"

    ALL = (PERCENT, AMOUNT, PRICE)
    LABELS = {PERCENT: "折扣比例", AMOUNT: "优惠金额", PRICE: "一口价"}


OPEN_WHERE = "status IN ('pending', 'approved')"


class DiscountRequest(db.Model):
    """One customer, one unit, one special discount asked for, and what became of it."""

    __tablename__ = "discount_request"
    __table_args__ = (
        CheckConstraint(f"status IN {DiscountStatus.ALL}", name="status_known"),
        CheckConstraint(f"kind IN {DiscountKind.ALL}", name="kind_known"),
        CheckConstraint("deal_price > 0 AND deal_price < standard_price", name="is_a_discount"),
        db.Index("ix_discount_request_project_status", "project_id", "status"),
        db.Index("ix_discount_request_customer_unit", "customer_id", "unit_id"),
        # one open request (pending, or approved and not yet used/expired) per customer and unit
        db.Index("uq_discount_request_open", "customer_id", "unit_id", unique=True,
                 sqlite_where=text(OPEN_WHERE), postgresql_where=text(OPEN_WHERE)),
    )

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False)
    customer_id = db.Column(db.ForeignKey("customer.id"), nullable=False)
    unit_id = db.Column(db.ForeignKey("unit.id"), nullable=False, index=True)
    requested_by_id = db.Column(db.ForeignKey("user.id"), nullable=False, index=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    kind = db.Column(db.String(8), nullable=False)
    value = db.Column(Money(), nullable=False)  # percent (2 places) or yuan, per kind
    reason = db.Column(db.String(500), nullable=False)
    # Prices at the time of the request: the log shows what was decided on.
    list_price = db.Column(Money(), nullable=False)
    standard_price = db.Column(Money(), nullable=False)
    deal_price = db.Column(Money(), nullable=False)
    discount_amount = db.Column(Money(), nullable=False)  # standard_price - deal_price
    floor_price = db.Column(Money())  # 底价 snapshot: managers only, never rendered otherwise
    status = db.Column(db.String(12), nullable=False, default=DiscountStatus.PENDING)
    # the payment plan the quote assumed (its plan discounts count); None = not chosen yet
    plan = db.Column(db.String(16))
    # The approver: the manager who decided, or who approved by phone (verbal).
    decided_by_id = db.Column(db.ForeignKey("user.id"), index=True)
    decided_at = db.Column(UTCDateTime)
    decision_comment = db.Column(db.String(500))
    valid_until = db.Column(UTCDateTime)
    # 口头批准: recorded by a secretary, to be confirmed in writing by confirm_due_at.
    verbal = db.Column(db.Boolean, nullable=False, default=False)
    recorded_by_id = db.Column(db.ForeignKey("user.id"))
    recorded_at = db.Column(UTCDateTime)
    confirm_due_at = db.Column(UTCDateTime)
    confirmed_at = db.Column(UTCDateTime)
    confirmed_by_id = db.Column(db.ForeignKey("user.id"))
    # Consumed by a subscription (认购书), exactly once.
    used_at = db.Column(UTCDateTime)
    used_by_id = db.Column(db.ForeignKey("user.id"))
    subscription_ref = db.Column(db.String(64))

    project = db.relationship("Project")
    customer = db.relationship("Customer")
    unit = db.relationship("Unit")
    requested_by = db.relationship("User", foreign_keys=[requested_by_id])
    decided_by = db.relationship("User", foreign_keys=[decided_by_id])
    recorded_by = db.relationship("User", foreign_keys=[recorded_by_id])
    confirmed_by = db.relationship("User", foreign_keys=[confirmed_by_id])
    events = db.relationship("DiscountEvent", order_by="DiscountEvent.id",
                             back_populates="request")
    attachments = db.relationship("DiscountAttachment", order_by="DiscountAttachment.id",
                                  back_populates="request")
    # the 认购书 signed with it, and each correction that carried it over, in order
    subscriptions = db.relationship("Subscription", foreign_keys="Subscription.approval_id",
                                    order_by="Subscription.id", viewonly=True)

    @property
    def used_by_number(self):
        """The 认购书 that carries the discount now: after a correction (重开) the reissued
        one, not the first, which was voided."""
        if not self.subscriptions:
            return self.subscription_ref or ""
        return self.subscriptions[-1].number

    @property
    def list_discount(self):
        """How far below the list price (表价) the deal goes."""
        return self.list_price - self.deal_price

    @property
    def awaiting_confirmation(self):
        return self.verbal and self.confirmed_at is None and self.status in (
            DiscountStatus.APPROVED, DiscountStatus.USED, DiscountStatus.EXPIRED)

    def verbal_overdue(self, at):
        """A verbal approval whose written confirmation is late (flagged everywhere)."""
        return self.awaiting_confirmation and self.confirm_due_at <= at

    def effective_status(self, at):
        """The stored status, with an approval past its validity shown as expired."""
        if self.status == DiscountStatus.APPROVED and self.valid_until <= at:
            return DiscountStatus.EXPIRED
        return self.status


class DiscountEvent(db.Model):
    """The log 特殊优惠客户一览表 is built from these rows: append-only.

    UPDATE and DELETE are refused by a database trigger (migration 0004_discounts).
    """

    __tablename__ = "discount_event"

    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.ForeignKey("discount_request.id"), nullable=False, index=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    kind = db.Column(db.String(16), nullable=False)
    actor_id = db.Column(db.ForeignKey("user.id"))
    actor_name = db.Column(db.String(64), nullable=False)  # display name at the time
    detail = db.Column(db.String(500))

    request = db.relationship("DiscountRequest", back_populates="events")


class DiscountAttachment(db.Model):
    """A checked image (signed paper form, written approval) stored under the instance folder."""

    __tablename__ = "discount_attachment"

    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.ForeignKey("discount_request.id"), nullable=False, index=True)
    kind = db.Column(db.String(16), nullable=False)  # form / written
    original_name = db.Column(db.String(200), nullable=False)
    stored_name = db.Column(db.String(80), nullable=False, unique=True)
    content_type = db.Column(db.String(32), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    width = db.Column(db.Integer, nullable=False)
    height = db.Column(db.Integer, nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    uploaded_by_id = db.Column(db.ForeignKey("user.id"), nullable=False)
    uploaded_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    request = db.relationship("DiscountRequest", back_populates="attachments")
    uploaded_by = db.relationship("User")


class ApprovalLimit(db.Model):
    """How far one approver may go; an empty maximum means no cap on that measure."""

    __tablename__ = "discount_approval_limit"
    __table_args__ = (
        UniqueConstraint("project_id", "user_id"),
        CheckConstraint("max_percent IS NULL OR (max_percent >= 0 AND max_percent <= 10000)",
                        name="percent_range"),
    )

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False)
    user_id = db.Column(db.ForeignKey("user.id"), nullable=False, index=True)
    max_percent = db.Column(ScaledDecimal(2))  # % below list price
    max_amount = db.Column(Money())  # yuan below list price
    max_below_floor = db.Column(Money())  # yuan below the floor price; 0 = not below it
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_by_id = db.Column(db.ForeignKey("user.id"))

    user = db.relationship("User", foreign_keys=[user_id])
