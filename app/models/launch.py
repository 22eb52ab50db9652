"""Launch day 开盘: a launch, its 认筹 registrations and their place in the 选房 queue.

A registration carries the sincerity deposit 诚意金 (a receipt from finance's books, with no
unit yet), the queue number it drew (排号 / 摇号) and its state in the selection session.
The launch row's `version` moves with every change of the queue: the hall screen's ETag.
"""
from sqlalchemy import CheckConstraint, UniqueConstraint

from app.extensions import db
from app.models.types import Money, UTCDateTime, utcnow


class LaunchStatus:
    """registering → drawn (queue fixed) → selecting ⇄ paused → closed; `committed`: the
    摇号 seed's hash is published and registration is over (app/services/launch/)."""

    REGISTERING = "registering"
    COMMITTED = "committed"
    DRAWN = "drawn"
    SELECTING = "selecting"
    PAUSED = "paused"
    CLOSED = "closed"

    ALL = (REGISTERING, COMMITTED, DRAWN, SELECTING, PAUSED, CLOSED)
    OPEN = (REGISTERING, COMMITTED, DRAWN, SELECTING, PAUSED)  # not yet closed
    LABELS = {REGISTERING: "认筹中", COMMITTED: "已公示摇号种子", DRAWN: "已排号",
              SELECTING: "选房中", PAUSED: "已暂停", CLOSED: "已结束"}


class RegistrationStatus:
    """The 诚意金 of a registration: finance confirms, rejects or refunds it
    (app/services/record_status.py); a pick converts it into a unit's deposit."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    REFUNDED = "refunded"
    CONVERTED = "converted"

    ALL = (PENDING, CONFIRMED, REJECTED, REFUNDED, CONVERTED)
    IN_QUEUE = (PENDING, CONFIRMED)  # registrations that keep their place in the queue
    LABELS = {PENDING: "待财务确认", CONFIRMED: "已确认", REJECTED: "已退回",
              REFUNDED: "已退款", CONVERTED: "已转定金"}


class CallStatus:
    """A registration's place in the 选房 session (None until the queue is fixed)."""

    WAITING = "waiting"
    CALLED = "called"
    PICKED = "picked"
    OUT = "out"

    ALL = (WAITING, CALLED, PICKED, OUT)
    LABELS = {WAITING: "等候", CALLED: "选房中", PICKED: "已选房", OUT: "已出列"}


class Launch(db.Model):
    """One 开盘: registration → queue fixed (排号 or committed-and-drawn 摇号) → selection."""

    __tablename__ = "launch"
    __table_args__ = (
        CheckConstraint("mode IN ('order', 'lottery')", name="launch_mode_known"),
        CheckConstraint("window_seconds > 0 AND miss_penalty >= 0", name="launch_rules_sane"),
    )

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    name = db.Column(db.String(64), nullable=False)  # e.g. 一期开盘
    mode = db.Column(db.String(8), nullable=False, default="lottery")  # 排号 order / 摇号 lottery
    sincerity_amount = db.Column(Money(), nullable=False)  # 诚意金 per registration
    window_seconds = db.Column(db.Integer, nullable=False, default=180)  # time to pick
    miss_penalty = db.Column(db.Integer, nullable=False, default=3)  # places moved back
    status = db.Column(db.String(12), nullable=False, default=LaunchStatus.REGISTERING)
    public_token = db.Column(db.String(64), nullable=False, unique=True)  # verification page
    seed_hash = db.Column(db.String(64))  # SHA-256 of the seed, published before the draw
    seed = db.Column(db.String(64))  # kept secret until the draw, then published
    participants = db.Column(db.Text)  # JSON: the sorted registration numbers in the draw
    committed_at = db.Column(UTCDateTime)
    drawn_at = db.Column(UTCDateTime)
    paused_at = db.Column(UTCDateTime)
    version = db.Column(db.Integer, nullable=False, default=0)
    created_by_id = db.Column(db.ForeignKey("user.id"), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    project = db.relationship("Project")
    registrations = db.relationship("LaunchRegistration", back_populates="launch",
                                    order_by="LaunchRegistration.number")


class LaunchRegistration(db.Model):
    """认筹: a buyer, their sincerity deposit and, once the queue is fixed, their place in it."""

    __tablename__ = "launch_registration"
    __table_args__ = (
        UniqueConstraint("launch_id", "number", name="uq_launch_registration_number"),
        UniqueConstraint("launch_id", "customer_id", name="uq_launch_registration_customer"),
        CheckConstraint("amount > 0", name="sincerity_amount_positive"),
    )

    id = db.Column(db.Integer, primary_key=True)
    launch_id = db.Column(db.ForeignKey("launch.id"), nullable=False, index=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False)  # 认筹号, in registration order
    customer_id = db.Column(db.ForeignKey("customer.id"), nullable=False)
    consultant_id = db.Column(db.ForeignKey("user.id"), nullable=False)
    receipt_id = db.Column(db.ForeignKey("receipt.id"), nullable=False, unique=True)
    amount = db.Column(Money(), nullable=False)
    method = db.Column(db.String(16), nullable=False)
    wanted_layouts = db.Column(db.String(200), nullable=False, default="")  # 、-joined
    status = db.Column(db.String(12), nullable=False, default=RegistrationStatus.PENDING,
                       index=True)
    registered_by_id = db.Column(db.ForeignKey("user.id"), nullable=False)
    registered_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    decided_by_id = db.Column(db.ForeignKey("user.id"))
    decided_at = db.Column(UTCDateTime)
    reason = db.Column(db.String(200))  # why finance rejected it, or why it was refunded
    form_key = db.Column(db.String(64), nullable=False, unique=True)
    # the queue: queue_no as drawn; position moves back on a missed call
    queue_no = db.Column(db.Integer)
    position = db.Column(db.Integer, index=True)
    call_status = db.Column(db.String(8))  # CallStatus
    called_at = db.Column(UTCDateTime)
    window_ends_at = db.Column(UTCDateTime)
    misses = db.Column(db.Integer, nullable=False, default=0)
    picked_unit_id = db.Column(db.ForeignKey("unit.id"))
    deposit_id = db.Column(db.ForeignKey("deposit.id"))

    launch = db.relationship("Launch", back_populates="registrations")
    customer = db.relationship("Customer")
    consultant = db.relationship("User", foreign_keys=[consultant_id])
    registered_by = db.relationship("User", foreign_keys=[registered_by_id])
    decided_by = db.relationship("User", foreign_keys=[decided_by_id])
    receipt = db.relationship("Receipt")
    picked_unit = db.relationship("Unit")
    deposit = db.relationship("Deposit")

    @property
    def recorded_by_id(self):
        """The separation-of-duties rule (policy.not_the_recorder) reads this name."""
        return self.registered_by_id

    @property
    def code(self):
        return f"RC{self.number:04d}"
