"""老带新 and household links (seed 002 准则(10)(11)).

(10) 原则上由旧客户带来的新客户,属原始接待者所有 — a customer brought by an earlier one belongs
to the earlier customer's consultant. (11) 客户中家庭有一方先来看房,另一方后来看房,成交后以
先接待者为准 — a family member who comes later belongs to whoever received the first. The link
is kept on the card with its reason; the manager records it (it moves a customer).
"""
from app.services import audit
from app.services.clock import local
from app.services.customers.cards import find_by_phone
from app.services.customers.ownership import set_owner
from app.services.customers.phones import normalise_phone
from app.services.errors import RuleViolation

LINK_KINDS = {"referral": ("老带新", "规则:002 准则(10) 旧客户带来的新客户属原始接待者"),
              "household": ("家庭成员", "规则:002 准则(11) 家庭成员先后看房以先接待者为准")}


def link_customer(customer, phone_text, kind, *, by):
    """Link `customer` to the earlier customer with that phone; the first consultant owns it."""
    if kind not in LINK_KINDS:
        raise RuleViolation("请选择关系", "kind")
    first = find_by_phone(customer.project_id, normalise_phone(phone_text, "phone"))
    if first is None or first.anonymised_at is not None:
        raise RuleViolation("没有找到该号码的客户", "phone")
    if first.id == customer.id:
        raise RuleViolation("不能关联客户本人", "phone")
    if first.created_at >= customer.created_at:
        raise RuleViolation(f"{first.name} 建档晚于本客户,应在 {first.name} 的卡上关联", "phone")
    label, rule = LINK_KINDS[kind]
    customer.linked_to_id, customer.link_kind = first.id, kind
    owner = first.owner
    why = (f"{label}:{first.name} {local(first.created_at):%Y-%m-%d} 建档在先,"
           f"本客户 {local(customer.created_at):%Y-%m-%d} 建档 → 归属 "
           f"{owner.display_name if owner else '公共池(待经理分配)'}({rule})")
    if owner is not None and owner.id != customer.owner_id:
        set_owner(customer, owner, "linked", by=by, reason=why)
    audit.record("customer_linked", "customer", customer.id, project_id=customer.project_id,
                 after={"linked_to": first.id, "kind": kind}, reason=why, user=by)
    return why
