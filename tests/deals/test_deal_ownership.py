"""以成交为准: a signed 认购书 keeps the buyer with their consultant; no expiry, no recycling."""
from datetime import timedelta

from app.extensions import db
from app.models import Customer, DealShare, Project, Unit, User
from app.services import clock
from app.services.customers import ownership
from app.services.deals import deposits, subscriptions
from app.services.deals.common import new_form_key
from app.services.reports import deal_stats
from tests.fixtures.deals import BUYER


def _sell_zhang(office, consultant, case=None):
    """1栋 101 sold to 张 (王芳's customer) by `consultant`: deposit, finance, 认购书."""
    secretary, finance = (db.session.scalar(db.select(User).where(User.username == name))
                          for name in ("zhaomin", "chenjing"))
    unit = db.session.get(Unit, office["units"]["1栋 101"])
    deposit, _ = deposits.record(unit, kind="large", amount_text="50000", method="transfer",
                                 receipt_no="1001", customer_id=office["zhang"],
                                 consultant_id=office[consultant], form_key=new_form_key(),
                                 actor=secretary, case=case)
    deposits.confirm(deposit, finance)
    subscriptions.sign(unit, {"form_key": new_form_key(), "plan": "full", **BUYER,
                              "customer_id": office["zhang"],
                              "sign_deadline": clock.today() + timedelta(days=7)}, secretary)
    db.session.commit()
    return deposit


def test_a_buyer_stays_with_the_consultant_after_the_card_would_expire(app, office):
    with app.app_context():
        _sell_zhang(office, "wangfang")
        project = db.session.get(Project, office["project"])
        later = clock.now() + timedelta(days=200)
        buyer, other = (db.session.get(Customer, office[key]) for key in ("zhang", "li"))
        assert buyer.deal_at is not None and ownership.ownership_valid(buyer, at=later)
        assert not ownership.ownership_valid(other, at=later)  # no deal: the card runs out
        expired = {customer.id for customer in ownership.expired_owned(project, at=later)}
        assert office["zhang"] not in expired and office["li"] in expired


def test_a_split_deal_counts_for_the_consultants_who_shared_it_whoever_owns_the_card_later(
        app, office):
    """合作成交 comes from the shares fixed when the deposit was recorded (seed 002), not from
    whoever owns the customer's card when the report runs."""
    with app.app_context():
        deposit = _sell_zhang(office, "lijun", case="customer_chose")
        shares = {share.user_id: share.percent for share in
                  db.session.scalars(db.select(DealShare).where(
                      DealShare.deposit_id == deposit.id))}
        assert shares == {office["lijun"]: 80, office["wangfang"]: 20}
        db.session.get(Customer, office["zhang"]).owner_id = office["lijun"]  # card moved
        db.session.commit()
        day = clock.now()
        figures = deal_stats.consultant_deals(office["project"], day - timedelta(days=1),
                                              day + timedelta(days=1))
        assert figures[office["lijun"]]["split"] == figures[office["wangfang"]]["split"] == 1
        assert figures[office["lijun"]]["subscriptions"] == 1
        assert figures[office["wangfang"]]["subscriptions"] == 0
