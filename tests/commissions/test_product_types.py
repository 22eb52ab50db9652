"""业态 (product type) of a unit: read from the 房源表's 业态 column, or set per building by
the manager; a name the office does not use is refused by line."""
from sqlalchemy import select

from app.extensions import db
from app.models import Unit
from tests.board.test_import import HEADER, apply_preview
from tests.fixtures.board import make_project, upload, xlsx_bytes


def test_the_unit_sheet_carries_the_product_type(app, login_as):
    make_project(app, buildings=())
    rows = [HEADER + ["业态"],
            ["1栋", 1, "101", "两室", "89.36", "", "南", "20000", "", "小高层"],
            ["8栋", 1, "101", "五室", "289.00", "", "南", "30000", "", "别墅（300万以上）"],
            ["8栋", 1, "102", "五室", "289.00", "", "南", "30000", "", ""]]
    browser = login_as("manager")
    response = upload(browser, xlsx_bytes(rows), htmx=True)
    assert apply_preview(browser, response).status_code in (200, 302)
    with app.app_context():
        types = dict(db.session.execute(select(Unit.unit_no + Unit.layout,
                                               Unit.product_type)).all())
    assert types == {"101两室": "high_rise", "101五室": "grand_villa", "102五室": None}


def test_an_unknown_product_type_is_refused_by_line(app, login_as):
    make_project(app, buildings=())
    rows = [HEADER + ["业态"],
            ["1栋", 1, "101", "两室", "89.36", "", "南", "20000", "", "高层住宅"]]
    response = upload(login_as("manager"), xlsx_bytes(rows), htmx=True)
    assert response.status_code == 422
    assert "第 2 行: 业态应为 小高层、洋房、别墅" in response.get_data(as_text=True)


def test_the_manager_sets_a_buildings_product_type(app, login_as):
    world = make_project(app, buildings=(("1栋", 2, 2),))
    manager = login_as("manager")
    page = manager.get("/commissions/rules").get_data(as_text=True)
    assert "未设置 4 套" in page
    response = manager.post("/commissions/product-types",
                            {"building_id": world["buildings"]["1栋"], "product_type": "garden"})
    assert response.status_code == 302
    assert "洋房 4 套" in manager.get("/commissions/rules").get_data(as_text=True)
    bad = manager.post("/commissions/product-types", {"building_id": 999, "product_type": "garden"})
    assert bad.status_code == 422 and "请选择本项目的楼栋" in bad.get_data(as_text=True)
