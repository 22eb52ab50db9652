"""Asking, deciding and following a special discount through the pages, as users do."""
from datetime import timedelta

import time_machine
from sqlalchemy import select

from app.extensions import db as _db
from app.models import DiscountRequest, DiscountStatus
from app.services import clock, discounts
from tests.discounts.conftest import new_request, user

FLOOR_TEXTS = ("底价", "1,880,000", "30,000.00")  # floor price, and the gap of a 1.91M deal


def form(office, **changes):
    data = {"customer_id": office["customer"], "building_id": office["building"],
            "unit_no": "1801", "kind": "price", "value": "1910000", "reason": "客户全款,当天签约"}
    data.update(changes)
    return data


def test_request_page_opens_with_customer_and_unit_preselected(app, office, browser_for):
    page = browser_for("wangfang").get(
        f"/discounts/new?customer_id={office['customer']}&unit_id={office['unit_a']}")
    html = page.text
    assert page.status_code == 200
    assert f'<option selected value="{office["customer"]}">张三 138****1111' in html
    assert 'value="1801"' in html and "¥2,000,000.00" in html  # the unit's list price shown
    assert "李四" not in html  # another consultant's customer is not offered


def test_consultant_requests_and_sees_the_prices_but_never_the_floor(app, office, browser_for):
    wangfang = browser_for("wangfang")
    wangfang.get("/discounts/new")
    fragment = wangfang.get(f"/discounts/quote?building_id={office['building']}&unit_no=1801"
                            "&kind=price&value=1910000", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<section id="discount-quote"')
    assert "¥1,910,000.00" in fragment.text and "¥90,000.00" in fragment.text
    response = wangfang.post("/discounts/new", form(office))
    assert response.status_code == 302
    detail = wangfang.get(response.headers["Location"])
    assert "待审批" in detail.text and "¥1,910,000.00" in detail.text
    status = wangfang.get(response.headers["Location"] + "/status")
    pages = [fragment.text, detail.text, status.text, wangfang.get("/discounts/").text,
             wangfang.get(f"/discounts/new?unit_id={office['unit_a']}").text]
    for html in pages:
        for secret in FLOOR_TEXTS:
            assert secret not in html


def test_managers_see_the_gap_to_the_floor(app, office, browser_for):
    request = None
    with app.app_context():
        request = new_request(office, kind="price", value="1900000")
    liuqiang = browser_for("liuqiang")
    fragment = liuqiang.get(f"/discounts/quote?building_id={office['building']}&unit_no=1801"
                            "&kind=price&value=1850000", headers={"HX-Request": "true"})
    assert "低于底价 ¥30,000.00" in fragment.text
    assert "高于底价 ¥20,000.00" in liuqiang.get("/discounts/queue").text
    assert "¥1,880,000.00" in liuqiang.get(f"/discounts/{request.id}").text


def test_bad_request_is_refused_with_chinese_errors_and_nothing_saved(app, office, browser_for):
    wangfang = browser_for("wangfang")
    wangfang.get("/discounts/new")
    bad = wangfang.post("/discounts/new", form(office, value="2100000", reason=""))
    assert bad.status_code == 422
    assert "请填写申请理由" in bad.text
    worse = wangfang.post("/discounts/new", form(office, unit_no="9999"))
    assert worse.status_code == 422 and "该楼栋没有这个房号" in worse.text
    other = wangfang.post("/discounts/new", form(office, customer_id=office["other_customer"]))
    assert other.status_code == 403
    with app.app_context():
        assert _db.session.scalar(select(DiscountRequest.id)) is None


def test_manager_approves_in_place_and_the_consultant_sees_it(app, office, browser_for):
    with app.app_context():
        request_id = new_request(office).id
    liuqiang = browser_for("liuqiang")
    queue = liuqiang.get("/discounts/queue")
    assert "张三" in queue.text and "批准" in queue.text
    row = liuqiang.post(f"/discounts/{request_id}/decide",
                        {"decision": "approve", "comment": "同意"}, htmx=True)
    assert row.status_code == 200
    assert row.text.lstrip().startswith(f'<tr id="discount-{request_id}"')
    assert "已批准" in row.text and "<html" not in row.text
    assert row.headers["HX-Trigger"] == "discounts-changed"
    with app.app_context():
        request = _db.session.get(DiscountRequest, request_id)
        price, off = request.deal_price, request.discount_amount
    # the flash, out of band, says the price approved, as the paper will carry it
    assert (f"已批准 张三 的特殊优惠申请:成交总价 ¥{price:,.2f}(优惠 ¥{off:,.2f})"
            in row.text)
    status = browser_for("wangfang").get(f"/discounts/{request_id}/status")
    assert "已批准" in status.text and "刘强" in status.text
    assert "hx-trigger" not in status.text  # decided: the page stops polling


def test_reject_needs_a_reason_shown_in_the_row(app, office, browser_for):
    with app.app_context():
        request_id = new_request(office).id
    liuqiang = browser_for("liuqiang")
    liuqiang.get("/discounts/queue")
    row = liuqiang.post(f"/discounts/{request_id}/decide", {"decision": "reject"}, htmx=True)
    assert row.status_code == 422 and "驳回时请填写原因" in row.text
    assert row.text.lstrip().startswith(f'<tr id="discount-{request_id}"')


def test_consultants_and_self_approval_are_refused_by_the_server(app, office, browser_for):
    with app.app_context():
        own = new_request(office, by="liuqiang").id
    liuqiang = browser_for("liuqiang")
    liuqiang.get("/discounts/queue")
    assert liuqiang.post(f"/discounts/{own}/decide", {"decision": "approve"},
                         htmx=True).status_code == 403
    assert "本人提交的申请" in liuqiang.get("/discounts/queue").text
    wangfang = browser_for("wangfang")
    wangfang.get("/discounts/")
    assert wangfang.post(f"/discounts/{own}/decide", {"decision": "approve"}).status_code == 403
    with app.app_context():
        assert _db.session.get(DiscountRequest, own).status == DiscountStatus.PENDING


def test_escalated_request_says_who_must_approve(app, office, browser_for):
    with app.app_context():
        request_id = new_request(office, kind="price", value="1850000").id
    queue = browser_for("liuqiang").get("/discounts/queue").text
    assert "超出您的审批权限(不得低于底价),需由 周总 审批" in queue
    assert 'value="approve"' not in queue
    boss = browser_for("boss")
    boss.get("/discounts/queue")
    row = boss.post(f"/discounts/{request_id}/decide", {"decision": "approve"}, htmx=True)
    assert "已批准" in row.text


def test_badge_counts_and_answers_304_when_nothing_changed(app, office, browser_for):
    liuqiang = browser_for("liuqiang")
    empty = liuqiang.get("/discounts/badge")
    assert empty.status_code == 200 and "empty" in empty.text and empty.headers["ETag"]
    same = liuqiang.get("/discounts/badge", headers={"If-None-Match": empty.headers["ETag"]})
    assert same.status_code == 304 and same.data == b""
    with app.app_context():
        new_request(office)
    changed = liuqiang.get("/discounts/badge", headers={"If-None-Match": empty.headers["ETag"]})
    assert changed.status_code == 200 and ">1</span>" in changed.text
    assert changed.headers["ETag"] != empty.headers["ETag"]
    assert 'id="badge-discounts-queue"' in liuqiang.get("/").text  # in every manager page
    assert browser_for("wangfang").get("/discounts/badge").status_code == 403


def test_polling_the_badge_does_not_keep_an_idle_session_alive(app, office, browser_for):
    with time_machine.travel("2026-03-03 06:00 +0000", tick=False) as clock:
        liuqiang = browser_for("liuqiang")
        for _ in range(5):  # 25 minutes of polls, nobody at the desk
            clock.shift(timedelta(minutes=5))
            assert liuqiang.get("/discounts/badge").status_code == 200
        clock.shift(timedelta(minutes=10))  # 35 minutes after the last click: idle timeout
        ended = liuqiang.get("/discounts/badge")
        assert ended.status_code == 302 and "/login" in ended.headers["Location"]


def test_secretary_records_a_verbal_approval(app, office, browser_for):
    with app.app_context():
        request_id = new_request(office).id
    with time_machine.travel("2026-03-03 06:00 +0000", tick=False):
        zhaomin = browser_for("zhaomin")
        page = zhaomin.get(f"/discounts/{request_id}/verbal")
        assert f'<option value="{office["liuqiang"]}">刘强' in page.text
        assert f'<option value="{office["wangfang"]}">' not in page.text  # never the requester
        bad = zhaomin.post(f"/discounts/{request_id}/verbal",
                           {"approver_id": "", "approved_at": "昨天", "note": ""})
        assert bad.status_code == 422
        assert "时间格式应为" in bad.text and "请填写批准内容" in bad.text
        ok = zhaomin.post(f"/discounts/{request_id}/verbal", {
            "approver_id": office["liuqiang"], "approved_at": "2026-03-03T13:30",
            "note": "电话同意一口价"})
        assert ok.status_code == 302
        with app.app_context():
            price = _db.session.get(DiscountRequest, request_id).deal_price
        assert (f"已登记 刘强 的口头批准(成交总价 ¥{price:,.2f})"
                in zhaomin.get(ok.headers["Location"]).text)
        liuqiang = browser_for("liuqiang")
        queue = liuqiang.get("/discounts/queue").text
        assert "口头批准待确认" in queue and "03-10 13:30" in queue  # due 7 days after the call
        row = liuqiang.post(f"/discounts/{request_id}/confirm", {}, htmx=True)
    assert row.status_code == 200 and "已确认" in row.text
    with app.app_context():
        request = _db.session.get(DiscountRequest, request_id)
        assert request.verbal and request.confirmed_by_id == office["liuqiang"]


def test_overdue_verbal_approval_is_flagged_on_the_managers_home(app, office, browser_for):
    with app.app_context():
        request = new_request(office)
        discounts.record_verbal(request, user("liuqiang", office),
                                request.created_at, "同意", user("zhaomin", office))
        _db.session.commit()
        created_at = request.created_at
    with time_machine.travel(created_at + timedelta(days=8), tick=False):
        home = browser_for("liuqiang").get("/").text
    assert "口头批准逾期未确认 1 条" in home and "张三" in home


def test_requester_withdraws_and_the_queue_no_longer_shows_it(app, office, browser_for):
    with app.app_context():
        request_id = new_request(office).id
    lijun = browser_for("lijun")
    lijun.get("/")
    assert lijun.post(f"/discounts/{request_id}/withdraw").status_code == 403  # not his
    wangfang = browser_for("wangfang")
    wangfang.get(f"/discounts/{request_id}")
    done = wangfang.post(f"/discounts/{request_id}/withdraw")
    assert done.status_code == 302
    assert "已撤回" in wangfang.get(done.headers["Location"]).text
    assert "张三" not in browser_for("liuqiang").get("/discounts/queue").text


def test_the_secretarys_queue_does_not_tell_her_to_click_approve(app, office, browser_for):
    with app.app_context():
        new_request(office)
    queue = browser_for("zhaomin").get("/discounts/queue").text
    assert "登记口头批准" in queue and "“批准”或“驳回”" not in queue
    assert "“批准”或“驳回”" in browser_for("liuqiang").get("/discounts/queue").text


def test_a_verbal_approval_beyond_the_managers_limit_names_whose_limit(app, office,
                                                                       browser_for):
    with app.app_context():
        request_id = new_request(office, kind="price", value="1850000").id  # below the floor
    zhaomin = browser_for("zhaomin")
    zhaomin.get(f"/discounts/{request_id}/verbal")
    with app.app_context():
        called = (clock.local(clock.now()) - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M")
    refused = zhaomin.post(f"/discounts/{request_id}/verbal", {
        "approver_id": office["liuqiang"], "approved_at": called, "note": "电话同意"})
    assert refused.status_code == 422
    assert "超出刘强的审批权限(不得低于底价),需由 周总 审批" in refused.text
    assert "超出您的" not in refused.text  # the secretary has no limit of her own
