"""Two managers deciding at once: one decision stands, the other is told. Both engines."""

import pytest
from sqlalchemy import select

from app.extensions import db as _db
from app.models import DiscountEvent, DiscountRequest, DiscountStatus
from app.services import discounts
from app.services.errors import Conflict
from tests.discounts.conftest import T0, get, new_request, user
from tests.helpers import race


def _decide(office, request_id, name, approve):
    def job():
        try:
            discounts.decide(get(DiscountRequest, request_id), approve, "意见",
                             user(name, office))
            _db.session.commit()
            return "decided"
        except Conflict as exc:
            _db.session.rollback()
            return exc.message
    return job


def decision_events(request_id):
    return _db.session.scalars(select(DiscountEvent.kind).where(
        DiscountEvent.request_id == request_id,
        DiscountEvent.kind.in_(("approved", "rejected")))).all()


def test_a_stale_decision_loses_to_the_one_already_made(app, office):
    """The conditional UPDATE is the guard, not the read before it."""
    with app.app_context():
        request_id = new_request(office).id
        session = _db.session()
        session.expire_on_commit = False
        stale, liuqiang = get(DiscountRequest, request_id), user("liuqiang", office)
        _ = stale.project.approval_valid_days  # loaded now, used later
        session.commit()  # ends the read; `stale` keeps saying "pending"
        assert race(app, _decide(office, request_id, "sunhong", False)) == ["decided"]
        assert stale.status == DiscountStatus.PENDING
        with pytest.raises(Conflict, match="已由孙红于 .* 驳回,您的操作未执行"):
            discounts.decide(stale, True, "", liuqiang)
        _db.session.rollback()
        assert get(DiscountRequest, request_id).status == DiscountStatus.REJECTED
        assert decision_events(request_id) == ["rejected"]


def test_two_managers_at_once_through_the_queue(app, office, browser_for):
    with app.app_context():
        request_id = new_request(office).id
    managers = {name: browser_for(name) for name in ("liuqiang", "sunhong")}
    for browser in managers.values():
        browser.get("/discounts/queue")
    url = f"/discounts/{request_id}/decide"

    def click(name, decision):
        return lambda: managers[name].post(url, {"decision": decision, "comment": "意见"},
                                           htmx=True)

    responses = race(app, click("liuqiang", "approve"), click("sunhong", "reject"))
    assert all(r.status_code == 200 for r in responses), responses
    texts = [r.get_data(as_text=True) for r in responses]
    won = [t for t in texts if "的特殊优惠申请" in t and "您的操作未执行" not in t]
    lost = [t for t in texts if "您的操作未执行" in t]
    assert len(won) == 1 and len(lost) == 1, texts
    with app.app_context():
        final = get(DiscountRequest, request_id)
        assert final.status in (DiscountStatus.APPROVED, DiscountStatus.REJECTED)
        assert len(decision_events(request_id)) == 1
        # the loser's row shows the decision that stands
        assert final.decided_by.display_name in lost[0]


def test_one_approval_two_subscriptions_at_once(app, office):
    with app.app_context():
        request = new_request(office)
        discounts.decide(request, True, "", user("liuqiang", office), at=T0)
        _db.session.commit()
        request_id = request.id

    def use(ref):
        def job():
            try:
                discounts.consume(get(DiscountRequest, request_id), ref, user("zhaomin", office),
                                  at=T0)
                _db.session.commit()
                return ref
            except Conflict:
                _db.session.rollback()
                return None
        return job

    results = race(app, use("RG-1"), use("RG-2"), use("RG-3"))
    assert len([r for r in results if r]) == 1, results
    with app.app_context():
        used = get(DiscountRequest, request_id)
        assert used.status == DiscountStatus.USED and used.subscription_ref in results
        assert _db.session.scalars(select(DiscountEvent.kind).where(
            DiscountEvent.request_id == request_id, DiscountEvent.kind == "used")).all() == ["used"]
