"""Customers and their card 温馨卡, option lists, grade and ownership history, access log."""
from sqlalchemy import CheckConstraint, UniqueConstraint

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

GRADES = ("A", "B", "C", "D")
# DESIGN.md: chance to buy within a month.
GRADE_LABELS = {"A": "A 级(≥50%)", "B": "B 级(≥25%)", "C": "C 级(≥10%)", "D": "D 级(<10%)"}
GENDERS = ("男", "女")


class Customer(db.Model):
    """One customer card 温馨卡 per project and phone number.

    The first consultant to register a phone number owns the customer (DESIGN.md): the
    (project, phone) pair is unique, so a second registration is refused by the database too.
    """

    __tablename__ = "customer"
    __table_args__ = (
        UniqueConstraint("project_id", "phone"),
        CheckConstraint("grade IS NULL OR grade IN ('A', 'B', 'C', 'D')", name="grade_known"),
        db.Index("ix_customer_project_id_phone_mask", "project_id", "phone_mask"),
        db.Index("ix_customer_project_id_follow_up_deadline", "project_id", "follow_up_deadline"),
    )

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    name = db.Column(db.String(64), nullable=False)
    phone = db.Column(db.String(20), nullable=False)  # digits only, see services.phones
    # Masked-phone index (138****5678): search and channel-report matching work on masks.
    phone_mask = db.Column(db.String(20))
    id_number = db.Column(db.String(32))
    gender = db.Column(db.String(4))
    owner_id = db.Column(db.ForeignKey("user.id"), index=True)
    registered_by_id = db.Column(db.ForeignKey("user.id"))
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = db.Column(UTCDateTime)

    # The card's standard choices (labels from the project's option lists).
    employer_type = db.Column(db.String(32))
    age_band = db.Column(db.String(32))
    housing = db.Column(db.String(32))
    purpose = db.Column(db.String(32))
    channel = db.Column(db.String(32))  # 认知途径
    area_band = db.Column(db.String(32))
    price_band = db.Column(db.String(32))
    income_band = db.Column(db.String(32))
    family_structure = db.Column(db.String(32))
    wanted_layout = db.Column(db.String(32))
    grade = db.Column(db.String(1))
    is_peer = db.Column(db.Boolean, nullable=False, default=False)  # 踩盘

    # Free notes (seed 000: 相貌特征, 关注点, 存在问题, 下次约访时间及由头).
    appearance = db.Column(db.String(500))
    concerns = db.Column(db.String(500))
    objections = db.Column(db.String(500))
    notes = db.Column(db.Text)
    next_appointment_on = db.Column(db.Date)
    next_appointment_pretext = db.Column(db.String(200))

    # Clocks kept by the services.
    first_visit_at = db.Column(UTCDateTime)
    last_visit_at = db.Column(UTCDateTime)
    last_effective_at = db.Column(UTCDateTime)  # last visit or effective follow-up
    owned_since = db.Column(UTCDateTime)
    follow_up_due_on = db.Column(db.Date)  # next follow-up becomes due
    follow_up_deadline = db.Column(db.Date)  # ... and is overdue after this day
    deal_at = db.Column(UTCDateTime)  # set by the deals area when a sale is signed
    pooled_at = db.Column(UTCDateTime)
    pool_reason = db.Column(db.String(16))  # expired / recycled / released
    anonymised_at = db.Column(UTCDateTime)
    # Seed 004: the customer's consent to keep and use their data (when, how).
    consent_at = db.Column(UTCDateTime)
    consent_how = db.Column(db.String(32))
    # Seed 002 准则(10)(11): brought by an earlier customer (老带新) or of the same household.
    linked_to_id = db.Column(db.ForeignKey("customer.id"))
    link_kind = db.Column(db.String(16))  # referral / household

    owner = db.relationship("User", foreign_keys=[owner_id])
    registered_by = db.relationship("User", foreign_keys=[registered_by_id])
    linked_to = db.relationship("Customer", remote_side=[id])

    @property
    def grade_label(self):
        return GRADE_LABELS.get(self.grade, "未评级")


class CustomerOption(db.Model):
    """A project's own choices for one card field (a manager edits them)."""

    __tablename__ = "customer_option"
    __table_args__ = (UniqueConstraint("project_id", "kind", "label"),)

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    kind = db.Column(db.String(32), nullable=False)
    label = db.Column(db.String(32), nullable=False)
    sort_order = db.Column(db.Integer, nullable=False, default=0)


class GradeChange(db.Model):
    """Every grade set on a card, with its reason; downgrades go to the manager."""

    __tablename__ = "grade_change"

    id = db.Column(db.Integer, primary_key=True)
    customer_id = db.Column(db.ForeignKey("customer.id"), nullable=False, index=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    by_id = db.Column(db.ForeignKey("user.id"))
    before = db.Column(db.String(1))
    after = db.Column(db.String(1), nullable=False)
    reason = db.Column(db.String(300), nullable=False)
    acknowledged_by_id = db.Column(db.ForeignKey("user.id"))
    acknowledged_at = db.Column(UTCDateTime)
    # applied / pending (a downgrade waits for the manager) / rejected
    status = db.Column(db.String(8), nullable=False, default="applied", server_default="applied")
    decision_note = db.Column(db.String(300))

    customer = db.relationship("Customer")
    by = db.relationship("User", foreign_keys=[by_id])

    @property
    def is_downgrade(self):
        return bool(self.before) and GRADES.index(self.after) > GRADES.index(self.before)


class OwnershipChange(db.Model):
    """Who owned a customer from when: registration, expiry, recycling, reassignment."""

    __tablename__ = "ownership_change"

    id = db.Column(db.Integer, primary_key=True)
    customer_id = db.Column(db.ForeignKey("customer.id"), nullable=False, index=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    by_id = db.Column(db.ForeignKey("user.id"))
    from_id = db.Column(db.ForeignKey("user.id"))
    to_id = db.Column(db.ForeignKey("user.id"))
    kind = db.Column(db.String(16), nullable=False)
    reason = db.Column(db.String(300))

    customer = db.relationship("Customer")
    by = db.relationship("User", foreign_keys=[by_id])
    from_user = db.relationship("User", foreign_keys=[from_id])
    to_user = db.relationship("User", foreign_keys=[to_id])


class AccessLog(db.Model):
    """Who saw, printed or exported personal data: every reveal (显示), print and export."""

    __tablename__ = "access_log"

    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    user_id = db.Column(db.ForeignKey("user.id"), nullable=False, index=True)
    project_id = db.Column(db.ForeignKey("project.id"), index=True)
    customer_id = db.Column(db.ForeignKey("customer.id"), index=True)
    # reveal / reveal_refused (over the hourly limit) / export / print / print_masked
    action = db.Column(db.String(16), nullable=False)
    field = db.Column(db.String(32))  # phone / id_number / the export's or document's name
    records = db.Column(db.Integer)
    ip = db.Column(db.String(64))
    reason = db.Column(db.String(200))  # what a full-number export is for, as typed

    user = db.relationship("User")
    customer = db.relationship("Customer")
