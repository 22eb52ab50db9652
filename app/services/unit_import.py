"""Import the 房源表: validate every row, preview the changes, then apply all or nothing.

Re-importing changes prices and attributes of units without a deal only; units with a
deposit, a subscription or a contract are left alone and listed. New units start withheld
(销控) until a manager releases them. Every change is audited; prices in particular.
"""
import json
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import bindparam, insert, select, update

from app.extensions import db
from app.models import Building, Unit, UnitImport, UnitStatus
from app.services import audit, clock
from app.services.errors import RuleViolation
from app.services.money import round_price
from app.services.unit_sheet import LABELS, read_file
from app.services.unit_status import bump_board

S = UnitStatus
unit_t = Unit.__table__
LOCKED = (S.DEPOSIT_PENDING, S.DEPOSIT_CONFIRMED, S.SUBSCRIBED, S.CONTRACTED)
ATTRS = ("floor", "layout", "building_area", "inner_area", "orientation", "unit_price",
         "total_price")
DECIMALS = ("building_area", "inner_area", "unit_price", "total_price")
OPTIONAL = ("inner_area", "orientation")  # a blank cell keeps what the board has
MAX_ERRORS = 200
LIMITS = {"building": 32, "unit_no": 16, "layout": 32, "orientation": 16}
NUMBER = re.compile(r"^(-?\d+(?:\.\d+)?)(万)?(?:元)?(?:/?(?:㎡|m²|m2|平方米|平米|平))?$")
CENT = Decimal("0.01")

audit.ACTION_LABELS.update({"units_imported": "导入房源表", "unit_created": "新增房源",
                            "unit_price_changed": "调整价格", "unit_updated": "修改房源信息"})


class ImportRejected(RuleViolation):
    """The file has errors; nothing was written. `errors` lists them in Chinese."""

    def __init__(self, errors, total=None):
        total = total or len(errors)
        super().__init__(f"文件中有 {total} 处错误,未导入任何数据。请修改后重新上传。", "file")
        self.errors, self.total = errors, total


@dataclass
class Diff:
    creates: list = field(default_factory=list)  # row dicts
    updates: list = field(default_factory=list)  # (existing, row, {field: (old, new)})
    locked: list = field(default_factory=list)  # (existing, row, differs)
    unchanged: int = 0
    absent: int = 0  # units on the board the file does not mention (left as they are)

    @property
    def repriced(self):
        return sum(1 for *_, changes in self.updates if {"unit_price", "total_price"} & changes.keys())


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


def prepare(project, filename, data, actor):
    """Validate an upload and keep it for the preview; raises ImportRejected on any error."""
    sheet = read_file(filename, data)
    rows = validate(sheet, project)
    record = UnitImport(project_id=project.id, filename=filename[:200], row_count=len(rows),
                        rows=json.dumps(rows, ensure_ascii=False), created_by_id=actor.id,
                        created_at=clock.now())
    db.session.add(record)
    db.session.flush()
    return record, diff(project.id, rows), sheet.ignored


def validate(sheet, project):
    errors = [f"工作表「{title}」缺少必需的列:{'、'.join(lacking)}" for title, lacking in sheet.missing]
    if errors:
        raise ImportRejected(errors)
    rows, seen, count = [], {}, 0
    for raw in sheet.rows:
        where = f"「{raw.sheet}」第 {raw.line} 行" if sheet.multi_sheet else f"第 {raw.line} 行"
        row, problems = _validate_row(raw.values, sheet.scale, project.rounding)
        key = (row.get("building"), row.get("unit_no"))
        if not problems and key in seen:
            problems.append(f"房号 {key[1]} 与{seen[key]}重复")
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


def _text(values, key):
    value = values.get(key)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 1801.0 from Excel is room 1801
    return "" if value is None else str(value).strip()


def _validate_row(values, scale, rounding):
    row, problems = {}, []
    for key in ("building", "unit_no", "layout", "orientation"):
        row[key] = _text(values, key)
        if key != "orientation" and not row[key]:
            problems.append(f"{LABELS[key]}为空")
        elif len(row[key]) > LIMITS[key]:
            problems.append(f"{LABELS[key]}过长(最多 {LIMITS[key]} 个字)")
    row["floor"] = _floor(values, row["unit_no"], problems)
    for key in DECIMALS:
        try:
            row[key] = parse_decimal(values.get(key), scale.get(key, 1))
        except ValueError:
            row[key] = None
            problems.append(f"{LABELS[key]}不是数字")
    _check_amounts(row, problems, rounding)
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in row.items()}, problems


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


def diff(project_id, rows):
    """What an import would do to the board now."""
    existing = {(row.building, row.unit_no): row for row in db.session.execute(
        select(unit_t, Building.name.label("building"))
        .join(Building, Building.id == unit_t.c.building_id)
        .where(Building.project_id == project_id))}
    result = Diff()
    for row in rows:
        unit = existing.pop((row["building"], row["unit_no"]), None)
        if unit is None:
            result.creates.append(row)
            continue
        changes = {key: (getattr(unit, key), _value(row, key)) for key in ATTRS
                   if getattr(unit, key) != _value(row, key)
                   and not (key in OPTIONAL and _value(row, key) is None)}
        if unit.status in LOCKED:
            result.locked.append((unit, row, bool(changes)))
        elif changes:
            result.updates.append((unit, row, changes))
        else:
            result.unchanged += 1
    result.absent = len(existing)
    return result


def _value(row, key):
    """A validated row's value as the database holds it (Decimal, None for a blank)."""
    value = row[key]
    if key in DECIMALS:
        return None if value is None else Decimal(value)
    if key == "orientation":
        return value or None
    return value


def _kept(unit, row, key):
    value = _value(row, key)
    return getattr(unit, key) if value is None and key in OPTIONAL else value


def apply(record, project, actor):
    """Apply a previewed import in the caller's transaction; returns the counts."""
    if record.applied_at is not None:
        raise RuleViolation("该文件已经导入过了")
    rows = json.loads(record.rows)
    result = diff(project.id, rows)
    now = clock.now()
    version = bump_board(project.id, layout=bool(result.creates))
    created = _create(project, result.creates, version, now, actor)
    _update(project, result.updates, version, now, actor)
    counts = {"created": created, "updated": len(result.updates), "repriced": result.repriced,
              "unchanged": result.unchanged, "locked": len(result.locked),
              "absent": result.absent}
    record.applied_at, record.applied_by_id = now, actor.id
    record.result = json.dumps(counts)
    audit.record("units_imported", "project", project.id, project_id=project.id, user=actor,
                 after={"file": record.filename, **counts})
    return counts


def _create(project, rows, version, now, actor):
    if not rows:
        return 0
    buildings = dict(db.session.execute(
        select(Building.name, Building.id).where(Building.project_id == project.id)).all())
    order = len(buildings)
    for name in dict.fromkeys(row["building"] for row in rows):
        if name not in buildings:
            building = Building(project_id=project.id, name=name, sort_order=order)
            db.session.add(building)
            db.session.flush()
            buildings[name], order = building.id, order + 1
    params = [{**{key: _value(row, key) for key in ATTRS}, "unit_no": row["unit_no"],
               "building_id": buildings[row["building"]], "status": S.WITHHELD,
               "status_changed_at": now, "board_version": version, "hold_extended": False}
              for row in rows]
    ids = db.session.execute(insert(unit_t).returning(unit_t.c.id, sort_by_parameter_order=True),
                             params).scalars().all()
    for unit_id, row in zip(ids, rows):
        audit.record("unit_created", "unit", unit_id, project_id=project.id, user=actor,
                     after={"building": row["building"], "unit_no": row["unit_no"],
                            "unit_price": row["unit_price"], "total_price": row["total_price"],
                            "status": S.WITHHELD})
    return len(ids)


def _update(project, updates, version, now, actor):
    if not updates:
        return
    stmt = (update(unit_t)
            .where(unit_t.c.id == bindparam("b_id"), *(unit_t.c.status != s for s in LOCKED))
            .values({key: bindparam(f"b_{key}") for key in ATTRS} | {"board_version": version}))
    db.session.execute(stmt, [{"b_id": unit.id, **{f"b_{k}": _kept(unit, row, k) for k in ATTRS}}
                              for unit, row, _ in updates])
    for unit, _, changes in updates:
        action = "unit_price_changed" if {"unit_price", "total_price"} & changes.keys() \
            else "unit_updated"
        audit.record(action, "unit", unit.id, project_id=project.id, user=actor,
                     before={k: old for k, (old, _) in changes.items()},
                     after={k: new for k, (_, new) in changes.items()})
