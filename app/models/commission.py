"""Commissions 佣金 and bonuses 提成: the rules a manager sets, and the lines they accrue.

A line is money owed to one payee for one deal (the deposit that started it). Its amount is
never edited and no line is deleted: a cancelled accrual gets an offsetting line, a paid one
a 追回 (claw-back) line, so the sum of a payee's lines is what they are owed now. Only the
status moves (app/services/record_status.py): 应计 → 可结算 → 已审批 → 已发放; a 追回 line
starts 待追回 and becomes 已追回 when finance records the money coming back.
"""
from sqlalchemy import CheckConstraint

from app.extensions import db
from app.models.types import Money, UTCDateTime, utcnow

# who a rule pays, and the product types 业态 a unit may have
PAYEE_KINDS = {"consultant": "置业顾问", "channel": "渠道公司", "staff": "内部员工推荐",
               "broker": "全民经纪人"}
PRODUCT_TYPES = {"high_rise": "小高层", "garden": "洋房", "villa": "别墅(180-300万)",
                 "grand_villa": "别墅(300万以上)", "shop": "商铺"}
RATE_KINDS = {"rate": "按成交价比例", "amount": "每套固定金额"}
# when a line may be paid (the project's setting): seed 003 "房款到帐后"
PAYABLE_WHEN = {"subscribed": "认购即可结算", "contracted": "签约后可结算",
                "down_payment": "首付款到账后可结算", "percent": "回款达成交价一定比例后可结算"}


class LineStatus:
    ACCRUED = "accrued"
    PAYABLE = "payable"
    APPROVED = "approved"
    PAID = "paid"
    RECOVERING = "recovering"  # 待追回: paid and no longer owed, the money not yet back
    CLAWBACK = "clawback"  # 已追回: finance recorded the money coming back
    CANCELLED = "cancelled"

    ALL = (ACCRUED, PAYABLE, APPROVED, PAID, RECOVERING, CLAWBACK, CANCELLED)
    UNPAID = (ACCRUED, PAYABLE, APPROVED)
    LABELS = {ACCRUED: "应计", PAYABLE: "可结算", APPROVED: "已审批", PAID: "已发放",
              RECOVERING: "待追回", CLAWBACK: "已追回", CANCELLED: "已取消"}


LINE_KINDS = {"accrual": "计提", "offset": "冲销", "clawback": "追回", "adjustment": "补差"}


class CommissionRule(db.Model):
    """One version of one rule: who (payee kind), for which product type, how much, from
    when to when. A new version starts where the old one ends; versions never overlap."""

    __tablename__ = "commission_rule"
    __table_args__ = (
        CheckConstraint("payee_kind IN ('consultant', 'channel', 'staff', 'broker')",
                        name="payee_kind_known"),
        CheckConstraint("kind IN ('rate', 'amount')", name="kind_known"),
        CheckConstraint("value >= 0", name="value_not_negative"),
        CheckConstraint("kind <> 'rate' OR value <= 10000", name="rate_at_most_100"),
        CheckConstraint("valid_until IS NULL OR valid_until >= valid_from", name="valid_range"),
    )

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    payee_kind = db.Column(db.String(16), nullable=False)
    product_type = db.Column(db.String(16), nullable=False)
    kind = db.Column(db.String(8), nullable=False)
    value = db.Column(Money(), nullable=False)  # percent of the deal price (1.50) or yuan
    value_2 = db.Column(Money())  # a broker's 2nd sale
    value_3 = db.Column(Money())  # a broker's 3rd and later sales
    valid_from = db.Column(db.Date, nullable=False)
    valid_until = db.Column(db.Date)  # last day; None = open-ended
    created_by_id = db.Column(db.ForeignKey("user.id"), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    created_by = db.relationship("User")

    @property
    def describe(self):
        if self.kind == "rate":
            return f"成交价 × {self.value.normalize():f}%"
        if self.payee_kind == "broker":
            return f"第1套 ¥{self.value:,.2f} / 第2套 ¥{self.value_2:,.2f} / " \
                   f"第3套及以上 ¥{self.value_3:,.2f}"
        return f"每套 ¥{self.value:,.2f}"


class CommissionBatch(db.Model):
    """提成审批: the payable lines one manager approved together."""

    __tablename__ = "commission_batch"

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    approved_by_id = db.Column(db.ForeignKey("user.id"), nullable=False)
    approved_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    total = db.Column(Money(), nullable=False)
    line_count = db.Column(db.Integer, nullable=False)

    approved_by = db.relationship("User")


class CommissionLine(db.Model):
    """One amount owed to (or, negative, owed back by) one payee for one deal."""

    __tablename__ = "commission_line"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        CheckConstraint("payee_kind IN ('consultant', 'channel', 'staff', 'broker')",
                        name="payee_kind_known"),
        CheckConstraint("status IN ('accrued', 'payable', 'approved', 'paid', 'recovering',"
                        " 'clawback', 'cancelled')", name="status_known"),
        db.Index("ix_commission_line_project_id_payee", "project_id", "payee_key"),
    )

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False)
    deposit_id = db.Column(db.ForeignKey("deposit.id"), nullable=False, index=True)
    subscription_id = db.Column(db.ForeignKey("subscription.id"))
    payee_kind = db.Column(db.String(16), nullable=False)
    # one key per payee: user:5, company:3, agent:7, staff:<name>
    payee_key = db.Column(db.String(80), nullable=False)
    payee_name = db.Column(db.String(100), nullable=False)
    user_id = db.Column(db.ForeignKey("user.id"), index=True)
    company_id = db.Column(db.ForeignKey("channel_company.id"), index=True)
    agent_id = db.Column(db.ForeignKey("channel_agent.id"))
    kind = db.Column(db.String(12), nullable=False)  # accrual / offset / clawback / adjustment
    amount = db.Column(Money(), nullable=False)
    rule_id = db.Column(db.ForeignKey("commission_rule.id"))
    basis = db.Column(db.String(400), nullable=False)  # how the amount was worked out
    offsets_id = db.Column(db.ForeignKey("commission_line.id"))
    status = db.Column(db.String(12), nullable=False, index=True)
    created_by_id = db.Column(db.ForeignKey("user.id"), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    payable_at = db.Column(UTCDateTime)
    batch_id = db.Column(db.ForeignKey("commission_batch.id"), index=True)
    approved_by_id = db.Column(db.ForeignKey("user.id"))
    approved_at = db.Column(UTCDateTime)
    # who recorded the money moving, when, and how: paid out (已发放), or, on a 追回 line,
    # come back (已追回: paid_on is the day it came back)
    paid_by_id = db.Column(db.ForeignKey("user.id"))
    paid_at = db.Column(UTCDateTime)
    paid_on = db.Column(db.Date)
    pay_method = db.Column(db.String(16))
    pay_reference = db.Column(db.String(64))
    cancelled_by_id = db.Column(db.ForeignKey("user.id"))
    cancelled_at = db.Column(UTCDateTime)
    reason = db.Column(db.String(200))

    deposit = db.relationship("Deposit")
    subscription = db.relationship("Subscription")
    rule = db.relationship("CommissionRule")
    batch = db.relationship("CommissionBatch")

    @property
    def status_label(self):
        return LineStatus.LABELS[self.status]
