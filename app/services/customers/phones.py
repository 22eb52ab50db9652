"""Phone numbers: one normal form (digits) and the masks shown by default."""
import re

from app.services.errors import RuleViolation

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{9,11}$")


def normalise_phone(text, field="phone"):
    """'+86 138-0013-8000' → '13800138000'; refuses what is not a Chinese phone number."""
    digits = re.sub(r"[\s\-()（）]", "", str(text or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not digits:
        raise RuleViolation("请填写电话号码", field)
    if not digits.isdigit() or not (_MOBILE.match(digits) or _LANDLINE.match(digits)):
        raise RuleViolation("电话号码格式不正确(手机号为 11 位数字)", field)
    return digits


def _keep_three_and_four(value):
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def mask_phone(phone):
    """138****5678: first three and last four, as offices report them (前三后四)."""
    return _keep_three_and_four(phone)


def mask_id_number(number):
    """110***********1234."""
    return _keep_three_and_four(number)
