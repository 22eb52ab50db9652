"""销售日报 PDF = page = xlsx; 换房 counted apart from 退房 everywhere; the
日报's 退房 equals the 换房退房一览表's for the same period."""
import io
import re

from openpyxl import load_workbook
from pypdf import PdfReader

from app.services import clock
from tests.changes.conftest import ask, last_change, sell
from tests.changes.test_paths import approve, carry_out, execute


def changes_today(app, office, browser_for):
    """Today: a 退房 of a sold unit, a 换房 of another, a deposit-only 退房 (no sale)."""
    with app.app_context():
        refunded, _ = sell(office, "1栋 101", 1001)
        moved, _ = sell(office, "1栋 102", 1010)
        deposit_only, _ = sell(office, "1栋 201", 1020, stage="deposit")
    consultant, manager = browser_for("wangfang"), browser_for("liuqiang")
    secretary = browser_for("zhaomin")
    for unit_id, kind, extra in ((refunded, "refund", {}), (deposit_only, "refund", {}),
                                 (moved, "exchange", {"target_unit_id":
                                                      office["units"]["1栋 304"]})):
        assert ask(consultant, unit_id, kind, **extra).status_code == 302
        with app.app_context():
            change_id = last_change().id
        terms = {"penalty": "0", "unit_after": "available"} if kind == "refund" else {}
        assert approve(manager, change_id, **terms).status_code == 302
        done = execute(secretary, change_id)
        assert done.status_code == 302, done.text


def test_daily_report_counts_refunds_and_exchanges_apart_on_page_pdf_and_xlsx(
        app, office, browser_for):
    changes_today(app, office, browser_for)
    manager = browser_for("liuqiang")
    day = clock.today().isoformat()
    page = manager.get(f"/reports/sales?period=day&day={day}").text
    assert "退房 1 套 · 换房 1 套" in page
    total = page[page.index("<tfoot>"):page.index("</tfoot>")]
    cells = re.findall(r'<td class="num">([^<]*)</td>', total)
    assert cells[3:5] == ["1", "1/1"], cells  # 退房 1, 换房 出 1 / 入 1
    pdf = PdfReader(io.BytesIO(manager.get(f"/reports/sales.pdf?period=day&day={day}").data))
    text = pdf.pages[0].extract_text().replace("\n", "")
    assert "退房 1 套" in text and "换房 1 套" in text and "换房出/入" in text.replace(" ", "")
    sheet = load_workbook(io.BytesIO(manager.get(
        f"/reports/sales.xlsx?period=day&day={day}").data)).active
    header = [cell.value for cell in sheet[1]]
    last = [row for row in sheet.iter_rows(values_only=True) if row[0] == "合计"][-1]
    figures = dict(zip(header, last, strict=False))
    assert (figures["退房"], figures["换出"], figures["换入"]) == (1, 1, 1)
    # the 日报's 退房 is the 一览表's executed 退房 of sold units, by execution date
    listed = manager.get(f"/changes/?kind=refund&status=executed&basis=executed&stage=sold"
                         f"&start={day}&end={day}").text
    assert "合计 1 笔" in listed
    every = manager.get(f"/changes/?kind=refund&status=executed&basis=executed"
                        f"&start={day}&end={day}").text
    assert "合计 2 笔" in every and "定金已确认" in every  # the deposit-only one, labelled


def test_the_reports_refunds_are_the_lists_refunds_on_each_side_of_midnight(
        app, office, browser_for):
    """A 退房 and a 换房 at 23:59 and a 退房 at 00:00 the next day (office time): each day's
    日报 (page, PDF, xlsx) and 换房退房一览表 count the same 退房, and the 换房 apart."""
    import time_machine

    from tests.fixtures.customers import at
    with app.app_context(), time_machine.travel(at(2026, 2, 1), tick=False):
        late, _ = sell(office, "1栋 101", 1001)
        early, _ = sell(office, "1栋 102", 1010)
        moved, _ = sell(office, "1栋 103", 1020)
    with time_machine.travel(at(2026, 3, 2, 23, 59), tick=False):
        carry_out(app, browser_for, late, "refund")
        carry_out(app, browser_for, moved, "exchange", target_unit_id=office["units"]["1栋 304"])
    with time_machine.travel(at(2026, 3, 3, 0, 0), tick=False):
        carry_out(app, browser_for, early, "refund")
    with time_machine.travel(at(2026, 3, 3, 9), tick=False):
        manager = browser_for("liuqiang")
        for day, refunds, exchanges in (("2026-03-02", 1, 1), ("2026-03-03", 1, 0)):
            query = f"period=day&day={day}"
            page = manager.get(f"/reports/sales?{query}").text
            assert f"退房 {refunds} 套 · 换房 {exchanges} 套" in page, day
            pdf = PdfReader(io.BytesIO(manager.get(f"/reports/sales.pdf?{query}").data))
            text = pdf.pages[0].extract_text().replace("\n", "")
            assert f"退房 {refunds} 套 · 换房 {exchanges} 套" in text, day
            sheet = load_workbook(io.BytesIO(
                manager.get(f"/reports/sales.xlsx?{query}").data)).active
            header = [cell.value for cell in sheet[1]]
            last = [row for row in sheet.iter_rows(values_only=True) if row[0] == "合计"][-1]
            figures = dict(zip(header, last, strict=False))
            assert (figures["退房"], figures["换出"]) == (refunds, exchanges), day
            listed = manager.get(f"/changes/?kind=refund&status=executed&basis=executed"
                                 f"&stage=sold&start={day}&end={day}").text
            assert f"合计 {refunds} 笔" in listed, day
            swapped = manager.get(f"/changes/?kind=exchange&status=executed&basis=executed"
                                  f"&start={day}&end={day}").text
            assert f"合计 {exchanges} 笔" in swapped, day
