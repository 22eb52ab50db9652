"""补录: a visit or call entered after it happened keeps the time it really happened.

Seed 001 第一章 2: 置业顾问接访新增客户原则上当天录入,确系事出有因的报备销售经理,其次天下班前
完成补录 — the entry is allowed until the end of the next working day (the office opens every
day, weekends included, so that is the next calendar day); later only the manager enters it.
Seed 000/002 and DESIGN.md: the first to register owns the customer, by the time the visit or
call really happened, so a 补录 that happened before someone else's registration wins it.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.policy import can
from app.services.clock import local, now, zone
from app.services.errors import RuleViolation

LATE_RULE = "规则:001 当天录入,次日下班前完成补录"


@dataclass(frozen=True)
class EntryTime:
    """When the contact happened, and when it was typed in (None: as it happened)."""

    at: datetime
    entered_at: datetime = None


def late_deadline(happened):
    """The last instant a 补录 of `happened` may be typed in: the end of the next day."""
    day = local(happened).date() + timedelta(days=1)
    return datetime.combine(day, datetime.max.time(), tzinfo=zone())


def entry_time(happened, user, *, at=None):
    """The EntryTime of a contact that `user` types in at `at` (now), saying it happened at
    `happened` (a naive local time from the form, or None: it is happening now)."""
    at = at or now()
    if happened is None:
        return EntryTime(at)
    if happened.tzinfo is None:
        happened = happened.replace(tzinfo=zone())
    if happened > at:
        raise RuleViolation("实际发生时间不能晚于现在", "happened_at")
    if local(happened).date() == local(at).date() and at - happened < timedelta(minutes=5):
        return EntryTime(at)
    deadline = late_deadline(happened)
    if at > deadline and not can(user, "visits.late_entry"):
        raise RuleViolation(
            f"{local(happened):%Y-%m-%d %H:%M} 的来访/来电须在 {deadline:%Y-%m-%d} 下班前补录,"
            f"已超过期限,请报销售经理补录({LATE_RULE})", "happened_at")
    return EntryTime(happened, at)


def earlier_than_owner(existing, owner, at):
    """The reason a 补录 at `at` takes a customer registered later by someone else, or None."""
    if existing.owner_id in (None, owner.id) or existing.deal_at is not None:
        return None
    registered = existing.owned_since or existing.created_at
    if at >= registered:
        return None
    return (f"补录:{owner.display_name} 实际接待于 {local(at):%Y-%m-%d %H:%M},早于 "
            f"{existing.owner.display_name} 登记 {local(registered):%Y-%m-%d %H:%M};"
            "按实际发生时间谁登记早是谁的客户(规则:002 客户的分配确认)")
