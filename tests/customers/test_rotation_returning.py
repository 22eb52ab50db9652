"""Seed 002 二.5(2): a returning customer uses no turn of the queue, also when their card has
expired or they come from the public pool (the front desk through HTTP, day boundaries)."""
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import Customer, OwnershipChange, Project, RotationAssignment
from app.services.customers import ownership
from tests.fixtures.customers import add_customer, at, browser_for, office

LAST_VALID = at(2026, 3, 10, 17)  # 王五 registered by 王芳 on 01-10: valid to 03-10
DAY_AFTER = at(2026, 3, 11, 9)


def _desk(app, ids, *keys):
    manager = browser_for(app, "liuqiang")
    manager.get("/rotation/order")
    data = {f"pos-{ids[key]}": str(n) for n, key in enumerate(keys, start=1)}
    assert manager.post("/rotation/order", data).status_code == 302
    return browser_for(app, "zhaomin")


def walk_in(desk, name, phone):
    done = desk.post("/rotation/walk-in", {"name": name, "phone": phone, "channel": "路过"},
                     htmx=True)
    assert done.status_code == 200, done.text
    return done.text


def test_on_the_last_valid_day_the_owner_receives_them_without_a_turn(app):
    ids = office(app)
    add_customer(app, ids["a"], "王五", "13700007777", when=at(2026, 1, 10))
    with time_machine.travel(LAST_VALID, tick=False):
        desk = _desk(app, ids, "b", "a", "c")
        page = walk_in(desk, "王五", "13700007777")
        assert "老客户" in page and "登记并分配 → 李军" in page  # 李军 still first
    with app.app_context():
        note = db.session.scalar(select(RotationAssignment.note))
        assert note == ("建档 2026-01-10,最后有效跟进 2026-01-10,归属 王芳,有效期至 2026-03-10;"
                        "到访日 2026-03-10 在有效期内 → 老客户由原顾问 王芳 接待,不计轮次"
                        "(规则:二.5(2))")


def test_an_expired_card_returning_uses_no_turn_and_the_reason_names_the_dates(app):
    ids = office(app)
    wang_wu = add_customer(app, ids["a"], "王五", "13700007777", when=at(2026, 1, 10))
    with time_machine.travel(DAY_AFTER, tick=False):
        desk = _desk(app, ids, "b", "a", "c")
        page = walk_in(desk, "王五", "13700007777")
        assert "老客户重访" in page
        assert "登记并分配 → 李军" in page  # the queue did not move: no turn used
        page = walk_in(desk, "赵六", "13600006666")
        assert "轮接" in page and "登记并分配 → 王芳" in page  # 李军's turn came after all
    with app.app_context():
        first = db.session.scalar(select(RotationAssignment).order_by(RotationAssignment.id))
        assert first.kind == "return" and first.consultant_id == ids["b"]
        assert "有效期至 2026-03-10;到访日 2026-03-11 超过有效期" in first.note
        assert "不计轮次(规则:二.5(2))" in first.note
        customer = db.session.get(Customer, wang_wu)
        assert customer.owner_id == ids["b"]
        claim = db.session.scalar(select(OwnershipChange).where(
            OwnershipChange.customer_id == wang_wu, OwnershipChange.kind == "claimed"))
        assert "重新登记日 2026-03-11 超过有效期 → 归属 李军" in claim.reason


def test_a_customer_from_the_pool_returning_uses_no_turn(app):
    ids = office(app)
    wang_wu = add_customer(app, ids["a"], "王五", "13700007777", when=at(2026, 1, 10))
    with app.app_context():
        ownership.release_expired(db.session.get(Project, ids["project"]),
                                  at=at(2026, 3, 11, 1))
        db.session.commit()
    with time_machine.travel(DAY_AFTER, tick=False):
        desk = _desk(app, ids, "c", "a", "b")
        page = walk_in(desk, "王五", "13700007777")
        assert "老客户重访" in page and "登记并分配 → 张伟" in page
    with app.app_context():
        first = db.session.scalar(select(RotationAssignment))
        assert "进入公共池(过期释放)" in first.note
        assert db.session.get(Customer, wang_wu).owner_id == ids["c"]


def test_a_lapsed_customer_who_names_a_consultant_is_not_called_a_first_visit(app):
    """王五's card ran out on 03-10; on 03-11 he asks for 张伟: 张伟 receives him without a
    turn, and the note says he came back (not 首次来访) with the card's dates."""
    ids = office(app)
    wang_wu = add_customer(app, ids["a"], "王五", "13700007777", when=at(2026, 1, 10))
    with time_machine.travel(DAY_AFTER, tick=False):
        desk = _desk(app, ids, "b", "a", "c")
        done = desk.post("/rotation/walk-in", {"name": "王五", "phone": "13700007777",
                                               "channel": "路过", "named": str(ids["c"])},
                         htmx=True)
        assert done.status_code == 200 and "登记并分配 → 李军" in done.text  # queue unmoved
    with app.app_context():
        first = db.session.scalar(select(RotationAssignment))
        assert first.kind == "named" and first.consultant_id == ids["c"]
        assert "首次来访" not in first.note
        assert ("有效期至 2026-03-10;到访日 2026-03-11 超过有效期 → 老客户重新上门,"
                "客户指定 张伟 接待,不计轮次(规则:二.5(2))") in first.note
        assert db.session.get(Customer, wang_wu).owner_id == ids["c"]
