"""Deal shares when another consultant served an owned customer: seed 002 客户区分准则."""
from decimal import Decimal

import pytest
import time_machine

from app.services.customers import attribution, cards, ownership, visits
from app.services.customers.attribution import SPLIT_CASES, split_for
from app.services.errors import RuleViolation
from tests.fixtures.customers import at, build


@pytest.fixture
def w(db):
    world = build()
    with time_machine.travel(at(2026, 5, 1), tick=False):
        world.customer, _ = cards.register(world.project, "张三", "13800138000", "路过", world.a)
        visits.record_visit(world.customer, world.a, "visit")
    return world


def shares(split):
    return {user.display_name: str(pct) for user, pct in split.shares}


def test_the_owner_or_a_free_customer_takes_everything(db, w):
    assert shares(split_for(w.customer, w.a, at(2026, 5, 20))) == {"王芳": "100.00"}
    expired = split_for(w.customer, w.b, at(2026, 7, 2))  # card valid to 07-01
    assert expired.case == "owner_expired" and shares(expired) == {"李军": "100.00"}
    ownership.set_owner(w.customer, None, "expired")
    assert split_for(w.customer, w.b, at(2026, 5, 20)).case == "free"


def test_while_the_card_is_valid_a_case_must_be_chosen(db, w):
    with pytest.raises(RuleViolation, match="归属 王芳.*2026-07-01.*请选择分成情形"):
        split_for(w.customer, w.b, at(2026, 5, 20))


SEED_CASES = {
    "owner_present": {"王芳": "100.00"},                 # (1) handed back to the owner
    "customer_chose": {"李军": "80.00", "王芳": "20.00"},  # (2) A 80%, B 20%
    "owner_absent": {"王芳": "80.00", "李军": "20.00"},    # (3) B 80%, helper C 20%
    "complaint": {"李军": "100.00"},                     # (4) nothing to B
    "discount_help": {"王芳": "100.00"},                 # (6) all to the owner
    "forgot_then_found": {"李军": "50.00", "王芳": "50.00"},  # (7) 50/50
}


def test_seed_cases_split_the_deal(db, w):
    for case, expected in SEED_CASES.items():
        split = split_for(w.customer, w.b, at(2026, 5, 20), case)
        assert shares(split) == expected, case
        assert split.label == SPLIT_CASES[case][0] and split.rule.startswith("准则(")
        assert sum(Decimal(p) for p in shares(split).values()) == 100
        assert split.as_dict()["shares"] == {u.id: p for u, p in
                                             ((u, str(p)) for u, p in split.shares)}


def test_named_on_the_nth_visit_shares_half_among_earlier_consultants(db, w):
    with time_machine.travel(at(2026, 5, 8), tick=False):
        visits.record_visit(w.customer, w.c, "visit")  # 张伟 assisted the second visit
    split = split_for(w.customer, w.b, at(2026, 5, 20), "named_on_nth_visit")
    assert shares(split) == {"李军": "50.00", "王芳": "25.00", "张伟": "25.00"}
    with time_machine.travel(at(2026, 5, 9), tick=False):
        visits.record_visit(w.customer, w.d, "visit")
    three = shares(split_for(w.customer, w.b, at(2026, 5, 20), "named_on_nth_visit"))
    assert three == {"李军": "50.00", "王芳": "16.68", "张伟": "16.66", "陈晨": "16.66"}


def test_after_recycling_the_original_consultant_gets_no_share(db, w):
    with time_machine.travel(at(2026, 8, 3), tick=False):
        ownership.recycle(w.project, by=w.manager)
        ownership.assign([w.customer], w.c.id, by=w.manager, reason="重新分配")
    split = split_for(w.customer, w.b, at(2026, 8, 10), "named_on_nth_visit")
    assert shares(split) == {"李军": "50.00", "张伟": "50.00"}  # 王芳's earlier visits do not count
    attribution.mark_deal(w.customer, at(2026, 8, 10))
    assert w.customer.deal_at is not None and ownership.ownership_valid(w.customer, at(2027, 1, 1))


SEED_CREDIT = {  # 业绩 (whose sale), apart from the bonus above
    "owner_present": {"王芳": "100.00"},    # (1) 成交后业绩属B
    "customer_chose": {"李军": "100.00"},   # (2) 若成交则业绩属A
    "owner_absent": {"王芳": "100.00"},     # (3) 业绩属B
    "complaint": {"李军": "100.00"},        # (4) 与B无关 (once the manager confirms)
    "discount_help": {"王芳": "100.00"},    # (6) 业绩奖金全部属A(原顾问)
    "forgot_then_found": {"李军": "100.00"},  # (7) 业绩属"A或B": the one who follows up
}


def test_seed_cases_store_the_credit_apart_from_the_bonus(db, w):
    for case, expected in SEED_CREDIT.items():
        split = split_for(w.customer, w.b, at(2026, 5, 20), case)
        assert {u.display_name: str(p) for u, p in split.credit} == expected, case
        assert split.pending == (case == "complaint")
        assert "2026-05-01" in split.reason and "定金日 2026-05-20 在有效期内" in split.reason
    nth = split_for(w.customer, w.b, at(2026, 5, 20), "named_on_nth_visit")  # (8) 业绩奖金 50%
    assert {u.display_name: str(p) for u, p in nth.credit} == {"李军": "50.00", "王芳": "50.00"}
