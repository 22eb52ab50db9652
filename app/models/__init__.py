"""All models, imported here so Alembic and the app see the whole schema."""
from app.models.audit import AuditLog, LoginAttempt
from app.models.channel import ChannelAgent, ChannelCompany, ChannelReport
from app.models.customer import AccessLog, Customer, CustomerOption, GradeChange, OwnershipChange
from app.models.project import Building, Project, Unit, UnitStatus
from app.models.rotation import ASSIGNMENT_KINDS, DutyDay, DutyEntry, RotationAssignment
from app.models.user import ROLES, User
from app.models.visit import FollowUp, Visit

__all__ = [
    "ASSIGNMENT_KINDS", "AccessLog", "AuditLog", "Building", "ChannelAgent", "ChannelCompany",
    "ChannelReport",
    "Customer", "CustomerOption", "DutyDay", "DutyEntry", "FollowUp", "GradeChange",
    "LoginAttempt", "OwnershipChange", "Project", "ROLES", "RotationAssignment", "Unit",
    "UnitStatus", "User", "Visit",
]
