"""The visit and call log 来人来电 and follow-ups 跟进."""
from sqlalchemy import CheckConstraint

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

VISIT_KINDS = {"visit": "来访", "call": "来电"}
FOLLOW_UP_WAYS = {"phone": "电话", "visit": "到访", "wechat": "微信", "sms": "短信"}


class Visit(db.Model):
    """One walk-in or call: time, consultant, channel, first or repeat (到访次数)."""

    __tablename__ = "visit"
    __table_args__ = (
        CheckConstraint("kind IN ('visit', 'call')", name="kind_known"),
        db.Index("ix_visit_project_id_at", "project_id", "at"),
    )

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False)
    customer_id = db.Column(db.ForeignKey("customer.id"), index=True)  # None: left no details
    kind = db.Column(db.String(8), nullable=False)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow)  # when it really happened
    # 补录: when it was typed in, if later than `at` (None: entered as it happened).
    entered_at = db.Column(UTCDateTime)
    consultant_id = db.Column(db.ForeignKey("user.id"), nullable=False, index=True)
    channel = db.Column(db.String(32))
    # Derived when recorded: the customer's n-th walk-in (calls carry the count so far).
    visit_no = db.Column(db.Integer)
    duration_minutes = db.Column(db.Integer)
    result = db.Column(db.String(200))
    recorded_by_id = db.Column(db.ForeignKey("user.id"))

    customer = db.relationship("Customer")
    consultant = db.relationship("User", foreign_keys=[consultant_id])

    @property
    def kind_label(self):
        return VISIT_KINDS[self.kind]

    @property
    def is_first(self):
        return self.kind == "visit" and self.visit_no == 1


class FollowUp(db.Model):
    """A consultant's follow-up: way, content, result, next date."""

    __tablename__ = "follow_up"
    __table_args__ = (
        CheckConstraint("way IN ('phone', 'visit', 'wechat', 'sms')", name="way_known"),
    )

    id = db.Column(db.Integer, primary_key=True)
    customer_id = db.Column(db.ForeignKey("customer.id"), nullable=False, index=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    consultant_id = db.Column(db.ForeignKey("user.id"), nullable=False)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    way = db.Column(db.String(8), nullable=False)
    content = db.Column(db.String(1000), nullable=False)
    result = db.Column(db.String(200))
    # Reached the customer: only effective follow-ups keep the card valid (ownership).
    effective = db.Column(db.Boolean, nullable=False, default=True)
    next_on = db.Column(db.Date)
    # A manager judged it not effective: it no longer keeps the card valid.
    ineffective_reason = db.Column(db.String(200))
    judged_by_id = db.Column(db.ForeignKey("user.id"))
    judged_at = db.Column(UTCDateTime)

    customer = db.relationship("Customer")
    consultant = db.relationship("User", foreign_keys=[consultant_id])
    judged_by = db.relationship("User", foreign_keys=[judged_by_id])

    @property
    def way_label(self):
        return FOLLOW_UP_WAYS[self.way]
