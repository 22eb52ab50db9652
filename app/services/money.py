"""Money helpers: parse what people type, format for screens, 大写 for receipts, and add
money columns in the database as the integer fen they are stored as (exact on every engine)."""
import re
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger, func, type_coerce

from app.services.errors import RuleViolation

FEN = Decimal("0.01")
ROUNDING_QUANTUM = {"fen": Decimal("0.01"), "yuan": Decimal("1"), "ten_yuan": Decimal("1E1")}
# full-width digits, point, comma and minus as a Chinese keyboard types them
FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－", "0123456789.,-")
PLAIN_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def _number_text(text, field):
    """What was typed, as a plain ASCII decimal (no ¥, 元, 万 or separators), or refused."""
    cleaned = str(text or "").strip().translate(FULL_WIDTH)
    cleaned = cleaned.replace(",", "").replace(" ", "").lstrip("¥￥").removesuffix("元")
    factor = Decimal(1)
    if cleaned.endswith("万"):
        cleaned, factor = cleaned[:-1], Decimal(10000)
    if not cleaned:
        raise RuleViolation("请填写金额", field)
    if PLAIN_NUMBER.fullmatch(cleaned):
        return cleaned, factor
    if cleaned.lower() in ("nan", "inf", "infinity", "-inf", "-infinity"):
        raise RuleViolation("金额无效", field)
    if "_" in cleaned:
        raise RuleViolation("金额不能含下划线,千位请用逗号分隔(如 12,345.60)", field)
    if re.search(r"[0-9.]e", cleaned, re.IGNORECASE):
        raise RuleViolation("金额请直接写数字,不能用科学计数法(如 1e5)", field)
    if any(ch.isdigit() and not ch.isascii() for ch in cleaned):
        raise RuleViolation("金额只能用阿拉伯数字(半角或全角)", field)
    raise RuleViolation(f"“{text}”不是有效金额", field)


def parse_money(text, field=None, allow_negative=False):
    """Parse '¥1,234,567.00', '1234567元', '１２３４' or '123.4万' into an exact Decimal.

    Only plain decimals: no scientific notation, no '_' separators, no digits of other
    scripts (a Chinese keyboard's full-width digits are fine)."""
    if isinstance(text, Decimal):
        value = text
    else:
        cleaned, factor = _number_text(text, field)
        value = Decimal(cleaned) * factor
    if not value.is_finite():
        raise RuleViolation("金额无效", field)
    # Size first: quantizing '1e30' to fen needs more digits than Decimal carries.
    if abs(value) >= Decimal("1e13"):
        raise RuleViolation("金额过大", field)
    if value != value.quantize(FEN):
        raise RuleViolation("金额最多精确到分(两位小数)", field)
    if value < 0 and not allow_negative:
        raise RuleViolation("金额不能为负数", field)
    return value.quantize(FEN)


def round_price(value, policy):
    """Apply a project's rounding rule (fen / yuan / ten_yuan), half up."""
    return Decimal(value).quantize(ROUNDING_QUANTUM[policy], rounding=ROUND_HALF_UP).quantize(FEN)


def as_fen(column):
    """A money column (or expression) as its stored integer fen, for arithmetic in SQL."""
    return type_coerce(column, BigInteger)


def sum_fen(column):
    """SUM of a money column as integer fen, 0 over no rows (the database adds integers)."""
    return func.coalesce(func.sum(as_fen(column)), 0)


def from_fen(value):
    """Integer fen from the database (None as 0) as exact yuan."""
    return (Decimal(int(value or 0)) / 100).quantize(FEN)


def format_money(value, symbol=True):
    """¥1,234,567.00 (None shows as an em dash)."""
    if value is None:
        return "—"
    value = Decimal(value).quantize(FEN)
    sign = "-" if value < 0 else ""
    return f"{sign}{'¥' if symbol else ''}{abs(value):,.2f}"


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ["", "拾", "佰", "仟"]
_BIG_UNITS = ["", "万", "亿", "万亿"]


def _four_digits(group):
    """Capitals for 0..9999, with inner zeros collapsed (e.g. 1010 壹仟零壹拾)."""
    out, zero = "", False
    for pos in range(3, -1, -1):
        digit = group // 10**pos % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[digit] + _SMALL_UNITS[pos]
    return out


def to_chinese_capital(value):
    """Amount in Chinese capitals as printed on receipts: 壹万贰仟叁佰肆拾伍元陆角柒分."""
    value = Decimal(value).quantize(FEN)
    if value < 0:
        return "负" + to_chinese_capital(-value)
    fen_total = int(value * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    text = _integer_capital(yuan) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        return (text or "零元") + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    return text


def _integer_capital(number):
    groups = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    text, pending_zero = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            pending_zero = bool(text)
            continue
        if text and (pending_zero or group < 1000):
            text += "零"
        text += _four_digits(group) + _BIG_UNITS[index]
        pending_zero = False
    return text
