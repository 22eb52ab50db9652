"""The board's read side: one Core query per grid, the ETag, what a poll must swap.

Reading never writes: a hold past its expiry reads as available (see unit_status).
The ETag is the project's board counter, its layout counter and the number of holds that
have expired since they were last persisted, so a hold running out changes it without any
write. Cells and figures are shaped in app.services.board.cells.
"""
import json
import re
import time
from collections import namedtuple
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple, Optional

from flask import current_app
from sqlalchemy import BigInteger, and_, bindparam, func, or_, select, type_coerce
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.types import NullType

from app.driver import run
from app.extensions import db
from app.models import AuditLog, Building, Project, Unit, UnitStatus, User
from app.models.types import UTCDateTime
from app.services import clock
from app.services.board.cells import (
    AREA_BANDS,
    LETTERS,
    Filters,
    build_grids,
    display_pages,
    price_bands,
    summary_of,
)
from app.services.board.unit_status import effective_status

__all__ = ["Filters", "LETTERS", "board_page", "board_changes", "display_page"]

S = UnitStatus
unit_t, building_t, user_t = Unit.__table__, Building.__table__, User.__table__
project_t = Project.__table__
FULL_REDRAW = 120  # changed cells above which a poll re-sends whole grids
ETAG_RE = re.compile(r'^(?:W/)?"(\d+)\.(\d+)\.(\d+)\.(\d+)"$')
GridRow = namedtuple("GridRow", "id building_id floor unit_no layout area total unit_price "
                                "status held_by_id hold_expires_at holder version entrance")
# SQLAlchemy 2.1 rows answer attribute lookups slowly (~1 µs each, 36,000 of them on a
# 3,000-unit board); indexing is cheap, so each row is copied once into a plain namedtuple.
_PICK = itemgetter(*range(len(GridRow._fields)))


def grid_query(project_id, now, building_id=None, since=None):
    """One Core query for every cell of a project (or building); raw integers, no ORM.

    Tables, not entities, and the session's connection, not the session: an ORM-enabled
    execution of the same SELECT costs 70 % more on a 3,000-unit board.
    """
    query = (select(unit_t.c.id, unit_t.c.building_id, unit_t.c.floor, unit_t.c.unit_no,
                    unit_t.c.layout, type_coerce(unit_t.c.building_area, BigInteger),
                    type_coerce(unit_t.c.total_price, BigInteger),
                    type_coerce(unit_t.c.unit_price, BigInteger), effective_status(now),
                    unit_t.c.held_by_id, unit_t.c.hold_expires_at, user_t.c.display_name,
                    unit_t.c.board_version, unit_t.c.entrance)
             .join(building_t, building_t.c.id == unit_t.c.building_id)
             .outerjoin(user_t, user_t.c.id == unit_t.c.held_by_id)
             .where(building_t.c.project_id == project_id))
    if building_id is not None:
        query = query.where(unit_t.c.building_id == building_id)
    if since is not None:
        expired = and_(unit_t.c.status == S.HELD, unit_t.c.hold_expires_at <= now)
        query = query.where(or_(unit_t.c.board_version > since, expired))
    make = GridRow._make
    return [make(_PICK(row)) for row in db.session.connection().execute(query)]


@lru_cache(maxsize=1)
def _buildings_query():
    return (select(building_t.c.id, building_t.c.name)
            .where(building_t.c.project_id == bindparam("pid"))
            .order_by(building_t.c.sort_order, building_t.c.id))


def buildings_of(project_id):
    """[(id, name)] of the project's buildings, in board order."""
    return db.session.connection().execute(_buildings_query(), {"pid": project_id}).all()


@lru_cache(maxsize=1)
def _etag_query():
    """Built once: the poll runs it several times a second per open board."""
    pid, now = bindparam("pid"), bindparam("now", type_=UTCDateTime())
    expired = (select(func.count())
               .select_from(unit_t.join(building_t, building_t.c.id == unit_t.c.building_id))
               .where(building_t.c.project_id == pid, unit_t.c.status == S.HELD,
                      unit_t.c.hold_expires_at <= now).scalar_subquery())
    return (select(project_t.c.board_version, project_t.c.board_layout_version, expired)
            .where(project_t.c.id == pid))


def etag(project_id, now):
    """'"project.version.layout.expired"', read in one statement; None for no project."""
    row = db.session.connection().execute(_etag_query(), {"pid": project_id, "now": now}).first()
    if row is None:
        return None
    return f'"{project_id}.{row[0]}.{row[1]}.{row[2]}"'


def polled_etag(project_id):
    """The ETag as polls see it: read from the database at most every POLL_TAG_SECONDS."""
    cache = current_app.extensions.setdefault("board_tags", {})
    moment = time.time()  # a clock set back makes the kept tag old, never young forever
    hit = cache.get(project_id)
    if hit is not None and 0 <= moment - hit[0] < current_app.config["POLL_TAG_SECONDS"]:
        return hit[1]
    tag = etag(project_id, clock.now())
    cache[project_id] = (moment, tag)
    return tag


def parse_etag(value):
    """(project, version, layout, expired) from an If-None-Match value, or None."""
    match = ETAG_RE.match((value or "").strip())
    return tuple(int(part) for part in match.groups()) if match else None


def board_data(project_id, building_id, now=None):
    """What the board reads from the database: buildings, the ETag, the grid rows."""
    now = now or clock.now()
    tag = etag(project_id, now)  # before the grid: a change in between is re-sent, not lost
    buildings = _per_tag("board_buildings", project_id, tag, lambda: buildings_of(project_id))
    if building_id not in {bid for bid, _ in buildings}:
        building_id = None
    return {"buildings": buildings, "building_id": building_id, "etag": tag,
            "rows": _rows_for(project_id, building_id, tag, now)}


def _per_tag(name, key, tag, make):
    """`make()` again only when the ETag moved.

    What the board reads is a function of the ETag: every unit write moves the board counter
    (the polls rely on that too), an import moves the layout counter and every hold running
    out moves the expired count. So each worker keeps its last result per key, and an
    unchanged board costs one small query. Kept on the app, so every app (and every test)
    has its own.
    """
    cache = current_app.extensions.setdefault(name, {})
    hit = cache.get(key)
    if hit is not None and hit[0] == tag:
        return hit[1]
    value = make()
    cache[key] = (tag, value)
    return value


def _rows_for(project_id, building_id, tag, now):
    """The grid rows, read again only when the ETag moved."""
    return _per_tag("board_rows", (project_id, building_id), tag,
                    lambda: grid_query(project_id, now, building_id))


def board_view(data, filters):
    """The page's context from the data read: tabs, filter choices, figures, grids.

    The same for every user: the holder's own cells carry their id (data-holder) and the
    browser marks them (board.js), so pages and polls can be shared between users.
    """
    rows = data["rows"]
    return {"buildings": data["buildings"], "building_id": data["building_id"],
            "compact": data["building_id"] is None, "etag": data["etag"], "filters": filters,
            "grids": build_grids(data["buildings"], rows, filters),
            "summary": summary_of(rows), "layouts": sorted({row.layout for row in rows}),
            "price_bands": price_bands(rows), "area_bands": AREA_BANDS, "letters": LETTERS}


def view_key(data, filters):
    """What the board's HTML depends on: the same key, the same HTML (see blueprint cache).
    The rows are a function of the ETag."""
    return (data["etag"], data["building_id"], tuple(sorted(filters.args().items())))


def board_page(project_id, building_id, filters, now=None):
    """Everything the board page shows."""
    return board_view(board_data(project_id, building_id, now), filters)


def _expired_hold(row, now):
    """A hold past its expiry: it reads as available without any write (see etag)."""
    return row.status == S.AVAILABLE and row.hold_expires_at is not None \
        and row.hold_expires_at <= now


def board_changes(project_id, building_id, client_tag, tag=None, now=None):
    """(ETag, None) when the client is up to date, else (ETag, what to swap).

    Read from the grid rows each worker keeps per ETag (one query per board version, not
    per poll), and the same for every user: on launch day every poll carries changes, and
    200 boards each reading their changed cells cost more than a core. Only the cells
    changed since the client's version are sent; a new grid shape (an import), an unknown
    ETag or a large change sends the grids whole.
    """
    now = now or clock.now()
    tag = tag or etag(project_id, now)
    if tag is None or client_tag == tag:
        return tag, None
    buildings = _per_tag("board_buildings", project_id, tag, lambda: buildings_of(project_id))
    if building_id not in {bid for bid, _ in buildings}:
        building_id = None
    rows = _rows_for(project_id, building_id, tag, now)
    summary = _per_tag("board_summary", (project_id, building_id), tag,
                       lambda: summary_of(rows))
    known, current = parse_etag(client_tag), parse_etag(tag)
    full = (known is None or known[0] != project_id or known[2] != current[2]
            or known[1] > current[1])
    if not full:
        changed = [row for row in rows if row.version > known[1] or _expired_hold(row, now)]
        full = len(changed) > FULL_REDRAW
    if full:
        return tag, {"full": True, "buildings": buildings, "building_id": building_id,
                     "rows": rows, "summary": summary, "units": []}
    return tag, {"full": False, "building_id": building_id, "changed": changed,
                 "units": [row.id for row in changed], "summary": summary,
                 "versions": {row.id: row.version for row in changed
                              if not _expired_hold(row, now)}}


def changed_trigger(changes):
    """The HX-Trigger header telling the page which units a poll changed, and the version
    each was written at: an open panel already showing that version (the answer to the
    viewer's own move) is not fetched again. A hold that ran out carries no version (its row
    was not written): its panel is always fetched."""
    return json.dumps({"board-changed": {"units": changes["units"], "full": changes["full"],
                                         "versions": changes.get("versions", {})}})


def display_page(project_id, now=None):
    """The hall display: every building, no holder names, figures for the whole project."""
    data = board_data(project_id, None, now)
    grids = build_grids(data["buildings"], data["rows"], Filters())
    return {"etag": data["etag"], "pages": display_pages(grids),
            "summary": summary_of(data["rows"]), "letters": LETTERS}


_audit_t, _user_t = AuditLog.__table__, User.__table__
PANEL_HISTORY = 10  # the latest moves a unit's panel shows; 显示全部记录 asks for the rest


def _history_of(object_id):
    """A unit's audit rows, newest first, as the panel reads them. `at` as the driver gives
    it (SQLite: text; PostgreSQL: a naive UTC datetime): of the rows a panel reads, only a
    line not yet kept shows its time (history_entry converts it), and converting every
    row's was most of the read's cost."""
    return (select(_audit_t.c.id, type_coerce(_audit_t.c.at, NullType()).label("at"),
                   _audit_t.c.action, _audit_t.c.before,
                   _audit_t.c.after, _audit_t.c.reason, _user_t.c.display_name.label("name"))
            .outerjoin(_user_t, _user_t.c.id == _audit_t.c.user_id)
            .where(_audit_t.c.object_type == "unit", _audit_t.c.object_id == object_id)
            .order_by(_audit_t.c.id.desc()))


_HISTORY = _history_of(bindparam("unit"))


class HistoryRow(NamedTuple):
    """A unit_history row made by the app instead of read (the rows after a move, below):
    the driver's rows have the same fields."""

    id: int
    at: object  # as the driver gives it
    action: str
    before: Optional[str]
    after: Optional[str]
    reason: Optional[str]
    name: Optional[str]


def prior_history(object_id):
    """PostgreSQL: the unit's latest PANEL_HISTORY audit rows as one JSON array, newest
    first, for the statement of a board move that also writes the unit's next row (which
    the statement's own reads do not see): the panel its answer shows needs no read of its
    own, a round trip less a move. Read back by keep_history_after_move."""
    prior = _history_of(object_id).limit(PANEL_HISTORY).subquery("prior")
    return type_coerce(select(func.json_agg(aggregate_order_by(
        func.json_build_array(*prior.c), prior.c.id.desc()))).scalar_subquery(), NullType())


def keep_history_after_move(unit_id, own, prior):
    """The unit's history once its move's row `own` (a HistoryRow) is written, from the
    move's statement (`prior`: prior_history's JSON), for unit_history to answer with in the
    same transaction instead of reading it."""
    if isinstance(prior, str):
        prior = json.loads(prior)
    rows = [own, *(HistoryRow(row_id, datetime.fromisoformat(at), action, before, after,
                              reason, name)
                   for row_id, at, action, before, after, reason, name in prior or ())]
    session = db.session()
    session.info[_AFTER_MOVE] = (session.get_transaction(), unit_id, rows)


_AFTER_MOVE = "unit_history_after_move"


@lru_cache(maxsize=8)
def _history_latest(limit):
    """_HISTORY's latest `limit` rows, built once per limit: the panel asks after every move."""
    return _HISTORY.limit(limit)


def unit_history(unit_id, limit=None):
    """The unit's audit rows, newest first (the latest `limit`, or all), as read: each with
    its id, its time as stored (`at`: history_entry gives the datetime) and the name of who
    made it (`name`). history_entry says what a row shows."""
    session = db.session()
    kept = session.info.pop(_AFTER_MOVE, None)
    if (kept is not None and kept[1] == unit_id and limit == PANEL_HISTORY + 1
            and kept[0] is session.get_transaction()):
        return kept[2]  # the rows the move's own statement gave (keep_history_after_move)
    query = _history_latest(limit) if limit else _HISTORY
    session.flush()  # a Core read: audit rows the transaction added through the ORM first
    return run(session, query, {"unit": str(unit_id)}).all()


def _stored_at(value):
    """An audit row's `at` as stored, as the aware UTC datetime the ORM would give."""
    dialect = db.engine.dialect
    key = (dialect.name, dialect.driver)
    process = _AT_PROCESSORS.get(key)
    if process is None:
        process = _AT_PROCESSORS[key] = (
            _audit_t.c.at.type.dialect_impl(dialect).result_processor(dialect, None))
    return process(value)


_AT_PROCESSORS = {}


class HistoryEntry(NamedTuple):
    """One line of a unit's history (board/_history.html): read by attribute, which a dict
    would make Jinja try first and fail at, for every value of every line."""

    at: datetime
    who: str
    action: str
    from_status: Optional[str]
    to_status: Optional[str]
    reason: Optional[str]
    changes: Optional[tuple]  # (total price before, after) of a price change


def history_entry(row):
    """What one unit_history row shows: when, who, the move, the statuses it moved between,
    its reason and a price change."""
    before, after = json.loads(row.before or "{}"), json.loads(row.after or "{}")
    price = None
    if "total_price" in after and "total_price" in before:
        price = (Decimal(before["total_price"]), Decimal(after["total_price"]))
    return HistoryEntry(_stored_at(row.at), row.name or "系统", row.action,
                        before.get("status"), after.get("status"), row.reason, price)


def unit_ids(building_id, floor=None):
    """The units of a building, or of one of its floors."""
    query = select(Unit.id).where(Unit.building_id == building_id)
    if floor is not None:
        query = query.where(Unit.floor == floor)
    return db.session.scalars(query).all()


def export_rows(project_id):
    """The board as rows for the .xlsx export, in the import template's layout."""
    status = effective_status(clock.now()).label("status")
    rows = db.session.execute(
        select(Building.name.label("building"), Unit.entrance, Unit.floor, Unit.unit_no,
               Unit.layout,
               Unit.building_area, Unit.inner_area, Unit.orientation, Unit.unit_price,
               Unit.total_price, status)
        .join(Building).where(Building.project_id == project_id)
        .order_by(Building.sort_order, Building.id, Unit.entrance, Unit.floor, Unit.unit_no)).all()
    return [{**row._mapping, "status": S.LABELS[row.status]} for row in rows]
