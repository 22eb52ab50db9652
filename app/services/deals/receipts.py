"""Receipt books 收据本 and receipts 收据: numbered, used once, never deleted or edited.

A receipt closes (confirmed, voided, refunded) with the money behind it: its moves are rows
of app/services/record_status.py, made by the move of that money.
"""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Receipt, ReceiptBook, ReceiptStatus
from app.services import audit, clock
from app.services.errors import RuleViolation
from app.services.verification import VerifiedDocument, fingerprint, register

MAX_BOOK = 1000  # numbers in one book
DIGITS = 7  # printed No.0002001 everywhere
FULL_WIDTH = str.maketrans("０１２３４５６７８９．ＮＯｎｏ", "0123456789.NOno")


def parse_number(text, field="receipt_no"):
    """A receipt number as the app prints it (No.0002001) or as typed (2001); a longer
    number is refused, never cut to one of another book."""
    text = str(text or "").strip().translate(FULL_WIDTH).upper()
    text = text.removeprefix("NO.").removeprefix("NO").removeprefix("№").strip()
    if not text.isascii() or not text.isdigit() or int(text) <= 0:
        raise RuleViolation("收据编号应为正整数(如 No.0002001 或 2001)", field)
    if len(text) > DIGITS:
        raise RuleViolation(f"收据编号最多 {DIGITS} 位数字(如 No.0002001)", field)
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
    """A receipt from a registered book whose number has not been used in this project
    (`unit` is None for a sincerity deposit 诚意金, paid before any unit is chosen)."""
    number = parse_number(number_text)
    book = db.session.scalar(select(ReceiptBook).where(
        ReceiptBook.project_id == project_id, ReceiptBook.first_no <= number,
        ReceiptBook.last_no >= number))
    if book is None:
        raise RuleViolation(f"收据 No.{number:07d} 不在财务登记的收据本内", "receipt_no")
    used = db.session.scalar(select(Receipt).where(Receipt.project_id == project_id,
                                                   Receipt.number == number))
    if used is not None and used.status == ReceiptStatus.VOIDED:
        raise RuleViolation(f"收据 No.{number:07d} 已作废,作废的编号不能再使用", "receipt_no")
    if used is not None:
        raise RuleViolation(f"收据 No.{number:07d} 已使用过(每张收据只能用一次)", "receipt_no")
    receipt = Receipt(project_id=project_id, book_id=book.id, number=number, purpose=purpose,
                      amount=amount, method=method, payer_id=payer.id,
                      unit_id=unit.id if unit is not None else None,
                      issued_by_id=actor.id, issued_at=now)
    db.session.add(receipt)
    db.session.flush()
    audit.record("receipt_issued", "receipt", receipt.id, project_id=project_id, user=actor,
                 after={"number": number, "amount": amount, "method": method})
    return receipt


def void(project_id, number_text, reason, actor, now=None):
    """Finance voids a spoiled or wrongly written paper receipt (never deleted).

    An unused number from a registered book is kept as a voided blank so it can never be
    used; a receipt behind money stays as it is: a pending one is settled in the finance
    queue (rejecting it voids the receipt), a confirmed one only by a refund.
    """
    now = now or clock.now()
    number = parse_number(number_text)
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("请填写作废原因", "reason")
    if _book_of(project_id, number) is None:
        raise RuleViolation(f"收据 No.{number:07d} 不在财务登记的收据本内", "receipt_no")
    receipt = db.session.scalar(select(Receipt).where(Receipt.project_id == project_id,
                                                      Receipt.number == number))
    if receipt is not None:
        raise RuleViolation(_why_not(receipt), "receipt_no")
    blank = Receipt(project_id=project_id, book_id=_book_of(project_id, number).id,
                    number=number, purpose="blank", status=ReceiptStatus.VOIDED,
                    issued_by_id=actor.id, issued_at=now, closed_by_id=actor.id, closed_at=now,
                    reason=reason[:200])
    try:
        with db.session.begin_nested():
            db.session.add(blank)
    except IntegrityError:
        raise RuleViolation(f"收据 No.{number:07d} 刚被使用或作废,请刷新后再看",
                            "receipt_no") from None
    audit.record("receipt_voided", "receipt", blank.id, project_id=project_id, user=actor,
                 before=None,
                 after={"number": number, "status": ReceiptStatus.VOIDED, "blank": True},
                 reason=reason)
    return blank


def _book_of(project_id, number):
    return db.session.scalar(select(ReceiptBook).where(
        ReceiptBook.project_id == project_id, ReceiptBook.first_no <= number,
        ReceiptBook.last_no >= number))


def _why_not(receipt):
    """Why a receipt that was used cannot be voided here, in the office's words."""
    no = f"收据 No.{receipt.number:07d}"
    if receipt.status == ReceiptStatus.VOIDED:
        return f"{no} 已于 {clock.local(receipt.closed_at):%Y-%m-%d} 作废,无需重复作废"
    if receipt.status == ReceiptStatus.REFUNDED:
        return f"{no} 已退款,不能作废"
    what = "房款" if receipt.purpose == "payment" else "定金"
    if receipt.status == ReceiptStatus.CONFIRMED:
        return (f"{no} 对应财务已确认的{what},不能直接作废;"
                "客户退房或退款须走退房申请,经审批后由财务退款")
    return f"{no} 对应待确认的{what},请在「待确认收款」中退回,退回时收据自动作废"


def recently_voided(project_id, limit=50):
    return db.session.scalars(select(Receipt).where(Receipt.project_id == project_id,
                                                    Receipt.status == ReceiptStatus.VOIDED)
                              .order_by(Receipt.closed_at.desc(), Receipt.id.desc())
                              .limit(limit)).all()


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
    if unit is None:  # a spoiled blank: nothing to show but that it is void
        return VerifiedDocument(title=f"收据 No.{receipt.number:07d}", status="已作废",
                                valid=False, fields=[("作废原因", receipt.reason or "")],
                                fingerprint=receipt_fingerprint(receipt))
    return VerifiedDocument(
        title=f"收据 No.{receipt.number:07d}", status=RECEIPT_STATUS[receipt.status],
        valid=receipt.status in ReceiptStatus.LIVE,
        fields=[("金额", format_money(receipt.amount)),
                ("大写", to_chinese_capital(receipt.amount)),
                ("款项", RECEIPT_PURPOSES[receipt.purpose]),
                ("房源", f"{unit.building.name} {unit.unit_no}" if unit else "未选房"),
                ("付款方式", METHODS[receipt.method]),
                ("开具时间", f"{clock.local(receipt.issued_at):%Y-%m-%d %H:%M}")],
        fingerprint=receipt_fingerprint(receipt))


register("receipt", _load)
