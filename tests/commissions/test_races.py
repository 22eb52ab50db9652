"""Races on commission money: managers approving the same lines at once, finance paying the
same lines at once. One wins; the others are told in Chinese; nothing is half-saved."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, CommissionBatch, CommissionLine, LineStatus
from app.services import clock
from tests.board.test_concurrency import _race, race_app  # noqa: F401 (fixture)

RACERS = 4


def _ids(app, status):
    with app.app_context():
        return db.session.scalars(select(CommissionLine.id).where(
            CommissionLine.status == status).order_by(CommissionLine.id)).all()


def _count(app, model, **where):
    with app.app_context():
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return db.session.scalar(query)


def test_managers_approving_the_same_lines_at_once_one_wins(app, race_app, office,  # noqa: F811
                                                            browser):
    ids = _ids(app, LineStatus.PAYABLE)
    desks = [browser(office[name], race_app) for name in ("manager", "manager2") * 2]
    for desk in desks:
        desk.get("/commissions/approvals")
    results, errors = _race(lambda desk: desk.post("/commissions/approvals", {"lines": ids}),
                            desks)
    assert not errors, errors
    statuses = sorted(r.status_code for r in results)
    assert statuses == [302] + [422] * (RACERS - 1)
    assert all("请刷新" in r.get_data(as_text=True) for r in results if r.status_code == 422)
    assert _count(app, CommissionBatch) == 1
    assert _count(app, AuditLog, action="commission_approved") == len(ids)
    assert _ids(app, LineStatus.APPROVED) == ids


def test_finance_paying_the_same_lines_at_once_pays_them_once(app, race_app, office,  # noqa: F811
                                                               browser):
    ids = _ids(app, LineStatus.PAYABLE)
    assert browser(office["manager"]).post("/commissions/approvals",
                                           {"lines": ids}).status_code == 302
    desks = [browser(office["finance"], race_app) for _ in range(RACERS)]
    for desk in desks:
        desk.get("/commissions/payouts")
    data = {"lines": ids, "paid_on": clock.today().isoformat(), "method": "transfer",
            "reference": "HD-9"}
    results, errors = _race(lambda desk: desk.post("/commissions/payouts", data), desks)
    assert not errors, errors
    assert sorted(r.status_code for r in results) == [302] + [422] * (RACERS - 1)
    assert _count(app, AuditLog, action="commission_paid") == len(ids)
    assert _ids(app, LineStatus.PAID) == ids
