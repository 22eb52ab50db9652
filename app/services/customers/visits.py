"""Visits and calls 来人来电, follow-ups 跟进 and grades A/B/C/D.

Seed 000 第二部分 4: the first follow-up is due 3-5 days after the customer's first visit
(在客户首次到访后3-5天必须进行跟踪回访); a customer who has only called counts from that
first call. Each follow-up records way, content, result and the next date, which becomes the
next due day. Grades and their downgrades: app.services.customers.grades. Visits and
effective follow-ups keep the owner's card valid (app.services.customers.ownership).
"""
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import FollowUp, Visit
from app.models.visit import FOLLOW_UP_WAYS, VISIT_KINDS
from app.policy import can
from app.services import audit
from app.services.clock import local, now
from app.services.customers.grades import (  # noqa: F401  (grades used to live here)
    acknowledge,
    change_grade,
    decide_downgrade,
    downgrades,
    pending_downgrade,
)
from app.services.errors import RuleViolation

FIRST_FOLLOW_UP_FROM_DAYS = 3
FIRST_FOLLOW_UP_BY_DAYS = 5


def first_follow_up_window(first_day):
    """(due from, due by): days 3 to 5 after the first visit."""
    return (first_day + timedelta(days=FIRST_FOLLOW_UP_FROM_DAYS),
            first_day + timedelta(days=FIRST_FOLLOW_UP_BY_DAYS))


def follow_up_state(customer, day):
    """'overdue', 'due', 'scheduled' or None for the customer's next follow-up on `day`."""
    if customer.follow_up_deadline is None:
        return None
    if customer.follow_up_deadline < day:
        return "overdue"
    return "due" if customer.follow_up_due_on <= day else "scheduled"


def _check_minutes(duration):
    if duration is not None and not 0 < duration <= 600:
        raise RuleViolation("接待时长应在 1 到 600 分钟之间", "duration")
    return duration


def _latest(a, b):
    return b if a is None or b > a else a


def _earliest(a, b):
    return b if a is None or b < a else a


def record_visit(customer, consultant, kind="visit", *, at=None, channel=None, duration=None,
                 result=None, by=None, entered_at=None):
    """Log a walk-in or call of a known customer; first/repeat is derived (到访次数).
    A 补录 passes the time it really happened as `at` and the typing time as `entered_at`."""
    if kind not in VISIT_KINDS:
        raise RuleViolation("请选择来访或来电", "kind")
    if customer.anonymised_at is not None:
        raise RuleViolation("该客户已匿名化")
    at = at or now()
    counts = dict(db.session.execute(
        select(Visit.kind, func.count()).where(Visit.customer_id == customer.id)
        .group_by(Visit.kind)).all())
    walk_ins = counts.get("visit", 0)
    starts_clock = not counts or (kind == "visit" and walk_ins == 0)
    visit = Visit(project_id=customer.project_id, customer=customer, kind=kind, at=at,
                  entered_at=entered_at, consultant_id=consultant.id,
                  channel=channel or customer.channel,
                  visit_no=walk_ins + 1 if kind == "visit" else walk_ins,
                  duration_minutes=_check_minutes(duration), result=(result or "").strip() or None,
                  recorded_by_id=getattr(by or consultant, "id", None))
    db.session.add(visit)
    if kind == "visit":
        customer.first_visit_at = _earliest(customer.first_visit_at, at)
        customer.last_visit_at = _latest(customer.last_visit_at, at)
        customer.last_effective_at = _latest(customer.last_effective_at, at)
    if starts_clock and not _has_follow_up(customer):
        customer.follow_up_due_on, customer.follow_up_deadline = \
            first_follow_up_window(local(at).date())
    db.session.flush()
    audit.record("visit_recorded", "visit", visit.id, project_id=customer.project_id,
                 after={"customer": customer.id, "kind": kind, "visit_no": visit.visit_no,
                        "consultant": consultant.display_name, "at": at,
                        "entered_at": entered_at}, user=by)
    return visit


def record_card_visit(customer, user, kind, *, duration=None, result=None):
    """A repeat walk-in or call logged on the card: a consultant takes it themselves, the
    office logs it for the customer's consultant."""
    consultant = user if can(user, "customers.own") else customer.owner
    if consultant is None:
        raise RuleViolation("该客户在公共池中,请先分配置业顾问")
    return record_visit(customer, consultant, kind, by=user, duration=duration, result=result)


def record_anonymous(project, consultant, kind, channel, *, at=None, duration=None, result=None,
                     by=None, entered_at=None):
    """A call or walk-in who left no name or phone still counts in the statistics."""
    if kind not in VISIT_KINDS:
        raise RuleViolation("请选择来访或来电", "kind")
    visit = Visit(project_id=project.id, kind=kind, at=at or now(), entered_at=entered_at,
                  consultant_id=consultant.id,
                  channel=channel or None, duration_minutes=_check_minutes(duration),
                  result=(result or "").strip() or None, recorded_by_id=getattr(by, "id", None))
    db.session.add(visit)
    db.session.flush()
    audit.record("visit_recorded", "visit", visit.id, project_id=project.id,
                 after={"kind": kind, "anonymous": True}, user=by)
    return visit


def _has_follow_up(customer):
    return db.session.scalar(select(FollowUp.id).where(
        FollowUp.customer_id == customer.id).limit(1)) is not None


def record_follow_up(customer, consultant, way, content, *, result=None, effective=True,
                     next_on=None, at=None):
    """A follow-up; its next date is when the next one falls due."""
    if way not in FOLLOW_UP_WAYS:
        raise RuleViolation("请选择跟进方式", "way")
    content = (content or "").strip()
    if not content:
        raise RuleViolation("请填写跟进内容", "content")
    at = at or now()
    if next_on is not None and next_on < local(at).date():
        raise RuleViolation("下次跟进日期不能早于今天", "next_on")
    follow_up = FollowUp(customer=customer, project_id=customer.project_id,
                         consultant_id=consultant.id, at=at, way=way, content=content[:1000],
                         result=(result or "").strip()[:200] or None, effective=bool(effective),
                         next_on=next_on)
    db.session.add(follow_up)
    if effective:
        customer.last_effective_at = _latest(customer.last_effective_at, at)
    customer.follow_up_due_on = customer.follow_up_deadline = next_on
    db.session.flush()
    audit.record("follow_up_recorded", "follow_up", follow_up.id, project_id=customer.project_id,
                 after={"customer": customer.id, "way": way, "effective": bool(effective),
                        "next_on": next_on}, user=consultant)
    return follow_up
