"""Races on money forms: two deposits for one unit, and one form posted twice at once."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, Deposit, Receipt, Unit
from tests.board.test_concurrency import _race, race_app  # noqa: F401 (fixture)
from tests.conftest import PASSWORD
from tests.deals.conftest import form_key
from tests.helpers import Browser

RACERS = 8


def _browser(app, username):
    browser = Browser(app.test_client())
    assert browser.login(username, PASSWORD).status_code == 302
    return browser


def _counts(app, unit_id):
    with app.app_context():
        deposits = db.session.scalar(select(func.count()).select_from(Deposit))
        receipts = db.session.scalar(select(func.count()).select_from(Receipt))
        moves = db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "unit_record_deposit", AuditLog.object_id == str(unit_id)))
        return deposits, receipts, moves, db.session.get(Unit, unit_id).status


def test_deposits_racing_for_one_unit_one_wins(app, race_app, office):  # noqa: F811
    unit_id = office["units"]["1栋 301"]
    desks = [_browser(race_app, "zhaomin") for _ in range(RACERS)]
    forms = []
    for number, desk in enumerate(desks, start=1001):
        page = desk.get(f"/deals/units/{unit_id}/deposit").text
        forms.append((desk, {"form_key": form_key(page), "customer_id": office["zhang"],
                             "consultant_id": office["wangfang"], "kind": "small",
                             "amount": "5000", "method": "cash", "receipt_no": str(number)}))

    def post(item):
        desk, data = item
        response = desk.post(f"/deals/units/{unit_id}/deposit", data)
        return response.status_code, response.get_data(as_text=True)

    results, errors = _race(post, forms)
    assert not errors, errors
    assert sorted(status for status, _ in results) == [302] + [422] * (RACERS - 1)
    assert all("定金待确认" in text for status, text in results if status == 422)
    assert _counts(app, unit_id) == (1, 1, 1, "deposit_pending")


def test_the_same_form_posted_twice_at_once_records_one_deposit(app, race_app,  # noqa: F811
                                                                 office):
    unit_id = office["units"]["1栋 302"]
    desk = _browser(race_app, "zhaomin")
    page = desk.get(f"/deals/units/{unit_id}/deposit").text
    data = {"form_key": form_key(page), "customer_id": office["zhang"],
            "consultant_id": office["wangfang"], "kind": "small", "amount": "5000",
            "method": "cash", "receipt_no": "1050"}
    results, errors = _race(lambda _: desk.post(f"/deals/units/{unit_id}/deposit",
                                                data).status_code, range(RACERS))
    assert not errors, errors
    assert results == [302] * RACERS
    assert _counts(app, unit_id) == (1, 1, 1, "deposit_pending")
