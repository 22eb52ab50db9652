"""Demo customers: three months of walk-ins, calls, follow-ups, grades, channel reports and
today's reception queue, all made through the services (so every row has its audit row)."""
from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.clock import day_bounds, local, now, today, zone
from app.services.customers import channels, ownership, reception, rotation, visits
from app.services.customers.cards import register, update_card
from app.services.customers.channel_match import report_mask
from app.services.customers.options import OPTION_KINDS
from app.services.users import create_user

EXTRA_CONSULTANTS = [("zhangwei", "张伟"), ("chenchen", "陈晨")]
SURNAMES = "张王李赵陈刘杨黄周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
         "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "文博", "子涵", "雨欣", "浩然",
         "思远"]
NOTES = {
    "appearance": ["中等身材,戴眼镜,说话干脆", "三十出头,穿运动装,带孩子来",
                   "夫妻同来,先生话少太太做主", "五十岁左右,衣着讲究,开奥迪",
                   "年轻情侣,对样板间很感兴趣"],
    "concerns": ["学区(实验小学)和通勤时间", "南北通透、楼层 15 层以上", "首付比例和月供压力",
                 "交房时间和物业品牌", "车位配比,想要两个车位"],
    "objections": ["觉得单价比隔壁楼盘高 1500 元", "担心高架噪音,已带看东侧样板间",
                   "家里老人嫌楼层太高", "想等开盘优惠", "对公摊面积有疑虑,已解释得房率"],
}
FOLLOW_UPS = [("phone", "电话回访,介绍下周末样板间开放活动", "同意周六上午来看房"),
              ("wechat", "微信发送 B 户型平面图和价格区间", "客户说和家人商量"),
              ("phone", "告知 2栋 新一批房源推出", "未接通,改天再打"),
              ("sms", "短信邀约参加暖场活动", "已读未回"),
              ("visit", "到访看 3栋 样板间,重点讲解学区", "对 18 楼很满意,考虑付小定")]
RESULTS = ["看了 B 户型样板间", "咨询价格和首付", "留下资料,约再访", "带父母来看", "看了工地进度"]


def _name(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng, used):
    while True:
        phone = rng.choice(["138", "139", "135", "136", "150", "158", "186", "187", "177", "199"]) \
            + f"{rng.randrange(10**8):08d}"
        if phone not in used:
            used.add(phone)
            return phone


def _mask(phone):
    return report_mask(phone)


def _at(day, rng, start_hour=9, end_hour=18):
    minutes = rng.randrange(start_hour * 60 + 30, end_hour * 60)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone())


# Rough shares seen in offices (seed 003's analysis: most buyers 26-35, three rooms, 3 people).
WEIGHTS = {"age_band": [1, 6, 5, 2, 1], "area_band": [1, 3, 5, 4, 2, 1],
           "wanted_layout": [0.3, 3, 6, 2, 0.5, 0.2], "family_structure": [1, 2, 6, 2, 3, 0.5],
           "channel": [5, 3, 1, 3, 1, 2, 4, 1, 3, 2, 2], "income_band": [2, 5, 4, 2, 1],
           "price_band": [1, 3, 4, 2, 1]}


def _pick(rng, kind):
    choices = OPTION_KINDS[kind][1]
    return rng.choices(choices, weights=WEIGHTS.get(kind, [1] * len(choices)))[0]


def _fill_card(customer, rng, by):
    data = {"name": customer.name, "phone": customer.phone,
            "gender": customer.gender or rng.choice(["男", "女"]),
            "next_appointment_on": None}
    for kind in OPTION_KINDS:
        data[kind] = customer.channel if kind == "channel" else _pick(rng, kind)
    for field, texts in NOTES.items():
        data[field] = rng.choice(texts)
    update_card(customer, data, by=by)


def _history(project, customer, owner, first_at, rng, last_day):
    """Follow-ups every few days (with repeat visits and grade changes) until `last_day`;
    a third of the customers go quiet within three weeks (their cards then expire)."""
    visits.change_grade(customer, rng.choice("ABCCDD"), "首次接待评估", by=owner,
                        at=first_at + timedelta(hours=1))
    first_day = local(first_at).date()
    quiet = first_day + timedelta(days=rng.randrange(8, 22))
    stop = last_day if rng.random() < 0.65 else min(last_day, quiet)
    moment = first_at + timedelta(days=rng.randrange(3, 6), hours=rng.randrange(-2, 3))
    while local(moment).date() < stop:
        way, content, result = rng.choice(FOLLOW_UPS)
        gap = rng.randrange(5, 12) if customer.grade in "AB" else rng.randrange(8, 16)
        next_on = local(moment).date() + timedelta(days=gap)
        visits.record_follow_up(customer, owner, way, content, result=result,
                                effective=result != "未接通,改天再打", next_on=next_on, at=moment)
        if rng.random() < 0.25:
            visits.record_visit(customer, owner, rng.choice(["visit", "visit", "call"]),
                                at=moment + timedelta(hours=2), by=owner,
                                duration=rng.randrange(15, 90), result=rng.choice(RESULTS))
        if rng.random() < 0.2:
            _regrade(customer, owner, rng, moment + timedelta(minutes=30))
        moment += timedelta(days=gap + rng.randrange(-1, 2), minutes=rng.randrange(-150, 150))


def _regrade(customer, owner, rng, at):
    if visits.pending_downgrade(customer) is not None:
        return  # waits for the manager (_acknowledge_old_downgrades)
    index = "ABCD".index(customer.grade)
    up = rng.random() < 0.6
    target = "ABCD"[max(0, index - 1)] if up else "ABCD"[min(3, index + 1)]
    if target != customer.grade:
        visits.change_grade(customer, target, "电话沟通后意向明显提升" if up else rng.choice(
            ["客户已在别处看中房子", "预算不足,暂缓购房", "家人意见不统一,近期不买",
             "多次联系未接通"]),
            by=owner, at=at)


def _customers(project, consultants, agents, rng, secretary):
    used, made = set(), []
    day0 = today()
    for index in range(60):
        days_ago = int(rng.triangular(1, 125, 10))
        first_day = day0 - timedelta(days=days_ago)
        owner = consultants[index % len(consultants)]
        first_at = _at(first_day, rng)
        channel = _pick(rng, "channel")
        name, phone, gender = _name(rng), _phone(rng, used), rng.choice(["男", "女"])
        report = None
        if channel in ("渠道/中介", "全民经纪人") and days_ago < 70:
            agent = agents[index % len(agents)]
            report = channels.report_customer(project, agent, name, gender, _mask(phone),
                                              by=secretary, at=first_at - timedelta(days=1))
        customer, _ = register(project, name, phone, channel, owner, by=secretary, at=first_at,
                               is_peer=index % 23 == 5)
        customer.gender = gender
        visits.record_visit(customer, owner, "visit" if index % 6 else "call", at=first_at,
                            by=secretary, duration=rng.randrange(20, 80),
                            result=rng.choice(RESULTS))
        if report is not None and report.status == "reported":
            channels.confirm_visit(report, customer, owner, by=secretary, at=first_at)
        _fill_card(customer, rng, owner)
        if days_ago > 3:
            _history(project, customer, owner, first_at, rng, day0)
        made.append((customer, owner))
    return made


def _anonymous_calls(project, consultants, rng, secretary):
    for days_ago in range(1, 20, 2):
        visits.record_anonymous(project, rng.choice(consultants), "call",
                                rng.choice(["网络", "户外广告", "电视"]),
                                at=_at(today() - timedelta(days=days_ago), rng), by=secretary,
                                duration=rng.randrange(2, 10), result="咨询价格,未留资料")


def _scripted(made, rng):
    """Make the manager's and consultants' lists show every case: appointments, pool."""
    day0 = today()
    active = [c for c, _o in made if ownership.ownership_valid(c) and c.grade in ("A", "B")]
    for customer in active[:5]:
        customer.next_appointment_on = day0
        customer.next_appointment_pretext = rng.choice(
            ["样板间开放日", "新一批房源推出", "带家人来定户型"])
    expired = [c for c, _o in made if not ownership.ownership_valid(c)]
    for customer in expired[: len(expired) // 2]:
        until = ownership.valid_until(customer)
        released_at = datetime.combine(until + timedelta(days=1), time(9), tzinfo=zone())
        ownership.set_owner(customer, None, "expired", at=released_at,
                            reason=ownership.expiry_reason(customer, released_at))


def _channels(project, secretary):
    link = channels.save_company(project, "链家地产", "agency", "周经理", "13812345678",
                                 by=secretary)
    home = channels.save_company(project, "我爱我家", "agency", "钱经理", "13912345678",
                                 by=secretary)
    dist = channels.save_company(project, "房多多分销", "distributor", by=secretary)
    broker = channels.save_company(project, "全民经纪人", "broker", by=secretary)
    return [channels.add_agent(link, "刘洋", "13611112222", by=secretary),
            channels.add_agent(link, "孙磊", "13611113333", by=secretary),
            channels.add_agent(home, "何静", "13711114444", by=secretary),
            channels.add_agent(dist, "马超", "15811115555", by=secretary),
            channels.add_agent(broker, "郑文博", "18611116666", "110101198805061234", by=secretary)]


def _pending_reports(project, agents, made, rng, secretary):
    """Reports waiting for the visit, one lapsed (older than 7 days), two refused (the customer
    is already registered, or in the pool) and a second recommendation by the same channel."""
    used = set()
    for index, days_ago in enumerate((0, 1, 3, 9)):
        phone = _phone(rng, used)
        channels.report_customer(project, agents[index], _name(rng), rng.choice(["男", "女"]),
                                 _mask(phone), by=secretary,
                                 at=now() - timedelta(days=days_ago, hours=1))
    owned = next(c for c, _o in made if ownership.ownership_valid(c) and c.channel == "路过")
    channels.report_customer(project, agents[2], owned.name, owned.gender, _mask(owned.phone),
                             by=secretary, at=now() - timedelta(hours=2))
    pooled = next((c for c, _o in made if not ownership.ownership_valid(c)), None)
    if pooled is not None:  # card lapsed or in the pool, still 已录入: 一律推荐失败
        channels.report_customer(project, agents[3], pooled.name, pooled.gender or "男",
                                 _mask(pooled.phone), by=secretary,
                                 at=now() - timedelta(hours=4))
    confirmed = channels.reports(project.id, status="visited")
    if confirmed:
        first = confirmed[-1]
        again = channels.report_customer(project, first.agent, first.customer_name,
                                          first.gender, first.phone_mask, by=secretary,
                                          at=now() - timedelta(hours=3))
        if again.status == "reported":
            channels.confirm_visit(again, first.customer, first.customer.owner, by=secretary,
                                   at=now() - timedelta(hours=1))


def _acknowledge_old_downgrades(project, manager):
    """The manager has decided the downgrades older than two weeks, the day after; one is
    rejected with its reason."""
    old = [c for c in visits.downgrades(project.id) if c.at < now() - timedelta(days=14)]
    for index, change in enumerate(old):
        if index == 0:
            visits.decide_downgrade(change, False, "客户上周仍来电问价,意向未变,保持原级别",
                                    by=manager, at=change.at + timedelta(days=1))
        else:
            visits.acknowledge(change, by=manager, at=change.at + timedelta(days=1))


def _today_queue(project, consultants, rng, secretary, manager):
    yesterday = today() - timedelta(days=1)
    rotation.set_order(project, [u.id for u in consultants], by=manager, day=yesterday)
    order = consultants[1:] + consultants[:1]
    rotation.set_order(project, [u.id for u in order], by=manager)
    start, _ = day_bounds(today())
    first = max(start + timedelta(minutes=5), now() - timedelta(hours=3))
    span = (now() - timedelta(minutes=3) - first) / 4
    used = set()
    for index in range(4):
        at = first + span * index
        if at < start or at > now():
            break
        reception.receive_walk_in(project, _name(rng), _phone(rng, used), _pick(rng, "channel"),
                                  by=secretary, at=at)


def _late_entry(project, consultant, rng):
    """补录: yesterday evening's walk-in and call typed in today, keeping both times."""
    yesterday = today() - timedelta(days=1)
    reception.register_contact(project, consultant, "visit", _name(rng), _phone(rng, set()),
                               "路过", by=consultant, duration=35,
                               happened=datetime.combine(yesterday, time(18, 50), tzinfo=zone()),
                               result="晚间到访看样板间,当天未及时录入(次日补录)")
    reception.register_contact(project, consultant, "call", _name(rng), _phone(rng, set()),
                               "网络", by=consultant, duration=12,
                               happened=datetime.combine(yesterday, time(19, 40), tzinfo=zone()),
                               result="晚间来电咨询户型,当天未及时录入(次日补录)")


def load(project, rng):
    """Add two consultants and the customer demo; returns the new consultants' logins."""
    from app.demo.project import demo_password
    logins = []
    for username, name in EXTRA_CONSULTANTS:
        password = demo_password()
        create_user(username, name, "consultant", password)
        logins.append((username, name, "consultant", password))
    users = {u.username: u for u in db.session.scalars(select(User))}
    consultants = [users[u] for u in ("wangfang", "lijun", "zhangwei", "chenchen")]
    secretary, manager = users["zhaomin"], users["liuqiang"]
    agents = _channels(project, secretary)
    made = _customers(project, consultants, agents, rng, secretary)
    _anonymous_calls(project, consultants, rng, secretary)
    _scripted(made, rng)
    _pending_reports(project, agents, made, rng, secretary)
    _acknowledge_old_downgrades(project, manager)
    _today_queue(project, consultants, rng, secretary, manager)
    _late_entry(project, consultants[0], rng)
    return logins
