"""Receipt books 收据本 and receipts 收据: numbered, used once, never deleted or edited."""
from sqlalchemy import select

from app.extensions import db
from app.models import Receipt, ReceiptBook
from app.services import audit, clock
from app.services.errors import Conflict, RuleViolation
from app.services.verification import VerifiedDocument, fingerprint, register

audit.ACTION_LABELS.update({
    "receipt_book_registered": "登记收据本", "receipt_issued": "开具收据",
    "receipt_confirmed": "确认收据", "receipt_voided": "作废收据", "receipt_refunded": "收据退款",
})
MAX_BOOK = 1000  # numbers in one book


def parse_number(text, field="receipt_no"):
    text = str(text or "").strip().upper().removeprefix("NO.").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9 or int(text) <= 0:
        raise RuleViolation("收据编号应为正整数", field)
    return int(text)


def register_book(project_id, first_text, last_text, holder, actor, now=None):
    """Finance registers a numbered book; its numbers may not overlap another book's."""
    first, last = parse_number(first_text, "first_no"), parse_number(last_text, "last_no")
    holder = (holder or "").strip()
    if last < first:
        raise RuleViolation("结束编号不能小于起始编号", "last_no")
    if last - first + 1 > MAX_BOOK:
        raise RuleViolation(f"一本收据最多 {MAX_BOOK} 张", "last_no")
    if not holder:
        raise RuleViolation("请填写领用人", "holder")
    overlap = db.session.scalar(select(ReceiptBook).where(
        ReceiptBook.project_id == project_id, ReceiptBook.first_no <= last,
        ReceiptBook.last_no >= first))
    if overlap is not None:
        raise RuleViolation(f"与已登记的收据本 {overlap.first_no:07d}–{overlap.last_no:07d} 重叠",
                            "first_no")
    book = ReceiptBook(project_id=project_id, first_no=first, last_no=last, holder=holder[:64],
                       registered_by_id=actor.id, registered_at=now or clock.now())
    db.session.add(book)
    db.session.flush()
    audit.record("receipt_book_registered", "receipt_book", book.id, project_id=project_id,
                 user=actor, after={"first_no": first, "last_no": last, "holder": book.holder})
    return book


def issue(project_id, number_text, *, purpose, amount, method, payer, unit, actor, now):
    """A receipt from a registered book whose number has not been used in this project."""
    number = parse_number(number_text)
    book = db.session.scalar(select(ReceiptBook).where(
        ReceiptBook.project_id == project_id, ReceiptBook.first_no <= number,
        ReceiptBook.last_no >= number))
    if book is None:
        raise RuleViolation(f"收据 No.{number:07d} 不在财务登记的收据本内", "receipt_no")
    used = db.session.scalar(select(Receipt).where(Receipt.project_id == project_id,
                                                   Receipt.number == number))
    if used is not None:
        raise RuleViolation(f"收据 No.{number:07d} 已使用过(每张收据只能用一次)", "receipt_no")
    receipt = Receipt(project_id=project_id, book_id=book.id, number=number, purpose=purpose,
                      amount=amount, method=method, payer_id=payer.id, unit_id=unit.id,
                      issued_by_id=actor.id, issued_at=now)
    db.session.add(receipt)
    db.session.flush()
    audit.record("receipt_issued", "receipt", receipt.id, project_id=project_id, user=actor,
                 after={"number": number, "amount": amount, "method": method})
    return receipt


def close(receipt, status, actor, now, reason=None):
    """issued → confirmed / voided; confirmed → refunded. Compare-and-set on the status."""
    sources = {"confirmed": ("issued",), "voided": ("issued",), "refunded": ("confirmed",)}
    if status in ("voided", "refunded") and not (reason or "").strip():
        raise RuleViolation("请填写原因", "reason")
    before = receipt.status
    rows = db.session.execute(
        Receipt.__table__.update()
        .where(Receipt.id == receipt.id, Receipt.status.in_(sources[status]))
        .values(status=status, closed_by_id=actor.id, closed_at=now,
                reason=(reason or "").strip()[:200] or None)).rowcount
    db.session.expire(receipt)
    if rows != 1:
        raise Conflict(f"收据 No.{receipt.number:07d} 状态已变化,不能再{STATUS_VERB[status]}")
    audit.record(f"receipt_{status}", "receipt", receipt.id, project_id=receipt.project_id,
                 user=actor, before={"status": before}, after={"status": status},
                 reason=reason)
    return receipt


STATUS_VERB = {"confirmed": "确认", "voided": "作废", "refunded": "退款"}


def receipt_fingerprint(receipt):
    return fingerprint("receipt", receipt.project_id, receipt.number, receipt.amount,
                       receipt.unit_id, receipt.payer_id)


def _load(receipt_id):
    from app.services.deals.common import METHODS, RECEIPT_PURPOSES, RECEIPT_STATUS
    from app.services.money import format_money, to_chinese_capital
    receipt = db.session.get(Receipt, receipt_id) if isinstance(receipt_id, int) else None
    if receipt is None:
        return None
    unit = receipt.unit
    return VerifiedDocument(
        title=f"收据 No.{receipt.number:07d}", status=RECEIPT_STATUS[receipt.status],
        valid=receipt.status in ("issued", "confirmed"),
        fields=[("金额", format_money(receipt.amount)),
                ("大写", to_chinese_capital(receipt.amount)),
                ("款项", RECEIPT_PURPOSES[receipt.purpose]),
                ("房源", f"{unit.building.name} {unit.unit_no}"),
                ("付款方式", METHODS[receipt.method]),
                ("开具时间", f"{clock.local(receipt.issued_at):%Y-%m-%d %H:%M}")],
        fingerprint=receipt_fingerprint(receipt))


register("receipt", _load)
