"""What a special discount does to a unit's price, computed exactly.

list price 表价 → standard-discount price 标准优惠价 → deal price 成交价, and the gap to the
floor price 底价. The deal price always follows the project's rounding rule (round_price).
"""
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from app.models import DiscountKind
from app.models.project import ROUNDING_CHOICES
from app.services.errors import RuleViolation
from app.services.money import FEN, parse_money, round_price

HUNDRED = Decimal(100)
PERCENT_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Quote:
    list_price: Decimal
    standard_price: Decimal
    deal_price: Decimal
    floor_price: Decimal | None  # None for viewers without floor_price.view

    @property
    def discount_amount(self):
        """The special part: below the standard-discount price."""
        return self.standard_price - self.deal_price

    @property
    def list_discount(self):
        return self.list_price - self.deal_price

    @property
    def list_discount_percent(self):
        return percent_below(self.list_price, self.deal_price)

    @property
    def floor_gap(self):
        """Deal price minus floor price: negative when the deal goes below the floor."""
        return None if self.floor_price is None else self.deal_price - self.floor_price

    @property
    def below_floor(self):
        gap = self.floor_gap
        return Decimal("0.00") if gap is None or gap >= 0 else -gap

    def without_floor(self):
        """The same quote for someone who may not see the floor price."""
        return replace(self, floor_price=None)


def percent_below(list_price, deal_price):
    if not list_price:
        return Decimal("0.00")
    return ((list_price - deal_price) / list_price * HUNDRED).quantize(PERCENT_PLACES)


def standard_price(unit, plan=None, at=None):
    """The price after the standard discounts of the price policy (app.services.deals.price_policy).

    Without a payment plan only the rules for every plan count (a quote made before the
    buyer chose how to pay); `at` picks the policy in force then (default: today).
    """
    from app.services.deals.price_policy import breakdown
    return breakdown(unit, plan, at)[1]


def parse_percent(text, field="value", inclusive=False):
    """'1.5' or '1.5%' → Decimal('1.50'); 0 and 100 only when `inclusive` (limits)."""
    cleaned = str(text or "").strip().rstrip("%％").strip()
    if not cleaned:
        raise RuleViolation("请填写折扣比例", field)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise RuleViolation(f"“{text}”不是有效的比例", field) from None
    if not value.is_finite() or value != value.quantize(PERCENT_PLACES):
        raise RuleViolation("比例最多两位小数,如 1.5", field)
    if inclusive and not Decimal(0) <= value <= HUNDRED:
        raise RuleViolation("比例应在 0 到 100 之间", field)
    if not inclusive and not Decimal(0) < value < HUNDRED:
        raise RuleViolation("比例应大于 0 且小于 100", field)
    return value.quantize(PERCENT_PLACES)


def parse_value(kind, text, field="value"):
    """The typed value of a request: a percent, or an amount in yuan."""
    if kind == DiscountKind.PERCENT:
        return parse_percent(text, field)
    if kind in (DiscountKind.AMOUNT, DiscountKind.PRICE):
        value = parse_money(text, field=field)
        if value <= 0:
            raise RuleViolation("金额应大于 0", field)
        return value
    raise RuleViolation("请选择优惠方式", "kind")


def deal_price(kind, value, standard, rounding, field="value"):
    """The deal price for a discount of `kind`/`value` off the standard price."""
    if kind == DiscountKind.PERCENT:
        deal = round_price(standard * (HUNDRED - value) / HUNDRED, rounding)
    elif kind == DiscountKind.AMOUNT:
        deal = round_price(standard - value, rounding)
    else:
        deal = value.quantize(FEN)
        if round_price(deal, rounding) != deal:
            raise RuleViolation(f"一口价须符合项目取整规则({ROUNDING_CHOICES[rounding]})", field)
    if deal >= standard:
        raise RuleViolation("特殊优惠后的成交价应低于标准优惠价", field)
    if deal <= 0:
        raise RuleViolation("优惠不能超过总价", field)
    return deal


def quote(unit, kind, value_text, rounding, plan=None):
    """Quote a special discount on `unit` (raises RuleViolation on bad input); with a payment
    plan, that plan's standard discounts (一次性 98折 ...) come first."""
    value = parse_value(kind, value_text)
    standard = standard_price(unit, plan)
    deal = deal_price(kind, value, standard, rounding)
    return value, Quote(list_price=unit.total_price, standard_price=standard, deal_price=deal,
                        floor_price=unit.floor_price)


def quote_of(request):
    """The quote stored on a request at the time it was made."""
    return Quote(list_price=request.list_price, standard_price=request.standard_price,
                 deal_price=request.deal_price, floor_price=request.floor_price)
