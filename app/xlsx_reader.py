"""The one reader every .xlsx upload goes through, bounded before it does the work.

A 5 KB file can declare a merged area over a whole sheet (A10:XFD1048576), a cell at row
1,048,576 or a million rows: expanded naively that is minutes of CPU and gigabytes. So the
archive is counted first (declared sizes, then the rows, cells and merged areas its XML
writes, counted as bytes at C speed), and only then parsed, as a stream, with the exact
bounds and a time limit checked as the XML arrives. Nothing here touches the database:
callers parse before they open a write transaction (app.web.outside_transaction).
"""
import time
import zipfile
from dataclasses import dataclass
from io import BytesIO

from openpyxl import load_workbook
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse  # defusedxml's: no entity expansion

from app.services.errors import RuleViolation


@dataclass(frozen=True)
class Limits:
    """What one upload may make the server do. A 5,000-row 房源表 is 50,000 cells, a few MB
    unpacked and a few dozen merged areas; each bound is checked before the work it bounds."""
    unpacked_bytes: int = 100 * 1024 * 1024  # declared by the zip directory, before inflating
    rows: int = 50_000
    columns: int = 200  # the last column holding a value
    row_cells: int = 2_000  # cells written in one row, formatted blanks included
    cells: int = 300_000  # cells holding a value; 6 × a 5,000-row 房源表
    merged_cells: int = 200_000  # the cells all merged areas of a sheet cover, together
    merged_areas: int = 10_000
    formats: int = 64_000  # Excel's own limit of cell formats
    seconds: float = 10.0


LIMITS = Limits()
ROW, CELL, MERGED = (f"{{{SHEET_MAIN_NS}}}{tag}" for tag in ("row", "c", "mergeCell"))
BROKEN = "无法读取该 Excel 文件:文件已损坏或不是 .xlsx 格式"


def read_workbook(data, limits=LIMITS):
    """Every worksheet of an uploaded .xlsx as (title, rows of cell values), a merged area's
    value in each of its cells. Refuses (RuleViolation on `file`) before doing work beyond
    `limits`: a zip bomb, a merged area over a whole sheet, a cell at row 1,048,576."""
    _check_archive(data, limits)
    deadline = time.monotonic() + limits.seconds
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError):
        raise RuleViolation(BROKEN, "file") from None
    try:
        return [(ws.title, _read_sheet(workbook, ws, limits, deadline))
                for ws in workbook.worksheets]
    except (KeyError, ValueError, TypeError, OSError, SyntaxError):
        raise RuleViolation(BROKEN, "file") from None
    finally:
        workbook.close()


def _check_archive(data, limits):
    """Refuse from what the archive declares and what its XML writes, before parsing."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > limits.unpacked_bytes:
                raise RuleViolation(f"文件解压后超过 {limits.unpacked_bytes // 2**20} MB,"
                                    "不像是一张登记表,已拒绝导入", "file")
            for info in infos:
                for what, patterns, limit in _written(info.filename, limits):
                    if _count(archive, info, patterns) > limit:
                        raise RuleViolation(f"文件中的{what}超过 {limit:,} 个,不像是一张登记表,"
                                            "已拒绝导入:请只保留数据区域后另存再导入", "file")
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise RuleViolation(BROKEN, "file") from None


def _written(name, limits):
    """(what, byte patterns, limit) counted in one part; prefixed tags (<x:row) included."""
    if name.startswith("xl/worksheets/") and name.endswith(".xml"):
        return [("行", (b"<row ", b"<row>", b":row "), limits.rows * 2),
                ("单元格", (b"<c ", b"<c>", b":c "), limits.cells * 2),
                ("合并单元格", (b"mergeCell ",), limits.merged_areas)]
    if name == "xl/sharedStrings.xml":
        return [("文字", (b"<si>", b"<si ", b":si>"), limits.cells)]
    if name == "xl/styles.xml":
        return [("格式", (b"<xf ", b"<xf>", b":xf "), limits.formats)]
    return []


def _count(archive, info, patterns, chunk_size=1 << 20):
    """Occurrences of `patterns` in one part, inflated a chunk at a time (C speed)."""
    total, previous = 0, b""
    with archive.open(info) as part:
        while chunk := part.read(chunk_size):
            total += sum((previous[-(len(p) - 1):] + chunk).count(p) for p in patterns)
            previous = chunk
    return total


def _refuse(title, what):
    raise RuleViolation(f"工作表「{title}」{what},已拒绝导入:请只保留数据区域后另存再导入", "file")


def _read_sheet(workbook, ws, limits, deadline):
    """The sheet's rows (each as long as its last value), parsed as a stream: every bound is
    checked as the XML arrives, and only rows and merged areas are kept."""
    parser = WorkSheetParser(None, ws._shared_strings, data_only=True, epoch=workbook.epoch,
                             date_formats=workbook._date_formats,
                             timedelta_formats=workbook._timedelta_formats)
    table, merged, count, open_elements, in_row = [], [], Counts(), [], False
    with ws._get_source() as source:
        for event, element in iterparse(source, events=("start", "end")):
            if time.monotonic() > deadline:
                _refuse(ws.title, f"处理超过 {limits.seconds:g} 秒")
            if event == "start":
                open_elements.append(element)
                if element.tag == ROW:
                    in_row, count.row_cells = True, 0
                continue
            open_elements.pop()
            if element.tag == CELL:
                count.row_cells += 1
                if count.row_cells > limits.row_cells:
                    _refuse(ws.title, f"有一行超过 {limits.row_cells:,} 个单元格")
            elif element.tag == ROW:
                in_row = False
                _keep_row(ws.title, table, parser.parse_row(element), count, limits)
            elif element.tag == MERGED:
                merged.append(_merged_area(ws.title, element.get("ref"), count, limits))
            if not in_row:  # a row is read whole at its end; nothing else is kept
                element.clear()  # so memory stays flat however long the sheet
                if open_elements:
                    open_elements[-1].remove(element)
    _fill_merged(table, merged)
    return table


@dataclass
class Counts:
    row_cells: int = 0
    cells: int = 0
    merged_cells: int = 0


def _keep_row(title, table, parsed, count, limits):
    index, row = parsed
    row = [cell for cell in row if cell["value"] is not None]  # formatted blanks: nothing
    if not row:
        return
    if index > limits.rows:
        _refuse(title, f"超过 {limits.rows:,} 行")
    count.cells += len(row)
    if count.cells > limits.cells:
        _refuse(title, f"超过 {limits.cells:,} 个单元格")
    width = max(cell["column"] for cell in row)
    if width > limits.columns:
        _refuse(title, f"超过 {limits.columns} 列")
    values = [None] * width
    for cell in row:
        values[cell["column"] - 1] = cell["value"]
    table.extend([] for _ in range(len(table), index))
    table[index - 1] = values


def _merged_area(title, ref, count, limits):
    """A merged area, counted against the bound before any of its cells is filled."""
    area = CellRange(ref)
    count.merged_cells += area.size["rows"] * area.size["columns"]
    if count.merged_cells > limits.merged_cells:
        _refuse(title, f"的合并单元格共超过 {limits.merged_cells:,} 格")
    return area


def _fill_merged(table, areas):
    """A merged area's value belongs to each of its cells (as far as the rows go)."""
    for area in areas:
        first = table[area.min_row - 1] if area.min_row <= len(table) else []
        value = first[area.min_col - 1] if area.min_col <= len(first) else None
        for cells in table[area.min_row - 1:area.max_row]:
            for column in range(area.min_col - 1, min(area.max_col, len(cells))):
                cells[column] = value
