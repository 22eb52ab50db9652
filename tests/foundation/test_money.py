"""Money is exact: Decimal in Python, integer fen in the database, on both engines."""
import random
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.models import Building, Project, Unit
from app.services.errors import RuleViolation
from app.services.money import format_money, parse_money, round_price, to_chinese_capital


@pytest.mark.parametrize("text, expected", [
    ("1234567", "1234567.00"), ("¥1,234,567.00", "1234567.00"), ("1,234,567元", "1234567.00"),
    ("123.4万", "1234000.00"), (" 0.10 ", "0.10"), ("￥88.8", "88.80"),
    # a Chinese keyboard's full-width digits and separators stay accepted
    ("１２，３４５．６", "12345.60"), ("12,345.6", "12345.60"), ("¥１００元", "100.00"),
])
def test_parse_money_accepts_what_people_type(text, expected):
    assert parse_money(text) == Decimal(expected)


@pytest.mark.parametrize("text, message", [
    ("", "请填写金额"), ("abc", "不是有效金额"), ("1.234", "最多精确到分"), ("-5", "不能为负数"),
    ("NaN", "金额无效"), ("Infinity", "金额无效"), ("9" * 40, "金额过大"),
    # scientific notation, '_' separators and other scripts' digits are refused
    ("1e5", "科学计数法"), ("1E5万", "科学计数法"), ("1e30", "科学计数法"),
    ("-1e30万", "科学计数法"), ("1e999999999", "科学计数法"), ("1_000", "下划线"),
    ("١٢٣", "阿拉伯数字"), ("१००", "阿拉伯数字"), ("+5", "不是有效金额"),
])
def test_parse_money_refuses_with_a_chinese_reason(text, message):
    with pytest.raises(RuleViolation, match=message):
        parse_money(text)


def test_format_money():
    assert format_money(Decimal("1234567")) == "¥1,234,567.00"
    assert format_money(Decimal("-0.5")) == "-¥0.50"
    assert format_money(None) == "—"


@pytest.mark.parametrize("amount, capital", [
    ("0", "零元整"), ("1", "壹元整"), ("10", "壹拾元整"), ("0.05", "伍分"), ("0.50", "伍角"),
    ("1.05", "壹元零伍分"), ("1010", "壹仟零壹拾元整"), ("100000", "壹拾万元整"),
    ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"), ("1000001", "壹佰万零壹元整"),
    ("20000000.80", "贰仟万元捌角"), ("1002003.04", "壹佰万贰仟零叁元零肆分"),
    ("100000000", "壹亿元整"), ("3680000", "叁佰陆拾捌万元整"),
])
def test_chinese_capitals_as_on_receipts(amount, capital):
    assert to_chinese_capital(Decimal(amount)) == capital


def test_rounding_policies_round_half_up():
    assert round_price(Decimal("2594512.495"), "fen") == Decimal("2594512.50")
    assert round_price(Decimal("2594512.50"), "yuan") == Decimal("2594513.00")
    assert round_price(Decimal("2594515.00"), "ten_yuan") == Decimal("2594520.00")


def test_ten_thousand_random_amounts_sum_exactly_in_sql(db):
    """SQLite stores NUMERIC as REAL; integer fen keeps SUM exact on both engines."""
    rng = random.Random(7)
    project = Project(code="SUM", name="求和测试")
    building = Building(project=project, name="1栋")
    db.session.add_all([project, building])
    amounts = [Decimal(rng.randint(1, 999_999_999)) / 100 for _ in range(10_000)]
    amounts[:10] = [Decimal("0.10")] * 10
    db.session.add_all(
        Unit(building=building, floor=1 + i // 100, unit_no=str(i), layout="两室",
             building_area=Decimal("88.88"), unit_price=amount, total_price=amount)
        for i, amount in enumerate(amounts))
    db.session.commit()
    in_sql = db.session.scalar(select(func.sum(Unit.total_price)))
    assert isinstance(in_sql, Decimal)
    assert in_sql == sum(amounts, Decimal("0"))
    first_ten = db.session.scalar(
        select(func.sum(Unit.unit_price)).where(Unit.unit_no.in_([str(i) for i in range(10)])))
    assert first_ten == Decimal("1.00")


def test_float_and_over_precise_amounts_are_refused_by_the_column(db):
    project = Project(code="F", name="浮点")
    db.session.add(project)
    project.transfer_fee = 0.1
    with pytest.raises(Exception, match="float"):
        db.session.flush()
    db.session.rollback()
    project = Project(code="G", name="精度", transfer_fee=Decimal("0.001"))
    db.session.add(project)
    with pytest.raises(Exception, match="decimal places"):
        db.session.flush()
