"""All models, imported here so Alembic and the app see the whole schema."""
from app.models.audit import AuditLog, LoginAttempt
from app.models.board import DisplayLink, UnitImport
from app.models.customer import Customer
from app.models.deals import (Contract, Deposit, Instalment, Payment, Receipt, ReceiptBook,
                              Subscription)
from app.models.discount import (ApprovalLimit, DiscountAttachment, DiscountEvent,
                                 DiscountKind, DiscountRequest, DiscountStatus)
from app.models.project import Building, Project, Unit, UnitStatus
from app.models.user import ROLES, User

__all__ = [
    "ApprovalLimit", "AuditLog", "Building", "Contract", "Customer", "Deposit",
    "DiscountAttachment", "DiscountEvent", "DiscountKind", "DiscountRequest", "DiscountStatus",
    "DisplayLink", "Instalment", "LoginAttempt", "Payment", "Project", "ROLES", "Receipt",
    "ReceiptBook", "Subscription", "Unit", "UnitImport", "UnitStatus", "User",
]
