"""期初成交: deals already made on paper — deposits with receipts, 认购书, contracts with
instalments, payments — brought in through the live deal services: each unit ends in its
status, the registers' totals equal the sheet's, and a bad line writes nothing."""
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AuditLog,
    Building,
    Contract,
    Deposit,
    Instalment,
    MoneyStatus,
    Payment,
    Project,
    Receipt,
    ReceiptBook,
    Subscription,
    Unit,
    UnitStatus,
    User,
)
from app.services.deals import receipts
from tests.board.test_board import cells
from tests.board.test_import import apply_preview
from tests.fixtures.board import make_project, upload, xlsx_bytes
from tests.foundation.test_first_run import two_buildings_two_entrances
from tests.opening.conftest import NOW
from tests.opening.test_opening import CUSTOMERS, apply, send

DEALS = ["楼栋", "房号", "买受人", "手机号", "定金类型", "定金金额", "定金收据号", "收定日期",
         "成交价", "认购日期", "付款方式", "首付款", "按揭银行", "合同编号", "签约日期",
         "回款1金额", "回款1收据号", "回款1日期"]



@pytest.fixture
def office(app, login_as, make_user, frozen):
    """A project whose board was imported (units withheld), its customers brought in by the
    customers sheet, and a receipt book finance registered (No.0001001–0001100)."""
    world = make_project(app, status=UnitStatus.WITHHELD)
    make_user("consultant", username="lijing", display_name="李静")
    admin = login_as("admin")
    cards = [CUSTOMERS,
             ["张伟", "13800138000", "李静", "2026-10-08", "2026-11-20", "B", "路过", "", ""],
             ["刘洋", "13900139000", "李静", "2026-11-01", None, "A", "网络", "", ""],
             ["陈晨", "13700137000", "李静", "2026-11-10", None, "C", "路过", "", ""]]
    assert apply(admin, send(admin, "customers", cards)).status_code == 200
    with app.app_context():
        finance = db.session.scalar(select(User).where(User.username == "admin_user"))
        receipts.register_book(world["project"], "1001", "1100", "前台 赵敏", finance)
        db.session.commit()
    return world, admin


def good_rows():
    return [["云栖府 期初成交 汇总"], DEALS,
            ["1栋", "301", "张伟", "13800138000", "大定", 50000, "0001001", "2026-10-08",
             "178万", "2026-10-10", "按揭贷款", 600000, "工商银行", "HT-001", "2026-11-01",
             550000, "No.0001002", "2026-11-01"],
            ["1号楼", 302, "刘洋", "139 0013 9000", "小定", "20,000", 1003, "2026/11/5",
             2400000, "2026-11-06", "一次性付款", None, None, None, None, None, None, None],
            ["1栋", "303", "陈晨", "13700137000", "小定", 10000, "1004", "2026-11-20",
             None, None, None, None, None, None, None, None, None, None],
            ["合计", None, None, None, None, 80000]]


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def footer(page):
    """The register's totals row, as text."""
    return re.sub(r"<[^>]+>", " ", page.text.split("<tfoot>")[1].split("</tfoot>")[0])


def test_deals_come_in_with_unit_statuses_and_registers_equal_to_the_sheet(app, office):
    world, admin = office
    template = admin.get("/opening/deals/template")
    assert template.status_code == 200
    preview = send(admin, "deals", good_rows(), merges=("A1:F1",))
    assert preview.status_code == 200, preview.text
    text = preview.text
    assert "共 3 行,检查通过" in text
    for expected in ("¥30,000.00", "¥50,000.00", "¥4,180,000.00", "¥1,780,000.00",
                     "¥550,000.00", "已签约", "已认购", "定金已确认", "1栋301"):
        assert expected in text, expected
    with app.app_context():  # the preview wrote nothing
        assert count(Deposit) == count(Receipt) == count(Subscription) == 0
        assert {u.status for u in db.session.scalars(select(Unit))} == {UnitStatus.WITHHELD}

    done = apply(admin, preview)
    assert done.status_code == 200, done.text
    assert "已导入期初成交:3 套" in done.text
    with app.app_context():
        status = {u.unit_no: u.status for u in db.session.scalars(select(Unit))}
        assert status["301"] == UnitStatus.CONTRACTED
        assert status["302"] == UnitStatus.SUBSCRIBED
        assert status["303"] == UnitStatus.DEPOSIT_CONFIRMED
        assert status["304"] == UnitStatus.WITHHELD  # not in the sheet: untouched
        assert {d.status for d in db.session.scalars(select(Deposit))} == {MoneyStatus.CONFIRMED}
        assert {p.status for p in db.session.scalars(select(Payment))} == {MoneyStatus.CONFIRMED}
        deposit = db.session.scalar(select(Deposit).join(Receipt).where(Receipt.number == 1001))
        assert str(deposit.recorded_at.date()) == "2026-10-08"  # back-dated to the paper
        contract = db.session.scalar(select(Contract))
        assert contract.number == "HT-001" and str(contract.sign_date) == "2026-11-01"
        assert [(i.label, i.amount, i.credited) for i in db.session.scalars(
            select(Instalment).order_by(Instalment.seq))] == [
            ("首付款", Decimal("600000.00"), Decimal("50000.00")),
            ("银行按揭放款", Decimal("1180000.00"), Decimal("0.00"))]
        sub = db.session.scalar(select(Subscription).where(Subscription.deal_price == 2400000))
        assert str(sub.sign_deadline) == "2026-12-06"  # 30 days after the 认购
        audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "opening_imported")
                                  .order_by(AuditLog.id.desc()).limit(1))
        assert audit.reason == "期初导入" and '"deals"' in audit.after
        assert db.session.get(Project, world["project"]).board_version > 0

    # the registers show the sheet's totals
    for name, amount in (("small", "¥30,000.00"), ("large", "¥50,000.00"),
                         ("subscriptions", "¥4,180,000.00"), ("contracts", "¥1,780,000.00"),
                         ("payments", "¥550,000.00"), ("receipts", "¥630,000.00")):
        page = admin.get(f"/deals/registers/{name}")
        assert page.status_code == 200
        assert amount in footer(page), (name, footer(page))
    board = cells(admin.get("/board").text)
    for unit, status in (("301", "contracted"), ("302", "subscribed"),
                         ("303", "deposit_confirmed"), ("304", "withheld")):
        assert board[world["units"]["1栋 " + unit]][0] == status, unit

    again = apply(admin, preview)
    assert again.status_code == 422 and "已经导入过了" in again.text


def test_every_bad_deal_line_is_refused_with_its_line_and_nothing_is_written(app, office):
    world, admin = office
    with app.app_context():
        admin_id = db.session.scalar(select(User.id).where(User.username == "admin_user"))
        book = db.session.scalar(select(ReceiptBook))
        db.session.add(Receipt(project_id=world["project"], book_id=book.id, number=1050,
                               purpose="small", amount=Decimal("1000"), method="cash",
                               issued_by_id=admin_id, issued_at=NOW))
        db.session.commit()
    deposit = ["13700137000", "小定", 10000]
    rows = [DEALS,
            ["1栋", "901", "陈晨", *deposit, "1001", "2026-10-08"],  # 2: no such unit
            ["1栋", "301", "张伟", "13800138000", "大定", 50000, "1002", "2026-10-08",
             1000000, "2026-10-10", "一次性付款", None, None, "HT-1", "2026-11-01",
             2000000, "1003", "2026-11-02"],  # 3: paid more than the price
            ["1栋", "302", "刘洋", "13900139000", "小定", 10000, "1004", "2026-11-05"],
            ["1栋", "303", "陈晨", "13700137000", "小定", 10000, "1004", "2026-11-05"],  # 5
            ["1栋", "304", "陈晨", "13700137000", "小定", 10000, "1050", "2026-11-05"],  # 6
            ["1栋", "302", "陈晨", "13700137000", "小定", 10000, "1005", "2026-11-05"],  # 7
            ["1栋", "401", None, "13700137000", "小定", 10000, "1006", "2026-11-05"],  # 8
            ["1栋", "402", "陈晨", "13700137000", "小定", "五万", "1007", "2026-11-05"],  # 9
            ["1栋", "403", "陈晨", "13700137000", "小定", 10000, "1008", "2027-01-05"],  # 10
            ["1栋", "404", "陈晨", "13700137000", "小定", 10000, "9999", "2026-11-05"],  # 11
            ["1栋", "501", "王五", "13600136000", "小定", 10000, "1009", "2026-11-05"],  # 12
            ["1栋", "502", "陈晨", "13700137000", "小定", 10000, "1010", "2026-11-05",
             "一百万"],  # 13
            ["1栋", "503", "陈晨", *deposit, "1011", "2026-11-05", 1000000, "2026-11-06",
             "按揭贷款"],  # 14
            ["1栋", "504", "陈晨", *deposit, "1012", "2026-11-05", 1000000, "2026-11-06",
             "一次性付款", None, None, None, None, 5000, "1013", "2026-11-07"],  # 15
            ["1栋", "201", "陈晨", *deposit, "1014", "2026-11-05", 1000000, "2026-11-06",
             "一次性付款", None, None, "HT-9", "2026-11-07", 5000, "No.1014", "2026-11-07"]]
    response = send(admin, "deals", rows)
    assert response.status_code == 422, response.text
    text = response.text
    for expected in ("第 2 行: 销控表中没有房源 1栋901",
                     "第 3 行: 定金与回款合计 ¥2,050,000.00 超过成交价 ¥1,000,000.00",
                     "第 5 行: 收据 No.0001004 与第 4 行重复",
                     "第 6 行: 收据 No.0001050 已使用过",
                     "第 7 行: 房源 1栋302 与第 4 行重复",
                     "第 8 行: 买受人为空",
                     "第 9 行: 定金金额「五万」不是数字",
                     "第 10 行: 收定日期 2027-01-05 晚于今天",
                     "第 11 行: 收据 No.0009999 不在财务登记的收据本内",
                     "第 12 行: 买受人 王五(136****6000)不是本项目的客户",
                     "第 13 行: 成交价「一百万」不是数字",
                     "第 14 行: 按揭贷款须填写首付款和按揭银行",
                     "第 15 行: 有回款的行须填写合同编号和签约日期",
                     "第 16 行: 收据 No.0001014 在本行用了两次"):
        assert expected in text, expected
    assert "共 14 处错误,没有导入任何数据" in text
    with app.app_context():
        assert count(Deposit) == count(Subscription) == count(Contract) == 0
        assert count(Receipt) == 1
        assert {u.status for u in db.session.scalars(select(Unit))} == {UnitStatus.WITHHELD}


def test_a_unit_already_sold_on_the_board_is_refused(app, office):
    world, admin = office
    rows = [DEALS, ["1栋", "301", "张伟", "13800138000", "小定", 10000, "1001", "2026-10-08"]]
    assert apply(admin, send(admin, "deals", rows)).status_code == 200
    rows = [DEALS, ["1栋", "301", "刘洋", "13900139000", "小定", 10000, "1002", "2026-11-08"]]
    response = send(admin, "deals", rows)
    assert response.status_code == 422
    assert "第 2 行: 1栋 301 当前为「定金已确认」,不能收取定金" in response.text


def test_only_the_admin_imports_deals(app, office, login_as):
    assert login_as("finance").get("/opening/deals/template").status_code == 403
    assert login_as("secretary").post("/opening/deals", {}).status_code == 403


def test_units_are_found_by_building_look_alike_entrance_and_room(app, login_as, make_user,
                                                                   frozen):
    make_project(app, buildings=())
    make_user("consultant", username="lijing", display_name="李静")
    admin = login_as("admin")
    board = upload(admin, xlsx_bytes(two_buildings_two_entrances()), htmx=True)
    assert apply_preview(admin, board).status_code == 302
    cards = [CUSTOMERS, ["张伟", "13800138000", "李静", "2026-10-08", None, "B", "路过", "", ""],
             ["刘洋", "13900139000", "李静", "2026-10-08", None, "B", "路过", "", ""]]
    assert apply(admin, send(admin, "customers", cards)).status_code == 200
    with app.app_context():
        receipts.register_book(db.session.scalar(select(Project.id)), "1", "100", "前台",
                               db.session.get(User, admin.user_id))
        db.session.commit()
    head = ["楼栋", "单元", "房号", "买受人", "手机号", "定金金额", "定金收据号", "收定日期"]
    zhang = ["张伟", "13800138000", 10000]
    rows = [head, ["1栋", None, "101", *zhang, 1, "2026-11-01"],
            ["1栋", None, "1-0101", *zhang, 2, "2026-11-01"],
            ["2号楼", "2单元", "0301", "刘洋", "13900139000", 10000, 3, "2026-11-01"],
            ["1栋", "3", "101", *zhang, 4, "2026-11-01"],
            ["1栋", "2", "1-0201", *zhang, 5, "2026-11-01"]]
    response = send(admin, "deals", rows)
    assert response.status_code == 422
    for expected in ("第 2 行: 房号 1栋101 在多个单元都有,请填写单元",
                     "第 5 行: 销控表中没有房源 1栋3单元101",
                     "第 6 行: 房号 1-0201 与单元「2」不一致"):
        assert expected in response.text, expected
    assert "第 3 行" not in response.text and "第 4 行" not in response.text
    done = apply(admin, send(admin, "deals", [head, rows[2], rows[3]]))
    assert done.status_code == 200 and "已导入期初成交:2 套" in done.text
    with app.app_context():
        sold = db.session.execute(select(Building.name, Unit.entrance, Unit.unit_no).join(
            Building).where(Unit.status == UnitStatus.DEPOSIT_CONFIRMED)
            .order_by(Building.name)).all()
        assert [tuple(row) for row in sold] == [("1栋", "1", "101"), ("2栋", "2", "301")]
    audit = admin.get("/admin/audit").text
    assert "期初成交" in audit and "各状态套数" in audit and "statuses" not in audit


def test_the_opening_authority_is_the_admins_only(app, office, make_user):
    """opening=True swaps a move's own policy action for opening.import: nobody else gets
    past it, so the narrow parameter opens no door to a finance or office role."""
    from app.services.board import unit_status
    from app.services.errors import NotAllowed
    world, _ = office
    secretary = make_user("secretary", username="sec")
    with app.app_context():
        unit = db.session.get(Unit, world["units"]["1栋 301"])
        with pytest.raises(NotAllowed):
            unit_status.transition(unit, "release", db.session.get(User, secretary),
                                   opening=True)


@pytest.mark.parametrize("rule_from, lines", [("2026-10-01", 2), ("2026-11-30", 0)])
def test_opening_deals_earn_commissions_only_under_a_rule_in_force_on_their_date(
        app, office, rule_from, lines):
    """An opening 认购 accrues as a live one: by the rule in force on its 认购 date. Rules
    starting after the paper deals leave their commissions in the old books."""
    from datetime import date

    from app.models import CommissionLine
    from app.services.commissions import rules
    world, admin = office
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.username == "admin_user"))
        project = db.session.get(Project, world["project"])
        for building in project.buildings:
            rules.set_product_type(building, "high_rise", manager)
        rules.add_rule(project, {"payee_kind": "consultant", "product_type": "high_rise",
                                 "kind": "amount", "value": "3000",
                                 "valid_from": date.fromisoformat(rule_from)}, manager)
        db.session.commit()
    assert apply(admin, send(admin, "deals", good_rows())).status_code == 200
    with app.app_context():  # 301 and 302 were signed (10-10, 11-06); 303 is a deposit only
        found = db.session.scalars(select(CommissionLine)).all()
        assert len(found) == lines
        assert all(line.amount == Decimal("3000.00") for line in found)


def test_every_row_the_deals_sheet_writes_says_it_came_from_the_opening_import(app, office):
    """Not just the summary: each deposit, 认购书, contract, payment and unit move the sheet
    made is logged with the reason 期初导入, so a unit's history says where its sale came from."""
    world, admin = office
    with app.app_context():
        last = db.session.scalar(select(func.max(AuditLog.id)))
    assert apply(admin, send(admin, "deals", good_rows())).status_code == 200
    with app.app_context():
        rows = db.session.scalars(select(AuditLog).where(AuditLog.id > last)).all()
    written = {row.action for row in rows}
    assert {"unit_mark_sold", "opening_imported"} <= written, written
    assert [row.action for row in rows if row.reason != "期初导入"] == []


def test_a_deal_closed_by_another_consultant_takes_the_sheets_split_case_and_the_preview_shows_the_split(  # noqa: E501
        app, office, make_user):
    """Seed 002 客户区分准则: a deal on a customer whose card another consultant holds, still
    valid, is split by one of the cases (1)-(8). The paper deal says which; the sheet carries
    it in 分成情形, and the preview shows every line whose 业绩 or 奖金 is not the closer's
    alone before anything is written (people's pay depends on it)."""
    world, admin = office
    make_user("consultant", username="wangfang", display_name="王芳")
    head = ["楼栋", "房号", "买受人", "手机号", "置业顾问", "分成情形", "定金类型", "定金金额",
            "定金收据号", "收定日期"]
    rows = [head,
            ["1栋", "301", "张伟", "13800138000", "王芳", None, "小定", 10000, "1001",
             "2026-11-25"],  # 李静's card, valid: which case?
            ["1栋", "302", "刘洋", "13900139000", "李静", None, "小定", 10000, "1002",
             "2026-11-25"],  # the owner's own deal: nothing to flag
            ["1栋", "303", "陈晨", "13700137000", "wangfang", "第九条", "小定", 10000, "1003",
             "2026-11-25"]]
    refused = send(admin, "deals", rows)
    assert refused.status_code == 422
    assert ("第 2 行: 该客户归属 李静(建档有效至 2027-01-20),请在「分成情形」填写准则编号"
            in refused.text), refused.text
    assert "第 4 行: 分成情形「第九条」应为准则编号" in refused.text

    rows[1][5], rows[3][5] = "准则(2)", "准则7"
    preview = send(admin, "deals", rows)
    assert preview.status_code == 200, preview.text
    text = re.sub(r"<[^>]+>", " ", preview.text)
    assert "2 行的成交顾问不是客户的归属顾问" in text
    assert "1栋301 张伟 王芳:" in text and "业绩属 王芳 100%,奖金 王芳 80%、李静 20%" in text
    assert "1栋303 陈晨 王芳:" in text and "奖金 王芳 50%、李静 50%" in text
    assert "1栋302 刘洋 李静:" not in text
    with app.app_context():
        assert count(Deposit) == 0

    assert apply(admin, preview).status_code == 200
    with app.app_context():
        cases = {d.unit.unit_no: (d.split_case, {s.user.display_name: s.percent
                                                 for s in d.shares})
                 for d in db.session.scalars(select(Deposit))}
        assert cases == {
            "301": ("customer_chose", {"王芳": Decimal("80.00"), "李静": Decimal("20.00")}),
            "302": ("own", {"李静": Decimal("100.00")}),
            "303": ("forgot_then_found", {"王芳": Decimal("50.00"), "李静": Decimal("50.00")})}
