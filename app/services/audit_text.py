"""The audit log in the office's words: who (by name), did what, to which object (its label
and page), each changed field as "字段 旧值 → 新值", times in the project's zone."""
import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import String, cast, literal, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    AuditLog,
    ChangeRequest,
    ChannelAgent,
    ChannelCompany,
    ChannelReport,
    Contract,
    Customer,
    Deposit,
    DiscountRequest,
    FollowUp,
    Launch,
    LaunchRegistration,
    Payment,
    PriceRule,
    Project,
    Receipt,
    Subscription,
    Unit,
    User,
    Visit,
)
from app.models.project import Building
from app.services.audit_labels import (
    ACTION_LABELS,
    FIELD_LABELS,
    FIELD_VALUE_LABELS,
    INTERNAL_FIELDS,
    OBJECT_LABELS,
    VALUE_LABELS,
)
from app.services.clock import local

ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")
SYSTEM = "系统"


@dataclass
class Entry:
    """One audit row as the log and the home page show it."""

    row: AuditLog
    at: datetime
    person: str
    action: str
    kind: str
    label: str
    link: tuple | None  # (endpoint, {arg: value}) of the object's page, when it has one
    raw: bool = False  # the label is the stored id as typed (a failed login's username)
    changes: list = field(default_factory=list)  # [(field name, old text, new text)]

    @property
    def sentence(self):
        """刘强 推售 房源 1栋 1801:状态 销控 → 可售"""
        head = f"{self.person} {self.action} {self.kind} {self.label}".rstrip()
        moves = ";".join(f"{name} {old} → {new}" if old is not None else f"{name} {new}"
                         for name, old, new in self.changes)
        return f"{head}:{moves}" if moves else head


def _text(*parts):
    """SQL string concatenation on both engines (SQLite has no CONCAT before 3.44)."""
    out = literal("", String)
    for part in parts:
        out = out + (literal(part, String) if isinstance(part, str) else cast(part, String))
    return out


def _unit_label():
    return select(Unit.id, _text(Building.name, " ", Unit.unit_no), Unit.id).join(Building)


# object type -> (query of (id, label, id of the page's object), endpoint, its argument)
_OBJECTS = {
    "unit": (_unit_label, "board.unit_panel", "unit"),
    "customer": (lambda: select(Customer.id, Customer.name, Customer.id),
                 "customers.card", "customer_id"),
    "visit": (lambda: select(Visit.id, Customer.name, Customer.id).join(Customer),
              "customers.card", "customer_id"),
    "follow_up": (lambda: select(FollowUp.id, Customer.name, Customer.id).join(Customer),
                  "customers.card", "customer_id"),
    "user": (lambda: select(User.id, User.display_name, User.id), "admin.user_edit", "user_id"),
    "project": (lambda: select(Project.id, Project.name, Project.id), "admin.project_settings",
                "project_id"),
    "subscription": (lambda: select(Subscription.id, Subscription.number, Subscription.id),
                     "deals.subscription", "subscription_id"),
    "contract": (lambda: select(Contract.id, Contract.number, Contract.id),
                 "deals.contract", "contract_id"),
    "payment": (lambda: select(Payment.id, Contract.number, Contract.id).join(Contract),
                "deals.contract", "contract_id"),
    "deposit": (lambda: select(Deposit.id, _text("收据 ", Receipt.number), Deposit.unit_id)
                .join(Receipt, Receipt.id == Deposit.receipt_id), "board.unit_panel", "unit"),
    "receipt": (lambda: select(Receipt.id, _text("收据 ", Receipt.number), None), None,
                None),
    "change_request": (lambda: select(ChangeRequest.id, _text("#", ChangeRequest.id),
                                      ChangeRequest.id), "changes.detail", "change_id"),
    "discount_request": (lambda: select(DiscountRequest.id, Customer.name, DiscountRequest.id)
                         .join(Customer), "discounts.detail", "request_id"),
    "launch": (lambda: select(Launch.id, Launch.name, Launch.id), "launch.console",
               "launch_id"),
    "launch_registration": (lambda: select(LaunchRegistration.id, LaunchRegistration.number,
                                           LaunchRegistration.launch_id),
                            "launch.registrations_list", "launch_id"),
    "price_rule": (lambda: select(PriceRule.id, PriceRule.name, PriceRule.id),
                   "deals.edit_price_rule", "rule_id"),
    "channel_company": (lambda: select(ChannelCompany.id, ChannelCompany.name, None), None, None),
    "channel_agent": (lambda: select(ChannelAgent.id, ChannelAgent.name, None), None, None),
    "channel_report": (lambda: select(ChannelReport.id, ChannelReport.customer_name, None),
                       None, None),
}


def _labels(rows):
    """{(object type, object id): (label, link)} for the rows, one query per object type."""
    wanted = {}
    for row in rows:
        if row.object_type in _OBJECTS and (row.object_id or "").isdigit():
            wanted.setdefault(row.object_type, set()).add(int(row.object_id))
    found = {}
    for kind, ids in wanted.items():
        query, endpoint, arg = _OBJECTS[kind]
        statement = query()
        key = statement.selected_columns[0]
        for oid, label, page_id in db.session.execute(statement.where(key.in_(ids))):
            link = (endpoint, {arg: page_id}) if endpoint and page_id is not None else None
            found[(kind, str(oid))] = (label, link)
    return found


def value_text(value, field=None):
    """A before/after value of `field` as the office reads it."""
    if value is None or value == "":
        return "空"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(value_text(item) for item in value) or "空"
    if isinstance(value, dict):
        return ",".join(f"{FIELD_LABELS.get(k, k)} {value_text(v)}" for k, v in value.items())
    if isinstance(value, str) and ISO_TIME.match(value):
        try:
            return local(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return value
    if not isinstance(value, str):
        return str(value)
    return FIELD_VALUE_LABELS.get(field, {}).get(value) or VALUE_LABELS.get(value, value)


def _parsed(text):
    if not text:
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {"value": value}


def changes_of(row):
    """[(field, old, new)]: each field the row changed; old is None when there was no before."""
    before, after = _parsed(row.before), _parsed(row.after)
    had_before = row.before is not None
    out = []
    for key in list(after) + [k for k in before if k not in after]:
        old, new = before.get(key), after.get(key)
        if key in INTERNAL_FIELDS or (had_before and old == new):
            continue
        out.append((FIELD_LABELS.get(key, key), value_text(old, key) if had_before else None,
                    value_text(new, key)))
    return out


def entries(rows):
    """The rows as Entry objects (their objects' labels read in one query per kind)."""
    labels = _labels(rows)
    out = []
    for row in rows:
        label, link = labels.get((row.object_type, row.object_id), (None, None))
        person = row.user.display_name if row.user else (
            SYSTEM if row.actor in (None, "system") else row.actor)
        out.append(Entry(row=row, at=local(row.at), person=person,
                         action=ACTION_LABELS.get(row.action, row.action),
                         kind=OBJECT_LABELS.get(row.object_type, row.object_type),
                         label=label if label is not None else row.object_id or "",
                         raw=label is None, link=link, changes=changes_of(row)))
    return out


def with_people(query):
    """The query loading each row's person with it (the log names people, not usernames)."""
    return query.options(selectinload(AuditLog.user))
