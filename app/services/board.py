"""The board's read side: one Core query per grid, cells shaped for the templates.

Reading never writes: a hold past its expiry reads as available (see unit_status).
The ETag is the project's board counter plus the number of holds that have expired
since they were last persisted, so a hold running out changes it without any write.
"""
import json
import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import BigInteger, and_, func, or_, select, type_coerce

from app.extensions import db
from app.models import AuditLog, Building, Project, Unit, UnitStatus, User
from app.services import clock
from app.services.overview import summarise, unit_status_summary
from app.services.unit_status import effective_status

S = UnitStatus
unit_t = Unit.__table__
# Readable without colour: the character offices write on their wall charts.
LETTERS = {S.WITHHELD: "控", S.AVAILABLE: "售", S.HELD: "留", S.DEPOSIT_PENDING: "待",
           S.DEPOSIT_CONFIRMED: "定", S.SUBSCRIBED: "认", S.CONTRACTED: "签"}
AREA_BANDS = {"lt90": ("90㎡以下", 0, 9000), "90-120": ("90–120㎡", 9000, 12000),
              "120-144": ("120–144㎡", 12000, 14400), "ge144": ("144㎡以上", 14400, None)}
FULL_REDRAW = 120  # changed cells above which a poll re-sends whole grids
ETAG_RE = re.compile(r'^(?:W/)?"(\d+)\.(\d+)\.(\d+)\.(\d+)"$')


@dataclass(frozen=True)
class Filters:
    layout: str = ""
    area: str = ""
    price: str = ""  # "lo-hi" in 万元
    status: str = ""

    @classmethod
    def from_args(cls, args):
        return cls(*(str(args.get(key, "") or "")[:40] for key in ("layout", "area", "price",
                                                                   "status")))

    def args(self):
        """The non-empty filters, for URLs that keep them."""
        return {key: value for key, value in vars(self).items() if value}

    @property
    def active(self):
        return any((self.layout, self.area, self.price, self.status))

    def matcher(self):
        """A fast predicate on a raw grid row; None when nothing is filtered."""
        if not self.active:
            return None
        area = AREA_BANDS.get(self.area)
        price = _price_bounds(self.price)

        def match(row):
            if self.layout and row.layout != self.layout:
                return False
            if self.status and row.status != self.status:
                return False
            if area and not (area[1] <= row.area < (area[2] or 1 << 62)):
                return False
            return not price or price[0] <= row.total < price[1]

        return match


def _price_bounds(text):
    try:
        lo, hi = (int(part) for part in text.split("-"))
    except ValueError:
        return None
    return lo * 1_000_000, hi * 1_000_000  # 万元 → fen


class Cell:
    """One unit as the grid shows it (formatted once, from integers: no float, no Decimal)."""

    __slots__ = ("id", "unit_no", "layout", "area", "total", "unit_price", "status", "letter",
                 "holder", "expires", "mine", "dim", "floor", "stack")

    def __init__(self, row, user_id, match):
        self.id, self.unit_no, self.layout, self.floor = row.id, row.unit_no, row.layout, row.floor
        self.area = f"{row.area // 100}.{row.area % 100:02d}"
        tenths = (row.total + 50_000) // 100_000  # fen → 0.1 万元, rounded half up
        self.total = f"{tenths // 10}.{tenths % 10}"
        self.unit_price = f"{row.unit_price // 100:,}"
        self.status, self.letter = row.status, LETTERS[row.status]
        held = row.status == S.HELD
        self.holder = row.holder if held else None
        self.expires = clock.local(row.hold_expires_at).strftime("%H:%M") if held else None
        self.mine = held and row.held_by_id == user_id
        self.dim = match is not None and not match(row)
        self.stack = stack_of(row.unit_no, row.floor)


def stack_of(unit_no, floor):
    """The column a unit sits in: 1801 on floor 18 → "01"."""
    prefix = str(floor)
    if unit_no.startswith(prefix) and len(unit_no) > len(prefix):
        return unit_no[len(prefix):].lstrip("-_ ") or unit_no
    return unit_no


def _stack_key(stack):
    return (len(stack), stack)


def grid_query(project_id, now, building_id=None, since=None):
    """One Core query for every cell of a project (or building); raw integers, no ORM."""
    status = effective_status(now).label("status")
    query = (select(unit_t.c.id, unit_t.c.building_id, unit_t.c.floor, unit_t.c.unit_no,
                    unit_t.c.layout, type_coerce(unit_t.c.building_area, BigInteger).label("area"),
                    type_coerce(unit_t.c.total_price, BigInteger).label("total"),
                    type_coerce(unit_t.c.unit_price, BigInteger).label("unit_price"), status,
                    unit_t.c.held_by_id, unit_t.c.hold_expires_at,
                    User.display_name.label("holder"))
             .join(Building, Building.id == unit_t.c.building_id)
             .outerjoin(User, User.id == unit_t.c.held_by_id)
             .where(Building.project_id == project_id))
    if building_id is not None:
        query = query.where(unit_t.c.building_id == building_id)
    if since is not None:
        expired = and_(unit_t.c.status == S.HELD, unit_t.c.hold_expires_at <= now)
        query = query.where(or_(unit_t.c.board_version > since, expired))
    return db.session.execute(query).all()


def buildings_of(project_id):
    return db.session.execute(
        select(Building.id, Building.name).where(Building.project_id == project_id)
        .order_by(Building.sort_order, Building.id)).all()


def build_grids(buildings, rows, user_id, filters):
    """[{id, name, stacks, floors: [(floor, [Cell|None per stack])]}] floors top-down."""
    match = filters.matcher()
    by_building = {bid: {} for bid, _ in buildings}
    for row in rows:
        cell = Cell(row, user_id, match)
        by_building.setdefault(row.building_id, {})[(row.floor, cell.stack)] = cell
    grids = []
    for bid, name in buildings:
        cells = by_building.get(bid) or {}
        if not cells:
            continue
        stacks = sorted({stack for _, stack in cells}, key=_stack_key)
        floors = sorted({floor for floor, _ in cells}, reverse=True)
        grids.append({"id": bid, "name": name, "stacks": stacks, "units": len(cells),
                      "floors": [(floor, [cells.get((floor, s)) for s in stacks])
                                 for floor in floors]})
    return grids


def summary_of(rows):
    """The board's figures from the rows it already read (no second query)."""
    counts = {}
    for row in rows:
        units, area, amount = counts.get(row.status, (0, 0, 0))
        counts[row.status] = (units + 1, area + row.area, amount + row.total)
    return summarise({status: (units, Decimal(area) / 100, Decimal(amount) / 100)
                      for status, (units, area, amount) in counts.items()})


def etag(project_id, now):
    """'"project.version.layout.expired"', read in one statement."""
    expired = (select(func.count()).select_from(unit_t)
               .join(Building, Building.id == unit_t.c.building_id)
               .where(Building.project_id == project_id, unit_t.c.status == S.HELD,
                      unit_t.c.hold_expires_at <= now).scalar_subquery())
    row = db.session.execute(
        select(Project.board_version, Project.board_layout_version, expired)
        .where(Project.id == project_id)).one_or_none()
    if row is None:
        return None
    return f'"{project_id}.{row[0]}.{row[1]}.{row[2]}"'


def parse_etag(value):
    """(project, version, layout, expired) from an If-None-Match value, or None."""
    match = ETAG_RE.match((value or "").strip())
    return tuple(int(part) for part in match.groups()) if match else None


def price_bands(rows):
    """Total-price bands in 万元 with round edges, spanning the prices on show."""
    if not rows:
        return []
    low = min(row.total for row in rows) // 1_000_000
    high = max(row.total for row in rows) // 1_000_000 + 1
    step = next((s for s in (20, 50, 100, 200, 500, 1000) if (high - low) / s <= 6), 2000)
    start = low // step * step
    return [(f"{lo}-{lo + step}", f"{lo}–{lo + step}万") for lo in range(start, high, step)]


def board_page(project_id, building_id, filters, user_id, now=None):
    """Everything the board page shows: tabs, filters, figures, grids and the ETag."""
    now = now or clock.now()
    buildings = buildings_of(project_id)
    if building_id not in {bid for bid, _ in buildings}:
        building_id = None
    tag = etag(project_id, now)  # before the grid: a change in between is re-sent, not lost
    rows = grid_query(project_id, now, building_id)
    return {"buildings": buildings, "building_id": building_id, "compact": building_id is None,
            "grids": build_grids(buildings, rows, user_id, filters), "summary": summary_of(rows),
            "etag": tag, "filters": filters, "layouts": sorted({row.layout for row in rows}),
            "price_bands": price_bands(rows), "area_bands": AREA_BANDS, "letters": LETTERS}


def board_changes(project_id, building_id, filters, user_id, client_tag, now=None):
    """(ETag, None) when the client is up to date, else (ETag, what to swap).

    Only cells changed since the client's version are sent; a new grid shape (an import),
    an unknown ETag or a large change sends the grids whole.
    """
    now = now or clock.now()
    tag = etag(project_id, now)
    if tag is None or client_tag == tag:
        return tag, None
    known, current = parse_etag(client_tag), parse_etag(tag)
    full = (known is None or known[0] != project_id or known[2] != current[2]
            or known[1] > current[1])
    if not full:
        rows = grid_query(project_id, now, building_id, since=known[1])
        full = len(rows) > FULL_REDRAW
    if full:
        buildings = buildings_of(project_id)
        rows = grid_query(project_id, now, building_id)
        return tag, {"full": True, "grids": build_grids(buildings, rows, user_id, filters),
                     "summary": summary_of(rows), "units": []}
    match = filters.matcher()
    cells = [Cell(row, user_id, match) for row in rows]
    return tag, {"full": False, "cells": cells, "units": [cell.id for cell in cells],
                 "summary": unit_status_summary(project_id, building_id, now)}


def unit_history(unit_id, limit=30):
    """The unit's audit rows, newest first, with the statuses they moved between."""
    rows = db.session.execute(
        select(AuditLog, User.display_name).outerjoin(User, User.id == AuditLog.user_id)
        .where(AuditLog.object_type == "unit", AuditLog.object_id == str(unit_id))
        .order_by(AuditLog.id.desc()).limit(limit)).all()
    history = []
    for entry, name in rows:
        before, after = json.loads(entry.before or "{}"), json.loads(entry.after or "{}")
        history.append({"at": entry.at, "who": name or "系统", "action": entry.action,
                        "from": before.get("status"), "to": after.get("status"),
                        "reason": entry.reason, "changes": _price_change(before, after)})
    return history


def _price_change(before, after):
    if "total_price" in after and "total_price" in before:
        return (Decimal(before["total_price"]), Decimal(after["total_price"]))
    return None


def export_rows(project_id):
    """The board as rows for the .xlsx export, in the import template's layout."""
    status = effective_status(clock.now()).label("status")
    rows = db.session.execute(
        select(Building.name.label("building"), Unit.floor, Unit.unit_no, Unit.layout,
               Unit.building_area, Unit.inner_area, Unit.orientation, Unit.unit_price,
               Unit.total_price, status)
        .join(Building).where(Building.project_id == project_id)
        .order_by(Building.sort_order, Building.id, Unit.floor, Unit.unit_no)).all()
    return [{**row._mapping, "status": S.LABELS[row.status]} for row in rows]


def changed_trigger(changes):
    """The HX-Trigger header telling the page which units a poll changed."""
    return json.dumps({"board-changed": {"units": changes["units"], "full": changes["full"]}})


def unit_ids(building_id, floor=None):
    """The units of a building, or of one of its floors."""
    query = select(Unit.id).where(Unit.building_id == building_id)
    if floor is not None:
        query = query.where(Unit.floor == floor)
    return db.session.scalars(query).all()


def display_pages(grids, max_columns=18):
    """Buildings packed side by side into screens the hall display rotates through."""
    pages, width = [], 0
    for grid in grids:
        columns = len(grid["stacks"]) + 1
        if not pages or width + columns > max_columns:
            pages.append([])
            width = 0
        pages[-1].append(grid)
        width += columns
    return pages


def display_page(project_id, now=None):
    """The hall display: every building, no holder names, figures for the whole project."""
    now = now or clock.now()
    tag = etag(project_id, now)
    buildings = buildings_of(project_id)
    rows = grid_query(project_id, now)
    grids = build_grids(buildings, rows, None, Filters())
    return {"etag": tag, "pages": display_pages(grids), "summary": summary_of(rows),
            "letters": LETTERS}
