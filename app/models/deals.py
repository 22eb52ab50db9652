"""Deals: receipts and receipt books, deposits 定金, subscriptions 认购书, contracts 签约,
instalments and payments 回款 (DESIGN.md "Money, receipts and the registers").

Nothing here is ever deleted or edited in place: a receipt is voided or refunded, a signed
subscription is voided and reissued. `form_key` columns hold the one-time key of the form
that created the row (unique), so a double submit records one row.
"""
from sqlalchemy import CheckConstraint, UniqueConstraint

from app.extensions import db
from app.models.types import Money, UTCDateTime, utcnow


class ReceiptStatus:
    """A receipt's stored statuses; moves between them: app/services/record_status.py."""

    ISSUED = "issued"
    CONFIRMED = "confirmed"
    VOIDED = "voided"
    REFUNDED = "refunded"

    ALL = (ISSUED, CONFIRMED, VOIDED, REFUNDED)
    LIVE = (ISSUED, CONFIRMED)  # a receipt that still stands for money
    LABELS = {ISSUED: "已开具", CONFIRMED: "已确认", VOIDED: "已作废", REFUNDED: "已退款"}


class MoneyStatus:
    """Stored statuses of money finance checks against its receipt: a deposit 定金, a payment
    回款, a 过户费 (only a deposit is ever refunded, by a 退房). Moves: record_status."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    REFUNDED = "refunded"

    ALL = (PENDING, CONFIRMED, REJECTED, REFUNDED)
    LIVE = (PENDING, CONFIRMED)  # recorded and not turned away (yet)
    LABELS = {PENDING: "待财务确认", CONFIRMED: "已确认", REJECTED: "已退回",
              REFUNDED: "已退房退款"}


class SubscriptionStatus:
    """A 认购书 is signed, or voided and kept (a correction or a change replaced it)."""

    SIGNED = "signed"
    VOIDED = "voided"

    ALL = (SIGNED, VOIDED)
    LABELS = {SIGNED: "有效", VOIDED: "已作废"}


class ReceiptBook(db.Model):
    """A numbered receipt book 收据本 registered by finance and handed to the office."""

    __tablename__ = "receipt_book"
    __table_args__ = (CheckConstraint("first_no > 0 AND last_no >= first_no", name="book_range"),)

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    first_no = db.Column(db.Integer, nullable=False)
    last_no = db.Column(db.Integer, nullable=False)
    holder = db.Column(db.String(64), nullable=False)  # who keeps it, e.g. 前台 王丽
    registered_by_id = db.Column(db.ForeignKey("user.id"), nullable=False)
    registered_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    registered_by = db.relationship("User")


class Receipt(db.Model):
    """One paper receipt 收据: issued → confirmed, or voided (reason) / refunded."""

    __tablename__ = "receipt"
    __table_args__ = (UniqueConstraint("project_id", "number"),
                      CheckConstraint("amount > 0", name="receipt_amount_positive"))

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    book_id = db.Column(db.ForeignKey("receipt_book.id"), nullable=False)
    number = db.Column(db.Integer, nullable=False)
    purpose = db.Column(db.String(16), nullable=False)  # small / large deposit, payment
    # a spoiled blank 作废空白收据 has no amount, payer or unit;
    # a sincerity deposit 诚意金 has no unit until the buyer picks one on launch day
    amount = db.Column(Money())
    method = db.Column(db.String(16))
    payer_id = db.Column(db.ForeignKey("customer.id"))
    unit_id = db.Column(db.ForeignKey("unit.id"))
    status = db.Column(db.String(16), nullable=False, default=ReceiptStatus.ISSUED)
    issued_by_id = db.Column(db.ForeignKey("user.id"), nullable=False)
    issued_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    closed_by_id = db.Column(db.ForeignKey("user.id"))  # confirmed / voided / refunded by
    closed_at = db.Column(UTCDateTime)
    reason = db.Column(db.String(200))

    payer = db.relationship("Customer")
    unit = db.relationship("Unit")
    issued_by = db.relationship("User", foreign_keys=[issued_by_id])
    closed_by = db.relationship("User", foreign_keys=[closed_by_id])


class Deposit(db.Model):
    """小定 / 大定 paid to finance; pending until finance confirms or rejects it."""

    __tablename__ = "deposit"

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    unit_id = db.Column(db.ForeignKey("unit.id"), nullable=False, index=True)
    customer_id = db.Column(db.ForeignKey("customer.id"), nullable=False)
    consultant_id = db.Column(db.ForeignKey("user.id"), nullable=False)
    receipt_id = db.Column(db.ForeignKey("receipt.id"), nullable=False, unique=True)
    kind = db.Column(db.String(8), nullable=False)  # small 小定 / large 大定
    amount = db.Column(Money(), nullable=False)
    method = db.Column(db.String(16), nullable=False)
    status = db.Column(db.String(16), nullable=False, default=MoneyStatus.PENDING, index=True)
    recorded_by_id = db.Column(db.ForeignKey("user.id"), nullable=False)
    recorded_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    decided_by_id = db.Column(db.ForeignKey("user.id"))
    decided_at = db.Column(UTCDateTime)
    reject_reason = db.Column(db.String(200))
    form_key = db.Column(db.String(64), nullable=False, unique=True)
    # attribution, fixed when the deposit is recorded (seed 002 cases; channel 报备 protection)
    split_case = db.Column(db.String(24))
    # why the split is what it is, in Chinese: the rule applied and the dates compared
    split_reason = db.Column(db.String(400))
    # a complaint split (准则(4)) waits for the manager: pending → confirmed / rejected;
    # None: the split counts as recorded
    split_status = db.Column(db.String(12))
    split_decided_by_id = db.Column(db.ForeignKey("user.id"))
    split_decided_at = db.Column(UTCDateTime)
    channel_report_id = db.Column(db.ForeignKey("channel_report.id"))
    # 全民营销 (seed 003): the group employee who introduced the buyer, paid per unit
    staff_referrer = db.Column(db.String(64))

    unit = db.relationship("Unit")
    customer = db.relationship("Customer")
    receipt = db.relationship("Receipt")
    channel_report = db.relationship("ChannelReport")
    shares = db.relationship("DealShare", order_by="DealShare.percent.desc()")
    consultant = db.relationship("User", foreign_keys=[consultant_id])
    recorded_by = db.relationship("User", foreign_keys=[recorded_by_id])
    decided_by = db.relationship("User", foreign_keys=[decided_by_id])
    split_decided_by = db.relationship("User", foreign_keys=[split_decided_by_id])


class Subscription(db.Model):
    """认购书: signed is final; a correction voids it and a new one replaces it."""

    __tablename__ = "subscription"
    __table_args__ = (UniqueConstraint("project_id", "number"),)

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    number = db.Column(db.String(32), nullable=False)  # RG2026-0001
    unit_id = db.Column(db.ForeignKey("unit.id"), nullable=False, index=True)
    deposit_id = db.Column(db.ForeignKey("deposit.id"), nullable=False)
    customer_id = db.Column(db.ForeignKey("customer.id"), nullable=False)
    co_buyers = db.Column(db.Text, nullable=False, default="[]")  # JSON [[name, id number]]
    list_price = db.Column(Money(), nullable=False)
    deal_price = db.Column(Money(), nullable=False)
    approval_id = db.Column(db.ForeignKey("discount_request.id"))
    plan = db.Column(db.String(16), nullable=False)  # full / mortgage / instalments
    down_payment = db.Column(Money())
    bank = db.Column(db.String(64))
    sign_deadline = db.Column(db.Date, nullable=False)
    address = db.Column(db.String(200))
    buyer_id_type = db.Column(db.String(16))  # id_card / passport / ... (deals.identity)
    buyer_id_number = db.Column(db.String(32))
    identity_note = db.Column(db.String(200))  # why it was signed without ID or address
    status = db.Column(db.String(16), nullable=False, default=SubscriptionStatus.SIGNED)
    signed_by_id = db.Column(db.ForeignKey("user.id"), nullable=False)
    signed_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    replaces_id = db.Column(db.ForeignKey("subscription.id"))
    voided_by_id = db.Column(db.ForeignKey("user.id"))
    voided_at = db.Column(UTCDateTime)
    void_reason = db.Column(db.String(200))
    form_key = db.Column(db.String(64), nullable=False, unique=True)

    unit = db.relationship("Unit")
    deposit = db.relationship("Deposit")
    customer = db.relationship("Customer")
    signed_by = db.relationship("User", foreign_keys=[signed_by_id])
    discounts = db.relationship("SubscriptionDiscount", order_by="SubscriptionDiscount.seq")


class Contract(db.Model):
    """签约: the contract and its scheduled instalments."""

    __tablename__ = "contract"
    __table_args__ = (UniqueConstraint("project_id", "number"),)

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    number = db.Column(db.String(32), nullable=False)
    unit_id = db.Column(db.ForeignKey("unit.id"), nullable=False, index=True)
    subscription_id = db.Column(db.ForeignKey("subscription.id"), nullable=False, unique=True)
    customer_id = db.Column(db.ForeignKey("customer.id"), nullable=False)
    sign_date = db.Column(db.Date, nullable=False)
    total_price = db.Column(Money(), nullable=False)
    plan = db.Column(db.String(16), nullable=False)
    created_by_id = db.Column(db.ForeignKey("user.id"), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    form_key = db.Column(db.String(64), nullable=False, unique=True)

    unit = db.relationship("Unit")
    customer = db.relationship("Customer")
    subscription = db.relationship("Subscription")
    instalments = db.relationship("Instalment", order_by="Instalment.seq",
                                  back_populates="contract")


class Instalment(db.Model):
    __tablename__ = "instalment"
    __table_args__ = (UniqueConstraint("contract_id", "seq"),
                      CheckConstraint("amount > 0", name="instalment_amount_positive"),
                      CheckConstraint("credited >= 0 AND credited <= amount",
                                      name="instalment_credit_range"))

    id = db.Column(db.Integer, primary_key=True)
    contract_id = db.Column(db.ForeignKey("contract.id"), nullable=False, index=True)
    seq = db.Column(db.Integer, nullable=False)
    label = db.Column(db.String(32), nullable=False)  # 首付款 / 按揭贷款 / 第2期
    due_date = db.Column(db.Date, nullable=False)
    amount = db.Column(Money(), nullable=False)
    credited = db.Column(Money(), nullable=False, default=0)  # confirmed deposit counted here

    contract = db.relationship("Contract", back_populates="instalments")

    @property
    def due(self):
        """What the buyer still has to pay on this instalment beyond the credited deposit."""
        return self.amount - self.credited
    payments = db.relationship("Payment", back_populates="instalment", order_by="Payment.id")


class Payment(db.Model):
    """回款 against an instalment; confirmed by finance like a deposit."""

    __tablename__ = "payment"

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    contract_id = db.Column(db.ForeignKey("contract.id"), nullable=False, index=True)
    instalment_id = db.Column(db.ForeignKey("instalment.id"), nullable=False, index=True)
    receipt_id = db.Column(db.ForeignKey("receipt.id"), nullable=False, unique=True)
    amount = db.Column(Money(), nullable=False)
    method = db.Column(db.String(16), nullable=False)
    status = db.Column(db.String(16), nullable=False, default=MoneyStatus.PENDING, index=True)
    recorded_by_id = db.Column(db.ForeignKey("user.id"), nullable=False)
    recorded_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    decided_by_id = db.Column(db.ForeignKey("user.id"))
    decided_at = db.Column(UTCDateTime)
    reject_reason = db.Column(db.String(200))
    form_key = db.Column(db.String(64), nullable=False, unique=True)

    contract = db.relationship("Contract")
    instalment = db.relationship("Instalment", back_populates="payments")
    receipt = db.relationship("Receipt")
    recorded_by = db.relationship("User", foreign_keys=[recorded_by_id])
    decided_by = db.relationship("User", foreign_keys=[decided_by_id])


class SubscriptionDiscount(db.Model):
    """Each discount a subscription applied, in order: list price − Σ amount = deal price."""

    __tablename__ = "subscription_discount"
    __table_args__ = (UniqueConstraint("subscription_id", "seq"),
                      CheckConstraint("amount >= 0", name="amount_not_negative"),
                      CheckConstraint("kind IN ('standard', 'special')", name="kind_known"))

    id = db.Column(db.Integer, primary_key=True)
    subscription_id = db.Column(db.ForeignKey("subscription.id"), nullable=False, index=True)
    seq = db.Column(db.Integer, nullable=False)
    kind = db.Column(db.String(8), nullable=False)  # standard (price policy) / special
    name = db.Column(db.String(64), nullable=False)
    terms = db.Column(db.String(64), nullable=False)  # 98折 / 直减 ¥20,000.00
    amount = db.Column(Money(), nullable=False)
    price_after = db.Column(Money(), nullable=False)
    rule_id = db.Column(db.ForeignKey("price_rule.id"))
    request_id = db.Column(db.ForeignKey("discount_request.id"))


class DealShare(db.Model):
    """A consultant's shares of a deal (seed 002), fixed when the deposit is recorded: the
    bonus 奖金 (`percent`, e.g. 80/20) and the sale counted in performance 业绩 (`credit`)."""

    __tablename__ = "deal_share"
    __table_args__ = (UniqueConstraint("deposit_id", "user_id"),
                      CheckConstraint("percent > 0 AND percent <= 10000", name="percent_range"),
                      CheckConstraint("credit >= 0 AND credit <= 10000", name="credit_range"))

    id = db.Column(db.Integer, primary_key=True)
    deposit_id = db.Column(db.ForeignKey("deposit.id"), nullable=False, index=True)
    user_id = db.Column(db.ForeignKey("user.id"), nullable=False, index=True)
    percent = db.Column(Money(), nullable=False)  # 奖金 80.00
    credit = db.Column(Money(), nullable=False, default=0, server_default="0")  # 业绩 100.00

    user = db.relationship("User")
