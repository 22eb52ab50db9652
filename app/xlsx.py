"""Registers as formatted .xlsx downloads (header row, widths, money and date formats), and
the one bounded reader every .xlsx upload goes through (read_workbook, from app.xlsx_reader)."""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

from flask import make_response
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app.services.clock import local
from app.xlsx_reader import LIMITS, Limits, read_workbook  # noqa: F401  (the upload reader)

FORMATS = {"money": '#,##0.00', "area": '#,##0.00', "int": '0', "date": 'yyyy-mm-dd',
           "datetime": 'yyyy-mm-dd hh:mm', "percent": '0.0%', "text": '@'}
# Cells starting with these are read as formulas by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    kind: str = "text"  # text / money / area / int / receipt / date / datetime / percent
    width: int = 14


def safe_text(value):
    """Neutralise formula injection: a leading quote makes the cell plain text."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _cell_value(value, kind):
    if value is None:
        return None
    if kind in ("money", "area", "percent") and isinstance(value, Decimal):
        return value  # openpyxl writes Decimal exactly as a number
    if kind == "datetime" and isinstance(value, datetime):
        return local(value).replace(tzinfo=None)
    if kind == "date" and isinstance(value, (date, datetime)):
        return value
    if kind == "int":
        return int(value)
    if kind == "receipt":  # as printed on the paper: No.0002001
        return f"No.{int(value):07d}"
    return safe_text(value)


def build_workbook(title, columns, rows, totals=None, notes=None):
    """Rows are mappings (or objects) read by each column's key; notes go on a second sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    header_fill = PatternFill("solid", fgColor="1B2230")
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(index)].width = column.width
    for row_index, row in enumerate(rows, start=2):
        for col_index, column in enumerate(columns, start=1):
            raw = row[column.key] if isinstance(row, dict) else getattr(row, column.key)
            cell = ws.cell(row=row_index, column=col_index, value=_cell_value(raw, column.kind))
            cell.number_format = FORMATS.get(column.kind, "General")
    if totals:
        total_row = ws.max_row + 1
        ws.cell(row=total_row, column=1, value="合计").font = Font(bold=True)
        for col_index, column in enumerate(columns, start=1):
            if column.key in totals:
                cell = ws.cell(row=total_row, column=col_index,
                               value=_cell_value(totals[column.key], column.kind))
                cell.font = Font(bold=True)
                cell.number_format = FORMATS.get(column.kind, "General")
    ws.freeze_panes = "A2"
    if notes:
        sheet = wb.create_sheet("说明")
        sheet.column_dimensions["A"].width = 90
        for index, line in enumerate(notes, start=1):
            sheet.cell(row=index, column=1, value=safe_text(line)).font = Font(bold=index == 1)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_response(data, filename):
    response = make_response(data)
    response.headers["Content-Type"] = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response

