"""The card 温馨卡 and its actions, option lists, ownership management, statistics and charts,
channel reports with the printable 看房确认单."""
import io
from datetime import timedelta

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, Customer
from app.services.clock import now
from tests.fixtures.customers import add_customer, browser_for, office

CARD = {"name": "张三", "phone": "13800138000", "gender": "男", "age_band": "25-35岁",
        "area_band": "100-120㎡", "wanted_layout": "三房", "family_structure": "三口之家",
        "channel": "路过", "concerns": "学区", "next_appointment_on": "2030-01-05",
        "next_appointment_pretext": "样板间开放"}


def test_the_card_saves_standard_choices_and_refuses_others(app):
    ids = office(app)
    customer = add_customer(app, ids["a"], "张三", "13800138000")
    wang = browser_for(app, "wangfang")
    page = wang.get(f"/customers/{customer}").text
    for label in ("单位性质", "年龄", "现住房性质", "购房用途", "认知途径", "意向面积", "接受单价",
                  "家庭月收入", "家庭结构", "意向户型", "相貌特征", "约访由头", "踩盘"):
        assert label in page
    bad = wang.post(f"/customers/{customer}/card", {**CARD, "area_band": "300平"})
    assert bad.status_code == 422 and "请从列表中选择意向面积" in bad.text
    bad_id = wang.post(f"/customers/{customer}/card", {**CARD, "id_number": "12345"})
    assert bad_id.status_code == 422 and "身份证号应为 18 位" in bad_id.text
    ok = wang.post(f"/customers/{customer}/card", CARD)
    assert ok.status_code == 302
    with app.app_context():
        row = db.session.get(Customer, customer)
        assert (row.age_band, row.wanted_layout, row.next_appointment_pretext) == (
            "25-35岁", "三房", "样板间开放")
        audit = db.session.scalar(select(AuditLog).where(
            AuditLog.action == "customer_card_updated"))
        assert "三房" in audit.after and "学区" not in audit.after  # notes never in the audit
    manager = browser_for(app, "liuqiang")
    mgr_page = manager.get(f"/customers/{customer}").text
    assert 'name="phone"' not in mgr_page and "138****8000" in mgr_page
    saved = manager.post(f"/customers/{customer}/card", {**CARD, "phone": "", "wanted_layout":
                                                         "四房"})
    assert saved.status_code == 302
    with app.app_context():
        row = db.session.get(Customer, customer)
        assert row.wanted_layout == "四房" and row.phone == "13800138000"


def test_follow_ups_and_grades_update_their_sections_in_place(app):
    ids = office(app)
    customer = add_customer(app, ids["a"], "张三", "13800138000")
    wang = browser_for(app, "wangfang")
    wang.get(f"/customers/{customer}")
    empty = wang.post(f"/customers/{customer}/follow-ups", {"way": "phone", "content": ""},
                      htmx=True)
    assert empty.status_code == 422 and "请填写跟进内容" in empty.text
    assert empty.text.lstrip().startswith('<section id="follow-ups"')
    due = (now() + timedelta(days=7)).date().isoformat()
    done = wang.post(f"/customers/{customer}/follow-ups", {
        "way": "wechat", "content": "发送 B 户型图", "result": "约周六来", "effective": "y",
        "next_on": due}, htmx=True)
    assert done.status_code == 200 and "发送 B 户型图" in done.text and "微信" in done.text
    visit = wang.post(f"/customers/{customer}/visits", {"kind": "visit", "duration": "40",
                                                        "result": "看样板间"}, htmx=True)
    assert "第 2 次" in visit.text and "40 分" in visit.text
    no_grade = wang.post(f"/customers/{customer}/grade", {"reason": "看中 1801"}, htmx=True)
    assert no_grade.status_code == 422 and "请选择级别" in no_grade.text
    assert "Not a valid choice" not in no_grade.text
    wang.post(f"/customers/{customer}/grade", {"grade": "A", "reason": "看中 1801"}, htmx=True)
    down = wang.post(f"/customers/{customer}/grade", {"grade": "C", "reason": "预算不足"},
                     htmx=True)
    assert down.status_code == 200 and "降级待经理确认" in down.text and "预算不足" in down.text
    manager = browser_for(app, "liuqiang")
    page = manager.get("/customers/ownership").text
    assert "待确认的降级" in page and "预算不足" in page
    with app.app_context():
        from app.models import GradeChange
        change = db.session.scalar(select(GradeChange).where(GradeChange.after == "C"))
    manager.post(f"/customers/downgrades/{change.id}/ack")
    assert "预算不足" not in manager.get("/customers/ownership").text


def test_a_manager_edits_the_option_lists_per_project(app):
    office(app)
    manager = browser_for(app, "liuqiang")
    manager.get("/customers/options")
    empty = manager.post("/customers/options", {"kind": "channel", "labels": " \n "})
    assert empty.status_code == 422 and "至少保留一个选项" in empty.text
    saved = manager.post("/customers/options", {"kind": "channel",
                                                "labels": "亲友推荐\n抖音直播\n路过\n路过"})
    assert saved.status_code == 302
    page = manager.get("/customers/new").text
    assert "抖音直播" in page and "户外广告" not in page
    assert "本项目自定义" in manager.get("/customers/options").text
    manager.post("/customers/options", {"kind": "channel", "labels": "", "reset": "1"})
    assert "户外广告" in manager.get("/customers/new").text


def test_ownership_actions_pool_recycle_reassign(app):
    ids = office(app)
    stale = add_customer(app, ids["a"], "张三", "13800138000", when=now() - timedelta(days=100))
    add_customer(app, ids["a"], "李四", "13900139000")
    manager = browser_for(app, "liuqiang")
    page = manager.get("/customers/ownership").text
    assert "本月尚未回收:1 位客户" in page
    manager.post("/customers/ownership/recycle")
    again = manager.post("/customers/ownership/recycle", follow_redirects=True).text
    assert "本月已于" in again and "张三" in again  # now in the pool
    bad = manager.post("/customers/ownership/assign", {"to_user": "0"})
    assert bad.status_code == 422 and "请勾选公共池中的客户" in bad.text
    manager.post("/customers/ownership/assign", {"customer_ids": str(stale),
                                                 "to_user": str(ids["c"])})
    with app.app_context():
        assert db.session.get(Customer, stale).owner_id == ids["c"]
    moved = manager.post("/customers/ownership/reassign", {
        "from_user": str(ids["a"]), "to_user": str(ids["b"]), "reason": "王芳休产假"},
        follow_redirects=True)
    assert "已转移:李军 1 位" in moved.text
    card = manager.get(f"/customers/{stale}").text
    assert "月度回收" in card and "公共池分配" in card
    settled = manager.post(f"/customers/{stale}/owner", {"to_user": str(ids["d"]),
                                                         "reason": "来人登记表显示陈晨首次接待"},
                           htmx=True)
    assert "纠纷裁定" in settled.text and "陈晨" in settled.text


def test_statistics_charts_and_the_saturday_check(app):
    ids = office(app)
    for n, (owner, channel) in enumerate([("a", "路过"), ("a", "网络"), ("b", "路过")]):
        add_customer(app, ids[owner], f"客户{n}", f"1380013800{n}", channel=channel)
    secretary = browser_for(app, "zhaomin")
    stats = secretary.get("/visits/statistics?period=week").text
    assert "按认知途径" in stats and "按置业顾问" in stats and "<svg" in stats
    assert 'aria-label="按认知途径的来人来电"' in stats
    export = secretary.post("/visits/statistics.xlsx?period=month")
    sheet = load_workbook(io.BytesIO(export.data)).active
    rows = {(r[0], r[1]): r[2] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[("认知途径", "路过")] == 2 and rows[("置业顾问", "王芳")] == 2
    analysis = secretary.get("/visits/analysis").text
    assert analysis.count("<svg") == 6 and "66.7%" in analysis and "首次" in analysis
    assert "style=" not in analysis
    wang = browser_for(app, "wangfang")
    customer = add_customer(app, ids["a"], "客户9", "13800138009")
    wang.get(f"/customers/{customer}")
    wang.post(f"/customers/{customer}/grade", {"grade": "B", "reason": "有意向"})
    weekly = secretary.get("/visits/weekly").text
    assert "王芳" in weekly and "周六级别检查" in weekly


def test_channel_report_arrival_and_the_printed_confirmation(app):
    ids = office(app)
    secretary = browser_for(app, "zhaomin")
    secretary.get("/channels/companies")
    secretary.post("/channels/companies/new", {"name": "链家地产", "kind": "agency"})
    with app.app_context():
        from app.models import ChannelCompany
        company = db.session.scalar(select(ChannelCompany))
    secretary.post(f"/channels/companies/{company.id}/agents", {"name": "刘洋"})
    with app.app_context():
        agent = db.session.scalar(select(ChannelCompany)).agents[0].id
    secretary.get("/channels/")
    ok = secretary.post("/channels/reports", {"agent_id": str(agent), "customer_name": "张三",
                                              "gender": "男", "phone_mask": "1380**38000"},
                        follow_redirects=True)
    assert "报备成功" in ok.text and "前到访" in ok.text
    add_customer(app, ids["b"], "李四", "13900139000")
    refused = secretary.post("/channels/reports", {"agent_id": str(agent),
                                                   "customer_name": "李四", "gender": "女",
                                                   "phone_mask": "1390 39000"},
                             follow_redirects=True)
    assert "报备失败:该客户已在案场登记或处于保护期" in refused.text
    manager = browser_for(app, "liuqiang")
    manager.get("/rotation/order")
    manager.post("/rotation/order", {f"pos-{ids['a']}": "1"})
    arrived = secretary.post("/rotation/walk-in", {"name": "张三", "phone": "13800138000",
                                                   "channel": "渠道/中介"}, htmx=True)
    assert "渠道报备匹配" in arrived.text and "链家地产" in arrived.text
    with app.app_context():
        from app.models import ChannelReport
        report_id = db.session.scalar(select(ChannelReport.id).where(
            ChannelReport.status == "reported"))
        customer = db.session.scalar(select(Customer).where(Customer.name == "张三"))
        customer.gender, customer_id = "男", customer.id
        db.session.commit()
    secretary.get("/channels/")
    confirmed = secretary.post(f"/channels/reports/{report_id}/confirm",
                               {"customer_id": str(customer_id)}, follow_redirects=True)
    assert "已确认渠道带看" in confirmed.text and "渠道保护:链家地产" in confirmed.text
    pdf = secretary.get(f"/channels/reports/{report_id}/confirmation.pdf")
    assert pdf.headers["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    text = text.replace(" ", "")
    assert "看房确认单" in text and "链家地产" in text and "1380**38000" in text
    assert "第1次推荐" in text
