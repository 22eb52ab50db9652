"""Customer cards 温馨卡: registration (front desk and consultants), the card, search.

Seed 000 (温馨卡管理制度) 第二部分 2: even a short visit records name and phone; peers checking
out the project (踩盘) are registered and flagged. Registration by phone number decides
ownership (app.services.customers.ownership): a number owned by someone else is refused with the
owner's name and the date; a number whose card expired, or in the pool, is taken over.
"""
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Customer, FollowUp, GradeChange, OwnershipChange, User, Visit
from app.policy import can, holders
from app.services import audit
from app.services.clock import local, now
from app.services.customers.late_entry import earlier_than_owner
from app.services.customers.options import OPTION_KINDS, all_options, check_choice
from app.services.customers.ownership import ownership_valid, record_change, set_owner, valid_until
from app.services.customers.phones import mask_phone, normalise_phone
from app.services.customers.reasons import card_state
from app.services.customers.visits import follow_up_state
from app.services.errors import RuleViolation

CHOICE_FIELDS = tuple(OPTION_KINDS)
NOTE_FIELDS = ("appearance", "concerns", "objections", "notes", "next_appointment_pretext")
ID_NUMBER = re.compile(r"^(\d{17}[\dX]|\d{15})$")
MASK_QUERY = re.compile(r"^(1\d{2})[*＊xX]+(\d{4})$")


class DuplicateCustomer(RuleViolation):
    """The number is registered to someone else (DESIGN.md: refused with the owner's name)."""


def clean_name(name, field="name"):
    name = " ".join((name or "").split())
    if not name:
        raise RuleViolation("请填写客户姓名", field)
    if len(name) > 64:
        raise RuleViolation("姓名过长", field)
    return name


def clean_id_number(text, field="id_number"):
    value = (text or "").strip().upper().replace(" ", "")
    if value and not ID_NUMBER.match(value):
        raise RuleViolation("身份证号应为 18 位(末位可为 X)", field)
    return value or None


def find_by_phone(project_id, phone):
    return db.session.scalar(select(Customer).where(
        Customer.project_id == project_id, Customer.phone == phone))


def duplicate_message(customer, user):
    """Names the owner and the registration date, as the office settles it (谁登记早)."""
    when = local(customer.owned_since or customer.created_at)
    if customer.owner_id == getattr(user, "id", None):
        return f"该号码已是您的客户 {customer.name}({when:%Y-%m-%d} 登记),请在客户卡上登记来访"
    return f"该号码已登记:归属置业顾问 {customer.owner.display_name},登记于 {when:%Y-%m-%d}"


def register(project, name, phone, channel, owner, *, by=None, at=None, is_peer=False):
    """Register a customer for `owner`; returns (customer, taken_over_from_pool)."""
    at = at or now()
    name = clean_name(name)
    phone = normalise_phone(phone)
    if not channel:
        raise RuleViolation("请选择认知途径", "channel")
    channel = check_choice(project.id, "channel", channel)
    existing = find_by_phone(project.id, phone)
    earlier = existing is not None and earlier_than_owner(existing, owner, at)
    if earlier:
        set_owner(existing, owner, "backdated", by=by or owner, at=at, reason=earlier)
        return existing, True
    if existing is not None:
        if existing.owner_id == owner.id or ownership_valid(existing, at):
            raise DuplicateCustomer(duplicate_message(existing, by or owner), "phone")
        why = (f"{card_state(existing, at, '重新登记日')} → 归属 {owner.display_name}"
               "(规则:建档有效期 2 个月,过期或公共池客户可重新登记)")
        set_owner(existing, owner, "claimed", by=by or owner, at=at, reason=why[:300])
        existing.last_effective_at = at
        return existing, True
    customer = Customer(project_id=project.id, name=name, phone=phone, phone_mask=mask_phone(phone),
                        channel=channel, owner=owner, owner_id=owner.id, owned_since=at,
                        last_effective_at=at, registered_by_id=getattr(by or owner, "id", None),
                        created_at=at, is_peer=bool(is_peer))
    try:
        with db.session.begin_nested():
            db.session.add(customer)
            db.session.flush()
    except IntegrityError:
        raise DuplicateCustomer("该号码刚刚已被其他人登记,请重新查询", "phone") from None
    record_change(customer, None, owner, "registered", by=by or owner, at=at)
    audit.record("customer_registered", "customer", customer.id, project_id=project.id,
                 after={"channel": channel, "owner": owner.display_name}, user=by)
    return customer, False


# Audit rows are append-only, so they never hold personal data: anonymisation stays complete.
PERSONAL_FIELDS = frozenset({"name", "phone", "phone_mask", "id_number", "gender",
                             *NOTE_FIELDS})


def _audit_value(field, value):
    return "(已修改)" if field in PERSONAL_FIELDS else value


def _identity(customer, data, by):
    """Name, gender, ID number, phone (a new number must be free), peer flag, appointment."""
    values = {"name": clean_name(data.get("name")), "gender": data.get("gender") or None,
              "id_number": clean_id_number(data.get("id_number")),
              "is_peer": bool(data.get("is_peer")),
              "next_appointment_on": data.get("next_appointment_on")}
    if values["gender"] not in (None, "男", "女"):
        raise RuleViolation("请选择性别", "gender")
    phone = normalise_phone(data.get("phone"))
    if phone != customer.phone:
        other = find_by_phone(customer.project_id, phone)
        if other is not None:
            raise DuplicateCustomer(duplicate_message(other, by), "phone")
        values.update(phone=phone, phone_mask=mask_phone(phone))
    return values


def update_card(customer, data, *, by):
    """Save the card's fields (grades change through visits.change_grade, with a reason)."""
    if customer.anonymised_at is not None:
        raise RuleViolation("该客户已匿名化,不能再修改")
    values = _identity(customer, data, by)
    options = all_options(customer.project_id)
    for kind in CHOICE_FIELDS:
        values[kind] = check_choice(customer.project_id, kind, data.get(kind),
                                    getattr(customer, kind), options)
    for field in NOTE_FIELDS:
        values[field] = (data.get(field) or "").strip() or None
    changed = {k: v for k, v in values.items() if getattr(customer, k) != v}
    if not changed:
        return {}
    before = {k: _audit_value(k, getattr(customer, k)) for k in changed}
    for key, value in changed.items():
        setattr(customer, key, value)
    customer.updated_at = now()
    audit.record("customer_card_updated", "customer", customer.id,
                 project_id=customer.project_id, before=before,
                 after={k: _audit_value(k, v) for k, v in changed.items()}, user=by)
    return changed


def phone_clause(query):
    """A search on phone numbers as people type them: full, masked (138****5678) or last four."""
    text = re.sub(r"[\s\-]", "", query or "")
    match = MASK_QUERY.match(text)
    if match:
        return Customer.phone_mask == f"{match.group(1)}****{match.group(2)}"
    if text.isdigit() and len(text) == 4:
        return Customer.phone_mask.like(f"%{text}")
    if re.fullmatch(r"\+?\d{7,16}", text):
        try:
            return Customer.phone == normalise_phone(text)
        except RuleViolation:
            return None
    return None


def search(project_id, query=None, owner_id=None, grade=None, limit=100):
    """Customers of a project matching a name or phone query, newest first."""
    stmt = select(Customer).where(Customer.project_id == project_id,
                                  Customer.anonymised_at.is_(None))
    query = (query or "").strip()
    if query:
        clause = phone_clause(query)
        if clause is None:
            literal = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clause = Customer.name.like(f"%{literal}%", escape="\\")
        stmt = stmt.where(clause)
    if owner_id == "pool":
        stmt = stmt.where(Customer.owner_id.is_(None))
    elif owner_id:
        stmt = stmt.where(Customer.owner_id == owner_id)
    if grade:
        stmt = stmt.where(Customer.grade == grade)
    return db.session.scalars(
        stmt.options(selectinload(Customer.owner))
        .order_by(func.coalesce(Customer.last_visit_at, Customer.created_at).desc(),
                  Customer.id.desc()).limit(limit)).all()


def pickable(project_id, user=None, limit=None):
    """The customers a form offers `user`, by name: a consultant's own, else all the project's."""
    stmt = select(Customer).where(Customer.project_id == project_id).order_by(Customer.name)
    if user is not None and can(user, "records.own_only"):
        stmt = stmt.where(Customer.owner_id == user.id)
    return db.session.scalars(stmt.limit(limit)).all()


def consultants(active_only=True):
    stmt = select(User).where(holders("customers.own"))
    if active_only:
        stmt = stmt.where(User.active.is_(True))
    return db.session.scalars(stmt.order_by(User.display_name, User.id)).all()


@dataclass(frozen=True)
class CardState:
    """What a list shows of a card: valid until when, still valid, the follow-up due."""

    valid_until: object  # last day the owner's card is valid; None in the public pool
    valid: bool
    follow_up: str = None  # 'overdue' / 'due' / 'scheduled' / None (visits.follow_up_state)


def card_states(customers, at=None):
    """{customer id: CardState} for the customers a page lists, worked out once per page."""
    at = at or now()
    day = local(at).date()
    return {c.id: CardState(valid_until(c), ownership_valid(c, at), follow_up_state(c, day))
            for c in customers}


def history(customer):
    """The card's history, newest first: visits and calls, follow-ups, grades, owners."""
    def newest(model):
        return db.session.scalars(select(model).where(model.customer_id == customer.id)
                                  .order_by(model.at.desc())).all()
    return {"visits": newest(Visit), "follow_ups": newest(FollowUp),
            "grades": newest(GradeChange), "owners": newest(OwnershipChange)}


def export_rows(project_id, full_phones=False):
    """客户一览 rows, masked unless `full_phones` (privacy.export_full: permission, reason,
    one access-log row per customer)."""
    return [{"customer_id": c.id, "name": c.name, "phone": c.phone if full_phones else c.phone_mask,
             "grade": c.grade, "channel": c.channel, "area_band": c.area_band,
             "wanted_layout": c.wanted_layout,
             "owner": c.owner.display_name if c.owner else "公共池",
             "first_visit_at": c.first_visit_at, "last_visit_at": c.last_visit_at,
             "valid_until": valid_until(c)}
            for c in search(project_id, limit=100000)]
