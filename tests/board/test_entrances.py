"""Real 房源表: 单元 columns, rooms like "1-0801", one sheet per building, 总价 in 万元,
building names that look alike — and the board's 单元 column groups."""
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import Building, Unit
from tests.board.test_import import apply_preview
from tests.fixtures.board import make_project, upload, xlsx_bytes

HEADER = ["楼栋", "单元", "房号", "户型", "建筑面积", "套内面积", "朝向", "总价(万元)"]


def _units(app):
    with app.app_context():
        return {(u.building.name, u.entrance, u.unit_no): u for u in db.session.scalars(
            select(Unit).join(Building))}


def test_room_numbers_repeat_across_entrances_and_the_board_groups_them(app, login_as):
    make_project(app, buildings=())
    rows = [HEADER,
            ["1栋", "1单元", "0801", "三室两厅", 118.52, 95.1, "南北", "258.5"],
            ["1栋", "2单元", "0801", "两室两厅", 89.36, None, "南", 189],
            ["1栋", 1, "0802", "三室两厅", 118.52, 95.1, "东南", "260.1"]]
    browser = login_as("secretary")
    preview = upload(browser, xlsx_bytes(rows), htmx=True)
    assert preview.status_code == 200, preview.text
    assert "首次导入,将建立楼栋" in preview.text
    assert apply_preview(browser, preview).status_code == 302
    units = _units(app)
    first, second = units[("1栋", "1", "0801")], units[("1栋", "2", "0801")]
    assert first.floor == 8 and first.total_price == Decimal("2585000.00")
    assert first.inner_area == Decimal("95.10") and first.orientation == "南北"
    assert second.total_price == Decimal("1890000.00") and second.label == "1栋2单元0801"
    board = browser.get("/board").text
    assert '<th scope="colgroup" colspan="2">1单元</th>' in board
    assert '<th scope="colgroup" colspan="1">2单元</th>' in board


def test_rooms_written_with_their_entrance_and_one_sheet_per_building(app, login_as):
    make_project(app, buildings=())
    sheet = [["单元", "房号", "户型", "建筑面积", "总价(万元)"],
             [None, "1-0801", "三室", 100, 200], [None, "2-0801", "三室", 100, 201],
             [None, "1-1201", "三室", 100, 210]]
    data = xlsx_bytes(None, sheets={"3号楼": sheet, "5号楼": sheet[:2]})
    browser = login_as("secretary")
    preview = upload(browser, data, htmx=True)
    assert preview.status_code == 200, preview.text
    apply_preview(browser, preview)
    units = _units(app)
    assert set(units) == {("3号楼", "1", "0801"), ("3号楼", "2", "0801"), ("3号楼", "1", "1201"),
                          ("5号楼", "1", "0801")}
    assert units[("3号楼", "1", "1201")].floor == 12


def test_a_room_that_contradicts_its_entrance_or_repeats_is_refused_by_line(app, login_as):
    make_project(app, buildings=())
    rows = [HEADER, ["1栋", "1", "2-0801", "三室", 100, None, "南", 200],
            ["1栋", "1", "0901", "三室", 100, None, "南", 200],
            ["1栋", "1单元", "0901", "三室", 100, None, "南", 200]]
    response = upload(login_as("secretary"), xlsx_bytes(rows), htmx=True)
    assert response.status_code == 422
    assert "第 2 行: 房号 2-0801 与单元「1」不一致" in response.text
    assert "第 4 行: 房号 1单元0901 与第 3 行重复" in response.text
    assert _units(app) == {}


def test_a_look_alike_building_name_is_matched_to_the_boards_building(app, login_as):
    make_project(app, buildings=(("1栋", 1, 1),))  # room 101
    rows = [HEADER, ["1号楼", None, "101", "两室两厅一卫", 89.36, None, "南", 190],
            ["1#", None, "201", "两室两厅一卫", 89.36, None, "南", 191]]
    browser = login_as("secretary")
    preview = upload(browser, xlsx_bytes(rows), htmx=True)
    assert preview.status_code == 200, preview.text
    assert "楼栋「1号楼」按已有楼栋「1栋」导入" in preview.text
    assert "楼栋「1#」按已有楼栋「1栋」导入" in preview.text
    apply_preview(browser, preview)
    with app.app_context():
        assert db.session.scalars(select(Building.name)).all() == ["1栋"]
    assert _units(app)[("1栋", "", "101")].total_price == Decimal("1900000.00")


def test_two_spellings_of_one_new_building_are_flagged_not_made_twice(app, login_as):
    make_project(app, buildings=())
    rows = [HEADER, ["2栋", None, "101", "两室", 89.36, None, "南", 190],
            ["2#楼", None, "102", "两室", 89.36, None, "南", 190]]
    response = upload(login_as("secretary"), xlsx_bytes(rows), htmx=True)
    assert response.status_code == 422
    assert "第 2 行的「2栋」、第 3 行的「2#楼」像是同一栋楼的不同写法" in response.text
    with app.app_context():
        assert db.session.scalars(select(Building.name)).all() == []


def test_pickers_are_searchable_and_name_units_with_their_entrance(app, login_as):
    """收取定金 lists customers in a searchable picker; 选房 and 换房 name units 1栋2单元0801."""
    from app.services.launch.selection import available_units
    world = make_project(app, buildings=(("1栋", 1, 1),))
    with app.app_context():
        unit = db.session.get(Unit, world["units"]["1栋 101"])
        unit.entrance = "2"
        db.session.commit()
        assert available_units(world["project"])[0][1] == "1栋2单元101 · 两室两厅一卫"
    page = login_as("secretary").get(f"/deals/units/{world['units']['1栋 101']}/deposit").text
    assert 'data-search="输入姓名或手机尾号筛选"' in page
