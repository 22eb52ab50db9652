"""Opening deals: what the office already sold on paper — the deposit with its receipt, the
认购书 with its deal price and buyer, the contract with its instalments and the payments
received — one unit a line.

Each line goes through the live services (deals.deposits, subscriptions, contracts) with
`opening=True`: back-dated to the sheet's dates, the money confirmed as finance confirmed it
on paper, the moves authorised by the admin's opening.import. So receipt numbers are unique
and from a registered book, a deal price is never above the list price, and the unit's
status moves through board.unit_status as a live deal's does: 定金已确认, 已认购 or 已签约.
"""
import re
from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import Building, Customer, Unit, UnitStatus
from app.services import clock
from app.services.board import unit_status
from app.services.board.unit_buildings import building_key
from app.services.board.unit_rows import ROOM_IN_ENTRANCE
from app.services.customers import cards
from app.services.customers.attribution import SPLIT_CASES
from app.services.customers.ownership import valid_until
from app.services.customers.phones import mask_phone, normalise_phone
from app.services.deals import contracts, deposits, receipts, subscriptions
from app.services.deals.common import DEPOSIT_KINDS, METHODS, PLANS, new_form_key
from app.services.errors import RuleViolation
from app.services.money import parse_money
from app.services.opening.sheets import Field, parse_date, text

TITLE = "期初成交"
REASON = "期初导入"
PAYMENTS = 2  # payments a line may carry: 回款1, 回款2
FIELDS = [
    Field("building", "楼栋", ("楼号", "楼栋号", "栋号"), True, 8),
    Field("entrance", "单元", ("单元号",), False, 6),
    Field("unit_no", "房号", ("房间号", "房源"), True, 8),
    Field("buyer", "买受人", ("客户姓名", "购房人", "客户", "姓名"), True, 10),
    Field("phone", "手机号", ("手机", "电话", "联系电话", "手机号码"), True, 14),
    Field("consultant", "置业顾问", ("顾问", "销售"), False, 10),
    Field("split_case", "分成情形", ("分成", "分单情形", "区分准则"), False, 10),
    Field("deposit_kind", "定金类型", (), False, 8),
    Field("deposit", "定金金额", ("定金",), True, 12),
    Field("deposit_receipt", "定金收据号", ("定金收据编号", "收据号", "收据编号"), True, 12),
    Field("deposit_on", "收定日期", ("定金日期", "交定日期"), True, 12),
    Field("method", "收款方式", (), False, 10),
    Field("deal_price", "成交价", ("成交总价", "认购价"), False, 14),
    Field("subscribed_on", "认购日期", ("认购书日期",), False, 12),
    Field("plan", "付款方式", ("付款类型",), False, 10),
    Field("down_payment", "首付款", ("首付",), False, 12),
    Field("bank", "按揭银行", ("贷款银行",), False, 12),
    Field("sign_deadline", "签约期限", (), False, 12),
    Field("id_number", "证件号码", ("身份证号", "身份证号码"), False, 20),
    Field("address", "通讯地址", ("地址",), False, 24),
    Field("contract_no", "合同编号", ("合同号",), False, 14),
    Field("contract_on", "签约日期", ("合同日期",), False, 12),
    Field("first_due", "首期付款日", (), False, 12),
    Field("count", "分期期数", ("期数",), False, 8),
    *[field for n in range(1, PAYMENTS + 1) for field in (
        Field(f"paid{n}", f"回款{n}金额", ("回款金额",) if n == 1 else (), False, 12),
        Field(f"paid{n}_receipt", f"回款{n}收据号", ("回款收据号",) if n == 1 else (), False, 12),
        Field(f"paid{n}_on", f"回款{n}日期", ("回款日期",) if n == 1 else (), False, 12))],
]
EXAMPLE = {**{field.key: "" for field in FIELDS},
           "building": "1栋", "entrance": "1", "unit_no": "0801", "buyer": "张伟",
           "phone": "13800138000", "consultant": "李静", "deposit_kind": "大定",
           "deposit": "50000", "deposit_receipt": "0001001", "deposit_on": "2026-10-08",
           "method": "银行转账", "deal_price": "1850000", "subscribed_on": "2026-10-10",
           "plan": "按揭贷款", "down_payment": "600000", "bank": "工商银行",
           "sign_deadline": "2026-11-10", "contract_no": "HT-2026-001", "contract_on": "2026-11-01",
           "first_due": "2026-11-01", "paid1": "550000",
           "paid1_receipt": "0001002", "paid1_on": "2026-11-01"}
# seed 002 客户区分准则 by the number the office calls them by: {"2": "customer_chose"}
CASES = {re.match(r"准则\((\d+)\)", rule).group(1): code
         for code, (_label, rule) in SPLIT_CASES.items()}
NOTES = ["期初成交填写说明",
         "1. 每行一套已成交的房源;同一房源只能出现一次。楼栋、单元、房号须与销控表一致"
         "(房号也可写作「1-0801」)。",
         "2. 买受人须是本项目已有的客户(请先导入期初客户),按手机号对应;置业顾问不填时为客户的"
         "归属顾问。",
         "3. 每行都有定金:定金类型填小定或大定(不填为大定),收据号须在财务登记的收据本内,"
         "每张收据只能用一次。",
         "4. 填了成交价即为已签认购书;付款方式填一次性付款、按揭贷款或分期付款(按揭须填首付款和"
         "按揭银行,分期须填期数);不填签约期限时,已签约的为签约日期,否则为认购日期后 30 天。",
         "5. 填了合同编号即为已签约;回款须在签约之后,定金与回款合计不能超过成交价。",
         f"6. 收款方式填:{'、'.join(METHODS.values())}(不填为银行转账)。",
         "7. 导入的定金和回款视为财务已确认;日期不能晚于今天。检查通过并确认后一次性导入,"
         "任一行有错则不导入任何数据,操作日志记为「期初导入」。",
         "8. 置业顾问不是客户的归属顾问、且客户建档仍在有效期内时,按《客户区分准则》在"
         "「分成情形」填写准则编号(如 2 或 准则(2)):" + ";".join(
             f"{number} {SPLIT_CASES[code][0]}" for number, code in CASES.items()) + "。"
         "预览列出每一行的业绩和奖金归属,请核对后再确认导入。"]
DEADLINE_DAYS = 30
KINDS = {label: code for code, label in DEPOSIT_KINDS.items()}
PLAN_NAMES = {**{label: code for code, label in PLANS.items()}, "一次性": "full",
              "全款": "full", "按揭": "mortgage", "分期": "instalments"}
METHOD_NAMES = {**{label: code for code, label in METHODS.items()}, "刷卡": "pos",
                "POS": "pos", "转账": "transfer"}


def context(project):
    """The board's units by building look-alike key, 单元 and room; who may own a deal."""
    units = {}
    rows = db.session.execute(
        select(Unit.id, Building.name, Unit.entrance, Unit.unit_no).join(Building)
        .where(Building.project_id == project.id)).all()
    for unit_id, building, entrance, unit_no in rows:
        units.setdefault((building_key(building), _room(unit_no)), []).append(
            (entrance, unit_id))
    people = {}
    for user in cards.consultants():
        people.setdefault(user.username.lower(), user.id)
        people.setdefault(user.display_name, user.id)
    return {"units": units, "today": clock.today(), "unit_lines": {}, "receipt_lines": {},
            "consultants": people}


def apply_row(project, values, actor, ctx):
    """Bring in one deal as the office made it on paper; returns what the preview shows."""
    line = ctx.get("line")
    unit = _unit(values, ctx)
    name = _unit_name(unit)
    seen = ctx["unit_lines"].get(unit.id)
    if seen is not None:
        raise RuleViolation(f"房源 {name} 与第 {seen} 行重复(一套房源只能成交一次)")
    ctx["unit_lines"][unit.id] = line
    customer = _buyer(project, values)
    deal = _deal(values, ctx)
    _check_receipts(deal, ctx, line)
    if unit.status == UnitStatus.WITHHELD:  # sold before the board existed: on sale then
        unit_status.transition(unit, "release", actor, reason=REASON, now=deal["deposit_at"],
                               opening=True)
    try:
        deposit, _ = deposits.record(
            unit, kind=deal["kind"], amount_text=deal["deposit"], method=deal["method"],
            receipt_no=deal["deposit_receipt"], customer_id=customer.id,
            consultant_id=_consultant(values, customer, ctx), case=_split_case(values),
            form_key=new_form_key(), actor=actor, now=deal["deposit_at"], opening=True)
    except RuleViolation as exc:
        if exc.field != "case":
            raise
        raise RuleViolation(  # the live form offers the cases; the sheet has a column
            f"该客户归属 {customer.owner.display_name}(建档有效至 "
            f"{valid_until(customer):%Y-%m-%d}),请在「分成情形」填写准则编号"
            f"({'、'.join(CASES)},见填写说明)") from None
    deposits.confirm(deposit, actor, now=deal["deposit_at"], opening=True)
    result = {"unit": name, "buyer": customer.name, "kind": deal["kind"],
              "deposit": deal["deposit"], "deal_price": None, "contract_total": None,
              "paid": Decimal("0.00"), "status": UnitStatus.DEPOSIT_CONFIRMED,
              "consultant": deposit.consultant.display_name,
              # 业绩 or 奖金 not the closer's alone, or a card not theirs: the preview lists it
              "split": None if deposit.split_case == "own" else deposit.split_reason}
    if deal["deal_price"] is None:
        return result
    subscription, _ = subscriptions.sign(unit, {
        "form_key": new_form_key(), "deal_price": deal["deal_price"], "plan": deal["plan"],
        "down_payment": deal["down_payment"], "bank": deal["bank"],
        "sign_deadline": deal["sign_deadline"], "id_number": text(values.get("id_number")),
        "address": text(values.get("address")),
        "identity_note": "期初导入:纸质认购书,证件或地址待补录"}, actor,
        now=deal["subscribed_at"], opening=True)
    result.update(deal_price=subscription.deal_price, status=UnitStatus.SUBSCRIBED)
    if deal["contract_no"] is None:
        return result
    contract, _ = contracts.sign(subscription, {
        "form_key": new_form_key(), "number": deal["contract_no"],
        "sign_date": deal["contract_on"], "first_due": deal["first_due"],
        "count": deal["count"]}, actor, now=_noon(deal["contract_on"]), opening=True)
    result.update(contract_total=contract.total_price, status=UnitStatus.CONTRACTED)
    for amount, receipt_no, day in deal["payments"]:
        instalment = next((i for i, _ in contracts.open_instalments(contract)), None)
        if instalment is None:
            raise RuleViolation("合同已付清(含定金抵扣),不能再登记回款")
        payment, _ = contracts.record_payment(instalment, amount, deal["method"], receipt_no,
                                              new_form_key(), actor, now=_noon(day))
        contracts.decide_payment(payment, True, None, actor, now=_noon(day), opening=True)
        result["paid"] += payment.amount
    return result


def _unit(values, ctx):
    """The board's unit the line names, or why not."""
    building, room = text(values.get("building")), text(values.get("unit_no"))
    entrance = text(values.get("entrance")).removesuffix("单元").strip()
    if not building or not room:
        raise RuleViolation("请填写楼栋和房号")
    match = ROOM_IN_ENTRANCE.match(room)
    if match is not None:
        if entrance and entrance != match.group(1):
            raise RuleViolation(f"房号 {room} 与单元「{entrance}」不一致")
        entrance, room = match.groups()
    candidates = ctx["units"].get((building_key(building), _room(room)), [])
    found = [uid for e, uid in candidates
             if e == entrance or (not entrance and len(candidates) == 1)]
    written = f"{building}{entrance + '单元' if entrance else ''}{room}"
    if not found and not entrance and len(candidates) > 1:
        raise RuleViolation(f"房号 {written} 在多个单元都有,请填写单元")
    if not found:
        raise RuleViolation(f"销控表中没有房源 {written}")
    return db.session.get(Unit, found[0])


def _room(unit_no):
    """'0801' and '801' are one room (Excel drops the leading zero)."""
    return str(unit_no).strip().lstrip("0") or "0"


def _unit_name(unit):
    entrance = f"{unit.entrance}单元" if unit.entrance else ""
    return f"{unit.building.name}{entrance}{unit.unit_no}"


def _buyer(project, values):
    name, phone_text = text(values.get("buyer")), text(values.get("phone"))
    if not name:
        raise RuleViolation("买受人为空:请填写买受人姓名")
    if not phone_text:
        raise RuleViolation(f"请填写买受人 {name} 的手机号")
    phone = normalise_phone(phone_text)
    customer = db.session.scalar(select(Customer).where(Customer.project_id == project.id,
                                                        Customer.phone == phone))
    if customer is None:
        raise RuleViolation(f"买受人 {name}({mask_phone(phone)})不是本项目的客户,"
                            "请先导入期初客户")
    if customer.name != name:
        raise RuleViolation(f"手机号 {mask_phone(phone)} 登记的客户是「{customer.name}」,"
                            f"与买受人「{name}」不一致")
    return customer


def _consultant(values, customer, ctx):
    """The consultant the sheet names (username or name), else the customer's owner."""
    wanted = text(values.get("consultant"))
    if not wanted:
        if customer.owner_id is None:
            raise RuleViolation(f"客户 {customer.name} 在公共池中,请填写置业顾问")
        return customer.owner_id
    found = ctx["consultants"].get(wanted) or ctx["consultants"].get(wanted.lower())
    if found is None:
        raise RuleViolation(f"置业顾问「{wanted}」不是系统中的置业顾问")
    return found


def _split_case(values):
    """The sheet's 分成情形: a seed 002 准则 number ('2', '准则(2)', '准则2'), else None."""
    written = text(values.get("split_case"))
    if not written:
        return None
    match = re.fullmatch(r"(?:准则)?[((]?\s*(\d+)\s*[))]?", written)
    if match is None or match.group(1) not in CASES:
        raise RuleViolation(f"分成情形「{written}」应为准则编号 {'、'.join(CASES)} 之一"
                            "(见填写说明)")
    return CASES[match.group(1)]


def _deal(values, ctx):
    """The line's numbers and dates, parsed and put in order, or the first thing wrong."""
    today = ctx["today"]
    deal = {"kind": _choice(values, "deposit_kind", KINDS, "large", "定金类型"),
            "method": _choice(values, "method", METHOD_NAMES, "transfer", "收款方式"),
            "deposit": _money(values, "deposit", "定金金额", required=True),
            "deposit_receipt": _receipt(values, "deposit_receipt", "定金收据号", True)}
    deposit_on = _date(values, "deposit_on", "收定日期", today, required=True)
    deal["deposit_at"] = _noon(deposit_on)
    deal["deal_price"] = _money(values, "deal_price", "成交价")
    deal["contract_no"] = text(values.get("contract_no")) or None
    payments = []
    for n in range(1, PAYMENTS + 1):
        amount = _money(values, f"paid{n}", f"回款{n}金额")
        if amount is None:
            continue
        payments.append((amount, _receipt(values, f"paid{n}_receipt", f"回款{n}收据号", True),
                         _date(values, f"paid{n}_on", f"回款{n}日期", today, required=True)))
    deal["payments"] = payments
    if deal["deal_price"] is None:
        if deal["contract_no"] or payments:
            raise RuleViolation("有合同或回款的行须填写成交价")
        return deal
    received = deal["deposit"] + sum((p[0] for p in payments), Decimal("0.00"))
    if received > deal["deal_price"]:
        raise RuleViolation(f"定金与回款合计 ¥{received:,.2f} 超过成交价 "
                            f"¥{deal['deal_price']:,.2f}")
    subscribed_on = _date(values, "subscribed_on", "认购日期", today) or deposit_on
    if subscribed_on < deposit_on:
        raise RuleViolation("认购日期早于收定日期")
    deal["subscribed_at"] = _noon(subscribed_on)
    deal["plan"] = _choice(values, "plan", PLAN_NAMES, None, "付款方式")
    if deal["plan"] is None:
        raise RuleViolation(f"请填写付款方式:{'、'.join(PLANS.values())}")
    deal["down_payment"] = _money(values, "down_payment", "首付款")
    deal["bank"] = text(values.get("bank"))
    if deal["plan"] == "mortgage" and (deal["down_payment"] is None or not deal["bank"]):
        raise RuleViolation("按揭贷款须填写首付款和按揭银行")
    count = _money(values, "count", "分期期数")
    deal["count"] = int(count) if count is not None and count == int(count) else 0
    contract_on = None
    if deal["contract_no"] is not None:
        contract_on = _date(values, "contract_on", "签约日期", today, required=True)
        if contract_on < subscribed_on:
            raise RuleViolation("签约日期早于认购日期")
        deal["first_due"] = _date(values, "first_due", "首期付款日", None) or contract_on
        for _amount, _no, day in payments:
            if day < contract_on:
                raise RuleViolation(f"回款日期 {day} 早于签约日期 {contract_on}")
    elif payments:
        raise RuleViolation("有回款的行须填写合同编号和签约日期")
    deal["contract_on"] = contract_on
    deadline = _date(values, "sign_deadline", "签约期限", None)
    deal["sign_deadline"] = deadline or contract_on or \
        subscribed_on + timedelta(days=DEADLINE_DAYS)
    return deal


def _check_receipts(deal, ctx, line):
    """A receipt number twice in the sheet names both lines (the database's own uses are
    refused by receipts.issue)."""
    numbers = [receipts.parse_number(n)
               for n in (deal["deposit_receipt"], *[p[1] for p in deal["payments"]])]
    for number in numbers:
        seen = ctx["receipt_lines"].get(number)
        if seen is not None:
            raise RuleViolation(f"收据 No.{number:07d} 与第 {seen} 行重复(每张收据只能用一次)")
        if numbers.count(number) > 1:
            raise RuleViolation(f"收据 No.{number:07d} 在本行用了两次(每张收据只能用一次)")
    for number in numbers:
        ctx["receipt_lines"][number] = line


def _money(values, key, label, required=False):
    value = values.get(key)
    if not text(value):
        if required:
            raise RuleViolation(f"请填写{label}")
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        return parse_money(value, key)
    except RuleViolation:
        raise RuleViolation(f"{label}「{text(values.get(key))}」不是数字") from None


def _receipt(values, key, label, required):
    value = text(values.get(key))
    if not value:
        if required:
            raise RuleViolation(f"请填写{label}")
        return None
    receipts.parse_number(value)
    return value


def _date(values, key, label, today, required=False):
    if not text(values.get(key)):
        if required:
            raise RuleViolation(f"请填写{label}")
        return None
    day = parse_date(values.get(key), label)
    if today is not None and day > today:
        raise RuleViolation(f"{label} {day} 晚于今天,期初数据只能是已经发生的")
    return day


def _choice(values, key, names, default, label):
    value = text(values.get(key))
    if not value:
        return default
    if value not in names:
        raise RuleViolation(f"{label}「{value}」应为{'、'.join(dict.fromkeys(names))}之一")
    return names[value]


def _noon(day):
    """A paper date as an instant: midday in the office's time zone."""
    return datetime.combine(day, time(12), tzinfo=clock.zone())


def finish(project, actor):
    return 0


def summary(results, _unused):
    """Counts by the status each unit ends in, and the sheet's totals the registers will
    show: 小定, 大定, 认购 deal prices, contract totals and payments received."""
    money = Decimal("0.00")
    totals = {"small": money, "large": money, "deal_price": money, "contract_total": money,
              "paid": money}
    statuses = {}
    for row in results:
        totals[row["kind"]] += row["deposit"]
        for key in ("deal_price", "contract_total", "paid"):
            totals[key] += row[key] or money
        label = row["status_label"] = UnitStatus.LABELS[row["status"]]
        statuses[label] = statuses.get(label, 0) + 1
    return {"rows": len(results), "statuses": statuses,
            "totals": {key: str(value) for key, value in totals.items()},
            "counts": {"small": sum(1 for r in results if r["kind"] == "small"),
                       "large": sum(1 for r in results if r["kind"] == "large"),
                       "subscriptions": sum(1 for r in results if r["deal_price"]),
                       "contracts": sum(1 for r in results if r["contract_total"]),
                       "payments": sum(1 for r in results if r["paid"]),
                       "splits": sum(1 for r in results if r["split"])}}
