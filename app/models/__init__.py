"""All models, imported here so Alembic and the app see the whole schema."""
from app.models.audit import AuditLog, LoginAttempt
from app.models.board import DisplayLink, UnitImport
from app.models.customer import Customer
from app.models.project import Building, Project, Unit, UnitStatus
from app.models.user import ROLES, User

__all__ = [
    "AuditLog", "Building", "Customer", "DisplayLink", "LoginAttempt", "Project", "ROLES",
    "Unit", "UnitImport", "UnitStatus", "User",
]
