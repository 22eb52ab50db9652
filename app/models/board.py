"""The sales control board's own records: hall display links and unit-list imports."""
from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class DisplayLink(db.Model):
    """A revocable read-only link for the sales-hall screen (销控大屏); no login needed."""

    __tablename__ = "display_link"

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    token = db.Column(db.String(64), nullable=False, unique=True)
    name = db.Column(db.String(64), nullable=False)  # e.g. 售楼大厅 1 号屏
    show_prices = db.Column(db.Boolean, nullable=False, default=False)
    rotate_seconds = db.Column(db.Integer, nullable=False, default=15)
    created_by_id = db.Column(db.ForeignKey("user.id"), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    revoked_by_id = db.Column(db.ForeignKey("user.id"))
    revoked_at = db.Column(UTCDateTime)

    project = db.relationship("Project")
    created_by = db.relationship("User", foreign_keys=[created_by_id])
    revoked_by = db.relationship("User", foreign_keys=[revoked_by_id])

    @property
    def active(self):
        return self.revoked_at is None


class UnitImport(db.Model):
    """An uploaded 房源表 (or 期初数据 sheet), validated and previewed; applied at most once,
    all or nothing."""

    __tablename__ = "unit_import"

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    # units: the 房源表; customers / users: opening data (app.services.opening)
    kind = db.Column(db.String(16), nullable=False, default="units", server_default="units")
    filename = db.Column(db.String(200), nullable=False)
    rows = db.Column(db.Text, nullable=False)  # JSON: the parsed, validated rows
    row_count = db.Column(db.Integer, nullable=False)
    created_by_id = db.Column(db.ForeignKey("user.id"), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    applied_at = db.Column(UTCDateTime)
    applied_by_id = db.Column(db.ForeignKey("user.id"))
    result = db.Column(db.Text)  # JSON: counts of what the apply did

    project = db.relationship("Project")
    created_by = db.relationship("User", foreign_keys=[created_by_id])
