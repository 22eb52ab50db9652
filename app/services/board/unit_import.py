"""Import the 房源表: validate every row, preview the changes, then apply all or nothing.

Re-importing changes prices and attributes of units without a deal only; units with a
deposit, a subscription or a contract are left alone and listed. New units start withheld
(销控) until a manager releases them. Every change is audited; prices in particular.
"""
import json
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import bindparam, insert, select, update

from app.extensions import db
from app.models import Building, Unit, UnitImport, UnitStatus
from app.services import audit, clock
from app.services.board import unit_buildings
from app.services.board.unit_rows import DECIMALS, ImportRejected, parse_decimal, validate
from app.services.board.unit_status import bump_board
from app.services.errors import RuleViolation

S = UnitStatus
unit_t = Unit.__table__
LOCKED = (S.DEPOSIT_PENDING, S.DEPOSIT_CONFIRMED, S.SUBSCRIBED, S.CONTRACTED)
ATTRS = ("floor", "layout", "building_area", "inner_area", "orientation", "product_type",
         "unit_price", "total_price")
OPTIONAL = ("inner_area", "orientation", "product_type")  # a blank cell keeps what the board has

__all__ = ["ImportRejected", "apply", "diff", "parse_decimal", "prepare"]


@dataclass
class Diff:
    creates: list = field(default_factory=list)  # row dicts
    updates: list = field(default_factory=list)  # (existing, row, {field: (old, new)})
    locked: list = field(default_factory=list)  # (existing, row, differs)
    unchanged: int = 0
    absent: int = 0  # units on the board the file does not mention (left as they are)
    matched: list = field(default_factory=list)  # look-alike building names matched (Chinese)

    @property
    def repriced(self):
        prices = {"unit_price", "total_price"}
        return sum(1 for *_, changes in self.updates if prices & changes.keys())


def prepare(project, filename, sheet, actor):
    """Validate a parsed upload (unit_sheet.read_file, run before the transaction) and keep
    it for the preview; raises ImportRejected on any error."""
    rows = validate(sheet, project)
    notes, errors = unit_buildings.resolve(rows, db.session.scalars(
        select(Building.name).where(Building.project_id == project.id)).all())
    if errors:
        raise ImportRejected(errors)
    record = UnitImport(project_id=project.id, filename=filename[:200], row_count=len(rows),
                        rows=json.dumps(rows, ensure_ascii=False), created_by_id=actor.id,
                        created_at=clock.now())
    db.session.add(record)
    db.session.flush()
    result = diff(project.id, rows)
    result.matched = notes
    return record, result, sheet.ignored


def diff(project_id, rows):
    """What an import would do to the board now."""
    existing = {(row.building, row.entrance, row.unit_no): row for row in db.session.execute(
        select(unit_t, Building.name.label("building"))
        .join(Building, Building.id == unit_t.c.building_id)
        .where(Building.project_id == project_id))}
    result = Diff()
    for row in rows:
        unit = existing.pop((row["building"], row.get("entrance", ""), row["unit_no"]), None)
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
    value = row.get(key)  # a preview kept before 业态 was read has none
    if key in DECIMALS:
        return None if value is None else Decimal(value)
    if key in ("orientation", "product_type"):
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
               "entrance": row.get("entrance", ""), "building_id": buildings[row["building"]],
               "status": S.WITHHELD,
               "status_changed_at": now, "board_version": version, "hold_extended": False}
              for row in rows]
    # A plain executemany (no RETURNING) is what the drivers batch best; ids are read after.
    db.session.execute(insert(unit_t), params)
    created = {(row.building_id, row.entrance, row.unit_no): row.id for row in db.session.execute(
        select(unit_t.c.id, unit_t.c.building_id, unit_t.c.entrance, unit_t.c.unit_no)
        .where(unit_t.c.building_id.in_(set(buildings.values())),
               unit_t.c.board_version == version))}
    ids = [created[(buildings[row["building"]], row.get("entrance", ""), row["unit_no"])]
           for row in rows]
    audit.record_many("unit_created", "unit", [
        (unit_id, None, {"building": row["building"], "entrance": row.get("entrance", ""),
                         "unit_no": row["unit_no"],
                         "unit_price": row["unit_price"], "total_price": row["total_price"],
                         "status": S.WITHHELD})
        for unit_id, row in zip(ids, rows, strict=True)], project_id=project.id, user=actor)
    return len(ids)


def _update(project, updates, version, now, actor):
    if not updates:
        return
    stmt = (update(unit_t)
            .where(unit_t.c.id == bindparam("b_id"), *(unit_t.c.status != s for s in LOCKED))
            .values({key: bindparam(f"b_{key}") for key in ATTRS} | {"board_version": version}))
    db.session.execute(stmt, [{"b_id": unit.id, **{f"b_{k}": _kept(unit, row, k) for k in ATTRS}}
                              for unit, row, _ in updates])
    for action, priced in (("unit_price_changed", True), ("unit_updated", False)):
        audit.record_many(action, "unit", [
            (unit.id, {k: old for k, (old, _) in changes.items()},
             {k: new for k, (_, new) in changes.items()})
            for unit, _, changes in updates
            if bool({"unit_price", "total_price"} & changes.keys()) == priced],
            project_id=project.id, user=actor)
