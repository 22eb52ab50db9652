"""The price policy 价格政策: a project's standard discounts, applied in a fixed order.

list price 表价 → each active rule in `seq` order → standard price 标准优惠价 → (special
discount with an approval) → deal price 成交价. A rule is never deleted: a manager edits it
or switches it off, and every change is audited.
"""
from sqlalchemy import CheckConstraint

from app.extensions import db
from app.models.types import Money, UTCDateTime, utcnow

RULE_KINDS = {"rate": "折扣", "amount": "直减金额"}
# which payment plan a rule is for; "" = every plan
RULE_PLANS = {"": "所有付款方式", "full": "一次性付款", "mortgage": "按揭贷款",
              "instalments": "分期付款"}


class PriceRule(db.Model):
    """One standard discount: a rate (98 = 98折) or a fixed amount off, with validity dates."""

    __tablename__ = "price_rule"
    __table_args__ = (
        CheckConstraint("kind IN ('rate', 'amount')", name="kind_known"),
        CheckConstraint("value > 0", name="value_positive"),
        CheckConstraint("kind <> 'rate' OR value < 10000", name="rate_below_100"),
        CheckConstraint("valid_until IS NULL OR valid_until >= valid_from", name="valid_range"),
        db.UniqueConstraint("project_id", "name"),
    )

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    seq = db.Column(db.Integer, nullable=False)  # order of application, lowest first
    name = db.Column(db.String(64), nullable=False)  # 一次性付款优惠 / 开盘当日优惠
    kind = db.Column(db.String(8), nullable=False)
    value = db.Column(Money(), nullable=False)  # rate in percent paid (98.00) or yuan off
    plan = db.Column(db.String(16), nullable=False, default="")  # "" = any plan
    valid_from = db.Column(db.Date, nullable=False)
    valid_until = db.Column(db.Date)  # last day it applies; None = open-ended
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_by_id = db.Column(db.ForeignKey("user.id"), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    created_by = db.relationship("User")

    @property
    def describe(self):
        """98折 / 直减 ¥20,000.00 — the wording on the form, the PDF and the registers."""
        if self.kind == "rate":
            return f"{self.value.normalize():f}折"
        return f"直减 ¥{self.value:,.2f}"
