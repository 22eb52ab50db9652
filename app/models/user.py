"""Users of the sales office and their roles."""
from flask_login import UserMixin
from sqlalchemy import CheckConstraint

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

ROLES = ("consultant", "secretary", "finance", "manager", "admin")
ROLE_LABELS = {
    "consultant": "置业顾问",
    "secretary": "销售秘书",
    "finance": "财务",
    "manager": "销售经理",
    "admin": "管理员",
}


class User(UserMixin, db.Model):
    __tablename__ = "user"
    __table_args__ = (CheckConstraint(f"role IN {ROLES}", name="role_known"),)

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(64), nullable=False, unique=True)
    display_name = db.Column(db.String(64), nullable=False)
    role = db.Column(db.String(16), nullable=False)
    # A manager may also administer accounts and settings (DESIGN.md "admin").
    is_admin = db.Column(db.Boolean, nullable=False, default=False)
    active = db.Column(db.Boolean, nullable=False, default=True)
    password_hash = db.Column(db.String(255), nullable=False)
    # Bumped on logout, deactivation and password change: every older cookie dies.
    session_version = db.Column(db.Integer, nullable=False, default=1)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    last_login_at = db.Column(UTCDateTime)

    @property
    def is_active(self):
        return self.active

    @property
    def role_label(self):
        return ROLE_LABELS[self.role]

    @property
    def admin_rights(self):
        return self.role == "admin" or self.is_admin

    def get_id(self):
        # Flask-Login keeps this string in the session; the version ties it to one login.
        return f"{self.id}:{self.session_version}"

    def __repr__(self):
        return f"<User {self.username} {self.role}>"
