"""Reception rotation 轮流接待: the day's duty queue and every assignment made from it."""
from sqlalchemy import CheckConstraint, UniqueConstraint

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

ASSIGNMENT_KINDS = {"turn": "轮接", "makeup": "补接", "owner": "老客户", "named": "指定",
                    "assist": "代接",
                    "return": "老客户重访"}


class DutyDay(db.Model):
    """One project's queue for one day; the next turn goes to whoever follows `last_turn_user`."""

    __tablename__ = "duty_day"
    __table_args__ = (UniqueConstraint("project_id", "day"),)

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    day = db.Column(db.Date, nullable=False)
    last_turn_user_id = db.Column(db.ForeignKey("user.id"))
    set_by_id = db.Column(db.ForeignKey("user.id"))
    set_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    last_turn_user = db.relationship("User", foreign_keys=[last_turn_user_id])
    entries = db.relationship("DutyEntry", back_populates="day_row",
                              order_by="DutyEntry.position", cascade="all, delete-orphan")


class DutyEntry(db.Model):
    """A consultant on duty: place in the queue, away or not, turns owed (空几轮补几名)."""

    __tablename__ = "duty_entry"
    __table_args__ = (
        UniqueConstraint("duty_day_id", "user_id"),
        CheckConstraint("owed >= 0", name="owed_not_negative"),
    )

    id = db.Column(db.Integer, primary_key=True)
    duty_day_id = db.Column(db.ForeignKey("duty_day.id"), nullable=False, index=True)
    user_id = db.Column(db.ForeignKey("user.id"), nullable=False)
    position = db.Column(db.Integer, nullable=False)
    away = db.Column(db.Boolean, nullable=False, default=False)
    # 忙于接待 (seed 002 二.3): skipped without a make-up turn, unlike 外出.
    busy = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())
    owed = db.Column(db.Integer, nullable=False, default=0)
    turns = db.Column(db.Integer, nullable=False, default=0)

    day_row = db.relationship("DutyDay", back_populates="entries")
    user = db.relationship("User")


class RotationAssignment(db.Model):
    """Who received whom, why (turn, make-up, owner, named, assist, return), skipping whom."""

    __tablename__ = "rotation_assignment"
    __table_args__ = (
        CheckConstraint("kind IN ('turn', 'makeup', 'owner', 'named', 'assist', 'return')",
                        name="kind_known"),
    )

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    duty_day_id = db.Column(db.ForeignKey("duty_day.id"), nullable=False, index=True)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    consultant_id = db.Column(db.ForeignKey("user.id"), nullable=False, index=True)
    kind = db.Column(db.String(8), nullable=False)
    customer_id = db.Column(db.ForeignKey("customer.id"))
    visit_id = db.Column(db.ForeignKey("visit.id"))
    by_id = db.Column(db.ForeignKey("user.id"))
    skipped = db.Column(db.String(200))  # names passed over because they were away
    note = db.Column(db.String(200))

    consultant = db.relationship("User", foreign_keys=[consultant_id])
    customer = db.relationship("Customer")
    by = db.relationship("User", foreign_keys=[by_id])

    @property
    def kind_label(self):
        return ASSIGNMENT_KINDS[self.kind]
