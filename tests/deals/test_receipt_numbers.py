"""A receipt number has one format everywhere (No.0002001): the 收据本 form
takes what the app prints, and a longer number is refused, never cut into another book."""
import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import ReceiptBook
from tests.deals.test_path import record_deposit


def books(app):
    with app.app_context():
        return db.session.execute(select(ReceiptBook.first_no, ReceiptBook.last_no)
                                  .order_by(ReceiptBook.first_no)).all()


def test_the_book_form_takes_what_the_app_prints_and_refuses_longer(app, office, browser_for):
    finance = browser_for("chenjing")
    page = finance.get("/deals/receipt-books").text
    # no maxlength that would make the browser cut "No.0002001" to "No.000200" (book 200)
    assert not re.search(r'name="first_no"[^>]*maxlength="(\d)"', page)
    done = finance.post("/deals/receipt-books", {"first_no": "No.0002001",
                                                 "last_no": "No.0002100", "holder": "前台"})
    assert done.status_code == 302, done.text
    assert (2001, 2100) in books(app)
    longer = finance.post("/deals/receipt-books", {"first_no": "No.00020010",
                                                   "last_no": "No.00020020", "holder": "前台"})
    assert longer.status_code == 422 and "收据编号最多 7 位数字" in longer.text
    assert len(books(app)) == 2
    # a deposit takes the printed form too, and a longer number is refused, not cut
    cut, _ = record_deposit(browser_for("zhaomin"), office["units"]["1栋 101"],
                            office["zhang"], "No.00010010", consultant=office["wangfang"])
    assert cut.status_code == 422 and "收据编号最多 7 位数字" in cut.text
    done, _ = record_deposit(browser_for("zhaomin"), office["units"]["1栋 101"],
                             office["zhang"], "No.0002001", consultant=office["wangfang"])
    assert done.status_code == 302, done.text
    export = finance.get("/deals/registers/receipts.xlsx")
    sheet = load_workbook(io.BytesIO(export.data)).active
    assert "No.0002001" in [cell.value for cell in sheet["A"]]
    assert "No.0002001" in finance.get("/deals/registers/receipts").text
