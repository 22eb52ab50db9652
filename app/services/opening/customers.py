"""Opening customers: 温馨卡 fields, the owner consultant, registration date, last visit,
grade and channel. Registered through app.services.customers (the live rules): a number
already registered is refused, ownership runs 2 months from the last visit, a card that has
already expired goes to the public pool."""
from datetime import datetime, time

from app.services.clock import local, now, zone
from app.services.customers import cards, ownership, visits
from app.services.customers.options import options_for
from app.services.errors import RuleViolation
from app.services.opening.sheets import Field, parse_date, text

TITLE = "期初客户"
REASON = "期初导入"
FIELDS = [
    Field("name", "客户姓名", ("姓名", "客户"), True, 10),
    Field("phone", "手机号", ("手机", "电话", "联系电话", "手机号码"), True, 14),
    Field("owner", "置业顾问", ("顾问", "归属顾问", "销售"), True, 10),
    Field("registered_on", "登记日期", ("首次到访", "首访日期", "来访日期", "建档日期"), True, 12),
    Field("last_visit_on", "最近到访日期", ("最近到访", "最后到访", "最近跟进日期"), False, 14),
    Field("grade", "级别", ("客户级别", "等级"), False, 8),
    Field("channel", "认知途径", ("渠道", "来源"), True, 12),
    Field("gender", "性别", (), False, 6),
    Field("wanted_layout", "意向户型", ("户型",), False, 12),
    Field("notes", "备注", ("说明",), False, 24),
]
EXAMPLE = {"name": "张伟", "phone": "13800138000", "owner": "李静", "registered_on": "2026-10-08",
           "last_visit_on": "2026-11-20", "grade": "B", "channel": "路过", "gender": "男",
           "wanted_layout": "三室两厅", "notes": "纸质温馨卡 No.0125"}
NOTES = ["期初客户填写说明", "1. 带 * 的列必填;每行一位客户,手机号不能重复。",
         "2. 置业顾问填系统中的用户名或姓名;认知途径须是项目的选项之一。",
         "3. 登记日期即客户首次登记(到访)的日期;最近到访日期不早于登记日期。",
         "4. 客户归属按与日常登记相同的规则计算:自最近到访起 2 个月有效,已过期的进入公共池。",
         "5. 检查通过并确认后一次性导入;任一行有错则不导入任何数据。"]


def context(project):
    people = cards.consultants()
    by_name = {}
    for user in people:
        by_name.setdefault(user.username.lower(), user)
        by_name.setdefault(user.display_name, user)
    return {"consultants": by_name, "channels": set(options_for(project.id, "channel")),
            "today": local(now()).date()}


def apply_row(project, values, actor, ctx):
    """Register one customer as the office did on paper; returns what the preview shows."""
    owner = ctx["consultants"].get(text(values.get("owner")).lower()) or \
        ctx["consultants"].get(text(values.get("owner")))
    if owner is None:
        raise RuleViolation(f"置业顾问「{text(values.get('owner'))}」不是系统中的置业顾问")
    channel = text(values.get("channel"))
    if channel not in ctx["channels"]:
        raise RuleViolation(f"认知途径「{channel}」不在项目的选项中")
    registered = parse_date(values.get("registered_on"), "登记日期")
    last = parse_date(values["last_visit_on"], "最近到访日期") \
        if text(values.get("last_visit_on")) else registered
    if max(registered, last) > ctx["today"]:
        raise RuleViolation("日期不能晚于今天")
    if last < registered:
        raise RuleViolation("最近到访日期早于登记日期")
    at = _noon(registered)
    customer, _ = cards.register(project, values.get("name"), text(values.get("phone")),
                                 channel, owner, by=actor, at=at)
    visits.record_visit(customer, owner, "visit", at=at, by=actor)
    if last != registered:
        visits.record_visit(customer, owner, "visit", at=_noon(last), by=actor)
    _card(customer, values)
    grade = text(values.get("grade")).upper()
    if grade:
        visits.change_grade(customer, grade, REASON, by=actor, at=at)
    valid = ownership.ownership_valid(customer)
    return {"owner": owner.display_name, "valid": valid,
            "until": ownership.valid_until(customer)}


def _card(customer, values):
    gender = text(values.get("gender")) or None
    if gender not in (None, "男", "女"):
        raise RuleViolation("性别应为「男」或「女」")
    customer.gender = gender
    customer.wanted_layout = text(values.get("wanted_layout"))[:32] or None
    customer.notes = text(values.get("notes")) or None


def finish(project, actor):
    """Cards that expired before the system existed go to the public pool, as live ones do."""
    return len(ownership.release_expired(project, by=actor))


def summary(results, released):
    owners = {}
    for result in results:
        owners[result["owner"]] = owners.get(result["owner"], 0) + 1
    return {"rows": len(results), "owners": owners, "pooled": released,
            "owned": len(results) - released}


def _noon(day):
    """A paper date as an instant: midday in the office's time zone."""
    return datetime.combine(day, time(12), tzinfo=zone())
