"""认筹: a buyer registers for a launch with a sincerity deposit 诚意金 paid to finance.

The money is a receipt from finance's books with no unit yet; finance confirms or rejects
it like any deposit (the recorder never confirms their own), and refunds it on request
while it has not become a unit's deposit.
"""
from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.models import Customer, LaunchRegistration, LaunchStatus, RegistrationStatus, User
from app.policy import can, holders
from app.services import audit, clock, record_status
from app.services.deals import receipts
from app.services.deals.common import METHODS, check_form_key, choice, consultant_user
from app.services.errors import NotAllowed, RuleViolation
from app.services.launch import launches
from app.services.money import parse_money
from app.services.verification import VerifiedDocument, fingerprint
from app.services.verification import register as register_doc


def register(launch, *, customer_id, amount_text, method, receipt_no, layouts, consultant_id,
             form_key, actor, now=None):
    """Register a buyer; returns (registration, created). A repeated form returns the first."""
    now = now or clock.now()
    key = check_form_key(form_key)
    choice(method, METHODS, "method", "付款方式")
    amount = parse_money(amount_text, "amount")
    if amount <= Decimal("0"):
        raise RuleViolation("诚意金金额必须大于零", "amount")
    customer = db.session.get(Customer, customer_id) if customer_id else None
    if customer is None or customer.project_id != launch.project_id:
        raise RuleViolation("请选择本项目的客户", "customer")
    if not can(actor, "launch.register", customer):
        raise NotAllowed("只能为自己的客户认筹")
    consultant = actor if can(actor, "customers.own") else consultant_user(
        consultant_id or customer.owner_id)
    launches.lock(launch)
    existing = db.session.scalar(select(LaunchRegistration)
                                 .where(LaunchRegistration.form_key == key))
    if existing is not None:
        return existing, False
    launches.expect(launch, LaunchStatus.REGISTERING, message="认筹已截止(排号或摇号种子已公示)")
    taken = db.session.scalar(select(LaunchRegistration).where(
        LaunchRegistration.launch_id == launch.id, LaunchRegistration.customer_id == customer.id))
    if taken is not None:
        raise RuleViolation(f"{customer.name} 已认筹(认筹号 {taken.code})", "customer")
    receipt = receipts.issue(launch.project_id, receipt_no, purpose="sincerity", amount=amount,
                             method=method, payer=customer, unit=None, actor=actor, now=now)
    number = (db.session.scalar(select(func.max(LaunchRegistration.number))
                                .where(LaunchRegistration.launch_id == launch.id)) or 0) + 1
    wanted = "、".join(sorted({(text or "").strip()[:32] for text in layouts or () if text}))
    registration = LaunchRegistration(
        launch_id=launch.id, project_id=launch.project_id, number=number,
        customer_id=customer.id, consultant_id=consultant.id, receipt_id=receipt.id,
        amount=amount, method=method, wanted_layouts=wanted[:200], registered_by_id=actor.id,
        registered_at=now, form_key=key)
    db.session.add(registration)
    db.session.flush()
    audit.record("launch_registered", "launch_registration", registration.id,
                 project_id=launch.project_id, user=actor,
                 after={"number": number, "customer": customer.id, "amount": amount,
                        "receipt_no": receipt.number, "layouts": wanted})
    return registration, True


def confirm(registration, actor, now=None):
    """Finance confirms the money and the receipt match."""
    return record_status.transition(registration, "confirm", actor, now=now)


def reject(registration, reason, actor, now=None):
    """Finance rejects the money (reason required): the receipt is voided, the place lost."""
    return record_status.transition(registration, "reject", actor, reason=reason, now=now)


def refund(registration, reason, actor, now=None):
    """The buyer withdraws: finance pays the confirmed 诚意金 back (not once it is a deposit)."""
    return record_status.transition(registration, "refund", actor, reason=reason, now=now)


def listing(launch, user):
    """The registrations a user may see: consultants their own buyers', others all."""
    query = select(LaunchRegistration).where(LaunchRegistration.launch_id == launch.id)
    if can(user, "records.own_only"):
        query = query.where(LaunchRegistration.consultant_id == user.id)
    return db.session.scalars(query.order_by(LaunchRegistration.number)).all()


def customers_for(project_id, user):
    """Customers a user may register: a consultant's own, everyone's for the office."""
    query = select(Customer).where(Customer.project_id == project_id,
                                   Customer.anonymised_at.is_(None))
    if can(user, "records.own_only"):
        query = query.where(Customer.owner_id == user.id)
    return db.session.scalars(query.order_by(Customer.name).limit(500)).all()


def consultants():
    return db.session.scalars(select(User).where(holders("customers.own"), User.active)
                              .order_by(User.display_name)).all()


def export_rows(registrations):
    from app.services.customers.phones import mask_phone
    from app.services.launch.launches import CALL_STATUS, REG_STATUS
    return [{"code": r.code, "name": r.customer.name, "phone": mask_phone(r.customer.phone),
             "consultant": r.consultant.display_name, "amount": r.amount,
             "method": METHODS[r.method], "receipt": f"No.{r.receipt.number:07d}",
             "layouts": r.wanted_layouts, "status": REG_STATUS[r.status],
             "registered_at": r.registered_at, "queue_no": r.queue_no,
             "call": CALL_STATUS.get(r.call_status or "", ""),
             "unit": f"{r.picked_unit.building.name} {r.picked_unit.unit_no}"
             if r.picked_unit else ""} for r in registrations]


def registration_fingerprint(registration):
    return fingerprint("launch_registration", registration.launch_id, registration.number,
                       registration.amount, registration.customer_id, registration.receipt_id)


def _load(registration_id):
    from app.services.launch.launches import REG_STATUS
    from app.services.money import format_money
    registration = db.session.get(LaunchRegistration, registration_id) \
        if isinstance(registration_id, int) else None
    if registration is None:
        return None
    customer = registration.customer
    return VerifiedDocument(
        title=f"认筹单 {registration.code}", status=REG_STATUS[registration.status],
        valid=registration.status in (*RegistrationStatus.IN_QUEUE, RegistrationStatus.CONVERTED),
        fields=[("开盘活动", registration.launch.name),
                ("认筹人", customer.name[:1] + "*" * max(1, len(customer.name) - 1)),
                ("诚意金", format_money(registration.amount)),
                ("收据", f"No.{registration.receipt.number:07d}"),
                ("排号", str(registration.queue_no) if registration.queue_no else "未排号"),
                ("登记时间", f"{clock.local(registration.registered_at):%Y-%m-%d %H:%M}")],
        fingerprint=registration_fingerprint(registration))


register_doc("launch_registration", _load)
