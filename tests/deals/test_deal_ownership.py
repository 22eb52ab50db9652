"""以成交为准: a signed 认购书 keeps the buyer with their consultant; no expiry, no recycling."""
from datetime import timedelta

from app.extensions import db
from app.models import Customer, Project, Unit, User
from app.services import clock, ownership
from app.services.deals import deposits, subscriptions
from app.services.deals.common import new_form_key


def test_a_buyer_stays_with_the_consultant_after_the_card_would_expire(app, office):
    with app.app_context():
        secretary, finance = (db.session.scalar(db.select(User).where(User.username == name))
                              for name in ("zhaomin", "chenjing"))
        unit = db.session.get(Unit, office["units"]["1栋 101"])
        deposit, _ = deposits.record(unit, kind="large", amount_text="50000", method="transfer",
                                     receipt_no="1001", customer_id=office["zhang"],
                                     consultant_id=office["wangfang"], form_key=new_form_key(),
                                     actor=secretary)
        deposits.confirm(deposit, finance)
        subscriptions.sign(unit, {"form_key": new_form_key(), "plan": "full",
                                  "customer_id": office["zhang"],
                                  "sign_deadline": clock.today() + timedelta(days=7)}, secretary)
        db.session.commit()
        project = db.session.get(Project, office["project"])
        later = clock.now() + timedelta(days=200)
        buyer, other = (db.session.get(Customer, office[key]) for key in ("zhang", "li"))
        assert buyer.deal_at is not None and ownership.ownership_valid(buyer, at=later)
        assert not ownership.ownership_valid(other, at=later)  # no deal: the card runs out
        expired = {customer.id for customer in ownership.expired_owned(project, at=later)}
        assert office["zhang"] not in expired and office["li"] in expired
