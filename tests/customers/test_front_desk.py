"""The front desk: one short form and one submit per walk-in, the queue, the consultant's day."""
import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import Customer, RotationAssignment
from tests.fixtures.customers import add_customer, browser_for, office


def _order(app, ids, *keys):
    manager = browser_for(app, "liuqiang")
    manager.get("/rotation/order")
    data = {f"pos-{ids[key]}": str(n) for n, key in enumerate(keys, start=1)}
    assert manager.post("/rotation/order", data).status_code == 302
    return manager


def _form_fields(html):
    form = html[html.index('action="/rotation/walk-in"'):]
    form = form[:form.index("</form>")]
    names = set(re.findall(r'name="([^"]+)"', form))
    return names, len(re.findall(r'type="submit"', form))


def test_a_walk_in_is_one_short_form_and_one_submit(app):
    ids = office(app)
    desk = browser_for(app, "zhaomin")
    page = desk.get("/rotation/").text
    assert "今日尚未排班" in page and "沿用上次" not in page
    assert desk.get("/rotation/order").status_code == 403
    refused = desk.post("/rotation/walk-in", {"name": "张三", "phone": "13800138000",
                                              "channel": "路过"})
    assert refused.status_code == 422 and "今日尚未排班" in refused.text
    manager = _order(app, ids, "a", "b")
    bad = manager.post("/rotation/order", {f"pos-{ids['a']}": "x"})
    assert bad.status_code == 422 and "1 到 99" in bad.text
    page = desk.get("/rotation/").text
    names, submits = _form_fields(page)
    assert names == {"csrf_token", "name", "phone", "channel", "named"} and submits == 1
    assert "登记并分配 → 王芳" in page
    assert len(re.findall(r'name="channel"[^>]*type="radio"', page)) == 11
    done = desk.post("/rotation/walk-in", {"name": "张三", "phone": "138 0013 8000",
                                           "channel": "路过"}, htmx=True)
    assert done.status_code == 200
    assert "张三 →" in done.text and "王芳" in done.text and "轮接" in done.text
    assert "登记并分配 → 李军" in done.text  # the queue moved on
    hint = desk.get("/rotation/lookup?phone=13800138000").text
    assert "老客户 张三 · 王芳 的客户" in hint
    again = desk.post("/rotation/walk-in", {"name": "张三", "phone": "13800138000",
                                            "channel": "网络"}, htmx=True)
    assert "老客户,第 2 次来访" in again.text and "登记并分配 → 李军" in again.text
    bad = desk.post("/rotation/walk-in", {"name": "", "phone": "12345", "channel": ""},
                    htmx=True)
    assert bad.status_code == 422
    assert "请填写客户姓名" in bad.text and "请选择认知途径" in bad.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Customer)) == 1
        assert db.session.scalar(select(func.count()).select_from(RotationAssignment)) == 2
    today = browser_for(app, "wangfang").get("/customers/today").text
    section = today[today.index('id="received"'):]
    assert "张三" in section[:2000] and "13800138000" in section[:2000]


def test_away_consultants_are_skipped_and_named_consultants_take_no_turn(app):
    ids = office(app)
    _order(app, ids, "a", "b", "c")
    desk = browser_for(app, "zhaomin")
    desk.get("/rotation/")
    away = desk.post(f"/rotation/away/{ids['a']}", htmx=True)
    assert "登记并分配 → 李军" in away.text and "回来了" in away.text
    named = desk.post("/rotation/walk-in", {"name": "李四", "phone": "13900139000",
                                            "channel": "亲友推荐", "named": str(ids["c"])},
                      htmx=True)
    assert "张伟" in named.text and "指定" in named.text and "登记并分配 → 李军" in named.text
    turn = desk.post("/rotation/walk-in", {"name": "王五", "phone": "13700137000",
                                           "channel": "路过"}, htmx=True)
    assert "跳过外出:王芳" in turn.text
    back = desk.post(f"/rotation/away/{ids['a']}", htmx=True)
    assert "补接" in back.text and "登记并分配 → 王芳" in back.text and "待补 1" in back.text
    log = desk.get("/rotation/log").text
    assert log.count("赵敏") >= 2 and "跳过:王芳" in log


def test_a_consultant_registers_a_contact_and_duplicates_name_the_owner(app):
    ids = office(app)
    wang = browser_for(app, "wangfang")
    page = wang.get("/customers/new").text
    assert 'name="consultant"' not in page  # a consultant registers for themselves
    done = wang.post("/customers/new", {"name": "张三", "phone": "+86 138-0013-8000",
                                        "channel": "网络", "kind": "call"})
    assert done.status_code == 302 and "/customers/" in done.headers["Location"]
    card = wang.get(done.headers["Location"]).text
    assert "13800138000" in card and "来电" in card
    li = browser_for(app, "lijun")
    li.get("/customers/new")
    dup = li.post("/customers/new", {"name": "张三丰", "phone": "13800138000", "channel": "路过",
                                     "kind": "visit"})
    assert dup.status_code == 422 and "该号码已登记:归属置业顾问 王芳,登记于" in dup.text
    bad = li.post("/customers/new", {"name": "李四", "phone": "13900139000",
                                     "channel": "抖音", "kind": "visit"})
    assert bad.status_code == 422 and "请从列表中选择认知途径" in bad.text
    secretary = browser_for(app, "zhaomin")
    secretary.get("/visits/")
    call = secretary.post("/visits/record", {"kind": "call", "consultant": str(ids["b"]),
                                             "channel": "电视", "result": "问价格"})
    assert call.status_code == 302
    assert "未留资料" in secretary.get("/visits/").text
    add_customer(app, ids["b"], "李四", "13900139000")
    assert "老客户" not in wang.get("/customers/today").text
