"""All models, imported here so Alembic and the app see the whole schema."""
from app.models.audit import AuditLog, LoginAttempt
from app.models.board import DisplayLink, UnitImport
from app.models.changes import ChangeRequest, ChangeStatus, Payout, PayoutStatus, TransferFee
from app.models.channel import ChannelAgent, ChannelCompany, ChannelReport
from app.models.commission import (
    CommissionBatch,
    CommissionLine,
    CommissionRule,
    LineStatus,
)
from app.models.customer import AccessLog, Customer, CustomerOption, GradeChange, OwnershipChange
from app.models.deals import (
                              Contract,
                              DealShare,
                              Deposit,
                              Instalment,
                              MoneyStatus,
                              Payment,
                              Receipt,
                              ReceiptBook,
                              ReceiptStatus,
                              Subscription,
                              SubscriptionDiscount,
                              SubscriptionStatus,
)
from app.models.discount import (
                              ApprovalLimit,
                              DiscountAttachment,
                              DiscountEvent,
                              DiscountKind,
                              DiscountRequest,
                              DiscountStatus,
)
from app.models.launch import (
                              CallStatus,
                              Launch,
                              LaunchRegistration,
                              LaunchStatus,
                              RegistrationStatus,
)
from app.models.pricing import PriceRule
from app.models.project import Building, Project, ProjectMember, Unit, UnitStatus
from app.models.rotation import ASSIGNMENT_KINDS, DutyDay, DutyEntry, RotationAssignment
from app.models.user import ROLES, User
from app.models.visit import FollowUp, Visit

__all__ = [
    "ASSIGNMENT_KINDS", "AccessLog", "ApprovalLimit", "AuditLog", "Building", "CallStatus",
    "ProjectMember",
    "ChangeRequest", "ChangeStatus", "CommissionBatch", "CommissionLine", "CommissionRule",
    "LineStatus", "ChannelAgent", "ChannelCompany", "ChannelReport",
    "Contract", "Customer", "CustomerOption", "DealShare", "Deposit", "DiscountAttachment",
    "DiscountEvent", "DiscountKind", "DiscountRequest", "DiscountStatus", "DisplayLink",
    "DutyDay", "DutyEntry", "FollowUp", "GradeChange", "Instalment", "Launch",
    "LaunchRegistration", "LaunchStatus", "LoginAttempt", "MoneyStatus", "OwnershipChange",
    "Payment", "Payout", "PayoutStatus", "PriceRule", "Project", "ROLES", "Receipt",
    "ReceiptBook", "ReceiptStatus", "RegistrationStatus", "RotationAssignment", "Subscription",
    "SubscriptionDiscount", "SubscriptionStatus", "TransferFee", "Unit", "UnitImport",
    "UnitStatus", "User", "Visit",
]
