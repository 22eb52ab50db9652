"""The demo project: a realistic mid-size development, and one user per role."""
import random
import secrets
from decimal import Decimal

from sqlalchemy import func, select

from app.demo import changes as changes_demo
from app.demo import commissions as commissions_demo
from app.demo import credit as credit_demo
from app.demo import customers as demo_customers
from app.demo import deals as deals_demo
from app.demo import discounts as discount_demo
from app.demo import launch as launch_demo
from app.extensions import db
from app.models import Building, Project, Unit, UnitStatus, User
from app.services import audit
from app.services.board import displays, unit_status
from app.services.money import round_price
from app.services.users import create_user

# (building, floors, stacks): stack -> (layout, building area, inner area, orientation)
STACKS = {
    "A": ("两室两厅一卫", Decimal("89.36"), Decimal("71.20"), "南"),
    "B": ("三室两厅两卫", Decimal("118.52"), Decimal("94.10"), "南北"),
    "C": ("三室两厅两卫", Decimal("128.04"), Decimal("101.65"), "南北"),
    "D": ("四室两厅两卫", Decimal("143.87"), Decimal("115.32"), "南北"),
    "E": ("两室一厅一卫", Decimal("76.15"), Decimal("60.48"), "东南"),
}
BUILDINGS = [
    ("1栋", 32, "ABBA", Decimal("21800")),
    ("2栋", 30, "ABCCBA", Decimal("20600")),
    ("3栋", 26, "EBCDCB", Decimal("19800")),
    ("5栋", 18, "EABDDBAE", Decimal("23500")),
]
USERS = [
    ("wangfang", "王芳", "consultant", False),
    ("lijun", "李军", "consultant", False),
    ("zhaomin", "赵敏", "secretary", False),
    ("chenjing", "陈静", "finance", False),
    ("liuqiang", "刘强", "manager", False),
    ("admin", "系统管理员", "admin", False),
]


class DataExists(Exception):
    pass


def is_empty():
    return not db.session.scalar(select(func.count()).select_from(User)) and \
        not db.session.scalar(select(func.count()).select_from(Project))


def demo_password():
    return f"Ac-{secrets.token_urlsafe(6)}-{secrets.randbelow(90) + 10}"


def load_demo(seed=2026):
    """Create the demo project and users; returns [(username, name, role, password)]."""
    if not is_empty():
        raise DataExists("数据库中已有数据,演示数据未载入(不会覆盖现有数据)")
    rng = random.Random(seed)
    project = Project(code="JADE", name="翡翠湾花园", address="滨江大道 888 号",
                      hold_minutes=30, transfer_fee=Decimal("5000.00"), rounding="yuan")
    db.session.add(project)
    db.session.flush()
    for order, (name, floors, stacks, base_price) in enumerate(BUILDINGS):
        building = Building(project=project, name=name, sort_order=order)
        db.session.add(building)
        for floor in range(1, floors + 1):
            for index, stack in enumerate(stacks, start=1):
                db.session.add(_unit(building, floor, floors, index, STACKS[stack], base_price,
                                     rng))
    db.session.flush()
    logins, users = [], {}
    for username, name, role, is_admin in USERS:
        password = demo_password()
        users[username] = create_user(username, name, role, password, is_admin)
        logins.append((username, name, role, password))
    # Customers, visits, channels and today's queue; the new consultants' logins
    # go first so each role's last login stays the one above.
    logins = demo_customers.load(project, rng) + logins
    _board_activity(project, users)
    # The hall TV's link (销控大屏): fits a 1920×1080 screen, office time on its clock.
    displays.create_link(project, "售楼处大厅电视", True, 20, users["liuqiang"])
    commissions_demo.setup(project)  # rules and 业态 before the first 认购
    discount_demo.load(project)
    deals_demo.load(project)
    credit_demo.load(project)
    changes_demo.load(project)
    launch_demo.load(project)
    commissions_demo.load(project)
    unit_count = db.session.scalar(select(func.count()).select_from(Unit))
    audit.record("demo_loaded", "project", project.id, project_id=project.id,
                 after={"units": unit_count, "buildings": len(BUILDINGS)})
    return logins


# A launch morning on the board, made through the same moves people make (audited).
DEMO_MOVES = [
    ("liuqiang", "release", "2栋", 29, None, "开盘第二批:29 层推售"),
    ("liuqiang", "withhold", "5栋", 8, None, "整层预留给团购单位"),
    ("liuqiang", "withhold", "1栋", 18, "1801", "景观最佳位置,暂不推售"),
    ("wangfang", "hold", "1栋", 12, "1202", None),
    ("wangfang", "hold", "2栋", 16, "1603", None),
    ("wangfang", "hold", "3栋", 9, "904", None),
    ("lijun", "hold", "1栋", 21, "2103", None),
    ("lijun", "hold", "5栋", 11, "1104", None),
    ("liuqiang", "extend_hold", "2栋", 16, "1603", "客户周末带家人复看"),
]


def _board_activity(project, users):
    names = {b.name: b for b in project.buildings}
    for username, move, building, floor, unit_no, reason in DEMO_MOVES:
        query = select(Unit).where(Unit.building_id == names[building].id, Unit.floor == floor)
        if unit_no is None:
            ids = db.session.scalars(query.with_only_columns(Unit.id)).all()
            unit_status.transition_many(project.id, ids, move, users[username], reason=reason)
        else:
            unit = db.session.scalar(query.where(Unit.unit_no == unit_no))
            unit_status.transition(unit, move, users[username], reason=reason)


def _unit(building, floor, floors, index, stack, base_price, rng):
    layout, area, inner, orientation = stack
    # Higher floors cost more; the top two and the first floor are withheld (销控).
    premium = Decimal(floor * 60 + rng.randint(-3, 3) * 20)
    unit_price = (base_price + premium).quantize(Decimal("1"))
    total = round_price(unit_price * area, "yuan")
    withheld = floor == 1 or floor > floors - 2
    return Unit(
        building=building, floor=floor, unit_no=f"{floor}{index:02d}", layout=layout,
        building_area=area, inner_area=inner, orientation=orientation,
        unit_price=unit_price, total_price=total,
        floor_price=round_price(total * Decimal("0.95"), "yuan"),
        status=UnitStatus.WITHHELD if withheld else UnitStatus.AVAILABLE,
    )
