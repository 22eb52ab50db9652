"""When a channel report must come, by the kind of channel.

- Seed 001 第一章 2.3: 分销机构 — 到访前半个小时录入营销管理系统: a distributor's report counts
  only if it was filed at least 30 minutes before the customer arrived.
- Seed 003 一.3: 针对分销公司带团直接进场未提前短信报备的…可由分销公司当日提供客户姓名及联系方式
  …则视为报备成功(如只提供客户姓名或联系方式中的一种,视为报备不成功): a group (带团) report
  is filed on the day of the visit, with the name and the full phone number.
"""
from datetime import timedelta

from app.services.clock import local
from app.services.customers.phones import normalise_phone
from app.services.errors import RuleViolation

DISTRIBUTOR_LEAD = timedelta(minutes=30)


def group_phone(agent, phone_text):
    """A 带团 report: distributors only, and the full number (seed 003)."""
    if agent.company.kind != "distributor":
        raise RuleViolation("带团当日报备仅限分销机构", "group_visit")
    digits = "".join(ch for ch in (phone_text or "") if ch.isdigit())
    if len(digits) < 11:
        raise RuleViolation("带团当日报备须提供客户姓名和完整手机号,只提供一种视为报备不成功"
                            "(规则:003 带团当日报备)", "phone_mask")
    return normalise_phone(phone_text, "phone_mask")


def arrival(customer, at):
    """When the customer came: their latest walk-in up to `at`, else `at`."""
    last = customer.last_visit_at
    return last if last is not None and last <= at else at


def check_timing(report, customer, at):
    """Refuse a confirmation whose report came too late for its kind of channel."""
    came = arrival(customer, at)
    if report.group_visit:
        if local(report.reported_at).date() != local(came).date():
            raise RuleViolation(
                f"带团报备须在到访当日提供:报备 {local(report.reported_at):%Y-%m-%d},"
                f"到访 {local(came):%Y-%m-%d}(规则:003 带团当日报备)")
        return
    if report.agent.company.kind != "distributor":
        return
    lead = came - report.reported_at
    if lead < DISTRIBUTOR_LEAD:
        minutes = int(lead.total_seconds() // 60)
        raise RuleViolation(
            f"分销报备须在到访前至少 30 分钟:报备 {local(report.reported_at):%m-%d %H:%M},"
            f"到访 {local(came):%m-%d %H:%M},相差 {minutes} 分钟,视为无效"
            "(规则:001 分销机构到访前半个小时录入)")
