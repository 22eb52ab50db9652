"""Importing the 房源表: tolerant reading, row-level errors, preview, all-or-nothing."""
import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, Building, Project, Unit, UnitImport, UnitStatus
from app.services.board.unit_import import parse_decimal
from tests.fixtures.board import make_project, set_status, upload, xlsx_bytes

S = UnitStatus
HEADER = ["楼栋", "楼层", "房号", "户型", "建筑面积(㎡)", "套内面积(㎡)", "朝向", "单价(元/㎡)",
          "总价(元)"]


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def import_id(response):
    return int(response.get_data(as_text=True).split("/board/import/")[1].split("/apply")[0])


def apply_preview(browser, response):
    return browser.post(f"/board/import/{import_id(response)}/apply", {}, page="/board/import")


@pytest.mark.parametrize("text, expected", [
    ("21,800元/㎡", "21800.00"), ("¥1,948,047", "1948047.00"), ("194.8万", "1948000.00"),
    ("89.36㎡", "89.36"), (" 118.52 平方米", "118.52"), (89.36, "89.36"), (1801, "1801.00"),
    (89.35999999999999, "89.36"), ("１２", "12.00"), ("abc", None), ("12.345", None)])
def test_numbers_as_offices_write_them(text, expected):
    if expected is None:
        with pytest.raises(ValueError):
            parse_decimal(text)
    else:
        assert parse_decimal(text) == Decimal(expected)


def test_an_office_sheet_with_title_rows_merged_cells_and_header_variants(app, login_as):
    make_project(app, buildings=())
    rows = [["翡翠湾花园 一期 房源价目表"], ["制表:销售部 2026-03"],
            ["栋号", "层", "单元号", "房型", "建面", "套内", "朝向", "单价(元/㎡)", "总价（元）",
             "备注"],
            ["8栋", 2, 201, "三室两厅", "118.52㎡", 94.1, "南北", "21,800", "2,583,736元", ""],
            [None, 2, 202, "两室两厅", 89.36, None, "南", 21000, None, "样板间"],
            [None, 3, 301, "两室两厅", 89.36, None, "南", None, "1,900,000", ""],
            ["合计", None, None, None, None, None, None, None, None, None]]
    data = xlsx_bytes(rows, merges=["A4:A6"])
    browser = login_as("secretary")
    response = upload(browser, data, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "共 3 行,检查通过" in html and "以下列未使用:备注" in html
    assert "确认导入:新增 3 套,修改 0 套" in html and "8栋" in html
    with app.app_context():
        assert count(Unit) == 0  # nothing written before the confirmation
    done = apply_preview(browser, response)
    assert done.status_code == 302
    assert "导入完成:新增 3 套" in browser.get(done.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        units = {u.unit_no: u for u in db.session.scalars(select(Unit))}
        assert set(units) == {"201", "202", "301"}
        assert units["202"].total_price == Decimal("1876560.00")  # 21000 × 89.36, 取整到元
        assert units["301"].unit_price == Decimal("21262.31")  # 1,900,000 / 89.36
        assert units["201"].inner_area == Decimal("94.10") and units["202"].floor == 2
        assert {u.status for u in units.values()} == {S.WITHHELD}
        assert db.session.scalar(select(Building.name)) == "8栋"
        project = db.session.scalar(select(Project))
        assert project.board_layout_version == project.board_version == 1
        actions = db.session.scalars(select(AuditLog.action)).all()
        assert actions.count("unit_created") == 3 and "units_imported" in actions


def test_bad_rows_are_listed_by_line_and_nothing_is_written(app, login_as):
    make_project(app, buildings=())
    rows = [HEADER,
            ["1栋", 1, "101", "两室", "89.36", "", "南", "20000", ""],
            ["1栋", "一楼", "102", "两室", "abc", "", "南", "20000", ""],
            ["1栋", 1, "", "两室", "89.36", "", "南", "", ""],
            ["1栋", 1, "101", "两室", "89.36", "95", "南", "20000", "900"],
            ["1栋", 2, "201", "两室", "-5", "", "南", "-1", ""]]
    browser = login_as("manager")
    response = upload(browser, xlsx_bytes(rows), htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for line in ("第 3 行: 楼层不是有效的整数", "第 3 行: 建筑面积不是数字", "第 4 行: 房号为空",
                 "第 4 行: 单价和总价至少填写一项", "第 5 行: 套内面积应大于 0 且不大于建筑面积",
                 "第 5 行: 总价与单价×建筑面积不符", "第 6 行: 建筑面积必须大于 0",
                 "第 6 行: 价格不能为负数"):
        assert line in html, line
    assert "没有导入任何数据" in html
    with app.app_context():
        assert count(Unit) == count(UnitImport) == 0


def test_duplicate_units_in_one_file_are_refused(app, login_as):
    make_project(app, buildings=())
    rows = [HEADER, ["1栋", 1, "101", "两室", 89.36, "", "南", 20000, ""],
            ["1栋", 1, "101", "两室", 89.36, "", "南", 20000, ""]]
    response = upload(login_as("secretary"), xlsx_bytes(rows))
    assert response.status_code == 422
    assert "第 3 行: 房号 101 与第 2 行重复" in response.get_data(as_text=True)


def test_reimport_reprices_unsold_units_and_leaves_sold_ones_alone(app, login_as):
    world = make_project(app, buildings=(("1栋", 2, 2),))
    set_status(app, world["units"]["1栋 101"], S.SUBSCRIBED)
    set_status(app, world["units"]["1栋 102"], S.DEPOSIT_PENDING)
    rows = [HEADER] + [["1栋", unit_no[0], unit_no, layout, area, "", "南", 30000, ""]
                       for unit_no, layout, area in (("101", "两室两厅一卫", 89.36),
                                                     ("102", "三室两厅两卫", 118.52),
                                                     ("201", "两室两厅一卫", 89.36),
                                                     ("202", "三室两厅两卫", 118.52))]
    rows.append(["2栋", 1, "101", "两室两厅一卫", 89.36, "", "南", 30000, ""])
    browser = login_as("secretary")
    preview = upload(browser, xlsx_bytes(rows), htmx=True)
    html = preview.get_data(as_text=True)
    assert "已售或有定金的房源:本次不改动" in html and "文件中的数据不同,已忽略" in html
    assert "确认导入:新增 1 套,修改 2 套" in html and "¥2,680,800.00" in html
    done = apply_preview(browser, preview)
    assert done.status_code == 302, done.get_data(as_text=True)
    assert "已售未改动 2 套" in browser.get(done.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        prices = {(u.building.name, u.unit_no): u.unit_price
                  for u in db.session.scalars(select(Unit))}
        assert prices[("1栋", "101")] == Decimal("20100.00")  # subscribed: untouched
        assert prices[("1栋", "102")] == Decimal("20100.00")  # deposit pending: untouched
        assert prices[("1栋", "201")] == prices[("2栋", "101")] == Decimal("30000.00")
        change = db.session.scalar(select(AuditLog).where(AuditLog.action == "unit_price_changed")
                                   .order_by(AuditLog.id).limit(1))
        assert json.loads(change.before)["unit_price"] == "20200.00"
        assert json.loads(change.after)["total_price"] == "2680800.00"
    again = browser.post(f"/board/import/{import_id(preview)}/apply", {}, page="/board/import")
    assert "该文件已经导入过了" in browser.get(again.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("data, filename, message", [
    (xlsx_bytes([["姓名", "电话", "到访日期"], ["张三", "13800138000", "2026-03-01"]]),
     "客户.xlsx", "没有找到表头"),
    (xlsx_bytes([["楼栋", "房号", "户型", "朝向"], ["1栋", "101", "两室", "南"]]),
     "房源.xlsx", "缺少必需的列:建筑面积、单价或总价"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.xlsx", "文件不是 Excel(.xlsx)或 CSV 文件"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.xls", "不支持旧版 Excel(.xls)"),
    (b"PK\x03\x04 this is not really a workbook", "broken.xlsx", "文件已损坏"),
])
def test_files_that_are_not_a_unit_list_are_refused(app, login_as, data, filename, message):
    make_project(app, buildings=())
    response = upload(login_as("secretary"), data, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert count(Unit) == count(UnitImport) == 0


def test_a_gbk_csv_and_a_workbook_with_one_sheet_per_building(app, login_as):
    make_project(app, buildings=())
    browser = login_as("secretary")
    csv_text = "房号,楼层,户型,面积,单价,楼栋\n101,1,两室,89.36,\"20,000\",9栋\n"
    response = upload(browser, csv_text.encode("gb18030"), "房源.csv", htmx=True)
    assert response.status_code == 200 and "新增 1 套" in response.get_data(as_text=True)
    sheets = {"1号楼": [["房号", "户型", "建筑面积", "总价(万元)"],
                        ["1801", "三室", 118.52, 258.6]],
              "说明": [["本表由销售部维护"]]}
    response = upload(browser, xlsx_bytes(None, sheets=sheets), htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "1号楼" in html and "2,586,000.00" in html and ">18<" in html  # floor from 1801


def test_export_then_reimport_changes_nothing(app, login_as):
    make_project(app, buildings=(("1栋", 3, 2), ("2栋", 2, 2)))
    browser = login_as("secretary")
    exported = browser.get("/board/export").data
    response = upload(browser, exported, "导出.xlsx", htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "文件与当前房源表一致,无需导入" in html
    assert "以下列未使用:状态" in html


def test_the_template_downloads_with_instructions(app, login_as):
    make_project(app, buildings=())
    response = login_as("secretary").get("/board/import/template")
    workbook = load_workbook(io.BytesIO(response.data))
    assert [c.value for c in workbook["房源表"][1]] == HEADER[:1] + ["单元"] + HEADER[1:]
    assert "单价与总价至少填一项" in " ".join(str(c.value) for c in workbook["说明"]["A"])


def test_a_many_building_file_imports_every_row(app, login_as):
    """Every row lands, buildings created once; the time a 5,000-row file takes is measured by
    bench/unit_import.py, not here."""
    make_project(app, buildings=())
    rows = [["翡翠湾 二期 房源表"], HEADER]
    for building in range(1, 6):
        for floor in range(1, 11):
            for stack in range(1, 7):
                rows.append([f"{building}栋", floor, f"{floor}{stack:02d}", "三室两厅两卫",
                             "118.52", "94.10", "南北", f"{20000 + floor * 50:,}", ""])
    browser = login_as("secretary")
    preview = upload(browser, xlsx_bytes(rows), htmx=True)
    assert preview.status_code == 200 and "新增 300 套" in preview.get_data(as_text=True)
    assert apply_preview(browser, preview).status_code == 302
    with app.app_context():
        assert count(Unit) == 300 and count(Building) == 5


def test_a_zip_bomb_posing_as_a_workbook_is_refused_before_it_is_unpacked(app, login_as):
    import zipfile
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (120 * 1024 * 1024))
    assert len(bomb.getvalue()) < 1024 * 1024  # under a megabyte on the wire
    make_project(app, buildings=())
    response = upload(login_as("secretary"), bomb.getvalue(), "房源表.xlsx")
    assert response.status_code == 422 and "文件解压后超过 100 MB" in response.text
    with app.app_context():
        assert count(Unit) == count(UnitImport) == 0
