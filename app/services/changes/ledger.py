"""Where every fen received now sits (the money-conservation check of the changes area).

received (receipts finance confirmed, including those later refunded)
  = held on live deals (confirmed deposits + confirmed payments of contracts whose 认购书
    is in force) + refunds paid + refunds still to pay + penalties kept + transfer fees.
Each side is summed by the database from different tables, so a change that lost or
doubled money shows up as a difference.
"""
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import (
    ChangeRequest,
    ChangeStatus,
    Contract,
    Deposit,
    MoneyStatus,
    Payment,
    Payout,
    PayoutStatus,
    Receipt,
    ReceiptStatus,
    Subscription,
    SubscriptionStatus,
    TransferFee,
)
from app.services.money import from_fen, sum_fen


@dataclass
class Ledger:
    received: Decimal
    held: Decimal
    refunds_paid: Decimal
    refunds_due: Decimal
    penalties: Decimal
    fees: Decimal

    @property
    def accounted(self):
        return self.held + self.refunds_paid + self.refunds_due + self.penalties + self.fees

    @property
    def balanced(self):
        return self.received == self.accounted


def ledger(project_id):
    def total(query):
        return from_fen(db.session.scalar(query))

    payouts = select(sum_fen(Payout.amount)).where(Payout.project_id == project_id)
    return Ledger(
        received=total(select(sum_fen(Receipt.amount)).where(
            Receipt.project_id == project_id,
            Receipt.status.in_((ReceiptStatus.CONFIRMED, ReceiptStatus.REFUNDED)))),
        held=total(select(sum_fen(Deposit.amount)).where(
            Deposit.project_id == project_id, Deposit.status == MoneyStatus.CONFIRMED))
        + total(select(sum_fen(Payment.amount)).join(Contract).join(
            Subscription, Subscription.id == Contract.subscription_id).where(
            Payment.project_id == project_id, Payment.status == MoneyStatus.CONFIRMED,
            Subscription.status == SubscriptionStatus.SIGNED)),
        refunds_paid=total(payouts.where(Payout.status == PayoutStatus.PAID)),
        refunds_due=total(payouts.where(Payout.status == PayoutStatus.PENDING)),
        penalties=total(select(sum_fen(ChangeRequest.penalty)).where(
            ChangeRequest.project_id == project_id, ChangeRequest.kind == "refund",
            ChangeRequest.status == ChangeStatus.EXECUTED)),
        fees=total(select(sum_fen(TransferFee.amount)).where(
            TransferFee.project_id == project_id, TransferFee.status == MoneyStatus.CONFIRMED)))
