"""Deal prices are exact and follow the project's rounding rule; limits read them right."""
from decimal import Decimal
from types import SimpleNamespace

import pytest

from app.services.discounts.limits import MANAGER_DEFAULT, UNLIMITED, Limit
from app.services.discounts.pricing import Quote, quote
from app.services.errors import RuleViolation

D = Decimal


def unit(total="2722130.00", floor="2586024.00"):
    return SimpleNamespace(total_price=D(total), floor_price=None if floor is None else D(floor))


@pytest.mark.parametrize("rounding, deal", [
    ("fen", "2667687.40"), ("yuan", "2667687.00"), ("ten_yuan", "2667690.00")])
def test_percent_off_is_rounded_by_the_projects_rule(rounding, deal):
    value, priced = quote(unit(), "percent", "2%", rounding)
    assert value == D("2.00")
    assert priced.list_price == priced.standard_price == D("2722130.00")
    assert priced.deal_price == D(deal)
    assert priced.discount_amount == D("2722130.00") - D(deal)


def test_amount_off_rounds_half_up_to_the_yuan():
    _value, priced = quote(unit("2000000.00"), "amount", "30,000.50", "yuan")
    assert priced.deal_price == D("1970000.00")  # 1,969,999.50 rounds up
    assert priced.list_discount_percent == D("1.50")


def test_fixed_price_must_already_follow_the_rounding_rule():
    _value, priced = quote(unit("2000000.00"), "price", "195万", "yuan")
    assert priced.deal_price == D("1950000.00")
    with pytest.raises(RuleViolation, match="取整到元"):
        quote(unit("2000000.00"), "price", "1950000.50", "yuan")
    assert quote(unit("2000000.00"), "price", "1950000.50", "fen")[1].deal_price == \
        D("1950000.50")


@pytest.mark.parametrize("kind, text, message", [
    ("percent", "0", "大于 0 且小于 100"), ("percent", "100", "大于 0 且小于 100"),
    ("percent", "1.234", "两位小数"), ("percent", "abc", "不是有效的比例"),
    ("amount", "0", "应大于 0"), ("amount", "2000000", "不能超过总价"),
    ("price", "2000000", "应低于标准优惠价"), ("price", "2100000", "应低于标准优惠价"),
    ("amount", "1.234", "精确到分"), ("bogus", "1", "请选择优惠方式"),
])
def test_bad_values_are_refused_in_chinese(kind, text, message):
    with pytest.raises(RuleViolation, match=message):
        quote(unit("2000000.00"), kind, text, "yuan")


def test_gap_to_the_floor_price_and_hiding_it():
    above = Quote(D("2000000"), D("2000000"), D("1900000"), D("1880000"))
    below = Quote(D("2000000"), D("2000000"), D("1850000"), D("1880000"))
    assert (above.floor_gap, above.below_floor) == (D("20000"), D("0.00"))
    assert (below.floor_gap, below.below_floor) == (D("-30000"), D("30000"))
    hidden = below.without_floor()
    assert hidden.floor_price is None and hidden.floor_gap is None
    assert hidden.deal_price == D("1850000")


def test_limits_cap_percent_amount_and_distance_below_floor():
    below = Quote(D("2000000"), D("2000000"), D("1850000"), D("1880000"))  # 7.5%, 30k below
    assert not MANAGER_DEFAULT.covers(below) and UNLIMITED.covers(below)
    assert Limit(max_below_floor=D("30000")).covers(below)
    assert not Limit(max_below_floor=D("29999.99")).covers(below)
    assert not Limit(max_percent=D("7.49")).covers(below)
    assert not Limit(max_amount=D("100000")).covers(below)
    assert Limit(max_percent=D("8"), max_amount=D("150000")).covers(below)
    assert MANAGER_DEFAULT.describe() == "不得低于底价"
    assert "3.00%" in Limit(max_percent=D("3.00"), max_below_floor=D("0")).describe()
