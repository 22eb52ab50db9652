"""The log 特殊优惠客户一览表: filters, totals, exports, and who sees the floor price."""
import io
from datetime import timedelta

import pytest
import time_machine
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db as _db
from app.models import AuditLog
from app.services import discounts
from tests.discounts.conftest import T0, new_request, user


def populate(office):
    """Four requests: approved (wangfang, 1801), rejected (lijun), pending on 2栋, verbal."""
    approved = new_request(office, kind="amount", value="50000", at=T0)
    discounts.decide(approved, True, "同意", user("liuqiang", office), at=T0)
    rejected = new_request(office, unit="unit_b", customer="other_customer", by="lijun",
                           kind="amount", value="80000", at=T0 + timedelta(days=2))
    discounts.decide(rejected, False, "不符合政策", user("sunhong", office),
                     at=T0 + timedelta(days=2))
    new_request(office, unit="unit_2", kind="amount", value="30000", at=T0 + timedelta(days=5))
    verbal = new_request(office, unit="unit_b", kind="amount", value="20000",
                         at=T0 + timedelta(days=6))
    discounts.record_verbal(verbal, user("liuqiang", office), T0 + timedelta(days=6), "电话同意",
                            user("zhaomin", office), at=T0 + timedelta(days=6))
    _db.session.commit()


@pytest.fixture
def day_six():
    """The afternoon after the last request: the approval and the verbal one are still valid."""
    with time_machine.travel(T0 + timedelta(days=6, hours=1), tick=False):
        yield


def test_filters_and_totals(app, office, browser_for, day_six):
    with app.app_context():
        populate(office)
    zhaomin = browser_for("zhaomin")
    everything = zhaomin.get("/discounts/log").text
    assert "¥180,000.00" in everything  # 50k + 80k + 30k + 20k asked for
    assert "¥70,000.00" in everything  # granted: 50k approved + 20k verbal
    for name in ("张三", "李四", "刘强", "赵敏 登记口头批准", "孙红 驳回"):
        assert name in everything
    by_consultant = zhaomin.get(f"/discounts/log?consultant_id={office['lijun']}",
                                headers={"HX-Request": "true"}).text
    assert by_consultant.lstrip().startswith('<section id="discount-log-rows"')
    assert "李四" in by_consultant and "张三" not in by_consultant
    assert "¥80,000.00" in by_consultant
    building2 = zhaomin.get(f"/discounts/log?building_id={office['building2']}").text
    assert "2栋 501" in building2 and "1栋 1801" not in building2
    period = zhaomin.get("/discounts/log?start=2026-03-05&end=2026-03-09").text
    assert "2栋 501" in period and "1栋 1801" not in period and "1栋 1802" in period
    approver = zhaomin.get(f"/discounts/log?approver_id={office['sunhong']}").text
    assert "李四" in approver and "2栋 501" not in approver
    verbal = zhaomin.get("/discounts/log?status=verbal_open").text
    assert "口头批准待确认" in verbal and "¥20,000.00" in verbal and "李四" not in verbal
    bad_date = zhaomin.get("/discounts/log?start=3月5日")
    assert bad_date.status_code == 200 and "日期格式应为" in bad_date.text


def test_expired_and_overdue_show_up_in_the_log(app, office, browser_for):
    with app.app_context():
        populate(office)
    assert "已过期" in browser_for("zhaomin").get("/discounts/log?status=expired").text
    overdue = browser_for("zhaomin").get("/discounts/log?status=verbal_overdue").text
    assert "口头批准逾期未确认" in overdue and "1栋 1802" in overdue


def test_excel_export_has_the_rows_totals_and_no_floor_for_a_secretary(app, office,
                                                                      browser_for, day_six):
    with app.app_context():
        populate(office)
    response = browser_for("zhaomin").get("/discounts/log.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.data)).active
    headers = [cell.value for cell in ws[1]]
    assert headers[:3] == ["申请时间", "客户", "电话"] and "底价" not in headers
    values = [[cell.value for cell in row] for row in ws.iter_rows(min_row=2)]
    assert len(values) == 5 and values[-1][0] == "合计"
    assert values[-1][headers.index("特殊优惠额")] == 180000
    assert {row[2] for row in values[:-1]} == {"138****1111", "139****2222"}
    assert "1880000" not in str(values) and "1,880,000" not in str(values)
    with app.app_context():
        exported = _db.session.scalar(select(AuditLog).where(
            AuditLog.action == "discount_log_exported"))
        assert exported.actor == "zhaomin" and '"rows": 4' in exported.after


def test_manager_export_carries_the_floor_and_the_pdf_reads_back(app, office, browser_for,
                                                                  day_six):
    with app.app_context():
        populate(office)
    liuqiang = browser_for("liuqiang")
    ws = load_workbook(io.BytesIO(liuqiang.get("/discounts/log.xlsx").data)).active
    headers = [cell.value for cell in ws[1]]
    assert "底价" in headers and ws.cell(2, headers.index("底价") + 1).value == 1880000
    pdf = liuqiang.get("/discounts/log.pdf?consultant_id=%d" % office["wangfang"])
    assert pdf.headers["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    text = text.replace(" ", "")
    assert "特殊优惠客户一览表" in text and "张三" in text and "李四" not in text
    assert "成交价-底价" in text
    secretary_pdf = browser_for("zhaomin").get("/discounts/log.pdf").data
    secretary_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(secretary_pdf)).pages)
    assert "底价" not in secretary_text and "1,880,000" not in secretary_text


def test_the_log_and_its_exports_are_closed_to_consultants(app, office, browser_for):
    wangfang = browser_for("wangfang")
    for url in ("/discounts/log", "/discounts/log.xlsx", "/discounts/log.pdf"):
        assert wangfang.get(url).status_code == 403
