"""A new office's first day: the admin's checklist on the home page, and the first import of
the 房源表 building the board of an empty project (preview first, all or nothing)."""
from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.models import Building, PriceRule, Project, ReceiptBook, Unit, UnitStatus
from tests.board.test_import import apply_preview
from tests.fixtures.board import upload, xlsx_bytes
from tests.foundation.test_projects import NEW

HEADER = ["楼栋", "单元", "楼层", "房号", "户型", "建筑面积(㎡)", "单价(元/㎡)"]


def two_buildings_two_entrances():
    rows = [HEADER]
    for building in ("1栋", "2栋"):
        for entrance in (1, 2):
            for floor in (1, 2, 3):
                for stack in (1, 2):
                    rows.append([building, entrance, floor, f"{floor}{stack:02d}", "三室两厅",
                                 118.52, 20000 + floor * 100])
    return rows


def _steps(html):
    return html.split('id="first-run"')[1].split("</section>")[0]


def test_the_checklist_walks_a_new_project_to_its_first_board(app, login_as, make_user):
    admin = login_as("admin")
    home = admin.get("/").text
    assert "开始使用" in home and 'href="/admin/projects/new">创建项目</a>' in home
    admin.get("/admin/projects/new")
    admin.post("/admin/projects/new", NEW)
    steps = _steps(admin.get("/").text)
    assert "创建项目</span>" in steps and 'href="/board/import">导入房源表</a>' in steps

    preview = upload(admin, xlsx_bytes(two_buildings_two_entrances()), htmx=True)
    assert preview.status_code == 200, preview.text
    assert "首次导入,将建立楼栋" in preview.text and "新增 24 套" in preview.text
    with app.app_context():  # a preview writes nothing to the board
        assert db.session.scalar(select(func.count()).select_from(Unit)) == 0
    assert apply_preview(admin, preview).status_code == 302
    board = admin.get("/board").text
    assert board.count('<th scope="colgroup" colspan="2">1单元</th>') == 2
    assert "导入房源表</span>" in _steps(admin.get("/").text)
    with app.app_context():
        project = db.session.scalar(select(Project))
        assert db.session.scalars(select(Building.name).order_by(Building.sort_order)).all() \
            == ["1栋", "2栋"]
        units = db.session.scalars(select(Unit)).all()
        assert len(units) == 24 and {u.status for u in units} == {UnitStatus.WITHHELD}
        me = admin.user_id
        db.session.add_all([
            PriceRule(project_id=project.id, seq=1, name="一次性付款优惠", kind="rate",
                      value=98, valid_from=date(2026, 1, 1), created_by_id=me),
            ReceiptBook(project_id=project.id, first_no=1, last_no=100, holder="前台",
                        registered_by_id=me)])
        db.session.commit()
    assert "开始使用" in admin.get("/").text  # no staff yet
    make_user("consultant")
    assert "开始使用" not in admin.get("/").text


def test_a_first_import_with_a_bad_line_builds_nothing(app, login_as):
    admin = login_as("admin")
    admin.get("/admin/projects/new")
    admin.post("/admin/projects/new", NEW)
    rows = two_buildings_two_entrances()
    rows[5][5] = "约120"  # text in a number column
    response = upload(admin, xlsx_bytes(rows), htmx=True)
    assert response.status_code == 422 and "第 6 行: 建筑面积不是数字" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Building)) == 0


def test_others_see_no_checklist_and_are_told_to_ask_the_admin(app, login_as):
    consultant = login_as("consultant")
    home = consultant.get("/").text
    assert "开始使用" not in home and "请联系管理员把您加入项目" in home
