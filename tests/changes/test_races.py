"""Races on executions, with threads on both engines: the target unit taken between the
approval and the execution, and two secretaries executing the same approved request."""
import hashlib

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import AuditLog, ChangeRequest, Payout, Subscription, Unit
from app.services.changes import execute, requests
from app.services.deals.common import new_form_key
from app.services.errors import Conflict
from tests.board.test_concurrency import _race, race_app  # noqa: F401 (fixture)
from tests.changes.conftest import balanced, sell, users
from tests.conftest import PASSWORD
from tests.helpers import Browser

RACERS = 6
TABLES = ("unit", "subscription", "deposit", "contract", "receipt", "payout", "change_request")


def _browser(app, username):
    browser = Browser(app.test_client())
    assert browser.login(username, PASSWORD).status_code == 302
    return browser


def approved(app, office, unit_key, kind, **extra):
    """A deal on `unit_key` with an approved request of `kind` (fixture data)."""
    with app.app_context():
        unit_id, _ = sell(office, unit_key, 1001)
        consultant, manager = users("wangfang", "liuqiang")
        change, _ = requests.ask(db.session.get(Unit, unit_id), {
            "form_key": new_form_key(), "kind": kind, "reason": "layout", **extra}, consultant)
        requests.decide(change, True, {"penalty": "1000"}, manager)
        db.session.commit()
        return unit_id, change.id


def snapshot(app):
    with app.app_context():
        digest = {name: hashlib.sha256(repr(db.session.execute(
            db.metadata.tables[name].select().order_by(
                *db.metadata.tables[name].primary_key.columns)).all()).encode()).hexdigest()
            for name in TABLES}
        db.session.rollback()
    return digest


def test_target_taken_after_approval_fails_cleanly(app, office, browser_for):
    target = office["units"]["1栋 104"]
    unit_id, change_id = approved(app, office, "1栋 101", "exchange", target_unit_id=target)
    other = browser_for("lijun")  # another consultant holds the target in the meantime
    assert other.post(f"/board/units/{target}/hold", {}, htmx=True).status_code == 200
    before = snapshot(app)
    failed = browser_for("zhaomin").post(f"/changes/{change_id}/execute", {})
    assert failed.status_code == 422 and "已被 李军 保留" in failed.text
    assert snapshot(app) == before  # nothing changed, the request is still approved
    with app.app_context():
        assert db.session.get(ChangeRequest, change_id).status == "approved"
        assert db.session.get(Unit, target).held_by_id == office["lijun"]


def test_target_sold_after_approval_fails_cleanly(app, office, browser_for):
    target = office["units"]["1栋 104"]
    unit_id, change_id = approved(app, office, "1栋 101", "exchange", target_unit_id=target)
    with app.app_context():
        sell(office, "1栋 104", 1100, customer="li", consultant="lijun")
    before = snapshot(app)
    failed = browser_for("zhaomin").post(f"/changes/{change_id}/execute", {})
    assert failed.status_code == 422 and "已认购" in failed.text
    assert snapshot(app) == before


def test_hold_racing_the_execution_one_of_them_wins(app, race_app, office):  # noqa: F811
    target = office["units"]["1栋 104"]
    unit_id, change_id = approved(app, office, "1栋 101", "exchange", target_unit_id=target)
    secretary, other = _browser(race_app, "zhaomin"), _browser(race_app, "lijun")

    def act(who):
        if who == "secretary":
            return who, secretary.post(f"/changes/{change_id}/execute", {}).status_code
        return who, other.post(f"/board/units/{target}/hold", {}, htmx=True).status_code

    results, errors = _race(act, ["secretary", "hold"])
    assert not errors, errors
    outcome = dict(results)
    with app.app_context():
        status = db.session.get(Unit, target).status
        change = db.session.get(ChangeRequest, change_id)
        if outcome["secretary"] == 302:
            assert status == "subscribed" and change.status == "executed"
            assert db.session.get(Unit, unit_id).status == "available"
        else:
            assert outcome["secretary"] == 422 and status == "held"
            assert change.status == "approved"
            assert db.session.get(Unit, unit_id).status == "subscribed"
        balanced(office["project"])


def test_two_secretaries_executing_the_same_exchange_execute_once(app, race_app,  # noqa: F811
                                                                  office):
    target = office["units"]["1栋 104"]
    unit_id, change_id = approved(app, office, "1栋 101", "exchange", target_unit_id=target)
    desks = [_browser(race_app, "zhaomin") for _ in range(RACERS)]
    results, errors = _race(lambda desk: desk.post(f"/changes/{change_id}/execute",
                                                   {}).status_code, desks)
    assert not errors, errors
    assert sorted(results) == [302] + [422] * (RACERS - 1)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Subscription)) == 2
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "change_executed")) == 1
        assert db.session.get(Unit, target).status == "subscribed"
        balanced(office["project"])


def test_two_secretaries_executing_the_same_refund_pay_out_once(app, race_app,  # noqa: F811
                                                                office):
    unit_id, change_id = approved(app, office, "1栋 102", "refund")
    desks = [_browser(race_app, "zhaomin") for _ in range(RACERS)]
    results, errors = _race(lambda desk: desk.post(f"/changes/{change_id}/execute",
                                                   {}).status_code, desks)
    assert not errors, errors
    assert sorted(results) == [302] + [422] * (RACERS - 1)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Payout)) == 1
        assert db.session.get(Unit, unit_id).status == "available"
        balanced(office["project"])


def test_service_refuses_a_second_execution(app, office):
    unit_id, change_id = approved(app, office, "1栋 103", "refund")
    with app.app_context():
        secretary = users("zhaomin")[0]
        change = db.session.get(ChangeRequest, change_id)
        execute.execute(change, {}, secretary)
        db.session.commit()
        try:
            execute.execute(change, {}, secretary)
            raise AssertionError("a second execution went through")
        except execute.Conflict as exc:
            assert "已批准待执行" in exc.message
        db.session.rollback()


def test_two_secretaries_recording_a_rejected_fee_again_record_it_once(app, race_app,  # noqa: F811
                                                                       office):
    from decimal import Decimal

    from app.models import Project, TransferFee
    from app.services.changes import payouts
    with app.app_context():
        db.session.get(Project, office["project"]).transfer_fee = Decimal("2000")
        unit_id, _ = sell(office, "1栋 103", 1001, contract=True)
        secretary, manager, finance = users("zhaomin", "liuqiang", "chenjing")
        consultant = users("wangfang")[0]
        change, _ = requests.ask(db.session.get(Unit, unit_id), {
            "form_key": new_form_key(), "kind": "rename", "reason": "buyer",
            "rename_action": "add", "rename_name": "王五",
            "rename_id_number": "110101199001011234"}, consultant)
        requests.decide(change, True, {}, manager)
        execute.execute(change, {"receipt_no": "1100", "method": "cash"}, secretary)
        payouts.decide_fee(change.fee, False, "未到账", finance)
        db.session.commit()
        change_id = change.id
    desks = [_browser(race_app, "zhaomin") for _ in range(RACERS)]
    results, errors = _race(lambda n: desks[n].post(f"/changes/{change_id}/fee", {
        "receipt_no": str(1200 + n), "method": "cash"}).status_code, range(RACERS))
    assert not errors, errors
    assert sorted(results) == [302] + [422] * (RACERS - 1)
    with app.app_context():
        statuses = db.session.scalars(select(TransferFee.status).order_by(TransferFee.id)).all()
        assert statuses == ["rejected", "pending"]
        balanced(office["project"])


def test_refund_refuses_a_subscription_voided_behind_its_back(app, office, monkeypatch):
    """A writer that voided the 认购书 after the deal was read (one that skipped the project
    lock) must not have its void overwritten: the refund stops and changes nothing."""
    unit_id, change_id = approved(app, office, "1栋 103", "refund")
    read_deal = execute.deals.of_unit

    def deal_then_voided(unit):
        deal = read_deal(unit)
        db.session.execute(update(Subscription).where(Subscription.id == deal.subscription.id)
                           .values(status="voided", void_reason="另一处作废"))
        return deal

    monkeypatch.setattr(execute.deals, "of_unit", deal_then_voided)
    with app.app_context():
        change = db.session.get(ChangeRequest, change_id)
        with pytest.raises(Conflict, match="认购书已作废"):
            execute.execute(change, {}, users("zhaomin")[0])
        db.session.rollback()
        assert db.session.get(ChangeRequest, change_id).status == "approved"
        assert db.session.get(Unit, unit_id).status == "subscribed"
