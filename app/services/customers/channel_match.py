"""How a channel report names a customer and how the visit is checked against it.

Seed 003 (客户确认及归属制度 一): a report carries 姓名, 性别 and the phone's first 4 and last 5
digits (姓名.姓别.手机号码留手机号码前4位及后5位); the visit is valid only when the
confirmation matches (来访登记信息完全一致视为有效客户; 若报备信息与客户来访确认信息不一致,
视为无效; 若信息不全视为确认不成功). 前四后五 leaves only two digits hidden, so two people who
share 138****8000 (前三后四) are told apart.
"""
import re

from app.models import Customer
from app.models.customer import GENDERS
from app.services.customers.phones import normalise_phone
from app.services.errors import RuleViolation

HEAD, TAIL = 4, 5
REPORT_MASK = re.compile(r"^(1[3-9]\d{2})[*＊xX]{0,4}(\d{5})$")
MISMATCH = "报备信息与来访确认信息不一致,视为无效"


def report_mask(phone):
    """'13800138000' → '1380**38000' (前四后五)."""
    phone = phone or ""
    if len(phone) <= HEAD + TAIL:
        return "*" * len(phone)
    return f"{phone[:HEAD]}{'*' * (len(phone) - HEAD - TAIL)}{phone[-TAIL:]}"


def parse_report_mask(text, field="phone_mask"):
    """'1380**38000', '1380 38000', '138038000' or a full number → '1380**38000'."""
    value = re.sub(r"[\s\-]", "", text or "")
    if len(value) >= 11 and value.lstrip("+").isdigit():
        return report_mask(normalise_phone(value, field))
    match = REPORT_MASK.match(value)
    if not match:
        raise RuleViolation("请按“前四后五”填写手机号,如 1380**38000", field)
    return f"{match.group(1)}**{match.group(2)}"


def clean_gender(gender, field="gender"):
    if gender not in GENDERS:
        raise RuleViolation("请选择客户性别", field)
    return gender


def phone_clause(mask):
    """Customers whose full number fits the report's 前四后五 ('_' matches one hidden digit)."""
    return Customer.phone.like(f"{mask[:HEAD]}{'_' * (len(mask) - HEAD - TAIL)}{mask[-TAIL:]}")


def differences(report, customer):
    """What the visit confirmation does not share with the report, in Chinese ([] = match)."""
    found = []
    if " ".join(customer.name.split()) != report.customer_name:
        found.append(f"姓名 报备“{report.customer_name}”/ 来访“{customer.name}”")
    if report.gender and customer.gender != report.gender:
        found.append(f"性别 报备“{report.gender}”/ 来访“{customer.gender or '未填写'}”")
    if report_mask(customer.phone) != report.phone_mask:
        found.append(f"手机号 报备 {report.phone_mask} / 来访 {report_mask(customer.phone)}")
    return found


def check_identity(report, customer):
    """Refuse a confirmation whose name, gender or digits differ from the report."""
    if report.gender and not customer.gender:
        raise RuleViolation("信息不全视为确认不成功:请先在客户卡上填写性别(规则:003 到访确认)")
    found = differences(report, customer)
    if found:
        raise RuleViolation(f"{MISMATCH}:{';'.join(found)}(规则:003 到访确认)")
