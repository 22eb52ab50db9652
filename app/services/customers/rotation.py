"""Reception rotation 轮流接待: the day's duty queue at the front desk.

Seed 002 (二)接待管理 and 客户区分准则:
- consultants take new walk-ins in the queue's order (严格遵循轮流接待程序);
- a consultant who is out is skipped, and on return gets as many extra new customers as
  rounds they missed (当外出销售员归来时,空几轮,补接几名新客户);
- a first-time customer who names a consultant gets them, outside the queue (可不按排序表接待);
- a returning customer goes to their consultant and uses no turn (均不计入接待名额); when that
  consultant is not there, the next in the queue assists without using a turn (准则(3):
  由销售员C协助接待,不列入前台轮值指标).
The manager sets the day's order. Every assignment is a RotationAssignment row plus an audit
row, so disputes are settled from the record (以客户登记表的时间为准).
"""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import DutyDay, DutyEntry, RotationAssignment, User
from app.policy import can
from app.services import audit
from app.services.clock import now, today
from app.services.errors import RuleViolation


def duty_day(project_id, day=None, lock=False):
    stmt = select(DutyDay).where(DutyDay.project_id == project_id, DutyDay.day == (day or today()))
    stmt = stmt.options(selectinload(DutyDay.entries).selectinload(DutyEntry.user))
    if lock:
        stmt = stmt.with_for_update()
    return db.session.scalar(stmt)


def last_order(project_id, before_day):
    """User ids of the most recent earlier day's queue (to start a day the same way)."""
    previous = db.session.scalar(select(DutyDay).where(
        DutyDay.project_id == project_id, DutyDay.day < before_day)
        .order_by(DutyDay.day.desc()).limit(1))
    return [e.user_id for e in previous.entries] if previous else []


def set_order(project, user_ids, *, by, day=None):
    """The day's queue, in order; people already on it keep their turns, owed turns and status."""
    day = day or today()
    ids = list(dict.fromkeys(int(uid) for uid in user_ids))
    if not ids:
        raise RuleViolation("请至少安排一位置业顾问", "order")
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    for uid in ids:
        user = users.get(uid)
        if user is None or not user.active or not can(user, "customers.own"):
            raise RuleViolation("接待顺序中只能安排在职的置业顾问", "order")
    row = duty_day(project.id, day, lock=True)
    if row is None:
        row = DutyDay(project_id=project.id, day=day, set_at=now())
        db.session.add(row)
    before = [e.user.display_name for e in row.entries]
    kept = {e.user_id: e for e in row.entries}
    row.entries = [kept.get(uid) or DutyEntry(user_id=uid, user=users[uid]) for uid in ids]
    for position, entry in enumerate(row.entries, start=1):
        entry.position = position
    row.set_by_id, row.set_at = by.id, now()
    if row.last_turn_user_id not in ids:
        row.last_turn_user_id = None
    db.session.flush()
    audit.record("duty_order_set", "duty_day", row.id, project_id=project.id, user=by,
                 before={"order": before} if before else None,
                 after={"day": day, "order": [users[uid].display_name for uid in ids]})
    return row


def start_like_last(project, *, by):
    """Start today with the last day's order (the manager may change it at any time)."""
    if duty_day(project.id) is not None:
        raise RuleViolation("今日已排班")
    return set_order(project, last_order(project.id, today()), by=by)


def order_proposal(project_id, consultants):
    """The order form: {user id: position} today (else as last time), consultants sorted by it."""
    row = duty_day(project_id)
    current = {e.user_id: e.position for e in row.entries} if row else {
        uid: n for n, uid in enumerate(last_order(project_id, today()), start=1)}
    ordered = sorted(consultants, key=lambda u: (u.id not in current, current.get(u.id, 0),
                                                 u.display_name))
    return ordered, current


def _cycle(row):
    """Entries in queue order starting after the one who took the last turn."""
    entries = list(row.entries)
    ids = [e.user_id for e in entries]
    start = ids.index(row.last_turn_user_id) + 1 if row.last_turn_user_id in ids else 0
    return entries[start:] + entries[:start]


def next_up(row):
    """(entry, kind, skipped entries): who takes the next new walk-in, without changing anything."""
    if row is None:
        return None, None, []
    cycle = _cycle(row)
    cycle = [e for e in cycle if not e.busy]  # 忙于接待: passed over, owed nothing
    for entry in cycle:
        if not entry.away and entry.owed > 0:
            return entry, "makeup", []
    skipped = []
    for entry in cycle:
        if entry.away:
            skipped.append(entry)
            continue
        return entry, "turn", skipped
    return None, None, skipped


def take_turn(row):
    """Give the next new walk-in to the queue; away consultants passed over are owed a turn."""
    entry, kind, skipped = next_up(row)
    if entry is None:
        raise RuleViolation("当前没有可接待的置业顾问(全部外出或未排班)")
    if kind == "makeup":
        entry.owed -= 1
    else:
        for away in skipped:
            away.owed += 1
        row.last_turn_user_id = entry.user_id
    entry.turns += 1
    return entry, kind, skipped


def present(row, user_id):
    """The user's entry when on duty and not away, else None."""
    for entry in (row.entries if row else []):
        if entry.user_id == user_id and not entry.away:
            return entry
    return None


def set_away(row, user_id, away, *, by):
    entry = next((e for e in row.entries if e.user_id == int(user_id)), None)
    if entry is None:
        raise RuleViolation("该顾问不在今日接待顺序中")
    if entry.away == bool(away):
        return entry
    entry.away = bool(away)
    audit.record("duty_away" if away else "duty_back", "duty_day", row.id,
                 project_id=row.project_id, user=by,
                 after={"consultant": entry.user.display_name, "owed": entry.owed})
    return entry


def toggle_busy(project, user_id, *, by):
    """忙于接待 / 接待完毕: busy consultants are skipped and are not made up for (seed 002 二.3)."""
    row = duty_day(project.id, lock=True)
    if row is None:
        raise RuleViolation("今日尚未排班")
    entry = next((e for e in row.entries if e.user_id == int(user_id)), None)
    if entry is None or entry.away:
        raise RuleViolation("该顾问不在今日接待顺序中或已外出")
    entry.busy = not entry.busy
    audit.record("duty_busy" if entry.busy else "duty_free", "duty_day", row.id,
                 project_id=row.project_id, user=by,
                 after={"consultant": entry.user.display_name})
    return entry


def toggle_away(project, user_id, *, by):
    """外出 / 返回: a consultant on today's queue steps out, or comes back."""
    row = duty_day(project.id, lock=True)
    if row is None:
        raise RuleViolation("今日尚未排班")
    return set_away(row, user_id, present(row, user_id) is not None, by=by)


def log_assignment(row, consultant, kind, *, by, customer=None, visit=None, skipped=(),
                   note=None, at=None):
    """The record disputes are settled from: who got whom, how, and whom the queue passed."""
    assignment = RotationAssignment(
        project_id=row.project_id, duty_day_id=row.id, at=at or now(), consultant=consultant,
        consultant_id=consultant.id, kind=kind, customer=customer,
        visit_id=getattr(visit, "id", None), by_id=by.id, note=note,
        skipped="、".join(e.user.display_name for e in skipped) or None)
    db.session.add(assignment)
    db.session.flush()
    audit.record("walk_in_assigned", "customer", getattr(customer, "id", None),
                 project_id=row.project_id, user=by, reason=note,
                 after={"consultant": consultant.display_name, "kind": kind,
                        "skipped": assignment.skipped})
    return assignment


def assignments(project_id, day=None, consultant_id=None):
    row = duty_day(project_id, day)
    if row is None:
        return []
    stmt = select(RotationAssignment).where(RotationAssignment.duty_day_id == row.id).options(
        selectinload(RotationAssignment.customer), selectinload(RotationAssignment.consultant),
        selectinload(RotationAssignment.by))
    if consultant_id:
        stmt = stmt.where(RotationAssignment.consultant_id == consultant_id)
    return db.session.scalars(stmt.order_by(RotationAssignment.at.desc())).all()
