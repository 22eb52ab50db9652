"""Personal data: reveal once with an access-log row, logged exports, anonymisation on request.

DESIGN.md "Data protection": masks by default, an access log of who viewed or exported
personal data, no export without the export permission, and deletion (anonymisation) of a
customer on request that keeps the sales records intact: the customer row, its visits,
follow-ups, grades, ownership history and (later) deals stay, with the person removed.
"""
from datetime import timedelta

from sqlalchemy import func, insert, select, update

from app.extensions import db
from app.models import AccessLog, ChannelReport, FollowUp, Project, User
from app.policy import can
from app.services import audit
from app.services.audit import client_ip
from app.services.clock import now
from app.services.customers.cards import NOTE_FIELDS, export_rows
from app.services.customers.channel_match import report_mask
from app.services.errors import RuleViolation

REVEALABLE = {"phone": "电话", "id_number": "身份证号"}
ANONYMOUS_NOTE = "(已随客户匿名化删除)"
REVEAL_WINDOW = timedelta(hours=1)
ALERT_WINDOW = timedelta(days=1)  # refusals the manager's home page shows


class RevealLimitReached(RuleViolation):
    """More reveals within the hour than the project allows one user."""


def reveal(customer, field, *, user):
    """The full value, once, with an access-log row (the page shows it until reloaded).

    At most the project's reveal_limit per user per hour: one more is refused, and the
    refusal is itself logged (commit it: the view keeps refusals), which alerts the manager.
    """
    if field not in REVEALABLE:
        raise RuleViolation("不能显示该字段")
    if customer.anonymised_at is not None:
        raise RuleViolation("该客户已匿名化")
    # One user's reveals are counted one after the other (their row is the lock), so
    # two pressed at once at the limit cannot both pass.
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    at = now()
    limit = db.session.get(Project, customer.project_id).reveal_limit
    if _reveals_within_the_hour(user, at) >= limit:
        _log_reveal(customer, field, user, at, "reveal_refused")
        raise RevealLimitReached(f"每小时最多显示 {limit} 次完整号码,已达上限,请稍后再试。"
                                 "此次请求已记入访问日志,已通知销售经理")
    _log_reveal(customer, field, user, at, "reveal")
    return getattr(customer, field)


def _reveals_within_the_hour(user, at):
    return db.session.scalar(select(func.count()).select_from(AccessLog).where(
        AccessLog.user_id == user.id, AccessLog.action == "reveal",
        AccessLog.at > at - REVEAL_WINDOW))


def _log_reveal(customer, field, user, at, action):
    db.session.add(AccessLog(at=at, user_id=user.id, project_id=customer.project_id,
                             customer_id=customer.id, action=action, field=field,
                             ip=client_ip()))


def over_limit(project_id, since=None):
    """For the manager's home page: who was refused a reveal over the hourly limit in the
    last day, [(user, refusals, last at)], most recent first."""
    since = since or now() - ALERT_WINDOW
    rows = db.session.execute(
        select(AccessLog.user_id, func.count(), func.max(AccessLog.at))
        .where(AccessLog.project_id == project_id, AccessLog.action == "reveal_refused",
               AccessLog.at >= since)
        .group_by(AccessLog.user_id).order_by(func.max(AccessLog.at).desc())).all()
    users = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_([row[0] for row in rows])))} if rows else {}
    return [(users[user_id], count, last) for user_id, count, last in rows]


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


def log_export(project, name, records, *, user):
    """Every export of (masked) personal data: an access-log row and an audit row."""
    db.session.add(AccessLog(at=now(), user_id=user.id, project_id=project.id, action="export",
                             field=name[:32], records=records, ip=client_ip()))
    audit.record("data_exported", "project", project.id, project_id=project.id, user=user,
                 after={"export": name, "records": records, "full_phones": False})


FULL_EXPORT = "客户一览(完整号码)"


def export_full(project, reason, *, user):
    """客户一览 with every full phone number: only with a typed reason, and one access-log row
    per customer exported (who, when, what for), so each person's log shows the export."""
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("请填写导出完整号码的用途", "reason")
    rows = export_rows(project.id, full_phones=True)
    at, ip = now(), client_ip()
    if rows:  # one statement however many customers (a Core executemany, no ORM objects)
        db.session.execute(insert(AccessLog.__table__), [
            dict(at=at, user_id=user.id, project_id=project.id, customer_id=row["customer_id"],
                 action="export", field=FULL_EXPORT, records=1, ip=ip, reason=reason[:200])
            for row in rows])
    audit.record("data_exported", "project", project.id, project_id=project.id, user=user,
                 reason=reason, after={"export": "客户一览", "records": len(rows),
                                       "full_phones": True})
    return rows


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
