"""The buyer's identity on a 认购书: ID type and number and contact address.

A 认购书 names its buyer by their ID (seed: 买受人及身份证号码) and carries an address for
notices. The form starts from the customer card; what the card lacks is asked for, and a
认购书 signed without it must say why (e.g. 客户未带证件,签约前补).

Forms never carry a full ID number the office already holds (masks by default): they show
its mask, and a number left blank means the one on file (the card's, or the corrected
认购书's); a co-buyer's line left as its mask means that co-buyer's number.
"""
from app.services.customers.phones import mask_id_number
from app.services.errors import RuleViolation

ID_TYPES = {"id_card": "居民身份证", "passport": "护照", "hk_macao": "港澳居民来往内地通行证",
            "taiwan": "台湾居民来往大陆通行证", "other": "其他证件"}
ID_CARD_CHARS = set("0123456789X")


def buyer_identity(customer, data, on_file=None):
    """{'id_type', 'id_number', 'address', 'identity_note'} for a 认购书 of `customer`, or a
    refusal naming what is missing. A number left blank is `on_file` (the corrected 认购书's
    number for the same buyer), else the card's."""
    id_type = data.get("id_type") or "id_card"
    if id_type not in ID_TYPES:
        raise RuleViolation("请选择证件类型", "id_type")
    held = on_file or customer.id_number or ""
    typed = (data.get("id_number") or "").strip()
    number = (held if not typed or typed == mask_id_number(held) else typed).strip().upper()
    if number and id_type == "id_card" and (len(number) != 18
                                            or not set(number) <= ID_CARD_CHARS):
        raise RuleViolation("居民身份证号码应为 18 位", "id_number")
    if len(number) > 32:
        raise RuleViolation("证件号码最多 32 位", "id_number")
    address = (data.get("address") or "").strip()[:200]
    note = (data.get("identity_note") or "").strip()[:200]
    missing = [label for label, value in (("证件号码", number), ("通讯地址", address))
               if not value]
    if missing and not note:
        raise RuleViolation(f"请填写买受人的{'和'.join(missing)};暂时没有的,请在「暂缺原因」"
                            "中写明原因", "id_number" if not number else "address")
    return {"id_type": id_type, "id_number": number or None, "address": address or None,
            "identity_note": note if missing else None}


def masked_lines(people):
    """[[name, id number]] as a form shows them: '姓名 110***********1234' a line."""
    return "\n".join(f"{name} {mask_id_number(number)}" for name, number in people)


def unmasked(name, number, known):
    """A co-buyer's number as typed, or, when it is the mask of the number on file for the
    same name in `known` ([[name, number]]), that number."""
    for known_name, known_number in known:
        if known_name == name and number == mask_id_number(known_number):
            return known_number
    return number
