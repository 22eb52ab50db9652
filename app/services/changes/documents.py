"""Reissuing the 认购书 of a changed deal: the old one is voided and kept, a new one is
issued (认购书不能擅自涂改), and a signed contract follows the new one."""
from app.extensions import db
from app.services import audit, clock, record_status
from app.services.deals import contracts, subscriptions
from app.services.deals.common import new_form_key


def terms_of(sub, **changes):
    """The data of a reissue: the original's terms with `changes` applied."""
    buyers = changes.pop("co_buyers", subscriptions.co_buyers(sub))
    data = {"form_key": new_form_key(), "customer_id": sub.customer_id,
            "co_buyers": "\n".join(" ".join(buyer) for buyer in buyers),
            "deal_price": str(sub.deal_price), "plan": sub.plan,
            "down_payment": sub.down_payment and str(sub.down_payment), "bank": sub.bank,
            "sign_deadline": max(sub.sign_deadline, clock.today()), "address": sub.address,
            "id_type": sub.buyer_id_type, "id_number": sub.buyer_id_number,
            "identity_note": sub.identity_note or "沿用原认购书"}
    data.update(changes)
    return data


def reissue(original, unit, data, reason, actor, now):
    """Void `original` and issue its replacement for `unit`; returns the new 认购书."""
    record_status.transition(original, "void", actor, reason=reason, now=now)
    contract = contracts.of_subscription(original.id)
    # the private constructor of deals/subscriptions: same checks and numbering as a sale
    fresh = subscriptions._new(unit, original.deposit, data, data["form_key"], actor, now,
                               replaces=original)
    audit.record("subscription_reissued", "subscription", fresh.id,
                 project_id=original.project_id, user=actor, reason=reason,
                 after={"number": fresh.number, "unit": unit.id, "deal_price": fresh.deal_price,
                        "customer": fresh.customer_id, "replaces": original.number})
    if contract is not None:
        contract.subscription_id = fresh.id
    db.session.expire(original)
    return fresh, contract
