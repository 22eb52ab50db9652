"""Personal data: reveal once with an access-log row, logged exports, anonymisation on request.

DESIGN.md "Data protection": masks by default, an access log of who viewed or exported
personal data, no export without the export permission, and deletion (anonymisation) of a
customer on request that keeps the sales records intact: the customer row, its visits,
follow-ups, grades, ownership history and (later) deals stay, with the person removed.
"""
from sqlalchemy import select, update

from app.extensions import db
from app.models import AccessLog, ChannelReport, FollowUp
from app.policy import can
from app.services import audit
from app.services.audit import client_ip
from app.services.clock import now
from app.services.customers.cards import NOTE_FIELDS
from app.services.customers.channel_match import report_mask
from app.services.errors import RuleViolation

REVEALABLE = {"phone": "电话", "id_number": "身份证号"}
ANONYMOUS_NOTE = "(已随客户匿名化删除)"


def reveal(customer, field, *, user):
    """The full value, once, with an access-log row (the page shows it until reloaded)."""
    if field not in REVEALABLE:
        raise RuleViolation("不能显示该字段")
    if customer.anonymised_at is not None:
        raise RuleViolation("该客户已匿名化")
    db.session.add(AccessLog(at=now(), user_id=user.id, project_id=customer.project_id,
                             customer_id=customer.id, action="reveal", field=field,
                             ip=client_ip()))
    return getattr(customer, field)


def sees_full(user, customer):
    """A printed document shows full phone and ID numbers only to roles that may reveal them
    (or to the consultant who owns the customer); everyone else gets them masked."""
    return can(user, "phone.reveal") or can(user, "phone.full", customer)


def log_print(customer, document, *, user, full):
    """One access-log row per printed document with personal data, saying whether it showed
    full numbers (`full`, from sees_full) or masked ones."""
    db.session.add(AccessLog(at=now(), user_id=user.id, project_id=customer.project_id,
                             customer_id=customer.id, action="print" if full else "print_masked",
                             field=document[:32], ip=client_ip()))


def log_export(project, name, records, *, user, full_phones=False):
    """Every export of personal data: an access-log row and an audit row."""
    db.session.add(AccessLog(at=now(), user_id=user.id, project_id=project.id, action="export",
                             field=name[:32], records=records, ip=client_ip()))
    audit.record("data_exported", "project", project.id, project_id=project.id, user=user,
                 after={"export": name, "records": records, "full_phones": full_phones})


def anonymise(customer, reason, *, by):
    """Remove the person from the card; everything the office sold or counted stays."""
    if customer.anonymised_at is not None:
        raise RuleViolation("该客户已匿名化")
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("请填写匿名化的依据(如客户书面申请)", "reason")
    _clear_unconfirmed_reports(customer)
    customer.name = f"匿名客户{customer.id}"
    customer.phone = f"anon-{customer.id}"
    customer.phone_mask = customer.id_number = customer.gender = None
    for field in NOTE_FIELDS:
        setattr(customer, field, None)
    customer.next_appointment_on = None
    customer.follow_up_due_on = customer.follow_up_deadline = None
    customer.anonymised_at = now()
    db.session.execute(update(FollowUp).where(FollowUp.customer_id == customer.id)
                       .values(content=ANONYMOUS_NOTE, result=None))
    db.session.execute(update(ChannelReport).where(ChannelReport.customer_id == customer.id)
                       .values(customer_name="匿名客户", phone_mask="***********", gender=None))
    audit.record("customer_anonymised", "customer", customer.id, project_id=customer.project_id,
                 reason=reason, user=by)


def _clear_unconfirmed_reports(customer):
    """Reports of this person that no visit confirmed lose the name and digits too (seed 004)."""
    db.session.execute(update(ChannelReport).where(
        ChannelReport.project_id == customer.project_id, ChannelReport.customer_id.is_(None),
        ChannelReport.phone_mask == report_mask(customer.phone))
        .values(customer_name="匿名客户", phone_mask="***********", gender=None))


def access_log(project_id, limit=200, before_id=None):
    stmt = select(AccessLog).where(AccessLog.project_id == project_id)
    if before_id:
        stmt = stmt.where(AccessLog.id < before_id)
    return db.session.scalars(stmt.order_by(AccessLog.id.desc()).limit(limit)).all()
