"""What every deal service shares: labels, one-time form keys, the project lock."""
import re
import secrets

from sqlalchemy import select

from app.extensions import db
from app.models import Customer, MoneyStatus, ReceiptStatus, User
from app.policy import can
from app.services.board import unit_status
from app.services.errors import RuleViolation

METHODS = {"cash": "现金", "pos": "刷卡(POS)", "transfer": "银行转账", "wechat": "微信",
           "alipay": "支付宝"}
DEPOSIT_KINDS = {"small": "小定", "large": "大定"}
PLANS = {"full": "一次性付款", "mortgage": "按揭贷款", "instalments": "分期付款"}
MONEY_STATUS = MoneyStatus.LABELS
RECEIPT_STATUS = ReceiptStatus.LABELS
RECEIPT_PURPOSES = {"small": "小定定金", "large": "大定定金", "payment": "房款",
                    "transfer_fee": "过户费", "blank": "空白收据(作废)",
                    "sincerity": "诚意金(认筹)"}
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_form_key():
    """The hidden one-time key a money form carries."""
    return secrets.token_urlsafe(24)


def check_form_key(key):
    key = (key or "").strip()
    if not KEY_RE.match(key):
        raise RuleViolation("表单已过期,请刷新页面后重新提交")
    return key


def lock_and_find(project_id, model, key):
    """Take the project lock (every writer of the project queues here), then return the row
    an earlier submit of the same form created, if any: a repeat sees the first result."""
    unit_status.lock_project(project_id)
    return db.session.scalar(select(model).where(model.form_key == key))


def choice(value, options, field, what):
    if value not in options:
        raise RuleViolation(f"请选择{what}", field)
    return value


def project_customer(project_id, customer_id, field="customer"):
    customer = db.session.get(Customer, customer_id) if customer_id else None
    if customer is None or customer.project_id != project_id:
        raise RuleViolation("请选择本项目的客户", field)
    return customer


def consultant_user(user_id, field="consultant"):
    user = db.session.get(User, user_id) if user_id else None
    if user is None or not user.active or not can(user, "customers.own"):
        raise RuleViolation("请选择在职的置业顾问", field)
    return user
