"""Who gets a deal when another consultant served an owned customer: 业绩 and 奖金.

The deals area calls `split_for(customer, serving_consultant, at, case)` when it records a
deposit and stores both splits of the returned Split (DealShare.credit 业绩: whose sale it is;
DealShare.percent 奖金: the bonus, e.g. 80/20) with the reason in Chinese. `mark_deal` tells
ownership the customer bought (以成交为准) and moves the card to the consultant the 业绩 belongs
to (准则(9)); `clear_deal` undoes the mark after a 退房 or 换名. The cases are seed 002
"客户区分准则" (1)-(8); validity is the 2-month card (建档有效期) of ownership.py; after a
monthly recycling the new consultant takes everything and the original one nothing (seed 001:
原置业顾问不予分单), which holds because only visits since the current owner received the
customer count.
"""
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import Subscription, SubscriptionStatus, User, Visit
from app.services import audit
from app.services.clock import local, now
from app.services.customers.ownership import ownership_valid, set_owner, valid_until
from app.services.customers.reasons import card_dates, card_state, percents
from app.services.errors import RuleViolation

HUNDRED = Decimal("100")

# case -> (label shown to the person recording the deal, seed reference)
SPLIT_CASES = {
    "owner_present": ("原接待顾问在场,交回原顾问接待", "准则(1):成交后业绩属原顾问"),
    "customer_chose": ("客户不愿找原顾问,要求现接待顾问跟进",
                       "准则(2):业绩属现顾问,奖金现顾问 80%、原顾问 20%"),
    "owner_absent": ("原顾问不在场,由他人协助接待",
                     "准则(3):业绩属原顾问,奖金原顾问 80%、协助顾问 20%"),
    "complaint": ("客户投诉原顾问,经销售主任落实",
                  "准则(4):经销售主任落实后与原顾问无关"),
    "discount_help": ("原顾问的客户为争取折扣找他人", "准则(6):业绩奖金全部属原顾问"),
    "forgot_then_found": ("客户忘记原接待人,事后查出",
                          "准则(7):业绩属跟进的现顾问,奖金各 50%"),
    "named_on_nth_visit": ("客户第 N 次来访指定现顾问接待",
                           "准则(8):业绩奖金现顾问 50%,此前接待顾问共 50%"),
}
AUTOMATIC = {
    "own": ("本人客户", "谁登记早是谁的客户"),
    "free": ("公共池客户", "以成交为准:业绩奖金属成交顾问"),
    "owner_expired": ("原顾问建档已过有效期", "以成交为准:建档有效期 2 个月已过,与原顾问无关"),
}
# 业绩 goes whole to one side in these cases (the bonus is shared): the rest share both alike
CREDIT_TO = {"customer_chose": "serving", "forgot_then_found": "serving",
             "owner_absent": "owner", "owner_present": "owner", "discount_help": "owner"}


@dataclass(frozen=True)
class Split:
    case: str
    label: str
    rule: str
    shares: tuple  # 奖金: ((User, Decimal percent), ...), summing to 100
    credit: tuple  # 业绩: ((User, Decimal percent), ...), summing to 100
    reason: str = ""
    pending: bool = False  # a complaint split counts once the manager confirms it

    def as_dict(self):
        return {"case": self.case, "shares": {u.id: str(p) for u, p in self.shares},
                "credit": {u.id: str(p) for u, p in self.credit}}

    def rows(self):
        """[(user, 奖金 percent, 业绩 percent)] for every consultant with a share."""
        credit = dict(self.credit)
        return [(user, pct, credit.get(user, Decimal("0.00"))) for user, pct in self.shares]


def _merged(shares):
    merged = {}
    for user, percent in shares:
        merged[user] = merged.get(user, Decimal(0)) + percent
    result = tuple((user, pct.quantize(Decimal("0.01"))) for user, pct in merged.items() if pct)
    assert sum(p for _u, p in result) == HUNDRED
    return result


def _split(case, shares, credit_to=None, state=""):
    label, rule = SPLIT_CASES.get(case) or AUTOMATIC[case]
    bonus = _merged(shares)
    credit = ((credit_to, Decimal("100.00")),) if credit_to is not None else bonus
    waits = "(待经理落实后计入)" if case == "complaint" else ""
    reason = (f"{state} → {rule};业绩属 {percents(credit)},奖金 {percents(bonus)}{waits}"
              if state else rule)
    return Split(case, label, rule, bonus, credit, reason[:400], pending=case == "complaint")


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
    """The 业绩 and 奖金 splits of a deal closed by `serving` for `customer` at `at`."""
    at = at or now()
    owner = customer.owner
    state = card_state(customer, at, "定金日")
    if owner is None:
        return _split("free", [(serving, HUNDRED)], state=state)
    if owner.id == serving.id:
        return _split("own", [(serving, HUNDRED)], state=state)
    if not ownership_valid(customer, at):
        return _split("owner_expired", [(serving, HUNDRED)], state=state)
    if case not in SPLIT_CASES:
        raise RuleViolation(f"该客户归属 {owner.display_name}(建档有效至 "
                            f"{valid_until(customer):%Y-%m-%d}),请选择分成情形", "case")
    to = {"serving": serving, "owner": owner}.get(CREDIT_TO.get(case))
    if case in ("owner_present", "discount_help"):
        return _split(case, [(owner, HUNDRED)], to, state)
    if case == "complaint":
        return _split(case, [(serving, HUNDRED)], state=state)
    if case == "customer_chose":
        return _split(case, [(serving, Decimal(80)), (owner, Decimal(20))], to, state)
    if case == "owner_absent":
        return _split(case, [(owner, Decimal(80)), (serving, Decimal(20))], to, state)
    if case == "forgot_then_found":
        return _split(case, [(serving, Decimal(50)), (owner, Decimal(50))], to, state)
    earlier = earlier_consultants(customer, serving, at)
    return _split(case, [(serving, Decimal(50)), *_even(earlier, Decimal(50))], state=state)


def credited_to(deposit):
    """The consultant the deal's 业绩 belongs to (the largest credit; a tie: the closer)."""
    best = max(deposit.shares, key=lambda s: (s.credit, s.user_id == deposit.consultant_id),
               default=None)
    return best.user if best is not None and best.credit > 0 else deposit.consultant


def _take_card(customer, deposit, at, user):
    """以成交为准: the card goes to the consultant the 业绩 belongs to, with the reason."""
    if deposit.split_status == "pending":
        return  # 准则(4): nothing moves until the manager has confirmed the complaint
    closer = credited_to(deposit)
    if customer.owner_id == closer.id:
        return
    state = card_state(customer, at, "成交日")
    if customer.owner_id is None or not ownership_valid(customer, at):
        why = f"{state} → 客户卡转 {closer.display_name}(规则:以成交为准)"
    else:
        why = (f"{state};本单业绩属 {closer.display_name} → 后继跟进及售后由业绩所属顾问负责"
               f"(规则:准则(9))")
    set_owner(customer, closer, "deal", by=user, at=at, reason=why[:300])


def mark_deal(customer, at=None, user=None, deposit=None):
    """The customer bought: the card follows the deal's 业绩 and no longer expires."""
    at = at or now()
    if deposit is not None:
        _take_card(customer, deposit, at, user)
    if customer.deal_at is not None:
        return
    customer.deal_at = at
    audit.record("customer_deal_marked", "customer", customer.id, project_id=customer.project_id,
                 after={"deal_at": local(customer.deal_at).date()}, user=user)


def clear_deal(customer, reason, at=None, user=None):
    """A 退房 / 换名 took the deal away: without another signed 认购书 the deal mark goes and the
    card expires and is recycled again by the normal rules."""
    if customer.deal_at is None or db.session.scalar(select(Subscription.id).where(
            Subscription.customer_id == customer.id,
            Subscription.status == SubscriptionStatus.SIGNED).limit(1)) is not None:
        return False
    before = customer.deal_at
    customer.deal_at = None
    why = f"{reason}:成交标记清除;{card_dates(customer)},此后按建档有效期过期回收"
    audit.record("customer_deal_cleared", "customer", customer.id,
                 project_id=customer.project_id, user=user, reason=why[:300],
                 before={"deal_at": local(before).date()}, after={"deal_at": None})
    return True
