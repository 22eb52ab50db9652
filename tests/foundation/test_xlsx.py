"""Registers export as formatted .xlsx with exact money and no formula injection."""
import io
from datetime import datetime, timezone
from decimal import Decimal

from openpyxl import load_workbook

from app.xlsx import Column, build_workbook

COLUMNS = [Column("房号", "unit_no"), Column("客户", "name", width=20),
           Column("金额", "amount", "money"), Column("时间", "at", "datetime")]


def test_register_workbook_has_header_formats_and_totals(app):
    rows = [{"unit_no": "1801", "name": "张三", "amount": Decimal("20000.10"),
             "at": datetime(2026, 11, 23, 16, 30, tzinfo=timezone.utc)},
            {"unit_no": "1802", "name": "李四", "amount": Decimal("0.20"), "at": None}]
    with app.app_context():
        data = build_workbook("小定明细表", COLUMNS, rows, totals={"amount": Decimal("20000.30")})
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.title == "小定明细表"
    assert [c.value for c in ws[1]] == ["房号", "客户", "金额", "时间"]
    assert ws["C2"].value == 20000.1 and ws["C2"].number_format == "#,##0.00"
    assert ws["D2"].value == datetime(2026, 11, 24, 0, 30)  # shown in Shanghai time
    assert ws["A4"].value == "合计" and ws["C4"].value == 20000.3
    assert ws.freeze_panes == "A2"


def test_cells_that_look_like_formulas_are_neutralised(app):
    rows = [{"unit_no": "=HYPERLINK(\"http://evil\")", "name": "+1-2", "amount": None, "at": None},
            {"unit_no": "@SUM(A1)", "name": "-3", "amount": None, "at": None}]
    with app.app_context():
        data = build_workbook("t", COLUMNS, rows)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A2"].data_type == "s" and ws["A2"].value.startswith("'=")
    assert ws["B2"].value == "'+1-2" and ws["A3"].value == "'@SUM(A1)" and ws["B3"].value == "'-3"
