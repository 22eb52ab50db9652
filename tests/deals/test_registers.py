"""Registers: 1,000 random deposits and payments; every total equals the Decimal sum of rows."""
import io
import random
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import insert, select

from app.extensions import db
from app.models import AuditLog, Contract, Deposit, Instalment, Payment, Receipt, Subscription, Unit
from app.services.deals import registers

KINDS = ("small", "large")


def _random_money(rng):
    return Decimal(rng.randint(1, 99_999_999)) / 100


def _fill(app, office, rng, count=1000):
    """Rows written directly (fixture data): deposits on unit 101, payments on one contract."""
    with app.app_context():
        unit_ids = list(office["units"].values())
        pid, book = office["project"], 1
        db.session.execute(db.text("DELETE FROM receipt_book"))
        from app.models import ReceiptBook
        db.session.add(ReceiptBook(project_id=pid, first_no=1, last_no=count + 10, holder="前台",
                                   registered_by_id=office["chenjing"]))
        db.session.flush()
        book = db.session.scalar(select(ReceiptBook.id))
        common = dict(project_id=pid, method="cash", payer_id=office["zhang"],
                      issued_by_id=office["zhaomin"], book_id=book)
        receipts = [dict(common, number=n, amount=_random_money(rng), unit_id=unit_ids[0],
                         purpose="payment" if n > count * 6 // 10 else rng.choice(KINDS),
                         status=rng.choice(("issued", "confirmed", "voided")))
                    for n in range(1, count + 1)]
        db.session.execute(insert(Receipt), receipts)
        ids = dict(db.session.execute(select(Receipt.number, Receipt.id)).all())
        db.session.execute(insert(Deposit), [dict(
            project_id=pid, unit_id=unit_ids[0], customer_id=office["zhang"],
            consultant_id=office["wangfang"], receipt_id=ids[r["number"]], kind=r["purpose"],
            amount=r["amount"], method="cash",
            status=rng.choice(("pending", "confirmed", "rejected")),
            recorded_by_id=office["zhaomin"], form_key=f"k{r['number']:020d}")
            for r in receipts if r["purpose"] != "payment"])
        deposit_id = db.session.scalar(select(Deposit.id).limit(1))
        sub = Subscription(project_id=pid, number="RG-1", unit_id=unit_ids[1],
                           deposit_id=deposit_id, customer_id=office["zhang"],
                           list_price=Decimal("3000000"), deal_price=Decimal("2999999.99"),
                           plan="full", sign_deadline=date(2026, 1, 1),
                           signed_by_id=office["zhaomin"], form_key="s" * 20)
        contract = Contract(project_id=pid, number="HT-1", unit_id=unit_ids[1], subscription=sub,
                            customer_id=office["zhang"], sign_date=date(2026, 1, 1),
                            total_price=Decimal("2999999.99"), plan="full",
                            created_by_id=office["zhaomin"], form_key="c" * 20,
                            instalments=[Instalment(seq=1, label="全款", due_date=date(2026, 2, 1),
                                                    amount=Decimal("2999999.99"))])
        db.session.add(contract)
        db.session.flush()
        db.session.execute(insert(Payment), [dict(
            project_id=pid, contract_id=contract.id, instalment_id=contract.instalments[0].id,
            receipt_id=ids[r["number"]], amount=r["amount"], method="cash",
            status=rng.choice(("pending", "confirmed", "rejected")),
            recorded_by_id=office["zhaomin"], form_key=f"p{r['number']:020d}")
            for r in receipts if r["purpose"] == "payment"])
        db.session.commit()
        return pid


def test_every_register_total_is_the_decimal_sum_of_its_rows(app, office):
    pid = _fill(app, office, random.Random(5))
    with app.app_context():
        for name, (spec, _) in registers.REGISTERS.items():
            for status in [None, *spec.statuses]:
                rows = registers.rows(name, pid, {"status": status}, limit=None)
                totals = registers.totals(name, pid, {"status": status})
                assert totals["count"] == len(rows), name
                left_out = {spec.statuses[code] for code in spec.uncounted}
                counted = [row for row in rows if row.get("status") not in left_out]
                assert totals["uncounted"] == len(rows) - len(counted), name
                for key in spec.money:
                    # an empty cell (业主登记: no 认购书 yet, so no 成交价) adds nothing
                    assert totals[key] == sum((row[key] or Decimal("0.00") for row in counted),
                                              Decimal("0.00")), \
                        (name, status, key)
        assert registers.totals("receipts", pid, {})["count"] == 1000
        confirmed = registers.totals("contracts", pid, {})
        assert confirmed["received"] + confirmed["balance"] == Decimal("2999999.99")


def test_the_register_page_and_its_xlsx_show_the_same_totals(app, office, browser_for):
    pid = _fill(app, office, random.Random(9), count=120)
    browser = browser_for("chenjing")
    page = browser.get("/deals/registers/payments?status=confirmed")
    assert page.status_code == 200 and "回款明细表" in page.text
    with app.app_context():
        totals = registers.totals("payments", pid, {"status": "confirmed"})
        before = db.session.scalar(select(db.func.count()).select_from(AuditLog))
    assert f"合计 {totals['count']} 笔" in page.text and f"¥{totals['received']:,.2f}" in page.text
    export = browser.get("/deals/registers/payments.xlsx?status=confirmed")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.data)).active
    last = list(sheet.iter_rows(values_only=True))[-1]
    assert last[0] == "合计" and Decimal(str(last[6])) == totals["received"]
    assert sheet.max_row == totals["count"] + 2
    with app.app_context():
        after = db.session.scalar(select(db.func.count()).select_from(AuditLog))
        assert after == before + 1
        assert db.session.scalar(select(AuditLog.action).order_by(AuditLog.id.desc())
                                 .limit(1)) == "register_exported"
    assert Unit is not None


def test_money_that_never_counted_is_listed_but_left_out_of_the_total(app, office, browser_for):
    pid = _fill(app, office, random.Random(11), count=60)
    with app.app_context():
        everything = registers.totals("receipts", pid, {})
        voided = registers.totals("receipts", pid, {"status": "voided"})
        live = [registers.totals("receipts", pid, {"status": status})
                for status in ("issued", "confirmed", "refunded")]
    assert voided["count"] == voided["uncounted"] > 0 and voided["amount"] == Decimal("0.00")
    assert everything["amount"] == sum((t["amount"] for t in live), Decimal("0.00"))
    page = browser_for("chenjing").get("/deals/registers/receipts")
    assert f"其中已作废 {voided['count']} 笔不计金额" in page.text
    export = browser_for("chenjing").get("/deals/registers/receipts.xlsx")
    notes = load_workbook(io.BytesIO(export.data))["说明"]
    assert f"已作废 {voided['count']} 笔列出但不计入合计金额" in notes["A2"].value
