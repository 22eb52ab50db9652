"""The front desk's one-click paths: a walk-in through the rotation, a contact by a consultant.

`receive_walk_in` is the whole front-desk registration (name + phone + channel, one submit):
it recognises a returning customer by phone, routes them (app.services.customers.rotation),
registers a new customer for the consultant who receives them, logs the visit and the
assignment, and returns the channel reports that match the masked phone (checked on arrival,
seed 003).
"""
from dataclasses import dataclass, field

from app.extensions import db
from app.models import User
from app.policy import can
from app.services.clock import local, now
from app.services.customers import rotation
from app.services.customers.cards import clean_name, find_by_phone, register
from app.services.customers.channels import matching_reports
from app.services.customers.late_entry import entry_time
from app.services.customers.ownership import ownership_valid
from app.services.customers.phones import normalise_phone
from app.services.customers.reasons import card_state
from app.services.customers.visits import record_anonymous, record_visit
from app.services.errors import RuleViolation


@dataclass
class Reception:
    customer: object
    consultant: object
    kind: str
    visit: object
    assignment: object = None
    returning: bool = False
    reports: list = field(default_factory=list)


def _named(named_id):
    if not named_id:
        return None
    user = db.session.get(User, int(named_id))
    if user is None or not user.active or not can(user, "customers.own"):
        raise RuleViolation("请选择在职的置业顾问", "named")
    return user


def _named_present(row, named):
    """Seed 002 二.5 / 准则(5): a named consultant who is away or off duty is not assigned
    silently; the desk tells the customer and takes the queue instead."""
    if named is not None and rotation.present(row, named.id) is None:
        raise RuleViolation(f"客户指定的 {named.display_name} 当前外出或不在班,不能直接分配;"
                            "请告知客户,或不指定由轮值顾问接待(规则:002 准则(5))", "named")


def _route_returning(row, customer, named, at):
    """A returning customer: their consultant, the one they name, or an assistant (no turn);
    the note gives the card's dates and the rule."""
    owner = customer.owner
    state = card_state(customer, at, "到访日")
    if named is not None and named.id != owner.id:
        _named_present(row, named)
        why = f"客户指定 {named.display_name} 接待(原顾问 {owner.display_name}),不计轮次"
        return named, "named", f"{state} → {why}(规则:二.5(2))"[:200]
    if rotation.present(row, owner.id):
        why = f"老客户由原顾问 {owner.display_name} 接待,不计轮次"
        return owner, "owner", f"{state} → {why}(规则:二.5(2))"[:200]
    entry, _kind, _skipped = rotation.next_up(row)
    if entry is None:
        raise RuleViolation("原顾问不在,且当前没有可协助接待的置业顾问")
    why = (f"原顾问 {owner.display_name} 不在,由 {entry.user.display_name} 协助接待,"
           "不计轮次")
    return entry.user, "assist", f"{state} → {why}(规则:准则(3))"[:200]


def _route_lapsed(row, customer, at, named):
    """A returning customer whose card expired or who is in the pool: the consultant they name,
    else the next one, receives them without using a turn (seed 002 二.5(2): 客户以后重新上门…
    均不计入接待名额)."""
    if named is not None:
        _named_present(row, named)
        user, kind, how = named, "named", f"客户指定 {named.display_name} 接待"
    else:
        entry, _kind, _skipped = rotation.next_up(row)
        if entry is None:
            raise RuleViolation("当前没有可接待的置业顾问(全部外出或未排班)")
        user, kind, how = entry.user, "return", f"由 {entry.user.display_name} 接待"
    why = f"{card_state(customer, at, '到访日')} → 老客户重新上门,{how},不计轮次(规则:二.5(2))"
    return user, kind, why[:200]


def receive_walk_in(project, name, phone, channel, *, by, named_id=None, at=None):
    """Register a walk-in at the front desk and assign them from today's queue."""
    at = at or now()
    name, phone = clean_name(name), normalise_phone(phone)
    named = _named(named_id)
    row = rotation.duty_day(project.id, local(at).date(), lock=True)
    if row is None or not row.entries:
        raise RuleViolation("今日尚未排班,请经理先设置接待顺序")
    existing = find_by_phone(project.id, phone)
    skipped = []
    if existing is not None and existing.anonymised_at is None and ownership_valid(existing, at):
        consultant, kind, note = _route_returning(row, existing, named, at)
        customer = existing
    else:
        if existing is not None and existing.anonymised_at is None:
            consultant, kind, note = _route_lapsed(row, existing, at, named)
        elif named is not None:
            _named_present(row, named)
            consultant, kind, note = named, "named", "首次来访指定接待"
        else:
            entry, kind, skipped = rotation.take_turn(row)
            consultant, note = entry.user, None
        customer, _taken = register(project, name, phone, channel, consultant, by=by, at=at)
    visit = record_visit(customer, consultant, "visit", at=at, by=by)
    assignment = rotation.log_assignment(row, consultant, kind, by=by, customer=customer,
                                         visit=visit, skipped=skipped, note=note, at=at)
    return Reception(customer, consultant, kind, visit, assignment,
                     returning=existing is not None and visit.visit_no > 1,
                     reports=matching_reports(customer, at))


def contact_consultant(user, chosen_id):
    """Who took a contact: a consultant themselves, else the consultant the office chose."""
    if can(user, "customers.own"):
        return user
    chosen = db.session.get(User, chosen_id) if chosen_id else None
    if chosen is None or not chosen.active or not can(chosen, "customers.own"):
        raise RuleViolation("请选择接待顾问", "consultant")
    return chosen


def take_contact(project, user, chosen_id, kind, name, phone, channel, **details):
    """register_contact for the consultant who took it (contact_consultant); (customer, visit)."""
    return register_contact(project, contact_consultant(user, chosen_id), kind, name, phone,
                            channel, by=user, **details)


def lookup(project_id, typed_phone):
    """As the desk types a phone: (the customer it belongs to, whether their card is valid)."""
    try:
        customer = find_by_phone(project_id, normalise_phone(typed_phone))
    except RuleViolation:  # not a phone number yet
        return None, False
    return customer, customer is not None and ownership_valid(customer)


def register_contact(project, consultant, kind, name, phone, channel, *, by, duration=None,
                     result=None, at=None, happened=None):
    """A call or walk-in taken by `consultant` outside the queue (快速登记 / 来电登记).

    No name and no phone: an anonymous contact, counted in the statistics only. A phone that
    belongs to another consultant's valid card is refused with the owner's name.
    """
    entry = entry_time(happened, by, at=at)
    at = entry.at
    if not (name or "").strip() and not (phone or "").strip():
        visit = record_anonymous(project, consultant, kind, channel, at=at, duration=duration,
                                 result=result, by=by, entered_at=entry.entered_at)
        return None, visit
    if not (phone or "").strip():
        raise RuleViolation("请填写电话号码(不留资料的来电可姓名、电话都不填)", "phone")
    existing = find_by_phone(project.id, normalise_phone(phone))
    if existing is not None and existing.owner_id == consultant.id:
        customer = existing
    else:
        customer, _taken = register(project, name, phone, channel, consultant, by=by, at=at)
    visit = record_visit(customer, consultant, kind, at=at, duration=duration, result=result,
                         by=by, entered_at=entry.entered_at)
    return customer, visit
