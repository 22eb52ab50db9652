"""The buyer's identity on a 认购书: ID type and number and contact address.

A 认购书 names its buyer by their ID (seed: 买受人及身份证号码) and carries an address for
notices. The form starts from the customer card; what the card lacks is asked for, and a
认购书 signed without it must say why (e.g. 客户未带证件,签约前补).
"""
from app.services.errors import RuleViolation

ID_TYPES = {"id_card": "居民身份证", "passport": "护照", "hk_macao": "港澳居民来往内地通行证",
            "taiwan": "台湾居民来往大陆通行证", "other": "其他证件"}
ID_CARD_CHARS = set("0123456789X")


def buyer_identity(customer, data):
    """{'id_type', 'id_number', 'address', 'identity_note'} for a 认购书 of `customer`, or a
    refusal naming what is missing."""
    id_type = data.get("id_type") or "id_card"
    if id_type not in ID_TYPES:
        raise RuleViolation("请选择证件类型", "id_type")
    number = (data.get("id_number") or customer.id_number or "").strip().upper()
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
