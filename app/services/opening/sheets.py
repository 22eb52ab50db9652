"""Opening-data sheets: find the header row, read each line's cells by column, parse dates and
money as offices write them, and build the downloadable templates."""
import re
from dataclasses import dataclass
from datetime import date, datetime

from app.services.board.unit_sheet import HEADER_SCAN_ROWS, TOTAL_WORDS, read_tables
from app.services.errors import RuleViolation
from app.xlsx import Column, build_workbook

DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s.*)?$")


@dataclass(frozen=True)
class Field:
    key: str
    header: str  # the template's header
    names: tuple = ()  # other headers offices use
    required: bool = False
    width: int = 14


def _clean(text):
    return re.sub(r"[\s*※:：]|[（(].*?[)）]", "", str(text or "")).lower()


def read_rows(data, fields):
    """[(line, {key: cell})] of the first sheet whose header names every required column."""
    names = {_clean(name): f.key for f in fields for name in (f.header, *f.names)}
    required = [f for f in fields if f.required]
    best = None
    for title, table in read_tables(data):
        for index, cells in enumerate(table[:HEADER_SCAN_ROWS]):
            columns = {}
            for position, cell in enumerate(cells):
                key = names.get(_clean(cell))
                if key is not None and key not in columns:
                    columns[key] = position
            lacking = [f.header for f in required if f.key not in columns]
            if not lacking:
                return list(_lines(table, index, columns))
            if len(columns) >= 2 and best is None:
                best = (title, lacking)
    if best is not None:
        raise RuleViolation(f"工作表「{best[0]}」缺少必需的列:{'、'.join(best[1])}", "file")
    raise RuleViolation("没有找到表头:请下载模板,按模板的列填写", "file")


def _lines(table, header_at, columns):
    for line, cells in enumerate(table[header_at + 1:], start=header_at + 2):
        values = {key: cells[i] if i < len(cells) else None for key, i in columns.items()}
        texts = [text(v) for v in values.values() if text(v)]
        if texts and texts[0] not in TOTAL_WORDS:
            yield line, {key: _jsonable(value) for key, value in values.items()}


def _jsonable(value):
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def text(value):
    return "" if value is None else str(value).strip()


def parse_date(value, label):
    """2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日 (or an Excel date) → date."""
    match = DATE.match(text(value))
    try:
        if match:
            return date(*(int(part) for part in match.groups()))
    except ValueError:
        pass
    raise RuleViolation(f"{label}「{text(value)}」不是有效日期(如 2026-03-05)")


def template(title, fields, example, notes):
    columns = [Column(f.header + ("*" if f.required else ""), f.key, width=f.width)
               for f in fields]
    return build_workbook(title, columns, [example], notes=notes)
