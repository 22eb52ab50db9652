"""The board's cells and figures, shaped from grid rows in plain Python (no database).

Rows come from app.services.board.grid.grid_query as GridRow tuples of integers (fen, hundredths
of a square metre), so formatting here needs no Decimal and never a float.
"""
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import escape

from app.models import UnitStatus
from app.services import clock
from app.services.reports.overview import summarise

S = UnitStatus
# Readable without colour: the character offices write on their wall charts.
LETTERS = {S.WITHHELD: "控", S.AVAILABLE: "售", S.HELD: "留", S.DEPOSIT_PENDING: "待",
           S.DEPOSIT_CONFIRMED: "定", S.SUBSCRIBED: "认", S.CONTRACTED: "签"}
AREA_BANDS = {"lt90": ("90㎡以下", 0, 9000), "90-120": ("90–120㎡", 9000, 12000),
              "120-144": ("120–144㎡", 12000, 14400), "ge144": ("144㎡以上", 14400, None)}


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
    """One unit as the grid shows it, formatted once from integers.

    Every attribute is safe to print as is: text from the database (房号, 户型, the holder's
    name) is escaped here, the rest is built from integers and fixed strings. The cell
    macros rely on this to render 3,000 cells without escaping each field again.
    """

    __slots__ = ("id", "unit_no", "layout", "area", "total", "status", "letter", "holder",
                 "holder_id", "expires", "cls", "floor", "stack", "entrance")

    def __init__(self, row, match):
        self.id, self.floor = row.id, row.floor
        self.unit_no, self.layout = escape(row.unit_no), escape(row.layout)
        area, total, status = row.area, row.total, row.status
        self.area = f"{area // 100}.{area % 100:02d}"
        tenths = (total + 50_000) // 100_000  # fen → 0.1 万元, rounded half up
        self.total = f"{tenths // 10}.{tenths % 10}"
        self.status, self.letter = status, LETTERS[status]
        cls = "s-" + status
        if status == S.HELD:
            self.holder = escape(row.holder or "")
            self.holder_id = row.held_by_id  # the browser marks the viewer's own holds
            self.expires = clock.local(row.hold_expires_at).strftime("%H:%M")
        else:
            self.holder = self.holder_id = self.expires = None
        if match is not None and not match(row):
            cls += " dim"
        self.cls = cls
        self.stack = stack_of(row.unit_no, row.floor)
        self.entrance = row.entrance


def stack_of(unit_no, floor):
    """The column a unit sits in: 1801 on floor 18 → "01"."""
    prefix = str(floor)
    if unit_no.startswith(prefix) and len(unit_no) > len(prefix):
        return unit_no[len(prefix):].lstrip("-_ ") or unit_no
    return unit_no


def _stack_key(column):
    entrance, stack = column
    return (len(entrance), entrance, len(stack), stack)


def _groups(columns):
    """The 单元 over the columns, as (name, how many columns); none without 单元."""
    if not any(entrance for entrance, _ in columns):
        return []
    groups = []
    for entrance, _ in columns:
        if groups and groups[-1][0] == entrance:
            groups[-1][1] += 1
        else:
            groups.append([entrance, 1])
    return [(f"{name}单元" if name else "—", span) for name, span in groups]


def build_grids(buildings, rows, filters):
    """[{id, name, stacks, groups, units, floors: [(floor, [Cell|None per column])]}], floors
    top-down; columns are grouped by 单元 (groups: [(name, columns)]) when units have one."""
    match = filters.matcher()
    by_building = {bid: {} for bid, _ in buildings}
    for row in rows:
        cell = Cell(row, match)
        by_building.setdefault(row.building_id, {})[
            (row.floor, (cell.entrance, cell.stack))] = cell
    grids = []
    for bid, name in buildings:
        cells = by_building.get(bid) or {}
        if not cells:
            continue
        columns = sorted({column for _, column in cells}, key=_stack_key)
        floors = sorted({floor for floor, _ in cells}, reverse=True)
        grids.append({"id": bid, "name": name, "stacks": [stack for _, stack in columns],
                      "groups": _groups(columns), "units": len(cells),
                      "floors": [(floor, [cells.get((floor, c)) for c in columns])
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


def price_bands(rows):
    """Total-price bands in 万元 with round edges, spanning the prices on show."""
    if not rows:
        return []
    low = min(row.total for row in rows) // 1_000_000
    high = max(row.total for row in rows) // 1_000_000 + 1
    step = next((s for s in (20, 50, 100, 200, 500, 1000) if (high - low) / s <= 6), 2000)
    start = low // step * step
    return [(f"{lo}-{lo + step}", f"{lo}–{lo + step}万") for lo in range(start, high, step)]


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
