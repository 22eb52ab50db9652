"""The deal mark after 退房 and 换名, and 以小换大 by building area (seed 002 六.1), through HTTP
at Asia/Shanghai day boundaries, on both engines."""
from decimal import Decimal

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, Customer, OwnershipChange, Project, Unit
from app.services.customers import ownership
from tests.changes.conftest import ask, last_change, sell
from tests.changes.test_paths import approve, execute
from tests.fixtures.customers import at

SOLD = at(2026, 2, 1)
REFUNDED = at(2026, 3, 10, 9)
LAST_VALID = at(2026, 3, 10, 23, 59)  # 张三's card: registered 01-10, valid to 03-10
DAY_AFTER = at(2026, 3, 11, 0, 0)


def card_from(app, office, key, day):
    with app.app_context():
        customer = db.session.get(Customer, office[key])
        customer.created_at = customer.owned_since = customer.last_effective_at = day
        db.session.commit()


def refund(app, office, browser_for, unit_id):
    assert ask(browser_for("wangfang"), unit_id, "refund", reason="funds").status_code == 302
    with app.app_context():
        change_id = last_change().id
    assert approve(browser_for("liuqiang"), change_id, penalty="0").status_code == 302
    done = execute(browser_for("zhaomin"), change_id)
    assert done.status_code == 302, done.text


def test_after_a_refund_the_card_expires_and_is_recycled_again(app, office, browser_for):
    card_from(app, office, "zhang", at(2026, 1, 10))
    with app.app_context(), time_machine.travel(SOLD, tick=False):
        unit_id, _ = sell(office, "1栋 101", 1001)
        assert db.session.get(Customer, office["zhang"]).deal_at is not None
    with time_machine.travel(REFUNDED, tick=False):
        refund(app, office, browser_for, unit_id)
    with app.app_context():
        customer = db.session.get(Customer, office["zhang"])
        assert customer.deal_at is None  # the deal mark went with the deal
        assert ownership.ownership_valid(customer, LAST_VALID)
        assert not ownership.ownership_valid(customer, DAY_AFTER)
        cleared = db.session.scalar(select(AuditLog).where(
            AuditLog.action == "customer_deal_cleared"))
        assert "退房" in cleared.reason and "有效期至 2026-03-10" in cleared.reason
        project = db.session.get(Project, office["project"])
        # the monthly recycling takes them again too: first visit 01-10, 3 months on 04-10
        assert ownership.recycle_due(project, at=at(2026, 4, 9, 23, 59)) == []
        assert [c.id for c in ownership.recycle_due(project, at=at(2026, 4, 10, 0, 0))] == [
            office["zhang"]]
        assert ownership.release_expired(project, at=LAST_VALID) == []
        assert [c.id for c in ownership.release_expired(project, at=DAY_AFTER)] == [
            office["zhang"]]


def test_after_a_name_change_the_new_buyer_is_marked_and_the_old_one_cleared(
        app, office, browser_for):
    """Both cards date from 01-10 (valid to 03-10); the 换名 on 03-10 makes 李四 the buyer: from
    03-11 张三's card runs out as any other, 李四's does not."""
    card_from(app, office, "zhang", at(2026, 1, 10))
    card_from(app, office, "li", at(2026, 1, 10))
    with app.app_context(), time_machine.travel(SOLD, tick=False):
        unit_id, _ = sell(office, "1栋 102", 1001)
    with time_machine.travel(REFUNDED, tick=False):
        assert ask(browser_for("zhaomin"), unit_id, "rename", reason="buyer",
                   rename_action="replace", new_customer_id=office["li"]).status_code == 302
        with app.app_context():
            change_id = last_change().id
        assert approve(browser_for("liuqiang"), change_id).status_code == 302
        assert execute(browser_for("zhaomin"), change_id).status_code == 302
    with app.app_context():
        new_buyer = db.session.get(Customer, office["li"])
        old_buyer = db.session.get(Customer, office["zhang"])
        assert new_buyer.deal_at is not None and old_buyer.deal_at is None
        # the deal's 业绩 is 王芳's: after-sales of the new buyer are hers (准则(9))
        assert new_buyer.owner_id == office["wangfang"]
        assert ownership.ownership_valid(new_buyer, at(2027, 6, 1))
        assert ownership.ownership_valid(old_buyer, LAST_VALID)
        assert not ownership.ownership_valid(old_buyer, DAY_AFTER)
        project = db.session.get(Project, office["project"])
        assert ownership.release_expired(project, at=LAST_VALID) == []
        assert [c.id for c in ownership.release_expired(project, at=DAY_AFTER)] == [
            office["zhang"]]
        moved = db.session.scalar(select(OwnershipChange).where(
            OwnershipChange.customer_id == office["li"], OwnershipChange.kind == "deal"))
        assert moved.from_id == office["lijun"] and "准则(9)" in moved.reason
        assert "有效期至 2026-03-10;成交日 2026-03-10 在有效期内" in moved.reason


def test_an_exchange_to_a_smaller_unit_needs_the_managers_override_even_if_dearer(
        app, office, browser_for):
    with app.app_context():
        unit_id, _ = sell(office, "1栋 102", 1001)  # 118.52 ㎡
        target = db.session.get(Unit, office["units"]["1栋 301"])  # 89.36 ㎡
        target.total_price = Decimal("3000000")  # dearer than the deal
        db.session.commit()
        target_id = target.id
    manager = browser_for("liuqiang")
    assert ask(browser_for("wangfang"), unit_id, "exchange", target_unit_id=target_id,
               reason="layout").status_code == 302
    with app.app_context():
        change_id = last_change().id
    page = manager.get(f"/changes/{change_id}").text
    assert "目标房源建筑面积 89.36㎡ 小于原房源 118.52㎡(以小换大原则)" in page
    refused = approve(manager, change_id)
    assert refused.status_code == 422 and "以小换大" in refused.text
    assert approve(manager, change_id, override="y",
                   override_reason="客户家庭变故,换小户型").status_code == 302
    assert execute(browser_for("zhaomin"), change_id).status_code == 302


def test_an_exchange_to_the_same_area_at_a_higher_price_needs_no_override(
        app, office, browser_for):
    with app.app_context():
        unit_id, _ = sell(office, "1栋 101", 1001)  # 89.36 ㎡, 20,100/㎡
    target = office["units"]["1栋 201"]  # 89.36 ㎡, 20,200/㎡: the boundary, not smaller
    assert ask(browser_for("wangfang"), unit_id, "exchange", target_unit_id=target,
               reason="layout").status_code == 302
    with app.app_context():
        change_id = last_change().id
    assert approve(browser_for("liuqiang"), change_id).status_code == 302
