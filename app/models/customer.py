"""Customers (buyers and prospects). The customer-card issue extends this."""
from sqlalchemy import UniqueConstraint

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class Customer(db.Model):
    __tablename__ = "customer"
    # The first consultant to register a phone number owns the customer (DESIGN.md).
    __table_args__ = (UniqueConstraint("project_id", "phone"),)

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    name = db.Column(db.String(64), nullable=False)
    phone = db.Column(db.String(20), nullable=False)  # digits only, see services.phones
    id_number = db.Column(db.String(32))
    owner_id = db.Column(db.ForeignKey("user.id"), index=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    owner = db.relationship("User")
