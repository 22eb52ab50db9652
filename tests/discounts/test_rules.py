"""The special-discount rules, at the service level, on both engines."""
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from app.models import AuditLog, Customer, DiscountEvent, DiscountStatus, Unit
from app.services import discounts
from app.services.discounts import queries
from app.services.errors import Conflict, NotAllowed, RuleViolation
from tests.discounts.conftest import T0, get, new_request, user

D = Decimal


def events(db, request):
    return db.session.scalars(select(DiscountEvent.kind).where(
        DiscountEvent.request_id == request.id).order_by(DiscountEvent.id)).all()


def test_request_keeps_the_prices_it_was_decided_on(db, office):
    request = new_request(office, kind="percent", value="3")
    assert request.status == DiscountStatus.PENDING
    assert (request.list_price, request.deal_price) == (D("2000000.00"), D("1940000.00"))
    assert request.discount_amount == D("60000.00") and request.floor_price == D("1880000.00")
    assert events(db, request) == ["requested"]
    assert db.session.scalar(select(AuditLog.action).where(
        AuditLog.object_type == "discount_request")) == "discount_requested"


def test_only_for_open_units_own_customers_and_once_at_a_time(db, office):
    customer, wangfang = get(Customer, office["customer"]), user("wangfang", office)
    with pytest.raises(NotAllowed):
        discounts.create_request(get(Customer, office["other_customer"]),
                                 get(Unit, office["unit_a"]), "amount", "1000", "x", wangfang)
    with pytest.raises(RuleViolation, match="已认购"):
        discounts.create_request(customer, get(Unit, office["unit_sold"]), "amount", "1000",
                                 "x", wangfang)
    with pytest.raises(RuleViolation, match="不属于同一项目"):
        discounts.create_request(get(Customer, office["foreign_customer"]),
                                 get(Unit, office["unit_a"]), "amount", "1000", "x", wangfang)
    with pytest.raises(RuleViolation, match="申请理由"):
        discounts.create_request(customer, get(Unit, office["unit_a"]), "amount", "1000", " ",
                                 wangfang)
    first = new_request(office)
    with pytest.raises(RuleViolation, match="已有待审批"):
        new_request(office)
    db.session.rollback()
    discounts.withdraw(first, wangfang)
    db.session.commit()
    assert new_request(office).status == DiscountStatus.PENDING


def test_consultants_and_secretaries_cannot_approve(db, office):
    request = new_request(office)
    for name in ("lijun", "zhaomin", "chenjing"):
        with pytest.raises(NotAllowed):
            discounts.decide(request, True, "", user(name, office))
    assert get(type(request), request.id).status == DiscountStatus.PENDING


def test_nobody_approves_their_own_request(db, office):
    own = new_request(office, by="liuqiang")  # managers may ask for their own deals
    with pytest.raises(RuleViolation, match="不能审批自己"):
        discounts.decide(own, True, "", user("liuqiang", office))
    view = queries.view_of(own, user("liuqiang", office), show_floor=True)
    assert not view.approvable and "本人" in view.note
    discounts.decide(own, True, "同意", user("sunhong", office))
    assert own.status == DiscountStatus.APPROVED and own.decided_by_id == office["sunhong"]


def test_over_the_limit_escalates_to_an_approver_with_a_higher_limit(db, office):
    below_floor = new_request(office, kind="price", value="1850000")  # 30,000 below the floor
    liuqiang = user("liuqiang", office)
    with pytest.raises(RuleViolation, match="超出您的审批权限.*需由 周总 审批"):
        discounts.decide(below_floor, True, "", liuqiang)
    views, _verbal = queries.queue(office["project"], liuqiang, show_floor=True)
    assert not views[0].approvable and "需由 周总 审批" in views[0].note
    # a senior manager with room below the floor is named, and may approve
    discounts.set_limit(office["project"], user("sunhong", office), "10", "", "50000",
                        user("boss", office))
    db.session.commit()
    views, _verbal = queries.queue(office["project"], liuqiang, show_floor=True)
    assert "需由 孙红、周总 审批" in views[0].note
    discounts.decide(below_floor, True, "", user("sunhong", office))
    assert below_floor.status == DiscountStatus.APPROVED


def test_percent_and_amount_limits_apply_to_managers(db, office):
    discounts.set_limit(office["project"], user("liuqiang", office), "3", "50000", "0",
                        user("boss", office))
    four_percent = new_request(office, kind="percent", value="4")
    with pytest.raises(RuleViolation, match="低于表价不超过 3.00%"):
        discounts.decide(four_percent, True, "", user("liuqiang", office))
    discounts.decide(four_percent, False, "超出政策", user("liuqiang", office))  # may still say no
    assert four_percent.status == DiscountStatus.REJECTED


def test_rejection_needs_a_reason(db, office):
    request = new_request(office)
    with pytest.raises(RuleViolation, match="驳回时请填写原因"):
        discounts.decide(request, False, "  ", user("liuqiang", office))
    discounts.decide(request, False, "价格已是底线", user("liuqiang", office))
    assert events(db, request) == ["requested", "rejected"]


def test_an_approval_is_for_that_customer_and_unit_only(db, office):
    request = new_request(office, unit="unit_a")
    discounts.decide(request, True, "", user("liuqiang", office), at=T0)
    db.session.commit()
    assert discounts.usable_approval(office["customer"], office["unit_a"], T0) == request
    assert discounts.usable_approval(office["customer"], office["unit_b"], T0) is None
    assert discounts.usable_approval(office["other_customer"], office["unit_a"], T0) is None
    with pytest.raises(RuleViolation, match="须先有"):
        discounts.require_approval_for(get(Customer, office["customer"]),
                                       get(Unit, office["unit_b"]), D("1900000.00"), at=T0)


def test_an_approval_expires_after_the_projects_validity(db, office):
    request = new_request(office, at=T0)
    discounts.decide(request, True, "", user("liuqiang", office), at=T0)
    db.session.commit()
    almost = T0 + timedelta(days=7) - timedelta(minutes=1)
    assert discounts.usable_approval(office["customer"], office["unit_a"], almost) == request
    with time_machine.travel(T0 + timedelta(days=7, minutes=1), tick=False):
        assert discounts.usable_approval(office["customer"], office["unit_a"]) is None
        assert request.effective_status(T0 + timedelta(days=7)) == DiscountStatus.EXPIRED
        with pytest.raises(Conflict, match="已过期"):
            discounts.consume(request, "RG-001", user("zhaomin", office))
        db.session.rollback()
        assert discounts.expire_due(office["project"]) == 1
        db.session.commit()
    assert get(type(request), request.id).status == DiscountStatus.EXPIRED
    assert events(db, request) == ["requested", "approved", "expired"]


def test_consumed_exactly_once(db, office):
    request = new_request(office, kind="price", value="1900000")
    discounts.decide(request, True, "", user("liuqiang", office), at=T0)
    customer, unit = get(Customer, office["customer"]), get(Unit, office["unit_a"])
    assert discounts.require_approval_for(customer, unit, D("2000000.00"), at=T0) is None
    with pytest.raises(RuleViolation, match="低于已批准的特殊优惠价"):
        discounts.require_approval_for(customer, unit, D("1899999.00"), at=T0)
    approval = discounts.require_approval_for(customer, unit, D("1900000.00"), at=T0)
    discounts.consume(approval, "RG-2026-0001", user("zhaomin", office), at=T0)
    db.session.commit()
    assert request.status == DiscountStatus.USED and request.subscription_ref == "RG-2026-0001"
    with pytest.raises(Conflict, match="RG-2026-0001"):
        discounts.consume(request, "RG-2026-0002", user("zhaomin", office), at=T0)
    db.session.rollback()
    assert discounts.usable_approval(office["customer"], office["unit_a"], T0) is None
    with pytest.raises(RuleViolation, match="须先有"):
        discounts.require_approval_for(customer, unit, D("1900000.00"), at=T0)
    assert events(db, request) == ["requested", "approved", "used"]


def test_verbal_approval_counts_but_is_overdue_after_seven_days(db, office):
    office_project = db.session.get(Unit, office["unit_a"]).building.project
    office_project.approval_valid_days = 30  # keep validity apart from the 7-day deadline
    request = new_request(office, at=T0)
    liuqiang, zhaomin = user("liuqiang", office), user("zhaomin", office)
    with pytest.raises(NotAllowed):
        discounts.record_verbal(request, liuqiang, T0, "电话同意", user("wangfang", office), at=T0)
    with pytest.raises(RuleViolation, match="请选择批准的销售经理"):
        discounts.record_verbal(request, user("wangfang", office), T0, "x", zhaomin, at=T0)
    discounts.record_verbal(request, liuqiang, T0, "电话同意 3 万", zhaomin, at=T0)
    db.session.commit()
    assert request.status == DiscountStatus.APPROVED and request.verbal
    assert discounts.usable_approval(office["customer"], office["unit_a"], T0) == request
    with time_machine.travel(T0 + timedelta(days=7, minutes=1), tick=False):
        assert request.verbal_overdue(T0 + timedelta(days=7, minutes=1))
        alerts = queries.dashboard(office["project"], liuqiang)
        assert [r.id for r in alerts["overdue"]] == [request.id]
        assert discounts.usable_approval(office["customer"], office["unit_a"]) is None
        customer = db.session.get(Customer, office["customer"])
        unit = db.session.get(Unit, office["unit_a"])
        with pytest.raises(RuleViolation, match="口头批准已逾期"):  # not "no approval"
            discounts.require_approval_for(customer, unit, request.deal_price)
        with pytest.raises(NotAllowed):
            discounts.confirm_verbal(request, user("sunhong", office))
        discounts.confirm_verbal(request, liuqiang, "补确认")
        db.session.commit()
        assert not request.verbal_overdue(T0 + timedelta(days=8))
        assert queries.dashboard(office["project"], liuqiang)["overdue"] == []
        assert discounts.usable_approval(office["customer"], office["unit_a"]) == request
    assert events(db, request) == ["requested", "verbal", "confirmed"]


def test_verbal_approval_needs_an_approver_within_limit_and_a_recent_time(db, office):
    request = new_request(office, kind="price", value="1850000", at=T0)
    zhaomin = user("zhaomin", office)
    with pytest.raises(RuleViolation, match="超出刘强的审批权限"):
        discounts.record_verbal(request, user("liuqiang", office), T0, "同意", zhaomin, at=T0)
    with pytest.raises(RuleViolation, match="不能晚于现在"):
        discounts.record_verbal(request, user("boss", office), T0 + timedelta(hours=1), "同意",
                                zhaomin, at=T0)
    with pytest.raises(RuleViolation, match="7 天前"):
        discounts.record_verbal(request, user("boss", office), T0 - timedelta(days=8), "同意",
                                zhaomin, at=T0)
    with pytest.raises(RuleViolation, match="请选择批准的销售经理"):
        discounts.record_verbal(request, user("chenjing", office), T0, "同意", zhaomin, at=T0)
    assert request.status == DiscountStatus.PENDING
    own = new_request(office, unit="unit_b", by="liuqiang", at=T0)
    with pytest.raises(RuleViolation, match="不能审批自己"):
        discounts.record_verbal(own, user("liuqiang", office), T0, "同意", zhaomin, at=T0)


def test_the_log_is_append_only_in_the_database(db, office):
    new_request(office)
    for statement in ("UPDATE discount_event SET detail = 'x'", "DELETE FROM discount_event"):
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(DiscountEvent)) == 1
