"""What became of a 认购书, as the office says it: 有效, 已退房, 已换房 or 已作废 (a correction
or a 换名 reissued it). One reading for its page, the 认购明细表, the special discount it used
and its QR check: a refunded 认购书 is 已退房 wherever it is named, never 已作废."""
from sqlalchemy import case, exists, select

from app.extensions import db
from app.models import ChangeRequest, ChangeStatus, Subscription, SubscriptionStatus

OUTCOMES = {SubscriptionStatus.SIGNED: "有效", "refunded": "已退房", "exchanged": "已换房",
            SubscriptionStatus.VOIDED: "已作废"}
# the outcomes whose money no longer counts in a register's totals
ENDED = ("refunded", "exchanged", SubscriptionStatus.VOIDED)
_BY_CHANGE = {"refund": "refunded", "exchange": "exchanged"}


def _executed(kind, subscription_id):
    return exists().where(ChangeRequest.subscription_id == subscription_id,
                          ChangeRequest.status == ChangeStatus.EXECUTED,
                          ChangeRequest.kind == kind)


def outcome_sql():
    """The outcome code of each row's 认购书, for a SELECT over Subscription."""
    return case((Subscription.status == SubscriptionStatus.SIGNED, SubscriptionStatus.SIGNED),
                *[(_executed(kind, Subscription.id), code) for kind, code in _BY_CHANGE.items()],
                else_=SubscriptionStatus.VOIDED)


def labels_of(subscriptions):
    """{subscription id: Chinese outcome} of the given 认购书 (one query)."""
    ids = [sub.id for sub in subscriptions]
    if not ids:
        return {}
    rows = db.session.execute(select(Subscription.id, outcome_sql())
                              .where(Subscription.id.in_(ids))).all()
    return {sub_id: OUTCOMES[code] for sub_id, code in rows}


def label_of(sub):
    return labels_of([sub])[sub.id]
