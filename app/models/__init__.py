"""All models, imported here so Alembic and the app see the whole schema."""
from app.models.audit import AuditLog, LoginAttempt
from app.models.board import DisplayLink, UnitImport
from app.models.channel import ChannelAgent, ChannelCompany, ChannelReport
from app.models.customer import AccessLog, Customer, CustomerOption, GradeChange, OwnershipChange
from app.models.deals import (Contract, Deposit, Instalment, Payment, Receipt, ReceiptBook,
                              Subscription)
from app.models.discount import (ApprovalLimit, DiscountAttachment, DiscountEvent,
                                 DiscountKind, DiscountRequest, DiscountStatus)
from app.models.project import Building, Project, Unit, UnitStatus
from app.models.rotation import ASSIGNMENT_KINDS, DutyDay, DutyEntry, RotationAssignment
from app.models.user import ROLES, User
from app.models.visit import FollowUp, Visit

__all__ = [
    "ASSIGNMENT_KINDS", "AccessLog", "ApprovalLimit", "AuditLog", "Building", "ChannelAgent",
    "ChannelCompany", "ChannelReport", "Contract", "Customer", "CustomerOption", "Deposit",
    "DiscountAttachment", "DiscountEvent", "DiscountKind", "DiscountRequest", "DiscountStatus",
    "DisplayLink", "DutyDay", "DutyEntry", "FollowUp", "GradeChange", "Instalment", "LoginAttempt",
    "OwnershipChange", "Payment", "Project", "ROLES", "Receipt", "ReceiptBook", "RotationAssignment",
    "Subscription", "Unit", "UnitImport", "UnitStatus", "User", "Visit",
]
