"""Row-level checks of an uploaded 房源表: every error in Chinese, with its line, before
anything is written. Pure Python: the database is not read here."""
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from app.services.board.unit_sheet import LABELS
from app.services.errors import RuleViolation
from app.services.money import round_price

DECIMALS = ("building_area", "inner_area", "unit_price", "total_price")
MAX_ERRORS = 200
LIMITS = {"building": 32, "entrance": 16, "unit_no": 16, "layout": 32, "orientation": 16}
ROOM_IN_ENTRANCE = re.compile(r"^(\d{1,3})[-－—_](\d{3,5})$")  # 1-0801: 单元 1, room 0801
NUMBER = re.compile(r"^(-?\d+(?:\.\d+)?)(万)?(?:元)?(?:/?(?:㎡|m²|m2|平方米|平米|平))?$")
CENT = Decimal("0.01")


class ImportRejected(RuleViolation):
    """The file has errors; nothing was written. `errors` lists them in Chinese."""

    def __init__(self, errors, total=None):
        total = total or len(errors)
        super().__init__(f"文件中有 {total} 处错误,未导入任何数据。请修改后重新上传。", "file")
        self.errors, self.total = errors, total


def parse_decimal(value, scale=1):
    """A cell as an exact Decimal with at most two places: '21,800元/㎡', '89.36㎡', '194.8万'."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, float):
        value = repr(value)  # the shortest exact decimal of what Excel stored
    text = re.sub(r"[\s,，¥￥]", "", str(value))
    match = NUMBER.match(text)
    if not match:
        raise ValueError(value)
    try:
        number = Decimal(match.group(1)) * (10000 if match.group(2) else scale)
    except InvalidOperation:
        raise ValueError(value) from None
    rounded = number.quantize(CENT)
    if abs(number - rounded) > Decimal("0.000001"):  # 89.359999999 from a formula is 89.36
        raise ValueError(value)
    return rounded


def validate(sheet, project):
    errors = [f"工作表「{title}」缺少必需的列:{'、'.join(lacking)}"
              for title, lacking in sheet.missing]
    if errors:
        raise ImportRejected(errors)
    rows, seen, count = [], {}, 0
    for raw in sheet.rows:
        where = f"「{raw.sheet}」第 {raw.line} 行" if sheet.multi_sheet else f"第 {raw.line} 行"
        row, problems = _validate_row(raw.values, sheet.scale, project.rounding)
        key = (row.get("building"), row.get("entrance"), row.get("unit_no"))
        if not problems and key in seen:
            problems.append(f"房号 {_room(row)} 与{seen[key]}重复")
        seen.setdefault(key, where)
        count += len(problems)
        if len(errors) < MAX_ERRORS:
            errors += [f"{where}: {problem}" for problem in problems]
        row["line"] = where
        rows.append(row)
    if count:
        raise ImportRejected(errors[:MAX_ERRORS], count)
    if not rows:
        raise ImportRejected(["文件中没有房源数据(表头下面没有任何行)"])
    return rows


def _room(row):
    return f"{row['entrance']}单元{row['unit_no']}" if row["entrance"] else row["unit_no"]


def _text(values, key):
    value = values.get(key)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 1801.0 from Excel is room 1801
    return "" if value is None else str(value).strip()


def _validate_row(values, scale, rounding):
    row, problems = {}, []
    for key in ("building", "entrance", "unit_no", "layout", "orientation"):
        row[key] = _text(values, key)
        if key not in ("orientation", "entrance") and not row[key]:
            problems.append(f"{LABELS[key]}为空")
        elif len(row[key]) > LIMITS[key]:
            problems.append(f"{LABELS[key]}过长(最多 {LIMITS[key]} 个字)")
    _split_room(row, problems)
    _product_type(row, _text(values, "product_type"), problems)
    row["floor"] = _floor(values, row["unit_no"], problems)
    for key in DECIMALS:
        try:
            row[key] = parse_decimal(values.get(key), scale.get(key, 1))
        except ValueError:
            row[key] = None
            problems.append(f"{LABELS[key]}不是数字")
    _check_amounts(row, problems, rounding)
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in row.items()}, problems


def _product_type(row, text, problems):
    """业态 by its Chinese name (小高层, 洋房, 别墅...) or code; blank keeps the board's."""
    from app.models.commission import PRODUCT_TYPES
    names = {label: code for code, label in PRODUCT_TYPES.items()}
    names.update({code: code for code in PRODUCT_TYPES}, 别墅="villa")
    cleaned = text.replace("（", "(").replace("）", ")").replace(" ", "")
    row["product_type"] = names.get(cleaned) if cleaned else None
    if cleaned and row["product_type"] is None:
        problems.append("业态应为 小高层、洋房、别墅、别墅(300万以上) 或 商铺")


def _split_room(row, problems):
    """单元 "2单元" is 2; room "1-0801" is room 0801 of 单元 1."""
    row["entrance"] = re.sub(r"单元$", "", row["entrance"]).strip()
    match = ROOM_IN_ENTRANCE.match(row["unit_no"])
    if match is None:
        return
    entrance, room = match.groups()
    if row["entrance"] and row["entrance"] != entrance:
        problems.append(f"房号 {row['unit_no']} 与单元「{row['entrance']}」不一致")
        return
    row["entrance"], row["unit_no"] = entrance, room


def _floor(values, unit_no, problems):
    text = _text(values, "floor") if "floor" in values else ""
    if not text and "floor" not in values and unit_no.isdigit() and len(unit_no) >= 3:
        return int(unit_no[:-2])  # no floor column: 1801 is on floor 18
    match = re.fullmatch(r"(?:F|第)?(-?\d+)(?:F|层|楼)?", text, re.IGNORECASE)
    if not text:
        problems.append("楼层为空")
    elif not match or not -10 <= int(match.group(1)) <= 300:
        problems.append("楼层不是有效的整数")
    else:
        return int(match.group(1))
    return None


def _check_amounts(row, problems, rounding):
    area, inner = row["building_area"], row["inner_area"]
    if area is None and "建筑面积不是数字" not in problems:
        problems.append("建筑面积为空")
    elif area is not None and area <= 0:
        problems.append("建筑面积必须大于 0")
    if inner is not None and area is not None and not 0 < inner <= area:
        problems.append("套内面积应大于 0 且不大于建筑面积")
    price, total = row["unit_price"], row["total_price"]
    if price is None and total is None:
        if not any(p.startswith(("单价", "总价")) for p in problems):
            problems.append("单价和总价至少填写一项")
        return
    if (price is not None and price < 0) or (total is not None and total < 0):
        problems.append("价格不能为负数")
        return
    if area is None or area <= 0:
        return
    if total is None:
        row["total_price"] = round_price(price * area, rounding)
    elif price is None:
        row["unit_price"] = (total / area).quantize(CENT, rounding=ROUND_HALF_UP)
    elif abs(price * area - total) > area + 10:  # more than unit-price rounding explains
        problems.append(f"总价与单价×建筑面积不符(相差 {abs(price * area - total):,.2f} 元)")
