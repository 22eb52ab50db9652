"""以成交为准 and the seed 002 credit cases through HTTP, at Asia/Shanghai day boundaries:
the card moves to the closing consultant when the owner's card had expired, and every deal
stores 业绩 (whose sale) and 奖金 (the bonus split) separately, with the reason in Chinese."""
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import Customer, DealShare, Deposit, OwnershipChange, Project, Subscription, User
from app.services import clock
from app.services.customers import cards
from app.services.reports import consultant_stats
from tests.deals.conftest import form_key
from tests.deals.test_path import record_deposit
from tests.deals.test_price_policy import sign
from tests.fixtures.customers import at

REGISTERED = at(2026, 1, 10)  # 王芳 registers 王五: the card is valid to 2026-03-10
LAST_VALID = at(2026, 3, 10, 23, 59)
DAY_AFTER = at(2026, 3, 11, 0, 0)


def office_ids(app):
    with app.app_context():
        return {u.username: u.id for u in db.session.scalars(select(User))}


@pytest.fixture
def wang_wu(app, office):
    """王五, 王芳's customer since 2026-01-10 (no visit or follow-up since)."""
    with app.app_context(), time_machine.travel(REGISTERED, tick=False):
        project = db.session.get(Project, office["project"])
        owner = db.session.get(User, office["wangfang"])
        customer, _ = cards.register(project, "王五", "13700007777", "路过", owner)
        db.session.commit()
        return customer.id


def deal(app, browser_for, unit_id, customer_id, closer="lijun", case=None, receipt="1001"):
    """The closer records the deposit, finance confirms, the secretary signs the 认购书.

    Requests run outside any app context of the test (Flask-WTF keeps the CSRF token in g)."""
    secretary = browser_for("zhaomin")
    done, data = record_deposit(secretary, unit_id, customer_id, receipt,
                                consultant=office_ids(app)[closer])
    if case:
        page = secretary.get(f"/deals/units/{unit_id}/deposit").text
        done = secretary.post(f"/deals/units/{unit_id}/deposit",
                              {**data, "form_key": form_key(page), "case": case})
    assert done.status_code == 302, done.text
    with app.app_context():
        deposit_id = db.session.scalar(select(Deposit.id).order_by(Deposit.id.desc()).limit(1))
    assert browser_for("chenjing").post(f"/deals/deposits/{deposit_id}/confirm",
                                        {}).status_code == 302
    signed = sign(browser_for("zhaomin"), unit_id, customer=customer_id)
    assert signed.status_code == 302, signed.text
    return deposit_id


def test_on_the_cards_last_valid_day_another_consultant_must_choose_a_seed_case(
        app, office, browser_for, wang_wu):
    with time_machine.travel(LAST_VALID, tick=False):
        refused, _ = record_deposit(browser_for("zhaomin"), office["units"]["1栋 101"],
                                    wang_wu, "1001", consultant=office["lijun"])
        assert refused.status_code == 422
        assert "归属 王芳(建档有效至 2026-03-10),请选择分成情形" in refused.text, refused.text


def test_a_deal_after_the_card_expired_moves_the_card_to_the_closer(
        app, office, browser_for, wang_wu):
    unit_id = office["units"]["1栋 101"]
    with time_machine.travel(DAY_AFTER, tick=False):
        deposit_id = deal(app, browser_for, unit_id, wang_wu)
        closer = browser_for("lijun")
        card = closer.get(f"/customers/{wang_wu}")
        assert card.status_code == 200 and "13700007777" in card.text  # now his customer
        assert "以成交为准" in card.text
        assert browser_for("wangfang").get(f"/customers/{wang_wu}").status_code in (403, 404)
    with app.app_context():
        sub_id = db.session.scalar(select(Subscription.id))
        customer = db.session.get(Customer, wang_wu)
        deposit = db.session.get(Deposit, deposit_id)
        # the old owner's expired card is not revived by the deal: the closer owns it
        assert customer.owner_id == office["lijun"] and customer.deal_at is not None
        assert deposit.split_case == "owner_expired"
        assert "有效期至 2026-03-10;定金日 2026-03-11 超过有效期" in deposit.split_reason
        change = db.session.scalar(select(OwnershipChange).where(
            OwnershipChange.customer_id == wang_wu, OwnershipChange.kind == "deal"))
        assert change.from_id == office["wangfang"] and change.to_id == office["lijun"]
        assert "建档 2026-01-10,最后有效跟进 2026-01-10" in change.reason
        assert "成交日 2026-03-11 超过有效期 → 客户卡转 李军(规则:以成交为准)" in change.reason
    with time_machine.travel(DAY_AFTER, tick=False):
        detail = browser_for("zhaomin").get(f"/deals/subscriptions/{sub_id}").text
        assert "分成依据" in detail and "超过有效期" in detail


def test_a_customer_from_the_pool_goes_to_the_closer_with_the_pool_date(
        app, office, browser_for, wang_wu):
    from app.services.customers import ownership
    with app.app_context():
        with time_machine.travel(at(2026, 3, 11, 1), tick=False):
            project = db.session.get(Project, office["project"])
            ownership.release_expired(project)
            db.session.commit()
    with time_machine.travel(at(2026, 3, 12), tick=False):
        deal(app, browser_for, office["units"]["1栋 101"], wang_wu, closer="lijun")
        with app.app_context():
            customer = db.session.get(Customer, wang_wu)
            assert customer.owner_id == office["lijun"]
            deposit = db.session.scalar(select(Deposit))
            assert deposit.split_case == "free"
            assert "2026-03-11 进入公共池(过期释放)" in deposit.split_reason


def shares(deposit_id):
    return {db.session.get(User, s.user_id).display_name: (s.credit, s.percent)
            for s in db.session.scalars(select(DealShare).where(
                DealShare.deposit_id == deposit_id))}


@pytest.mark.parametrize("case, expected, credited", [
    # (3) B away, C helps: 业绩 B, 奖金 B 80% / C 20%
    ("owner_absent", {"王芳": (100, 80), "李军": (0, 20)}, "王芳"),
    # (2) the customer wants A: 业绩 A, 奖金 A 80% / B 20%
    ("customer_chose", {"李军": (100, 80), "王芳": (0, 20)}, "李军"),
    # (1) handed back to B: 业绩 and 奖金 B
    ("owner_present", {"王芳": (100, 100)}, "王芳"),
])
def test_credit_and_bonus_follow_the_seed_cases(app, office, browser_for, wang_wu, case,
                                                expected, credited):
    with time_machine.travel(LAST_VALID, tick=False):
        deposit_id = deal(app, browser_for, office["units"]["1栋 101"], wang_wu, case=case)
        manager = browser_for("liuqiang")
        page = manager.get("/deals/registers/subscriptions").text
        assert f"业绩 {credited}|奖金" in page
        report = manager.get("/reports/consultants?period=day&day=2026-03-10").text
        other = "李军" if credited == "王芳" else "王芳"
        # 置业顾问业绩 as the manager reads it: 认购套数 for the 业绩, 奖金分成 by the bonus
        assert report_cells(report, credited)["认购套数"] == "1"
        assert report_cells(report, other)["认购套数"] == "0"
        assert report_cells(report, other)["奖金分成(套)"] == ("0.20" if other in expected
                                                              else "0")
    with app.app_context(), time_machine.travel(LAST_VALID, tick=False):
        assert shares(deposit_id) == {k: (Decimal(c), Decimal(p))
                                      for k, (c, p) in expected.items()}
        reason = db.session.get(Deposit, deposit_id).split_reason
        assert "有效期至 2026-03-10;定金日 2026-03-10 在有效期内" in reason
        assert f"业绩属 {credited} 100%" in reason
        day = clock.now()
        rows = {user.display_name: row for user, row in consultant_stats.performance(
            office["project"], day - timedelta(days=1), day + timedelta(days=1), day.date())}
        # 置业顾问业绩 counts the sale for the consultant the rules name, not the recorder
        assert rows[credited]["subscriptions"] == 1
        assert rows[credited]["deals"] == Decimal("1.00")
        other = "李军" if credited == "王芳" else "王芳"
        assert rows[other]["subscriptions"] == 0
        assert rows[other]["bonus"] == Decimal(expected.get(other, (0, 0))[1]) / 100
        assert db.session.get(Customer, wang_wu).owner.display_name == credited


def report_cells(page, name):
    """{column label: cell text} of one consultant's row on 置业顾问业绩."""
    head = page[page.index("<thead>"):page.index("</thead>")]
    labels = re.findall(r"<th[^>]*>([^<]+)</th>", head)
    row = page[page.index(f">{name}</a>"):]
    row = row[:row.index("</tr>")]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    return dict(zip(labels[1:], cells, strict=False))  # the grades cell holds links


def performance_rows(project_id):
    day = clock.now()
    return {user.display_name: row for user, row in consultant_stats.performance(
        project_id, day - timedelta(days=1), day + timedelta(days=1), day.date())}


def test_a_complaint_split_counts_only_once_the_manager_confirms_it(app, office, browser_for,
                                                                     wang_wu):
    with time_machine.travel(LAST_VALID, tick=False):
        deposit_id = deal(app, browser_for, office["units"]["1栋 101"], wang_wu,
                          case="complaint")
        manager = browser_for("liuqiang")
        with app.app_context():
            sub_id = db.session.scalar(select(Subscription.id))
            assert db.session.get(Deposit, deposit_id).split_status == "pending"
            rows = performance_rows(office["project"])
            assert rows["李军"]["subscriptions"] == rows["王芳"]["subscriptions"] == 0
            assert rows["李军"]["deals"] == 0  # waits: counts for nobody
            assert db.session.get(Customer, wang_wu).owner_id == office["wangfang"]
        assert "待经理落实(投诉)" in manager.get(f"/deals/subscriptions/{sub_id}").text
        assert "投诉分成" in manager.get("/").text
        page = manager.get("/deals/complaints").text
        assert "王五" in page and "准则(4)" in page
        assert browser_for("lijun").get("/deals/complaints").status_code == 403
        blank = manager.post(f"/deals/deposits/{deposit_id}/complaint",
                             {"decision": "confirm", "reason": ""})
        assert blank.status_code == 422 and "请写明落实情况" in blank.text
        done = manager.post(f"/deals/deposits/{deposit_id}/complaint",
                            {"decision": "confirm", "reason": "来电录音属实,王芳未回访"})
        assert done.status_code == 302
        again = manager.post(f"/deals/deposits/{deposit_id}/complaint",
                             {"decision": "reject", "reason": "重复提交"})
        assert again.status_code == 422 and "已处理过" in again.text
        with app.app_context():
            deposit = db.session.get(Deposit, deposit_id)
            assert deposit.split_status == "confirmed"
            assert "2026-03-10 经理 刘强 落实投诉属实,与原顾问无关" in deposit.split_reason
            rows = performance_rows(office["project"])
            assert rows["李军"]["subscriptions"] == 1 and rows["李军"]["deals"] == 1
            assert db.session.get(Customer, wang_wu).owner_id == office["lijun"]


def test_a_rejected_complaint_is_split_as_case_two(app, office, browser_for, wang_wu):
    with time_machine.travel(LAST_VALID, tick=False):
        deposit_id = deal(app, browser_for, office["units"]["1栋 101"], wang_wu,
                          case="complaint")
        done = browser_for("liuqiang").post(f"/deals/deposits/{deposit_id}/complaint",
                                            {"decision": "reject", "reason": "客户撤回投诉"})
        assert done.status_code == 302
        with app.app_context():
            assert shares(deposit_id) == {"李军": (Decimal(100), Decimal(80)),
                                          "王芳": (Decimal(0), Decimal(20))}
            deposit = db.session.get(Deposit, deposit_id)
            assert deposit.split_case == "customer_chose" and deposit.split_status == "rejected"
            assert "投诉不成立,按准则(2)分成:客户撤回投诉" in deposit.split_reason


def test_the_closer_registers_the_customer_the_day_after_the_card_expired(
        app, office, browser_for, wang_wu):
    """The old owner's card does not block the closer once it has run out: on its last valid
    day 李军's 快速登记 is refused naming 王芳, the day after it is his, and his deal is his own."""
    quick = {"name": "王五", "phone": "13700007777", "channel": "路过", "kind": "visit"}
    with time_machine.travel(LAST_VALID, tick=False):
        closer = browser_for("lijun")
        closer.get("/customers/new")
        refused = closer.post("/customers/new", quick)
        assert refused.status_code == 422
        assert "该号码已登记:归属置业顾问 王芳" in refused.text
    with time_machine.travel(DAY_AFTER, tick=False):
        closer = browser_for("lijun")
        closer.get("/customers/new")
        taken = closer.post("/customers/new", quick)
        assert taken.status_code == 302 and taken.headers["Location"].endswith(f"/{wang_wu}")
        card = closer.get(f"/customers/{wang_wu}").text
        assert "重新登记(原归属已过期)" in card
        assert "有效期至 2026-03-10;重新登记日 2026-03-11 超过有效期 → 归属 李军" in card
        deposit_id = deal(app, browser_for, office["units"]["1栋 101"], wang_wu)
    with app.app_context():
        assert db.session.get(Deposit, deposit_id).split_case == "own"
        assert shares(deposit_id) == {"李军": (Decimal(100), Decimal(100))}
        customer = db.session.get(Customer, wang_wu)
        assert customer.owner_id == office["lijun"] and customer.deal_at is not None
