"""Fixture data for the board tests: a small project, built directly (not under test)."""
import io
from decimal import Decimal

from openpyxl import Workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, Building, Project, Unit, UnitStatus

LAYOUTS = [("两室两厅一卫", Decimal("89.36")), ("三室两厅两卫", Decimal("118.52")),
           ("三室两厅两卫", Decimal("128.04")), ("四室两厅两卫", Decimal("143.87"))]


def make_project(app, buildings=(("1栋", 5, 4),), status=UnitStatus.AVAILABLE, hold_minutes=30,
                 code="T"):
    """{'project': id, 'buildings': {name: id}, 'units': {'1栋 301': id}}."""
    with app.app_context():
        project = Project(code=code, name="测试花园", hold_minutes=hold_minutes, rounding="yuan")
        db.session.add(project)
        world = {"buildings": {}, "units": {}}
        for order, (name, floors, stacks) in enumerate(buildings):
            building = Building(project=project, name=name, sort_order=order)
            db.session.add(building)
            for floor in range(1, floors + 1):
                for index in range(1, stacks + 1):
                    layout, area = LAYOUTS[(index - 1) % len(LAYOUTS)]
                    price = Decimal(20000 + floor * 100)
                    db.session.add(Unit(
                        building=building, floor=floor, unit_no=f"{floor}{index:02d}",
                        layout=layout, building_area=area, inner_area=area - Decimal("18"),
                        orientation="南", unit_price=price, total_price=(price * area).quantize(1),
                        floor_price=(price * area * Decimal("0.95")).quantize(1), status=status))
        db.session.commit()
        world["project"] = project.id
        for building in project.buildings:
            world["buildings"][building.name] = building.id
            for unit in building.units:
                world["units"][f"{building.name} {unit.unit_no}"] = unit.id
        return world


def set_status(app, unit_id, status):
    """Put a unit in a deal status directly: those moves belong to later issues."""
    with app.app_context():
        db.session.get(Unit, unit_id).status = status
        db.session.commit()


def audit_count(action=None, object_id=None):
    query = select(func.count()).select_from(AuditLog)
    if action:
        query = query.where(AuditLog.action == action)
    if object_id is not None:
        query = query.where(AuditLog.object_id == str(object_id))
    return db.session.scalar(query)


def xlsx_bytes(rows, title="房源表", merges=(), sheets=None):
    """An .xlsx built as an office would: `rows` on one sheet, or {title: rows} sheets."""
    wb = Workbook()
    sheets = sheets or {title: rows}
    wb.remove(wb.active)
    for name, sheet_rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in sheet_rows:
            ws.append(list(row))
        for merged in merges:
            ws.merge_cells(merged)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(browser, data, filename="房源表.xlsx", htmx=False):
    browser.get("/board/import")
    return browser.post("/board/import", {"file": (io.BytesIO(data), filename)}, htmx=htmx,
                        page="/board/import", content_type="multipart/form-data")
