"""Who gets a deal when another consultant served an owned customer (业绩/奖金分成).

The deals area calls `split_for(customer, serving_consultant, at, case)` when it records a sale
and stores the returned shares; `mark_deal` tells ownership the customer bought (以成交为准).
The cases are seed 002 "客户区分准则" (3)(1)-(8); validity is the 2-month card
(建档有效期) of app.services.customers.ownership; after a monthly recycling the new consultant takes
everything and the original one nothing (seed 001: 原置业顾问不予分单), which holds because
only visits since the current owner received the customer count.
"""
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import User, Visit
from app.services import audit
from app.services.clock import local, now
from app.services.customers.ownership import ownership_valid, valid_until
from app.services.errors import RuleViolation

HUNDRED = Decimal("100")

# case -> (label shown to the person recording the deal, seed reference)
SPLIT_CASES = {
    "owner_present": ("原接待顾问在场,交回原顾问接待", "准则(1):成交后业绩属原顾问"),
    "customer_chose": ("客户不愿找原顾问,要求现接待顾问跟进", "准则(2):现顾问 80%,原顾问 20%"),
    "owner_absent": ("原顾问不在场,由他人协助接待", "准则(3):原顾问 80%,协助顾问 20%"),
    "complaint": ("客户投诉原顾问,经销售主任落实", "准则(4):与原顾问无关"),
    "discount_help": ("原顾问的客户为争取折扣找他人", "准则(6):业绩奖金全部属原顾问"),
    "forgot_then_found": ("客户忘记原接待人,事后查出", "准则(7):各 50%"),
    "named_on_nth_visit": ("客户第 N 次来访指定现顾问接待",
                           "准则(8):现顾问 50%,此前接待顾问共 50%"),
}
AUTOMATIC = {
    "own": ("本人客户", "谁登记早是谁的客户"),
    "free": ("无归属客户", "公共客户,成交归接待顾问"),
    "owner_expired": ("原顾问建档已过有效期", "建档有效期 2 个月已过,与原顾问无关"),
}


@dataclass(frozen=True)
class Split:
    case: str
    label: str
    rule: str
    shares: tuple  # ((User, Decimal percent), ...), summing to 100

    def as_dict(self):
        return {"case": self.case, "shares": {u.id: str(p) for u, p in self.shares}}


def _split(case, *shares):
    label, rule = SPLIT_CASES.get(case) or AUTOMATIC[case]
    merged = {}
    for user, percent in shares:
        merged[user] = merged.get(user, Decimal(0)) + percent
    result = tuple((user, pct.quantize(Decimal("0.01"))) for user, pct in merged.items() if pct)
    assert sum(p for _u, p in result) == HUNDRED
    return Split(case, label, rule, result)


def _even(users, total):
    """`total` percent shared evenly to the hundredth; the remainder goes to the first."""
    part = (total / len(users)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    shares = [[user, part] for user in users]
    shares[0][1] += total - part * len(users)
    return [tuple(pair) for pair in shares]


def earlier_consultants(customer, serving, at):
    """Consultants who received the customer's walk-ins since the owner got them (before `at`)."""
    rows = db.session.execute(
        select(Visit.consultant_id).where(
            Visit.customer_id == customer.id, Visit.kind == "visit", Visit.at < at,
            Visit.at >= customer.owned_since, Visit.consultant_id != serving.id)
        .order_by(Visit.at)).scalars().all()
    users = [customer.owner]
    for visit_user in (db.session.get(User, uid) for uid in dict.fromkeys(rows)):
        if visit_user not in users:
            users.append(visit_user)
    return users


def split_for(customer, serving, at=None, case=None):
    """The shares of a deal closed by `serving` for `customer` at `at` (seed 002 cases)."""
    at = at or now()
    owner = customer.owner
    if owner is None:
        return _split("free", (serving, HUNDRED))
    if owner.id == serving.id:
        return _split("own", (serving, HUNDRED))
    if not ownership_valid(customer, at):
        return _split("owner_expired", (serving, HUNDRED))
    if case not in SPLIT_CASES:
        raise RuleViolation(f"该客户归属 {owner.display_name}(建档有效至 "
                            f"{valid_until(customer):%Y-%m-%d}),请选择分成情形", "case")
    if case in ("owner_present", "discount_help"):
        return _split(case, (owner, HUNDRED))
    if case == "complaint":
        return _split(case, (serving, HUNDRED))
    if case == "customer_chose":
        return _split(case, (serving, Decimal(80)), (owner, Decimal(20)))
    if case == "owner_absent":
        return _split(case, (owner, Decimal(80)), (serving, Decimal(20)))
    if case == "forgot_then_found":
        return _split(case, (serving, Decimal(50)), (owner, Decimal(50)))
    earlier = earlier_consultants(customer, serving, at)
    return _split(case, (serving, Decimal(50)), *_even(earlier, Decimal(50)))


def mark_deal(customer, at=None, user=None):
    """The customer bought: ownership no longer expires and recycling skips them."""
    if customer.deal_at is not None:
        return
    customer.deal_at = at or now()
    audit.record("customer_deal_marked", "customer", customer.id, project_id=customer.project_id,
                 after={"deal_at": local(customer.deal_at).date()}, user=user)
