"""Channel reports 报备 with frozen time: 7 days to visit, 60 then 30 days of protection,
never a third, no report on a registered or protected customer (seeds 001 and 003)."""
import pytest
import time_machine

from app.services.customers import cards, channels, ownership, visits
from app.services.customers.channel_match import parse_report_mask
from app.services.errors import RuleViolation
from tests.fixtures.customers import at, build


@pytest.fixture
def w(db):
    world = build()
    world.link = channels.save_company(world.project, "链家地产", "agency", by=world.manager)
    world.home = channels.save_company(world.project, "我爱我家", "agency", by=world.manager)
    world.liu = channels.add_agent(world.link, "刘洋", by=world.manager)
    world.sun = channels.add_agent(world.link, "孙磊", by=world.manager)
    world.he = channels.add_agent(world.home, "何静", by=world.manager)
    return world


def _report(w, agent, when, phone="1380**38000", name="张三", gender="男"):
    with time_machine.travel(when, tick=False):
        return channels.report_customer(w.project, agent, name, gender, phone, by=w.secretary)


def _arrive(w, when, consultant=None, phone="13800138000", name="张三", gender="男"):
    with time_machine.travel(when, tick=False):
        customer, _ = cards.register(w.project, name, phone, "渠道/中介", consultant or w.a)
        customer.gender = gender
        visits.record_visit(customer, consultant or w.a, "visit")
        return customer


def test_masks_are_read_as_agents_write_them_first_four_last_five(db, w):
    """Seed 003: 姓名.性别.手机号码前4位及后5位."""
    assert parse_report_mask("1380**38000") == "1380**38000"
    assert parse_report_mask("1380 38000") == "1380**38000"
    assert parse_report_mask("1380****38000") == "1380**38000"
    assert parse_report_mask("+86 138-0013-8000") == "1380**38000"
    with pytest.raises(RuleViolation, match="前四后五"):
        parse_report_mask("138****8000")  # the old 前三后四 says too little
    with pytest.raises(RuleViolation, match="性别"):
        _report(w, w.liu, at(2026, 3, 1), gender="")


def test_a_report_is_valid_for_seven_days_void_on_day_eight(db, w):
    report = _report(w, w.liu, at(2026, 3, 1, 18))
    assert report.status == "reported" and report.valid_until.isoformat() == "2026-03-08"
    assert channels.report_valid(report, at(2026, 3, 8, 23, 59))
    assert not channels.report_valid(report, at(2026, 3, 9, 0, 0))
    late = _arrive(w, at(2026, 3, 9, 10))
    assert channels.matching_reports(late, at(2026, 3, 9, 10)) == []
    with pytest.raises(RuleViolation, match="报备已过期:须在 2026-03-08 前到访"):
        channels.confirm_visit(report, late, w.a, by=w.secretary, at=at(2026, 3, 9, 10))


def test_confirmed_visit_protects_60_days_then_30_more_never_a_third(db, w):
    first = _report(w, w.liu, at(2026, 3, 1))
    customer = _arrive(w, at(2026, 3, 5))
    assert channels.matching_reports(customer, at(2026, 3, 5)) == [first]
    channels.confirm_visit(first, customer, w.a, by=w.secretary, at=at(2026, 3, 5))
    assert (first.recommendation_no, first.protected_until.isoformat()) == (1, "2026-05-04")
    assert channels.active_protection(customer, at(2026, 5, 4, 23)) == first
    assert channels.active_protection(customer, at(2026, 5, 5, 1)) is None
    # the same channel recommends once more (another of its agents): 30 days more
    second = _report(w, w.sun, at(2026, 5, 10))
    assert second.status == "reported"
    channels.confirm_visit(second, customer, w.a, by=w.secretary, at=at(2026, 5, 12))
    assert (second.recommendation_no, second.protected_until.isoformat()) == (2, "2026-06-11")
    third = _report(w, w.liu, at(2026, 6, 20))
    assert third.status == "refused" and "两次" in third.refusal


def test_second_recommendation_during_protection_extends_it_by_30_days(db, w):
    first = _report(w, w.liu, at(2026, 3, 1))
    customer = _arrive(w, at(2026, 3, 2))
    channels.confirm_visit(first, customer, w.a, by=w.secretary, at=at(2026, 3, 2))
    second = _report(w, w.liu, at(2026, 4, 1))
    channels.confirm_visit(second, customer, w.a, by=w.secretary, at=at(2026, 4, 2))
    assert second.protected_until.isoformat() == "2026-05-31"  # 05-01 + 30


def test_registered_or_protected_customers_cannot_be_reported(db, w):
    _arrive(w, at(2026, 3, 1), phone="13900139000")  # walked in by themselves
    refused = _report(w, w.liu, at(2026, 3, 3), phone="1390**39000")
    assert refused.status == "refused" and "王芳" in refused.refusal
    assert "王芳" not in channels.PUBLIC_REFUSAL and "登记" in channels.PUBLIC_REFUSAL
    first = _report(w, w.liu, at(2026, 3, 1))
    duplicate = _report(w, w.he, at(2026, 3, 2))  # another channel, same customer: first wins
    assert duplicate.status == "refused" and "其他渠道先行报备" in duplicate.refusal
    customer = _arrive(w, at(2026, 3, 4))
    channels.confirm_visit(first, customer, w.a, by=w.secretary, at=at(2026, 3, 4))
    protected = _report(w, w.he, at(2026, 4, 1))
    assert protected.status == "refused" and "链家地产 保护期" in protected.refusal
    with time_machine.travel(at(2026, 6, 1), tick=False):  # card and protection both over
        ownership.release_expired(w.project, by=w.manager)
    pooled = _report(w, w.he, at(2026, 6, 1))  # in the pool: still 已录入 (seed 001)
    assert pooled.status == "refused" and "公共池" in pooled.refusal


def test_brokers_need_an_id_and_inactive_channels_cannot_report(db, w):
    broker = channels.save_company(w.project, "全民经纪人", "broker", by=w.manager)
    with pytest.raises(RuleViolation, match="身份证"):
        channels.add_agent(broker, "郑文博", by=w.manager)
    channels.add_agent(broker, "郑文博", id_number="11010119880506123x", by=w.manager)
    channels.set_company_active(w.home, False, by=w.manager)
    with pytest.raises(RuleViolation, match="合作中的经纪人"):
        _report(w, w.he, at(2026, 3, 1))


def test_a_customer_already_in_the_system_cannot_be_reported_even_expired_or_pooled(db, w):
    """Seed 001: 凡营销系统已经录入…的客户,一律推荐失败 — also once the card lapsed (registered
    2026-03-01, valid to 05-01), in the pool, and after the monthly recycling."""
    _arrive(w, at(2026, 3, 1), phone="13900139000", name="李四")
    last_day = _report(w, w.liu, at(2026, 5, 1, 23, 59), phone="1390**39000", name="李四")
    assert last_day.status == "refused" and "王芳" in last_day.refusal
    lapsed = _report(w, w.he, at(2026, 5, 2, 0, 0), phone="1390**39000", name="李四")
    assert lapsed.status == "refused"
    assert "客户已于 2026-03-01 录入营销系统(置业顾问 王芳,建档有效期至 2026-05-01 已过)" \
        in lapsed.refusal and "001" in lapsed.refusal
    with time_machine.travel(at(2026, 5, 2, 9), tick=False):
        ownership.release_expired(w.project, by=w.manager)
    pooled = _report(w, w.liu, at(2026, 5, 3), phone="1390**39000", name="李四")
    assert pooled.status == "refused" and "(公共池)" in pooled.refusal
    # 王五 visited 06-01: on 08-31 still 王芳's (card lapsed), recycled on 09-01 (3 months)
    _arrive(w, at(2026, 6, 1), phone="13700137000", name="王五")
    lapsed = _report(w, w.he, at(2026, 8, 31, 23, 59), phone="1370**37000", name="王五")
    assert "置业顾问 王芳,建档有效期至 2026-08-01 已过" in lapsed.refusal
    with time_machine.travel(at(2026, 9, 1, 0, 0), tick=False):
        assert [c.name for c in ownership.recycle(w.project, by=w.manager)] == ["王五"]
    recycled = _report(w, w.liu, at(2026, 9, 1, 0, 0), phone="1370**37000", name="王五")
    assert recycled.status == "refused"
    assert ("客户已于 2026-06-01 录入营销系统(公共池,月度回收),凡营销系统已经录入的客户一律推荐失败"
            in recycled.refusal)


def test_two_people_sharing_the_first_three_and_last_four_do_not_collide(db, w):
    """138****8000 is two people here: 13811118000 is registered, 13800138000 is reported."""
    _arrive(w, at(2026, 3, 1), phone="13811118000", name="赵六")
    report = _report(w, w.liu, at(2026, 3, 2))
    assert report.status == "reported" and report.phone_mask == "1380**38000"
    someone = _arrive(w, at(2026, 3, 3), phone="13899998000", name="张三", consultant=w.b)
    assert channels.matching_reports(someone, at(2026, 3, 3)) == []
    customer = _arrive(w, at(2026, 3, 4))
    assert channels.matching_reports(customer, at(2026, 3, 4)) == [report]


def test_confirming_a_visit_compares_name_gender_and_digits(db, w):
    """Seed 003: 若报备信息与客户来访确认信息不一致,视为无效; 信息不全视为确认不成功."""
    report = _report(w, w.liu, at(2026, 3, 1))
    customer = _arrive(w, at(2026, 3, 2), name="张叁", gender="女")
    with pytest.raises(RuleViolation) as refused:
        channels.confirm_visit(report, customer, w.a, by=w.secretary, at=at(2026, 3, 2))
    assert "报备信息与来访确认信息不一致,视为无效" in str(refused.value)
    assert "姓名 报备“张三”/ 来访“张叁”" in str(refused.value)
    assert "性别 报备“男”/ 来访“女”" in str(refused.value)
    other = _arrive(w, at(2026, 3, 2), phone="13900139000", consultant=w.b)
    with pytest.raises(RuleViolation, match="手机号 报备 1380\\*\\*38000 / 来访 1390\\*\\*39000"):
        channels.confirm_visit(report, other, w.b, by=w.secretary, at=at(2026, 3, 2))
    customer.gender = None
    customer.name = "张三"
    with pytest.raises(RuleViolation, match="信息不全视为确认不成功"):
        channels.confirm_visit(report, customer, w.a, by=w.secretary, at=at(2026, 3, 2))
    customer.gender = "男"
    channels.confirm_visit(report, customer, w.a, by=w.secretary, at=at(2026, 3, 2))
    assert report.status == "visited" and report.recommendation_no == 1


def test_a_distributor_reports_at_least_thirty_minutes_before_the_visit(db, w):
    """Seed 001: 分销机构 到访前半个小时录入; 29 minutes is too late, 30 is in time."""
    dist = channels.save_company(w.project, "房多多分销", "distributor", by=w.manager)
    ma = channels.add_agent(dist, "马超", by=w.manager)
    late = _report(w, ma, at(2026, 3, 1, 9, 31))
    customer = _arrive(w, at(2026, 3, 1, 10, 0))
    with pytest.raises(RuleViolation) as refused:
        channels.confirm_visit(late, customer, w.a, by=w.secretary, at=at(2026, 3, 1, 10, 30))
    assert ("报备 03-01 09:31,到访 03-01 10:00,相差 29 分钟,视为无效"
            "(规则:001 分销机构到访前半个小时录入)") in str(refused.value)
    in_time = _report(w, ma, at(2026, 3, 2, 9, 30), phone="1390**39000", name="李四")
    other = _arrive(w, at(2026, 3, 2, 10, 0), phone="13900139000", name="李四", consultant=w.b)
    channels.confirm_visit(in_time, other, w.b, by=w.secretary, at=at(2026, 3, 2, 10, 30))
    assert in_time.status == "visited"


def test_a_group_brought_by_a_distributor_is_reported_the_same_day_with_the_full_number(db, w):
    """Seed 003: 带团直接进场…当日提供客户姓名及联系方式视为报备成功; only one of them fails."""
    dist = channels.save_company(w.project, "房多多分销", "distributor", by=w.manager)
    ma = channels.add_agent(dist, "马超", by=w.manager)
    with pytest.raises(RuleViolation, match="完整手机号"):
        with time_machine.travel(at(2026, 3, 1, 15), tick=False):
            channels.report_customer(w.project, ma, "张三", "男", "1380**38000", by=w.secretary,
                                     group=True)
    with pytest.raises(RuleViolation, match="仅限分销机构"):
        channels.report_customer(w.project, w.liu, "张三", "男", "13800138000", by=w.secretary,
                                 group=True)
    customer = _arrive(w, at(2026, 3, 1, 10, 0))  # came with the group in the morning
    with time_machine.travel(at(2026, 3, 1, 23, 59), tick=False):
        report = channels.report_customer(w.project, ma, "张三", "男", "13800138000",
                                          by=w.secretary, group=True)
    assert report.status == "reported" and report.group_visit
    channels.confirm_visit(report, customer, w.a, by=w.secretary, at=at(2026, 3, 2, 0, 0))
    assert report.status == "visited"
    other = _arrive(w, at(2026, 3, 3, 10, 0), phone="13900139000", name="李四")
    with time_machine.travel(at(2026, 3, 4, 0, 0), tick=False):
        next_day = channels.report_customer(w.project, ma, "李四", "男", "13900139000",
                                            by=w.secretary, group=True)
    assert next_day.status == "refused" and "录入营销系统" in next_day.refusal
    assert ("带团报备须在到访当日提供:客户 2026-03-03 到访录入,报备 2026-03-04"
            "(规则:003 带团当日报备)") in next_day.refusal
    with time_machine.travel(at(2026, 3, 3, 12, 0), tick=False):
        same_day = channels.report_customer(w.project, ma, "李四", "男", "13900139000",
                                            by=w.secretary, group=True)
    visits.record_visit(other, w.a, "visit", at=at(2026, 3, 4, 9, 0))
    with pytest.raises(RuleViolation,
                       match="带团报备须在到访当日提供:报备 2026-03-03,到访 2026-03-04"):
        channels.confirm_visit(same_day, other, w.a, by=w.secretary, at=at(2026, 3, 4, 9, 30))
