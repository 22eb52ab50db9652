"""Every unit status move, in one module (DESIGN.md "The sales control board").

A move is one row of MOVES: the statuses it starts from, the status it ends in, the policy
action saying who may make it, and whether some roles may only touch a hold they own.
`transition` (one unit) and `transition_many` (a floor or building) make a move in the
caller's transaction:

1. bump the project's board counter first (UPDATE ... RETURNING): it locks the project row,
   so moves of one project commit in version order and the board's ETag never goes back;
2. persist any expired hold among the units (compare-and-set, audited as 保留到期);
3. one conditional UPDATE `WHERE id IN (...) AND status IN (sources) [AND held_by_id = me]`
   whose rowcount must match, else Conflict with what is in the way ("已被 王芳 保留 ...");
4. one audit row per unit moved, stamped with the new board version.

A board move on one unit (`move_unit`, the panel's buttons) reads the unit before step 1: a
press the row refuses (a unit someone holds) answers without the lock, and one that goes
ahead writes with an UPDATE that also compares what was read (on PostgreSQL the same statement
writes its audit row, from the UPDATE's RETURNING, and the read's own statement takes step 1
when the row as read may move); a unit that moved in between is read again under the lock and
judged as above.

Later areas (deposits, subscriptions, contracts, refunds, exchanges) add rows to MOVES and
call the same two functions; `keeps_prior` and `target=None` let a deposit rejection return
the unit to the status it had before.
"""
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Callable, Optional

from sqlalchemy import (
    and_,
    bindparam,
    case,
    func,
    insert,
    literal_column,
    or_,
    select,
    true,
    type_coerce,
    update,
)
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import NullType

from app.database import as_loaded, attach_loaded, key_of
from app.driver import run
from app.extensions import db
from app.models import AuditLog, Building, Project, Unit, UnitStatus, User
from app.policy import ROLE_RULES, can, roles_of
from app.services import audit, clock
from app.services.errors import Conflict, NotAllowed, RuleViolation

S = UnitStatus
unit_t = Unit.__table__
project_t = Project.__table__
audit_t = AuditLog.__table__
user_t = User.__table__
SYSTEM = SimpleNamespace(id=None, username="system")  # the actor of automatic expiry


@dataclass(frozen=True)
class Move:
    name: str  # audited as unit_<name>
    label: str  # Chinese verb for messages: 保留, 推售 ...
    action: Optional[str]  # policy action in ROLE_RULES
    sources: tuple  # statuses the move starts from
    target: Optional[str]  # status it ends in; None = back to prior_status
    own_hold: frozenset = frozenset()  # roles that may only act on a hold they own
    keeps_hold: bool = False  # holder and expiry survive the move
    keeps_prior: bool = False  # remember the current status in prior_status
    needs_reason: bool = False
    single_only: bool = False  # values depend on the unit's row: one unit at a time
    values: Optional[Callable] = None  # (ctx, row) -> extra column values
    where: Optional[Callable] = None  # (ctx, row) -> extra conditions
    panel: bool = True  # offered on the board's unit panel (launch picks: the console only)


def _hold_values(ctx, row):
    return {"held_by_id": ctx.actor.id, "hold_expires_at": ctx.now + ctx.hold_delta,
            "hold_extended": False}


def _extend_values(ctx, row):
    return {"hold_expires_at": row.hold_expires_at + ctx.hold_delta, "hold_extended": True}


def _same_holder(ctx, row):
    # compare-and-set on the holder read under the lock (the guard judged that holder)
    column = unit_t.c.held_by_id
    return [column.is_(None) if row.held_by_id is None else column == row.held_by_id]


def _clear_prior(ctx, row):
    return {"prior_status": None}


def _extend_where(ctx, row):
    # compare-and-set on the expiry read under the lock, and only once per hold
    return [unit_t.c.hold_extended.is_(False), unit_t.c.hold_expires_at == row.hold_expires_at]


MOVES = {move.name: move for move in (
    Move("release", "推售", "unit.release", (S.WITHHELD,), S.AVAILABLE),
    Move("withhold", "销控", "unit.withhold", (S.AVAILABLE,), S.WITHHELD),
    Move("hold", "保留", "unit.hold", (S.AVAILABLE,), S.HELD, single_only=True,
         values=_hold_values),
    Move("cancel_hold", "取消保留", "unit.cancel_hold", (S.HELD,), S.AVAILABLE,
         own_hold=frozenset({"consultant"})),
    Move("extend_hold", "延长保留", "unit.extend_hold", (S.HELD,), S.HELD, keeps_hold=True,
         needs_reason=True, single_only=True, values=_extend_values, where=_extend_where),
    # deals (app/services/deals/): the hold survives a pending deposit, so a rejection
    # returns the unit to its holder (or to available once the hold has run out)
    Move("record_deposit", "收取定金", "deposit.record", (S.AVAILABLE, S.HELD),
         S.DEPOSIT_PENDING, keeps_prior=True, keeps_hold=True, single_only=True,
         where=_same_holder),
    Move("confirm_deposit", "确认定金", "deposit.confirm", (S.DEPOSIT_PENDING,),
         S.DEPOSIT_CONFIRMED, single_only=True),
    Move("reject_deposit", "退回定金", "deposit.confirm", (S.DEPOSIT_PENDING,), None,
         keeps_hold=True, needs_reason=True, single_only=True),
    Move("mark_sold", "认购", "subscription.sign", (S.DEPOSIT_CONFIRMED,), S.SUBSCRIBED,
         single_only=True),
    Move("sign_contract", "签约", "contract.sign", (S.SUBSCRIBED,), S.CONTRACTED,
         single_only=True),
    # exchange / refund (app/services/changes/): executed by the office after a manager's
    # approval; a refund also takes back a confirmed deposit that never became a sale
    Move("refund", "退房", "change.execute", (S.DEPOSIT_CONFIRMED, S.SUBSCRIBED, S.CONTRACTED),
         S.AVAILABLE, needs_reason=True, single_only=True, values=_clear_prior),
    Move("refund_withhold", "退房(转销控)", "change.execute",
         (S.DEPOSIT_CONFIRMED, S.SUBSCRIBED, S.CONTRACTED), S.WITHHELD, needs_reason=True,
         single_only=True, values=_clear_prior),
    Move("exchange_out", "换出", "change.execute", (S.SUBSCRIBED, S.CONTRACTED), S.AVAILABLE,
         needs_reason=True, single_only=True, values=_clear_prior),
    Move("exchange_in", "换入", "change.execute", (S.AVAILABLE, S.HELD), S.SUBSCRIBED,
         needs_reason=True, single_only=True, values=_clear_prior, where=_same_holder),
    Move("exchange_in_contracted", "换入", "change.execute", (S.AVAILABLE, S.HELD),
         S.CONTRACTED, needs_reason=True, single_only=True, values=_clear_prior,
         where=_same_holder),
    # launch day 选房 (app/services/launch/): the buyer's sincerity deposit becomes the unit's
    # deposit. Not yet confirmed by finance: the deposit_pending path of record_deposit;
    # already confirmed: straight to deposit_confirmed (finance has seen that money).
    Move("launch_pick", "选房", "launch.pick", (S.AVAILABLE, S.HELD), S.DEPOSIT_PENDING,
         keeps_prior=True, keeps_hold=True, single_only=True, where=_same_holder, panel=False),
    Move("launch_pick_confirmed", "选房", "launch.pick", (S.AVAILABLE, S.HELD),
         S.DEPOSIT_CONFIRMED, single_only=True, where=_same_holder, panel=False),
)}


def effective_status(now):
    """The status a reader sees: a hold past its expiry reads as available (GETs never write)."""
    expired = and_(unit_t.c.status == S.HELD, unit_t.c.hold_expires_at <= now)
    return case((expired, S.AVAILABLE), else_=unit_t.c.status)


def effective(unit, now=None):
    """A unit's status as readers see it (see effective_status)."""
    if unit.status == S.HELD and unit.hold_expires_at <= (now or clock.now()):
        return S.AVAILABLE
    return unit.status


def allowed_moves(unit, user, now=None):
    """Names of the moves `user` may make on `unit` now: the panel's buttons."""
    status = effective(unit, now)
    return [move.name for move in MOVES.values()
            if move.action and move.panel and status in move.sources
            and can(user, move.action, unit)
            and not (move.name == "extend_hold" and unit.hold_extended)]


def bump_board(project_id, layout=False):
    """Lock the project's board counter and move it on; returns the new version."""
    return _bump(project_id, layout)[0]


def lock_project(project_id):
    """Take the project lock every writer of the project queues on, leaving the board's
    counter alone: money work that moves no unit (a payment confirmed, a refund paid, a
    request asked) must not make every open board re-render. PostgreSQL: the project row,
    FOR UPDATE (bump_board's UPDATE waits on it too); SQLite: a writer's BEGIN IMMEDIATE
    already holds the database's one write lock."""
    if run(db.session, _LOCK, {"pid": project_id}).first() is None:
        raise RuleViolation("项目不存在")


def _bump(project_id, layout=False):
    """bump_board, also returning the project's hold minutes and cap (one trip for a move)."""
    return _bumped(project_id, run(db.session, _BUMP[layout], {"pid": project_id}).first(),
                   layout)


def _bumped(project_id, row, layout=False):
    """The bump's row (version, hold minutes, hold cap), told to the session's project."""
    if row is None:
        raise RuleViolation("项目不存在")
    project = db.session.identity_map.get(key_of(Project, project_id))
    if project is not None:  # a Core UPDATE: the loaded project learns its new counters here
        set_committed_value(project, "board_version", row[0])
        if layout:
            set_committed_value(project, "board_layout_version", row[0])
    return row


def _bump_statement(layout):
    """UPDATE project … RETURNING, built once: every move runs it (the project lock)."""
    values = {"board_version": project_t.c.board_version + 1}
    if layout:
        values["board_layout_version"] = project_t.c.board_version + 1
    return (update(project_t).where(project_t.c.id == bindparam("pid")).values(**values)
            .returning(project_t.c.board_version, project_t.c.hold_minutes,
                       project_t.c.hold_cap))


_BUMP = {layout: _bump_statement(layout) for layout in (False, True)}
_LOCK = select(project_t.c.id).where(project_t.c.id == bindparam("pid")).with_for_update()


def transition(unit, move, actor, *, reason=None, now=None, guard=None, opening=False):
    """Make `move` on one unit or raise Conflict saying what is in the way.

    `guard(row)` may refuse the move with a Chinese reason after the unit's row has been
    read under the project lock (e.g. a deposit on a unit someone else holds).
    `opening`: an opening import 期初导入 brings in a deal the office made on paper; the
    admin's opening.import authorises the move instead of the move's own policy action
    (the sources and the target stay the move's).
    """
    moved, refused, written = _apply(unit.building.project_id, [unit.id], move, actor, reason,
                                     now, guard, opening)
    return _moved(unit, refused, written)


def _moved(unit, refused, written):
    """The ORM unit after a one-unit move: Conflict when it was refused, else brought up to
    the row as the UPDATE left it (RETURNING), so the answer needs no second read of the
    unit. Of its relationships only the holder follows a move (a unit never changes
    building)."""
    if refused:
        db.session.expire(unit)
        raise Conflict(refused[0][1])
    loaded = unit.__dict__
    for key, value in written[unit.id].items():
        if key not in loaded or loaded[key] != value:  # most columns a move leaves alone
            set_committed_value(unit, key, value)
    if not attach_loaded(db.session, unit, "held_by", User, unit.held_by_id):
        db.session.expire(unit, ["held_by"])  # (a holder not loaded: read when shown)
    return unit


class _NoSuchUnit(Exception):
    """move_unit: the project has no such unit (read under the lock)."""


def move_unit(project_id, unit_id, move, actor, *, reason=None, check=None):
    """A board move on one unit of the project, the unit read once, as the ORM unit with its
    building, which the move brings up to date (RETURNING) and the answer shows. Returns the
    unit, or None when the project has no such unit.

    The unit is read before the project lock (`read_first` in _apply): a move the row refuses
    (a unit someone holds, on launch day most presses) answers without taking the lock or
    writing anything, and the lock is held for the write alone. The write compares every
    column the judgement read, so a unit that moved in between is read again under the lock
    and judged afresh: the outcome is the one the locked read would have given.

    `check(unit)` is the object's policy, asked of each read of the unit before anything is
    written; it raises to refuse (NotAllowed, 403). Conflict as transition.
    """
    read = {}

    def read_unit(project_id, unit_ids, holds_of, bump=None):
        unit, row = unit_with_building(project_id, unit_ids[0], holds_of, bump)
        if unit is None:
            raise _NoSuchUnit
        read["unit"] = unit
        if check is not None:
            check(unit)
        return [SimpleNamespace(
            id=unit.id, unit_no=unit.unit_no, status=unit.status, held_by_id=unit.held_by_id,
            hold_expires_at=unit.hold_expires_at, hold_extended=unit.hold_extended,
            prior_status=unit.prior_status, building=unit.building.name, holder=row.holder,
            open_holds=row.open_holds, bumped=_bump_of(row) if bump else None)]

    try:
        _, refused, written = _apply(project_id, [unit_id], move, actor, reason, None,
                                     read=read_unit, read_first=True)
    except _NoSuchUnit:
        return None
    return _moved(read["unit"], refused, written)


def unit_with_building(project_id, unit_id, holds_of=None, bump=None):
    """The project's unit `unit_id` and its building as the session's ORM objects, fresh
    from one Core read (app.database.as_loaded: the ORM's joined loading cost a unit panel
    several times the statement), with the Core row (the holder's name; with `holds_of` =
    (user id, now), that user's open holds). (None, None) when the project has no such
    unit.

    `bump` = (a move's sources, own_only, actor id, now), PostgreSQL only: the same statement
    also bumps the board counter (the project lock, _BUMP) when the unit as read may make
    the move (or holds an expired hold), and the row ends with the bump's version, hold
    minutes and hold cap (None when it did not bump): a move that goes ahead makes one round
    trip less; a refused press still takes no lock."""
    actor_id, now = holds_of or (None, None)
    statement = _READ_ONE["holds" if holds_of else "unit"]
    if bump is not None:
        sources, own_only, actor_id, now = bump
        shape = (holds_of is not None, sources, own_only)
        statement = _READ_ONE_BUMPING.get(shape)
        if statement is None:  # built once per move and shape
            statement = _READ_ONE_BUMPING[shape] = _read_one_statement(*shape)
    row = run(db.session, statement, {
        "pid": project_id, "unit_id": unit_id, "actor": actor_id, "now": now}).first()
    if row is None:
        return None, None
    session, units = db.session(), len(UNIT_KEYS)
    building = as_loaded(session, Building, dict(
        zip(BUILDING_KEYS, row[units:units + len(BUILDING_KEYS)], strict=True)), refresh=True)
    unit = as_loaded(session, Unit, dict(zip(UNIT_KEYS, row[:units], strict=True)),
                     refresh=True)
    set_committed_value(unit, "building", building)  # (the session holds rows weakly)
    # the request's project, loaded with its user: the panel reads its hold minutes
    attach_loaded(session, building, "project", Project, building.project_id)
    return unit, row


def transition_many(project_id, unit_ids, move, actor, *, reason=None, now=None):
    """Make `move` on every unit that allows it (a floor, a building).

    Returns (moved unit ids, [(unit row, why not)]); the caller reports what was skipped.
    """
    if MOVES[move].single_only:
        raise ValueError(f"{move} moves one unit at a time")
    moved, refused, _ = _apply(project_id, list(unit_ids), move, actor, reason, now)
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, (Unit, Project)):
            db.session.expire(obj)
    return moved, refused


def block_message(building, floor, move, moved, refused):
    """'1栋 18层:已推售 6 套,跳过 2 套(保留 1 套、已认购 1 套)'."""
    scope = f"{building} {floor}层" if floor is not None else f"{building} 整栋"
    text = f"{scope}:已{MOVES[move].label} {len(moved)} 套"
    if refused:
        counts = {}
        for row, _ in refused:
            counts[S.LABELS[row.status]] = counts.get(S.LABELS[row.status], 0) + 1
        skipped = "、".join(f"{k} {v} 套" for k, v in counts.items())
        text += f",跳过 {len(refused)} 套({skipped})"
    return text


def expire_holds(now=None, project_id=None):
    """Persist every hold past its expiry (cron: `flask --app wsgi expire-holds`); returns count."""
    now = now or clock.now()
    query = (select(Building.project_id).distinct().join(Unit)
             .where(Unit.status == S.HELD, Unit.hold_expires_at <= now))
    if project_id is not None:
        query = query.where(Building.project_id == project_id)
    count = 0
    for pid in db.session.scalars(query).all():
        version = bump_board(pid)
        rows = [row for row in _read(pid, None, held_only=True) if _is_expired(row, now)]
        count += len(_expire(pid, rows, version, now))
    return count


def _apply(project_id, unit_ids, name, actor, reason, now, guard=None, opening=False,
           read=None, read_first=False):
    move = MOVES[name]
    _check_actor(move, actor, "opening.import" if opening else move.action)
    reason = (reason or "").strip() or None
    if move.needs_reason and not reason:
        raise RuleViolation("请填写原因", "reason")
    now = now or clock.now()
    ctx = SimpleNamespace(actor=actor, now=now, hold_delta=None, own_only=_own_only(move, actor),
                          project_id=project_id)
    capped = move.name == "hold" and not can(actor, "unit.hold_over_cap")
    holds_of = (actor.id, now) if capped else None
    read = read or _read
    bumped = None
    if read_first:
        done, bumped = _apply_as_read(project_id, unit_ids, move, ctx, reason, guard, read,
                                      holds_of, capped)
        if done is not None:
            return done
    version, hold_minutes, hold_cap = bumped or _bump(project_id)
    ctx.hold_delta = timedelta(minutes=hold_minutes)
    rows = read(project_id, unit_ids, holds_of=holds_of)
    if capped:
        _check_hold_cap(rows, hold_cap)
    if len(rows) != len(set(unit_ids)):
        raise RuleViolation("房源不存在或不属于本项目")
    expired = {row.id for row in _expire(project_id, [r for r in rows if _is_expired(r, now)],
                                         version, now)}
    rows = [_as_available(row) if row.id in expired else row for row in rows]
    refused = [(row, _why_not(move, ctx, row, row.id in expired)
                or (guard(row) if guard else None)) for row in rows]
    refused = [(row, why) for row, why in refused if why]
    eligible = [row for row in rows if row.id not in {r.id for r, _ in refused}]
    written = {}
    if eligible:
        values, written, _ = _update(move, ctx, eligible, version)
        if len(written) != len(eligible):
            # Every writer takes the project lock first, so this means a writer that did not.
            raise Conflict("房源状态刚刚发生变化,请刷新后重试")
        _audit(move, ctx, eligible, values, version, reason)
    return [row.id for row in eligible], refused, written


def _apply_as_read(project_id, unit_ids, move, ctx, reason, guard, read, holds_of, capped):
    """_apply on the one unit as read before the lock: (the result, None) when the row
    refused the move or the write went through; (None, the bump's row or None) when the
    unit must be read again under the lock: an expired hold to persist, or a row that moved
    since (or a hold now over the cap)."""
    bump = None
    if _on_postgresql():  # the bump in the read's statement
        bump = (move.sources, ctx.own_only, ctx.actor.id, ctx.now)
    rows = read(project_id, unit_ids, holds_of=holds_of, bump=bump)
    if len(rows) != 1:
        return None, None
    row = rows[0]
    bumped = _bumped(project_id, row.bumped) if row.bumped else None
    if _is_expired(row, ctx.now):
        return None, bumped
    why = _why_not(move, ctx, row, False) or (guard(row) if guard else None)
    if why:  # refused on the row as read: nothing written (and a bump rolls back with it)
        return ([], [(row, why)], {}), None
    bumped = bumped or _bump(project_id)
    ctx.hold_delta = timedelta(minutes=bumped[1])
    values, written, audited = _update(move, ctx, [row], bumped[0], seen=True,
                                       cap=bumped[2] if capped else None, log=True,
                                       reason=reason)
    if not written:
        return None, bumped
    if not audited:
        _audit(move, ctx, [row], values, bumped[0], reason)
    return ([row.id], [], written), None


def _audit(move, ctx, rows, values, version, reason):
    """One audit row per unit moved, stamped with the board version."""
    audit.record_many(f"unit_{move.name}", "unit",
                      [_audit_change(move, row, values, version) for row in rows],
                      project_id=ctx.project_id, user=ctx.actor, reason=reason)


def _check_actor(move, actor, action):
    if actor is None or action is None:
        raise NotAllowed(f"{move.label}需要有权限的用户操作")
    if not roles_of(actor) & ROLE_RULES[action]:
        raise NotAllowed(f"您的角色不能{move.label}")


def _check_hold_cap(rows, cap):
    """A consultant keeps at most `cap` open holds in the project; a manager may exceed it.

    Counted in the same statement that reads the units, after the project lock taken by
    _bump, so two holds pressed at once at the cap are judged one after the other.
    """
    open_holds = rows[0].open_holds if rows else 0
    if open_holds >= cap:
        raise Conflict(f"您在本项目已保留 {open_holds} 套房源,已达每人 {cap} 套的保留上限;"
                       "请先办理定金或取消其他保留,如需更多请联系销售经理")


def _own_only(move, actor):
    """True when the actor's only qualifying roles are limited to their own holds."""
    return bool(move.own_hold) and not (roles_of(actor) & ROLE_RULES[move.action]) - move.own_hold


def _read(project_id, unit_ids, held_only=False, holds_of=None):
    """The units' rows under the project lock; `holds_of` = (user id, now) adds the count of
    that user's open holds in the project to each row (open_holds: the hold cap)."""
    if unit_ids is not None:
        params = {"pid": project_id, "ids": list(unit_ids)}
        statement = _READ["held" if held_only else "units"]
        if holds_of is not None:
            params.update(actor=holds_of[0], now=holds_of[1])
            statement = _READ["units_and_holds"]
    else:
        params, statement = {"pid": project_id}, _READ["held_all" if held_only else "all"]
    db.session.flush()  # a Core read: what the transaction added through the ORM first
    return [SimpleNamespace(**row._mapping) for row in run(db.session, statement, params)]


def _open_holds():
    """The count of the actor's open holds in the project (the hold cap), as a column."""
    return _open_holds_count().label("open_holds")


def _open_holds_count():
    """The actor's open holds in the project :pid, as of :now (the hold cap)."""
    mine, building = unit_t.alias("mine"), Building.__table__.alias("mine_building")
    return (select(func.count()).select_from(mine)
            .join(building, building.c.id == mine.c.building_id)
            .where(building.c.project_id == bindparam("pid"), mine.c.status == S.HELD,
                   mine.c.held_by_id == bindparam("actor"),
                   mine.c.hold_expires_at > bindparam("now"))
            .scalar_subquery())


def _read_statement(by_ids, held_only, count_holds=False):
    """The units' rows with their building and holder names, built once per shape."""
    building_t, user_t = Building.__table__, User.__table__
    columns = [unit_t.c.id, unit_t.c.unit_no, unit_t.c.status, unit_t.c.held_by_id,
               unit_t.c.hold_expires_at, unit_t.c.hold_extended, unit_t.c.prior_status,
               building_t.c.name.label("building"), user_t.c.display_name.label("holder")]
    if count_holds:
        columns.append(_open_holds())
    query = (select(*columns)
             .join(building_t, building_t.c.id == unit_t.c.building_id)
             .outerjoin(user_t, user_t.c.id == unit_t.c.held_by_id)
             .where(building_t.c.project_id == bindparam("pid")))
    if by_ids:
        query = query.where(unit_t.c.id.in_(bindparam("ids", expanding=True)))
    if held_only:
        query = query.where(unit_t.c.status == S.HELD)
    return query.order_by(unit_t.c.id)


_READ = {"units": _read_statement(True, False), "held": _read_statement(True, True),
         "all": _read_statement(False, False), "held_all": _read_statement(False, True),
         "units_and_holds": _read_statement(True, False, count_holds=True)}


UNIT_KEYS = [column.key for column in unit_t.c]
BUILDING_KEYS = [column.key for column in Building.__table__.c]


def _on_postgresql():
    """The session's database is PostgreSQL: a move's statements may carry data-modifying
    CTEs (SQLite has none)."""
    return db.session.get_bind().dialect.name == "postgresql"


def _bump_of(row):
    """The bump a read with `bump` made (unit_with_building): (version, hold minutes, hold
    cap), or None when the unit as read could not move."""
    if row.bump_board_version is None:
        return None
    return row.bump_board_version, row.bump_hold_minutes, row.bump_hold_cap


def _read_one_statement(count_holds, sources=None, own_only=False):
    """move_unit's read: every column of the unit and of its building (the answer shows
    both), its holder's name and, for a capped hold, the actor's open holds. A Core row,
    made into the session's ORM objects by app.database.as_loaded (fresh from the database
    even if the session held the unit already). With `sources`: the bump as well
    (unit_with_building), as a CTE whose UPDATE runs whether or not the unit is found."""
    building_t, holder = Building.__table__, User.__table__.alias("holder")
    open_holds = _open_holds() if count_holds else literal_column("0")
    query = (select(*unit_t.c, *(column.label(f"building_{column.key}")
                                 for column in building_t.c),
                    holder.c.display_name.label("holder"), open_holds.label("open_holds"))
             .join_from(unit_t, building_t, building_t.c.id == unit_t.c.building_id)
             .outerjoin(holder, holder.c.id == unit_t.c.held_by_id)
             .where(building_t.c.project_id == bindparam("pid"),
                    unit_t.c.id == bindparam("unit_id")))
    if sources is None:
        return query
    # the unit as the statement reads it may move: the move's sources (a hold of one's own
    # for own_only) or an expired hold, which the move persists first
    unit, building = unit_t.alias("to_move"), building_t.alias("to_move_building")
    movable = unit.c.status.in_(sources)
    if own_only:
        movable = and_(movable, unit.c.held_by_id == bindparam("actor"))
    movable = or_(movable, and_(unit.c.status == S.HELD,
                                unit.c.hold_expires_at <= bindparam("now")))
    bumped = _BUMP[False].where(
        select(unit.c.id).join(building, building.c.id == unit.c.building_id)
        .where(unit.c.id == bindparam("unit_id"), building.c.project_id == bindparam("pid"),
               movable).exists()).cte("bumped")
    return (query.add_columns(*(column.label(f"bump_{column.key}") for column in bumped.c))
            .outerjoin(bumped, true()))


_READ_ONE = {"unit": _read_one_statement(False), "holds": _read_one_statement(True)}
_READ_ONE_BUMPING = {}  # (count_holds, sources, own_only): built when first asked


def _is_expired(row, now):
    return row.status == S.HELD and row.hold_expires_at is not None and row.hold_expires_at <= now


def _as_available(row):
    return SimpleNamespace(**{**vars(row), "status": S.AVAILABLE, "held_by_id": None,
                              "hold_expires_at": None, "hold_extended": False, "holder": None})


def _expire(project_id, rows, version, now):
    """Compare-and-set each expired hold back to available; returns the rows it changed."""
    done = []
    for row in rows:
        result = db.session.execute(
            update(unit_t).where(unit_t.c.id == row.id, unit_t.c.status == S.HELD,
                                 unit_t.c.held_by_id == row.held_by_id,
                                 unit_t.c.hold_expires_at == row.hold_expires_at)
            .values(status=S.AVAILABLE, held_by_id=None, hold_expires_at=None,
                    hold_extended=False, status_changed_at=now, board_version=version))
        if result.rowcount == 1:
            done.append(row)
    audit.record_many("unit_hold_expired", "unit", [
        (row.id, {"status": S.HELD, "held_by": row.holder, "hold_expires_at": row.hold_expires_at},
         {"status": S.AVAILABLE, "board_version": version}) for row in done],
        project_id=project_id, user=SYSTEM)
    return done


def _why_not(move, ctx, row, just_expired):
    """None when the move may go ahead on this row, else a Chinese reason."""
    name = f"{row.building} {row.unit_no}"
    if row.status == S.HELD and move.name == "hold":
        if row.held_by_id == ctx.actor.id:
            return f"{name} 已由您保留 (到期 {clock.local(row.hold_expires_at):%H:%M})"
        return f"{name} 已被 {row.holder} 保留 (到期 {clock.local(row.hold_expires_at):%H:%M})"
    if row.status not in move.sources:
        if just_expired:
            return f"{name} 的保留已到期,房源已恢复可售"
        return f"{name} 当前为「{S.LABELS[row.status]}」,不能{move.label}"
    if ctx.own_only and row.held_by_id != ctx.actor.id:
        return f"{name} 由 {row.holder} 保留,只有保留人或销售经理可以{move.label}"
    if move.name == "extend_hold" and row.hold_extended:
        return f"{name} 的保留已延长过一次,不能再延长"
    return None


def _update(move, ctx, rows, version, seen=False, cap=None, log=False, reason=None):
    """The move's UPDATE … RETURNING: (the values it set, {unit id: the row as written},
    whether the audit row was written with it).

    `seen`: the one row was read before the lock; the UPDATE also compares every column the
    judgement read (a unit that moved since is not written). `cap`: a capped hold, written
    only while the actor holds fewer than `cap` units (counted by the UPDATE, under the
    lock). `log`: on PostgreSQL the one row's audit row (with `reason`) is inserted by the
    same statement, from the UPDATE's RETURNING in a CTE (written only if the row was): a
    round trip less per move; elsewhere the caller writes it (_audit)."""
    ids = [row.id for row in rows]
    extra = move.values(ctx, rows[0]) if move.values else {}
    params = {"ids": ids if len(ids) > 1 else ids[0], "now": ctx.now, "version": version,
              "actor": ctx.actor.id, **{f"set_{key}": value for key, value in extra.items()}}
    if seen:
        params.update({f"seen_{key}": getattr(rows[0], key) for key in SEEN})
    if cap is not None:
        params.update(pid_cap=cap, pid=ctx.project_id)
    values = {"status_changed_at": ctx.now, "board_version": version, **extra}
    audited = log and len(rows) == 1 and _on_postgresql()
    shape = (move.name, len(ids) > 1, ctx.own_only, tuple(extra), seen, cap is not None, audited)
    if move.where:  # conditions on values read under the lock: built for this row
        statement = _update_statement(move, *shape[1:], move.where(ctx, rows[0]))
    else:  # the board's own moves, every few seconds on launch day: built once per shape
        statement = _UPDATES.get(shape)
        if statement is None:
            statement = _UPDATES[shape] = _update_statement(move, *shape[1:], ())
    if audited:
        change = _audit_change(move, rows[0], values, version)
        params.update({f"log_{key}": value for key, value in audit.row_values(
            f"unit_{move.name}", "unit", change[0], before=change[1], after=change[2],
            reason=reason, project_id=ctx.project_id, user=ctx.actor).items()})
    written = {}
    for row in run(db.session, statement, params):
        written[row.id] = columns = row._asdict()
        if audited:  # the audit row the statement wrote, and the history before it
            from app.services.board.grid import HistoryRow, keep_history_after_move
            own = HistoryRow(columns.pop("log_id"), columns.pop("log_at"),
                             params["log_action"], params["log_before"], params["log_after"],
                             params["log_reason"], columns.pop("log_name"))
            keep_history_after_move(row.id, own, columns.pop("log_history"))
    return values, written, audited


SEEN = ("status", "held_by_id", "hold_expires_at", "hold_extended", "prior_status")


def _update_statement(move, many, own_only, extra_keys, seen, capped, audited,
                      extra_conditions):
    """UPDATE unit … WHERE id IN :ids (`many`; else id = :ids, one unit: no IN list to
    expand on every execution) AND status IN (sources) … RETURNING the row, with the move's
    time, board version, actor and extra values as parameters; `audited`: as a CTE whose
    RETURNING also feeds the audit row's INSERT (:log_<column> parameters)."""
    values = {"status_changed_at": bindparam("now"), "board_version": bindparam("version")}
    if move.target is None:
        values["status"] = case((unit_t.c.prior_status.is_(None), S.AVAILABLE),
                                else_=unit_t.c.prior_status)
        values["prior_status"] = None
    else:
        values["status"] = move.target
    if move.keeps_prior:
        values["prior_status"] = unit_t.c.status  # SET sees the row as it was
    if not move.keeps_hold and move.target != S.HELD:
        values.update(held_by_id=None, hold_expires_at=None, hold_extended=False)
    values.update({key: bindparam(f"set_{key}") for key in extra_keys})
    ids = unit_t.c.id.in_(bindparam("ids", expanding=True)) if many else (
        unit_t.c.id == bindparam("ids"))
    conditions = [ids, unit_t.c.status.in_(move.sources), *extra_conditions]
    if own_only:
        conditions.append(unit_t.c.held_by_id == bindparam("actor"))
    if seen:
        conditions += [unit_t.c[key].is_not_distinct_from(bindparam(f"seen_{key}"))
                       for key in SEEN]
    if capped:
        conditions.append(_open_holds_count() < bindparam("pid_cap"))
    # The whole row, not only the columns set: a caller's unit may lack columns it did not
    # load, which code after the move reads (with only the set columns returned, commission
    # accrual read the unit's product_type as None); RETURNING * fills every one.
    statement = update(unit_t).where(*conditions).values(**values).returning(*unit_t.c)
    if not audited:
        return statement
    from app.services.board.grid import prior_history  # (grid reads this module)
    moved = statement.cte("moved")
    logged = (insert(audit_t).from_select(AUDIT_COLUMNS, select(*(
        bindparam(f"log_{key}", type_=audit_t.c[key].type) for key in AUDIT_COLUMNS))
        .select_from(moved))
        .returning(audit_t.c.id, type_coerce(audit_t.c.at, NullType()).label("at"))
        .cte("logged"))
    # and the unit's history before this row, as the answer's panel shows it (read after
    # the project lock like the rest of the statement, which does not see its own row)
    # (and who made it by the name the history reads, as a panel read afterwards shows it)
    name = select(user_t.c.display_name).where(user_t.c.id == bindparam("log_user_id"))
    return (select(moved, logged.c.id.label("log_id"), logged.c.at.label("log_at"),
                   name.scalar_subquery().label("log_name"),
                   prior_history(bindparam("log_object_id")).label("log_history"))
            .select_from(moved.join(logged, true())))


AUDIT_COLUMNS = [column.key for column in audit_t.c if column.key != "id"]


_UPDATES = {}


def _audit_change(move, row, values, version):
    """(unit id, before, after) for the unit's audit row."""
    status = move.target or row.prior_status or S.AVAILABLE
    before = {"status": row.status}
    if row.status == S.HELD:
        before.update(held_by=row.holder, hold_expires_at=row.hold_expires_at)
    after = {"status": status, "board_version": version}
    if status == S.HELD or move.keeps_hold:
        after["hold_expires_at"] = values.get("hold_expires_at", row.hold_expires_at)
    return row.id, before, after
