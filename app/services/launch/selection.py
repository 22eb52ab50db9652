"""选房: the selection session the secretary runs from the launch console.

Buyers are called in queue order; each called buyer has the launch's window to pick an
available unit with their consultant. A window that runs out is a missed call: the buyer
goes back `miss_penalty` places among those waiting. Missed windows are settled by the next
write to the launch (a GET never writes; readers see the countdown at zero). A pause
freezes every running window; resuming gives the paused time back.
"""
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import (
    Building,
    CallStatus,
    Deposit,
    LaunchRegistration,
    LaunchStatus,
    MoneyStatus,
    Receipt,
    RegistrationStatus,
    Unit,
    UnitStatus,
)
from app.services import audit, clock
from app.services.board import unit_status
from app.services.deals.common import new_form_key
from app.services.errors import Conflict, RuleViolation
from app.services.launch import launches

R = LaunchRegistration


def start(launch, actor, now=None):
    launches.lock(launch)
    launches.expect(launch, LaunchStatus.DRAWN, message="请先排号或摇号,再开始选房")
    launch.status = LaunchStatus.SELECTING
    audit.record("launch_started", "launch", launch.id, project_id=launch.project_id, user=actor)


def pause(launch, actor, now=None):
    launches.lock(launch)
    launches.expect(launch, LaunchStatus.SELECTING)
    launch.status, launch.paused_at = LaunchStatus.PAUSED, now or clock.now()
    audit.record("launch_paused", "launch", launch.id, project_id=launch.project_id, user=actor)


def resume(launch, actor, now=None):
    """Back to selecting; every running window gets the paused time back."""
    now = now or clock.now()
    launches.lock(launch)
    launches.expect(launch, LaunchStatus.PAUSED)
    paused = now - launch.paused_at
    for entry in _called(launch.id):
        entry.window_ends_at = entry.window_ends_at + paused
    launch.status, launch.paused_at = LaunchStatus.SELECTING, None
    audit.record("launch_resumed", "launch", launch.id, project_id=launch.project_id, user=actor,
                 after={"paused_seconds": int(paused.total_seconds())})


def close(launch, actor, now=None):
    launches.lock(launch)
    launches.expect(launch, LaunchStatus.SELECTING, LaunchStatus.PAUSED, LaunchStatus.DRAWN)
    launch.status = LaunchStatus.CLOSED
    audit.record("launch_closed", "launch", launch.id, project_id=launch.project_id, user=actor)


def settle(launch, now):
    """Every called buyer whose window has run out misses their call; returns them."""
    if launch.status != LaunchStatus.SELECTING:
        return []
    expired = db.session.scalars(select(R).where(
        R.launch_id == launch.id, R.call_status == CallStatus.CALLED, R.window_ends_at <= now)
        .order_by(R.position)).all()
    for entry in expired:
        _move_back(launch, entry, None, "选房时限已到")
    return expired


def call_next(launch, actor, now=None):
    """Call the first waiting buyer (after settling missed windows); returns them."""
    now = now or clock.now()
    launches.lock(launch)
    launches.expect(launch, LaunchStatus.SELECTING, message="选房未开始或已暂停")
    settle(launch, now)
    entry = db.session.scalar(select(R).where(R.launch_id == launch.id,
                                              R.call_status == CallStatus.WAITING)
                              .order_by(R.position, R.queue_no).limit(1))
    if entry is None:
        raise RuleViolation("没有等候中的认筹客户了")
    entry.call_status, entry.called_at = CallStatus.CALLED, now
    entry.window_ends_at = now + timedelta(seconds=launch.window_seconds)
    audit.record("launch_called", "launch_registration", entry.id, project_id=launch.project_id,
                 user=actor, after={"queue_no": entry.queue_no,
                                    "window_ends_at": entry.window_ends_at})
    return entry


def miss(entry, actor, now=None):
    """The secretary marks a called buyer absent before the window ends."""
    launch = entry.launch
    launches.lock(launch)
    launches.expect(launch, LaunchStatus.SELECTING, LaunchStatus.PAUSED)
    db.session.refresh(entry)
    if entry.call_status != CallStatus.CALLED:
        raise Conflict(f"{entry.queue_no} 号当前不在选房中")
    _move_back(launch, entry, actor, "未到场")


def _move_back(launch, entry, actor, why):
    """Put a called buyer back `miss_penalty` places behind the buyers now waiting."""
    ahead = db.session.scalars(select(R.position).where(
        R.launch_id == launch.id, R.call_status == CallStatus.WAITING).order_by(R.position)
        .limit(max(1, launch.miss_penalty))).all()
    if not ahead:
        position = entry.position  # nobody waiting: still next
    elif launch.miss_penalty == 0:
        position = ahead[0] - 1  # keeps the front of the queue
    else:
        position = ahead[-1] + 1
        db.session.execute(update(R).where(R.launch_id == launch.id,
                                           R.call_status == CallStatus.WAITING,
                                           R.position >= position)
                           .values(position=R.position + 1))
    before = entry.position
    entry.call_status, entry.position = CallStatus.WAITING, position
    entry.called_at = entry.window_ends_at = None
    entry.misses = entry.misses + 1
    audit.record("launch_missed", "launch_registration", entry.id, project_id=launch.project_id,
                 user=actor or unit_status.SYSTEM, reason=why,
                 before={"position": before}, after={"position": position,
                                                     "misses": entry.misses})


def pick(entry, unit, actor, now=None):
    """The called buyer takes `unit`: the unit moves, the 诚意金 becomes its deposit.

    Confirmed 诚意金 → a confirmed deposit and the unit 定金已确认; still pending → a pending
    deposit and the unit 定金待确认 (finance confirms it in the usual queue).
    """
    now = now or clock.now()
    launch = entry.launch
    launches.lock(launch)
    db.session.refresh(entry)
    if launch.status == LaunchStatus.PAUSED:
        raise Conflict("选房已暂停,请等待继续")
    launches.expect(launch, LaunchStatus.SELECTING)
    if entry.call_status != CallStatus.CALLED:
        raise Conflict(f"{entry.queue_no} 号客户当前不在选房中")
    if entry.window_ends_at <= now:
        raise Conflict(f"{entry.queue_no} 号的选房时间已到,已按过号处理")
    if unit is None or unit.building.project_id != launch.project_id:
        raise RuleViolation("请选择本项目的房源", "unit_id")
    confirmed = entry.status == RegistrationStatus.CONFIRMED
    consultant = entry.consultant

    def guard(row):
        if row.status == UnitStatus.HELD and row.held_by_id != consultant.id:
            return (f"{row.building} {row.unit_no} 已被 {row.holder} 保留 (到期 "
                    f"{clock.local(row.hold_expires_at):%H:%M})")
        return None

    move = "launch_pick_confirmed" if confirmed else "launch_pick"
    unit_status.transition(unit, move, actor, now=now, guard=guard)
    deposit = _convert(entry, unit, actor, confirmed, now)
    entry.call_status, entry.picked_unit_id, entry.deposit_id = (CallStatus.PICKED, unit.id,
                                                                 deposit.id)
    entry.status = RegistrationStatus.CONVERTED  # under the launch lock, read above
    audit.record("launch_picked", "launch_registration", entry.id, project_id=launch.project_id,
                 user=actor, after={"unit": unit.id, "deposit": deposit.id,
                                    "deposit_status": deposit.status, "queue_no": entry.queue_no})
    return deposit


def _convert(entry, unit, actor, confirmed, now):
    """The registration's receipt now names the unit; a 小定 deposit stands on it."""
    rows = db.session.execute(update(Receipt).where(Receipt.id == entry.receipt_id,
                                                    Receipt.unit_id.is_(None))
                              .values(unit_id=unit.id)).rowcount
    if rows != 1:
        raise Conflict("该诚意金收据已用于其他房源")
    deposit = Deposit(project_id=entry.project_id, unit_id=unit.id, customer_id=entry.customer_id,
                      consultant_id=entry.consultant_id, receipt_id=entry.receipt_id, kind="small",
                      amount=entry.amount, method=entry.method,
                      recorded_by_id=entry.registered_by_id, recorded_at=now,
                      status=MoneyStatus.CONFIRMED if confirmed else MoneyStatus.PENDING,
                      decided_by_id=entry.decided_by_id if confirmed else None,
                      decided_at=entry.decided_at if confirmed else None, form_key=new_form_key())
    db.session.add(deposit)
    db.session.flush()
    audit.record("deposit_recorded", "deposit", deposit.id, project_id=entry.project_id,
                 user=actor, after={"unit": unit.id, "kind": "small", "amount": entry.amount,
                                    "from": f"认筹 {entry.code}", "status": deposit.status})
    return deposit


def release(launch, unit_ids, actor):
    """Release a batch of withheld units for the session (the board's release move)."""
    launches.lock(launch)
    launches.expect(launch, *LaunchStatus.OPEN)
    if not unit_ids:
        raise RuleViolation("所选范围内没有房源", "building_id")
    moved, refused = unit_status.transition_many(launch.project_id, unit_ids, "release", actor,
                                                 reason=f"{launch.name} 选房推售")
    audit.record("launch_released", "launch", launch.id, project_id=launch.project_id,
                 user=actor, after={"released": len(moved), "skipped": len(refused)})
    return moved, refused


def _called(launch_id):
    return db.session.scalars(select(R).where(R.launch_id == launch_id,
                                              R.call_status == CallStatus.CALLED)
                              .order_by(R.called_at)).all()


def board_state(launch, now=None, upcoming=8):
    """What the console and the hall show: who is picking (with seconds left), who is next."""
    now = now or clock.now()
    reference = launch.paused_at if launch.status == LaunchStatus.PAUSED else now
    called = [(entry, max(0, int((entry.window_ends_at - reference).total_seconds())))
              for entry in _called(launch.id)]
    # On PostgreSQL each statement reads afresh: a buyer read above as called may have been
    # picked (or sent back) by another desk since. These rows replace what the session holds
    # (populate_existing), and a pick comes with its unit, read in the same statement. Each
    # row brings the names the console shows (no query per buyer).
    waiting = db.session.scalars(select(R).where(R.launch_id == launch.id,
                                                 R.call_status == CallStatus.WAITING)
                                 .options(joinedload(R.customer))
                                 .order_by(R.position, R.queue_no).limit(upcoming)
                                 .execution_options(populate_existing=True)).all()
    picked = db.session.scalars(select(R).where(R.launch_id == launch.id,
                                                R.call_status == CallStatus.PICKED)
                                .options(joinedload(R.customer),
                                         joinedload(R.picked_unit).joinedload(Unit.building))
                                .order_by(R.id.desc()).limit(upcoming)
                                .execution_options(populate_existing=True)).all()
    counts = launches.counts(launch.id)
    available = db.session.scalar(
        select(func.count()).select_from(Unit).join(Building)
        .where(Building.project_id == launch.project_id,
               unit_status.effective_status(now) == UnitStatus.AVAILABLE))
    return {"called": called, "waiting": waiting, "picked": picked, "counts": counts,
            "available": available, "now": now}


def available_units(project_id, now=None):
    """(id, label) of the units a buyer may pick now, for the console's choice."""
    rows = db.session.execute(
        select(Unit.id, Building.name, Unit.entrance, Unit.unit_no, Unit.layout).join(Building)
        .where(Building.project_id == project_id,
               unit_status.effective_status(now or clock.now()) == UnitStatus.AVAILABLE)
        .order_by(Building.sort_order, Building.id, Unit.floor.desc(), Unit.unit_no)).all()
    return [(uid, f"{building}{f'{entrance}单元' if entrance else ' '}{no} · {layout}")
            for uid, building, entrance, no, layout in rows]
