"""The manager's reviews: effective follow-ups judged not effective (validity recomputed),
consent on the card, and retention with bulk anonymisation (seed 004)."""
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, ChannelReport, Customer, FollowUp, GradeChange, Project, User
from app.services.customers import channels, ownership, retention, visits
from tests.fixtures.customers import add_customer, at, browser_for, office


def _page(app, username, when, url):
    with time_machine.travel(when, tick=False):
        return browser_for(app, username).get(url)


def _post(app, username, when, page, url, data):
    with time_machine.travel(when, tick=False):
        browser = browser_for(app, username)
        browser.get(page)
        return browser.post(url, data, follow_redirects=True)


def _follow_up(app, customer_id, when):
    with app.app_context(), time_machine.travel(when, tick=False):
        customer = db.session.get(Customer, customer_id)
        follow_up = visits.record_follow_up(customer, customer.owner, "phone", "电话回访,约周末")
        db.session.commit()
        return follow_up.id


def _valid(app, customer_id, when):
    with app.app_context():
        return ownership.ownership_valid(db.session.get(Customer, customer_id), when)


def test_a_follow_up_judged_not_effective_no_longer_keeps_the_card(app):
    """Registered 2026-01-10 (valid to 03-10); an effective follow-up on 02-01 keeps the card to
    04-01; judged not effective, the card is valid to 03-10 again and free from 03-11."""
    ids = office(app)
    customer_id = add_customer(app, ids["a"], "张三", "13800138000", when=at(2026, 1, 10))
    follow_up_id = _follow_up(app, customer_id, at(2026, 2, 1))
    assert _valid(app, customer_id, at(2026, 3, 11, 0, 0))
    review = _page(app, "liuqiang", at(2026, 3, 1), "/customers/follow-ups/review").text
    assert "电话回访,约周末" in review and "2026-04-01" in review
    assert _page(app, "wangfang", at(2026, 3, 1), "/customers/follow-ups/review"
                 ).status_code == 403
    url = f"/customers/follow-ups/{follow_up_id}/ineffective"
    empty = _post(app, "liuqiang", at(2026, 3, 1), "/customers/follow-ups/review", url,
                  {"reason": " "})
    assert "请填写判为无效的原因" in empty.text
    done = _post(app, "liuqiang", at(2026, 3, 1), "/customers/follow-ups/review", url,
                 {"reason": "通话记录显示未接通"})
    assert ("2026-02-01 的跟进被判无效(通话记录显示未接通);最后有效跟进/到访 2026-01-10,"
            "有效期由 2026-04-01 改为 2026-03-10") in done.text
    assert _valid(app, customer_id, at(2026, 3, 10, 23, 59))
    assert not _valid(app, customer_id, at(2026, 3, 11, 0, 0))
    card = _page(app, "wangfang", at(2026, 3, 1), f"/customers/{customer_id}").text
    assert "经理判为无效" in card and "通话记录显示未接通" in card
    with app.app_context():
        follow_up = db.session.get(FollowUp, follow_up_id)
        assert not follow_up.effective and follow_up.judged_by.display_name == "刘强"


def test_consent_is_recorded_on_the_card(app):
    ids = office(app)
    customer_id = add_customer(app, ids["a"], "张三", "13800138000", when=at(2026, 1, 10))
    card_url = f"/customers/{customer_id}"
    assert "尚未记录客户授权" in _page(app, "wangfang", at(2026, 1, 10, 11), card_url).text
    bad = _post(app, "wangfang", at(2026, 1, 10, 11), card_url, f"{card_url}/consent",
                {"how": "随便", "when": "2026-01-10"})
    assert "请选择授权方式" in bad.text
    done = _post(app, "wangfang", at(2026, 1, 10, 11), card_url, f"{card_url}/consent",
                 {"how": "书面签字", "when": "2026-01-10"})
    assert "客户于 2026-01-10 以“书面签字”方式同意" in done.text
    other = add_customer(app, ids["b"], "李四", "13900139000", when=at(2026, 1, 10))
    assert _post(app, "wangfang", at(2026, 1, 10, 11), card_url,
                 f"/customers/{other}/consent", {"how": "书面签字"}).status_code == 403


def _retention_world(app, ids):
    """张三 last seen 2024-03-01 (kept to 2026-03-01 at 24 months) with an unconfirmed report;
    李四 the same day but bought; 王五 seen 2025-06-01."""
    old = add_customer(app, ids["a"], "张三", "13800138000", when=at(2024, 3, 1))
    bought = add_customer(app, ids["b"], "李四", "13900139000", when=at(2024, 3, 1))
    recent = add_customer(app, ids["c"], "王五", "13700137000", when=at(2025, 6, 1))
    with app.app_context():
        project = db.session.scalar(select(Project))
        manager = db.session.get(User, ids["manager"])
        db.session.get(Customer, bought).deal_at = at(2024, 5, 1)
        agent = channels.add_agent(channels.save_company(project, "链家地产", "agency",
                                                         by=manager), "刘洋", by=manager)
        report = channels.report_customer(project, agent, "张三", "男", "1380**38000",
                                          by=manager)
        db.session.commit()
        return old, bought, recent, report.id


def test_cards_past_retention_are_listed_and_anonymised_in_bulk(app):
    ids = office(app)
    old, bought, recent, report_id = _retention_world(app, ids)
    with app.app_context():
        project = db.session.scalar(select(Project))
        assert project.retention_months == 24
        assert retention.past_retention(project, at(2026, 3, 1, 23, 59)) == []
        due = retention.past_retention(project, at(2026, 3, 2, 0, 0))
        assert [(c.id, f"{until}") for c, _last, until in due] == [(old, "2026-03-01")]
    page = _page(app, "liuqiang", at(2026, 3, 2), "/customers/retention").text
    assert "张三" in page and "李四" not in page and "王五" not in page
    done = _post(app, "liuqiang", at(2026, 3, 2), "/customers/retention",
                 "/customers/retention/anonymise",
                 {"customer_ids": [str(old), str(bought), str(recent)]})
    assert "已匿名化 1 位超过保存期限的客户" in done.text
    with app.app_context():
        customers = {c.id: c for c in db.session.scalars(select(Customer))}
        assert customers[old].anonymised_at is not None and customers[old].name != "张三"
        assert customers[bought].name == "李四" and customers[recent].name == "王五"
        report = db.session.get(ChannelReport, report_id)
        assert (report.customer_name, report.phone_mask) == ("匿名客户", "***********")
    empty = _post(app, "liuqiang", at(2026, 3, 2), "/customers/retention",
                  "/customers/retention/anonymise", {"customer_ids": [str(recent)]})
    assert "请选择超过保存期限的客户" in empty.text


def test_the_retention_period_is_the_projects_setting(app, login_as):
    """The admin shortens 客户资料保存期限 to 12 months: 王五, last seen 2025-06-01, is kept to
    2026-06-01 and listed from 06-02; out of range is refused in Chinese."""
    ids = office(app)
    _retention_world(app, ids)
    admin = login_as("admin")
    url = f"/admin/projects/{ids['project']}"
    admin.get(url)
    settings = {"name": "翡翠湾花园", "hold_minutes": "30", "transfer_fee": "0",
                "rounding": "yuan", "approval_valid_days": "7"}
    short = admin.post(url, {**settings, "retention_months": "5"})
    assert short.status_code == 422 and "保存期限应在 6 到 120 个月之间" in short.text
    assert admin.post(url, {**settings, "retention_months": "12"}).status_code == 302
    last_day = _page(app, "liuqiang", at(2026, 6, 1, 23, 59), "/customers/retention").text
    assert "保存 12 个月" in last_day and "张三" in last_day and "王五" not in last_day
    assert "王五" in _page(app, "liuqiang", at(2026, 6, 2, 0, 0), "/customers/retention").text


def test_a_family_member_who_comes_later_belongs_to_the_first_consultant(app):
    """Seed 002 准则(11) (and (10) for 老带新): the link is on the card with its reason."""
    ids = office(app)
    first = add_customer(app, ids["a"], "张三", "13800138000", when=at(2026, 3, 1))
    later = add_customer(app, ids["b"], "张太太", "13900139000", when=at(2026, 3, 5))
    card = f"/customers/{later}"
    done = _post(app, "liuqiang", at(2026, 3, 6), card, f"{card}/link",
                 {"kind": "household", "linked_phone": "13800138000"})
    assert ("家庭成员:张三 2026-03-01 建档在先,本客户 2026-03-05 建档 → 归属 王芳"
            "(规则:002 准则(11)") in done.text
    assert "家庭成员:与" in done.text and "张三</a>" in done.text
    with app.app_context():
        customer = db.session.get(Customer, later)
        assert customer.owner.display_name == "王芳" and customer.linked_to_id == first
    back = _post(app, "liuqiang", at(2026, 3, 6), f"/customers/{first}",
                 f"/customers/{first}/link", {"kind": "referral", "linked_phone": "13900139000"})
    assert "张太太 建档晚于本客户" in back.text
    friend = add_customer(app, ids["c"], "赵六", "13600136000", when=at(2026, 3, 8))
    brought = _post(app, "liuqiang", at(2026, 3, 9), f"/customers/{friend}",
                    f"/customers/{friend}/link", {"kind": "referral",
                                                  "linked_phone": "13800138000"})
    assert ("老带新:张三 2026-03-01 建档在先,本客户 2026-03-08 建档 → 归属 王芳"
            "(规则:002 准则(10)") in brought.text
    assert "老带新/家庭" in brought.text  # the card's 归属记录: 张伟 → 王芳
    assert _post(app, "wangfang", at(2026, 3, 6), f"/customers/{first}", f"{card}/link",
                 {"kind": "referral", "linked_phone": "13800138000"}).status_code == 403


def _grade_on_card(app, username, when, customer_id):
    card = _page(app, username, when, f"/customers/{customer_id}").text
    section = card[card.index('id="grade"'):]
    return section[:section.index("</h2>")]


def test_a_downgrade_waits_for_the_manager_who_confirms_or_rejects_it(app):
    """Seed 000: 客户的退化,必须及时报告现场主管,经分析确实无误后及时对电子温馨卡进行修改 —
    proposed at 23:59 the card keeps its grade; the manager decides after midnight."""
    ids = office(app)
    customer_id = add_customer(app, ids["a"], "张三", "13800138000", when=at(2026, 3, 1))
    card = f"/customers/{customer_id}"
    with time_machine.travel(at(2026, 3, 1, 23, 59), tick=False):
        wang = browser_for(app, "wangfang")
        wang.get(card)
        wang.post(f"{card}/grade", {"grade": "B", "reason": "看中 1801"}, htmx=True)
        down = wang.post(f"{card}/grade", {"grade": "C", "reason": "预算不足"}, htmx=True)
        assert down.status_code == 200 and "降级待经理确认" in down.text
        again = wang.post(f"{card}/grade", {"grade": "D", "reason": "联系不上"}, htmx=True)
        assert again.status_code == 422 and "B → C 正等待经理确认" in again.text
    assert 'grade-B"' in _grade_on_card(app, "wangfang", at(2026, 3, 1, 23, 59), customer_id)
    with app.app_context():
        pending = db.session.scalar(select(GradeChange).where(GradeChange.after == "C"))
        change_id = pending.id
    queue = "/customers/ownership"
    reject = f"/customers/downgrades/{change_id}/reject"
    blank = _post(app, "liuqiang", at(2026, 3, 2, 0, 0), queue, reject, {"note": " "})
    assert "请填写驳回降级的原因" in blank.text and "预算不足" in blank.text  # still waiting
    assert _post(app, "wangfang", at(2026, 3, 2, 0, 0), card, reject,
                 {"note": "自己驳回"}).status_code == 403
    done = _post(app, "liuqiang", at(2026, 3, 2, 0, 0), queue, reject,
                 {"note": "客户上周仍来电问价"})
    assert "已驳回降级:张三 保持 B 级" in done.text
    assert 'grade-B"' in _grade_on_card(app, "wangfang", at(2026, 3, 2, 9), customer_id)
    history = _page(app, "wangfang", at(2026, 3, 2, 9), card).text
    assert "降级已驳回" in history and "经理驳回:客户上周仍来电问价" in history
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        wang = browser_for(app, "wangfang")
        wang.get(card)
        wang.post(f"{card}/grade", {"grade": "D", "reason": "联系不上"}, htmx=True)
    with app.app_context():
        change_id = db.session.scalar(select(GradeChange.id).where(GradeChange.after == "D"))
    confirmed = _post(app, "liuqiang", at(2026, 3, 2, 10), queue,
                      f"/customers/downgrades/{change_id}/ack", {})
    assert "已确认降级:张三 现为 D 级" in confirmed.text
    assert 'grade-D"' in _grade_on_card(app, "wangfang", at(2026, 3, 2, 10), customer_id)
    with app.app_context():
        decided = {c.after: c for c in db.session.scalars(select(GradeChange))}
        assert decided["C"].status == "rejected" and decided["D"].status == "applied"
        assert "2026-03-02 申请 B→D,2026-03-02 经理确认" in decided["D"].decision_note
        assert db.session.scalar(select(AuditLog.reason).where(
            AuditLog.action == "downgrade_rejected")) == "客户上周仍来电问价"
