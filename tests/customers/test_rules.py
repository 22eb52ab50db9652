"""Customer rules with frozen time: registration and duplicates, the 2-month card, the
first follow-up window, grades, monthly recycling, reassignment (seeds 000, 001, 002)."""
from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from app.models import AuditLog, OwnershipChange
from app.services.customers import cards, ownership, visit_stats, visits
from app.services.customers.cards import DuplicateCustomer
from app.services.customers.today import my_day
from app.services.errors import RuleViolation
from tests.fixtures.customers import at, build

FIRST_VISIT = at(2026, 1, 10)


@pytest.fixture
def w(db):
    return build()


def _register(w, owner, phone="13800138000", when=FIRST_VISIT, name="张三", visit=True):
    with time_machine.travel(when, tick=False):
        customer, _ = cards.register(w.project, name, phone, "路过", owner)
        if visit:
            visits.record_visit(customer, owner, "visit")
        return customer


def _last_change(customer):
    from app.extensions import db
    return db.session.scalar(select(OwnershipChange).where(
        OwnershipChange.customer_id == customer.id).order_by(OwnershipChange.id.desc()).limit(1))


def test_duplicate_phone_is_refused_naming_the_owner_and_the_date(db, w):
    with time_machine.travel(at(2026, 3, 2), tick=False):
        customer, taken = cards.register(w.project, " 张三 ", "+86 138-0013-8000", "路过", w.a)
    assert (customer.name, customer.phone, customer.phone_mask) == ("张三", "13800138000",
                                                                     "138****8000")
    assert not taken and customer.owner == w.a
    db.session.commit()
    with time_machine.travel(at(2026, 3, 20), tick=False):
        with pytest.raises(DuplicateCustomer) as refused:
            cards.register(w.project, "张三丰", "0086 138 0013 8000", "网络", w.b)
    assert refused.value.message == "该号码已登记:归属置业顾问 王芳,登记于 2026-03-02"
    assert refused.value.field == "phone"
    with pytest.raises(RuleViolation, match="格式不正确"):
        cards.register(w.project, "李四", "1380013800", "路过", w.b)
    with pytest.raises(RuleViolation, match="认知途径"):
        cards.register(w.project, "李四", "13900139000", "", w.b)


def test_card_is_valid_two_months_after_the_last_visit_or_effective_follow_up(db, w):
    customer = _register(w, w.a, when=at(2026, 1, 10, 15))
    assert ownership.valid_until(customer).isoformat() == "2026-03-10"
    with time_machine.travel(at(2026, 2, 20), tick=False):
        visits.record_follow_up(customer, w.a, "phone", "未接通", effective=False)
    assert ownership.valid_until(customer).isoformat() == "2026-03-10"  # not reached: no credit
    assert ownership.ownership_valid(customer, at(2026, 3, 10, 23, 59))
    assert not ownership.ownership_valid(customer, at(2026, 3, 11, 0, 1))
    with time_machine.travel(at(2026, 3, 1), tick=False):
        visits.record_follow_up(customer, w.a, "wechat", "发了户型图", effective=True)
    assert ownership.valid_until(customer).isoformat() == "2026-05-01"
    db.session.commit()
    with time_machine.travel(at(2026, 5, 2), tick=False):
        taken, claimed = cards.register(w.project, "张三", "13800138000", "网络", w.b)
    assert claimed and taken.id == customer.id and taken.owner == w.b
    kinds = db.session.scalars(select(OwnershipChange.kind).order_by(OwnershipChange.id)).all()
    assert kinds == ["registered", "claimed"]


def test_month_end_card_expiry_is_clamped(db, w):
    customer = _register(w, w.a, when=at(2025, 12, 31))
    assert ownership.valid_until(customer).isoformat() == "2026-02-28"


def test_expired_cards_go_to_the_pool_and_deals_never_expire(db, w):
    from app.services.customers.attribution import mark_deal
    stale = _register(w, w.a, when=at(2026, 1, 5))
    sold = _register(w, w.a, phone="13900139000", when=at(2026, 1, 5))
    fresh = _register(w, w.b, phone="13700137000", when=at(2026, 2, 20))
    mark_deal(sold, at(2026, 2, 1))
    with time_machine.travel(at(2026, 3, 10), tick=False):
        assert ownership.expired_owned(w.project) == [stale]
        released = ownership.release_expired(w.project, by=w.manager)
    assert released == [stale] and stale.owner is None and stale.pool_reason == "expired"
    assert _last_change(stale).reason == (
        "建档 2026-01-05,最后有效跟进 2026-01-05,归属 王芳,有效期至 2026-03-05;"
        "释放日 2026-03-10 超过有效期 → 公共池(规则:002 客户建档有效期为2个月)")
    assert sold.owner == w.a and fresh.owner == w.b
    assert ownership.pool(w.project.id) == [stale]


def test_first_follow_up_is_due_three_to_five_days_after_the_first_visit(db, w):
    customer = _register(w, w.a, when=at(2026, 4, 1, 14))
    assert (customer.follow_up_due_on.isoformat(), customer.follow_up_deadline.isoformat()) == \
        ("2026-04-04", "2026-04-06")
    expected = {3: "scheduled", 4: "due", 5: "due", 6: "due", 7: "overdue"}
    for day, state in expected.items():
        assert visits.follow_up_state(customer, at(2026, 4, day).date()) == state
    db.session.commit()
    with time_machine.travel(at(2026, 4, 5, 9), tick=False):
        page = my_day(w.a, w.project.id)
        assert page["due"] == [customer] and page["overdue"] == []
    with time_machine.travel(at(2026, 4, 7, 9), tick=False):
        page = my_day(w.a, w.project.id)
        assert page["overdue"] == [customer] and page["due"] == []
        with pytest.raises(RuleViolation, match="不能早于今天"):
            visits.record_follow_up(customer, w.a, "phone", "回访", next_on=at(2026, 4, 6).date())
        visits.record_follow_up(customer, w.a, "phone", "约周六看样板间",
                                next_on=at(2026, 4, 11).date())
        assert my_day(w.a, w.project.id)["overdue"] == []
    assert visits.follow_up_state(customer, at(2026, 4, 11).date()) == "due"


def test_a_repeat_visit_counts_and_does_not_restart_the_first_follow_up(db, w):
    customer = _register(w, w.a, when=at(2026, 4, 1))
    with time_machine.travel(at(2026, 4, 9), tick=False):
        second = visits.record_visit(customer, w.a, "visit")
        call = visits.record_visit(customer, w.a, "call")
    assert (second.visit_no, second.is_first, call.visit_no) == (2, False, 2)
    assert customer.follow_up_deadline.isoformat() == "2026-04-06"


def test_grade_changes_need_a_reason_and_downgrades_reach_the_manager(db, w):
    customer = _register(w, w.a)
    with pytest.raises(RuleViolation, match="原因"):
        visits.change_grade(customer, "A", " ", by=w.a)
    visits.change_grade(customer, "A", "看中 2栋 1801", by=w.a)
    up = visits.change_grade(customer, "B", "家人意见不统一", by=w.a)
    assert up.is_downgrade and visits.downgrades(w.project.id) == [up]
    assert customer.grade == "A"  # waits for the manager
    visits.acknowledge(up, by=w.manager)
    assert visits.downgrades(w.project.id) == [] and customer.grade == "B"
    with pytest.raises(RuleViolation, match="已是 B 级"):
        visits.change_grade(customer, "B", "重复", by=w.a)


def test_recycling_takes_customers_three_months_after_their_visit_once_a_month(db, w):
    from app.services.customers.attribution import mark_deal
    old = _register(w, w.a, when=at(2026, 1, 15))
    bought = _register(w, w.b, phone="13900139000", when=at(2026, 1, 15))
    mark_deal(bought, at(2026, 3, 1))
    with time_machine.travel(at(2026, 3, 20), tick=False):  # kept valid by calls
        visits.record_follow_up(old, w.a, "phone", "保持联系", next_on=at(2026, 4, 20).date())
    assert ownership.recycle_due(w.project, at(2026, 4, 14)) == []
    assert ownership.recycle_due(w.project, at(2026, 4, 15)) == [old]
    with time_machine.travel(at(2026, 4, 15), tick=False):
        assert ownership.recycle(w.project, by=w.manager) == [old]
    assert old.owner is None and old.pool_reason == "recycled" and bought.owner == w.b
    assert _last_change(old).reason == (
        "最近到访 2026-01-15,满 3 个月 2026-04-15 未成交 → 公共池,由经理重新分配"
        "(规则:001 过期客户资源(即到访3个月)统一回收,每月一次)")
    db.session.commit()
    with time_machine.travel(at(2026, 4, 28), tick=False):
        with pytest.raises(RuleViolation, match="本月已于 04-15"):
            ownership.recycle(w.project, by=w.manager)
    with time_machine.travel(at(2026, 5, 2), tick=False):
        assert ownership.recycle(w.project, by=w.manager) == []
    runs = db.session.scalars(select(AuditLog.after).where(
        AuditLog.action == "customers_recycled").order_by(AuditLog.id)).all()
    assert runs == ['{"customers": 1}', '{"customers": 0}']


def test_reassigning_a_leaving_consultants_customers_at_random_and_evenly(db, w):
    for n in range(7):
        _register(w, w.a, phone=f"1380013800{n}", name=f"客户{n}")
    with pytest.raises(RuleViolation, match="原因"):
        ownership.reassign_all(w.project, w.a.id, None, by=w.manager, reason="")
    counts = ownership.reassign_all(w.project, w.a.id, None, by=w.manager, reason="王芳离职")
    assert sorted(counts.values()) == [2, 2, 3] and w.a not in counts
    assert not cards.search(w.project.id, owner_id=w.a.id)
    changes = db.session.scalars(select(OwnershipChange).where(
        OwnershipChange.kind == "reassigned")).all()
    assert len(changes) == 7 and {c.reason for c in changes} == {"王芳离职"}


def test_search_works_on_full_masked_and_last_four_digits(db, w):
    zhang = _register(w, w.a, phone="13800138000", name="张三")
    li = _register(w, w.b, phone="13912345678", name="李四")
    assert cards.search(w.project.id, "138-0013-8000") == [zhang]
    assert cards.search(w.project.id, "139****5678") == [li]
    assert cards.search(w.project.id, "5678") == [li]
    assert cards.search(w.project.id, "张") == [zhang]
    assert cards.search(w.project.id, "%") == []


def test_the_saturday_check_counts_grades_per_consultant_as_they_were(db, w):
    from app.services.customers.visit_stats import saturdays, weekly_grade_check
    assert [d.isoformat() for d in saturdays(at(2026, 6, 3).date(), 3)] == [
        "2026-05-23", "2026-05-30", "2026-06-06"]
    first = _register(w, w.a, when=at(2026, 5, 20))
    second = _register(w, w.b, phone="13900139000", when=at(2026, 5, 20))
    with time_machine.travel(at(2026, 5, 21), tick=False):
        visits.change_grade(first, "B", "有意向", by=w.a)
        visits.change_grade(second, "C", "观望", by=w.b)
    with time_machine.travel(at(2026, 6, 1), tick=False):  # after Saturday 05-30
        visits.change_grade(first, "A", "看中 1801", by=w.a)
        ownership.settle(second, w.a.id, "登记表显示王芳先接待", by=w.manager)
    with time_machine.travel(at(2026, 6, 3), tick=False):
        check = weekly_grade_check(w.project.id, at(2026, 6, 3).date(), weeks=2)
    (may30, last_week), (_june6, this_week) = check["weeks"]
    assert may30.isoformat() == "2026-05-30"
    assert last_week[w.a.id] == {"B": 1} and last_week[w.b.id] == {"C": 1}
    assert this_week[w.a.id] == {"A": 1, "C": 1} and not this_week.get(w.b.id)


def test_a_simultaneous_second_registration_is_refused_by_the_database(db, w, monkeypatch):
    first = _register(w, w.a, visit=False)
    db.session.commit()
    # the other desk looked the number up before this one was saved
    monkeypatch.setattr(cards, "find_by_phone", lambda project_id, phone: None)
    with pytest.raises(DuplicateCustomer, match="刚刚已被其他人登记"):
        cards.register(w.project, "张三", "13800138000", "路过", w.b)
    db.session.commit()  # the savepoint rolled back; the transaction goes on
    assert cards.search(w.project.id, "13800138000") == [first]
    assert first.owner == w.a


def test_a_downgrade_applies_only_when_the_manager_confirms_it(db, w):
    """Seed 000: 客户的退化,必须及时报告现场主管,经分析确实无误后及时对电子温馨卡进行修改."""
    customer = _register(w, w.a)
    with time_machine.travel(at(2026, 3, 1, 23, 59), tick=False):
        visits.change_grade(customer, "B", "首次接待", by=w.a)
        down = visits.change_grade(customer, "C", "预算不足", by=w.a)
    assert down.status == "pending" and customer.grade == "B"
    with pytest.raises(RuleViolation, match="B → C 正等待经理确认"):
        visits.change_grade(customer, "A", "又来了", by=w.a)
    with time_machine.travel(at(2026, 3, 2, 0, 0), tick=False):
        visits.acknowledge(down, by=w.manager)
    assert customer.grade == "C" and down.status == "applied"
    assert "2026-03-01 申请 B→C,2026-03-02 经理确认" in down.decision_note
    check = visit_stats.weekly_grade_check(w.project.id, date(2026, 3, 7))
    counts = dict(check["weeks"])
    assert counts[date(2026, 2, 28)][w.a.id]["B"] == 0  # the grade came on 03-01
    assert counts[date(2026, 3, 7)][w.a.id] == {"C": 1}
    again = visits.change_grade(customer, "D", "联系不上", by=w.a)
    with pytest.raises(RuleViolation, match="驳回降级的原因"):
        visits.decide_downgrade(again, False, " ", by=w.manager)
    visits.decide_downgrade(again, False, "上周仍来电问价", by=w.manager)
    assert customer.grade == "C" and again.status == "rejected"
    assert visits.downgrades(w.project.id) == []
    with pytest.raises(RuleViolation, match="已处理"):
        visits.acknowledge(again, by=w.manager)
