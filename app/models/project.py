"""Project (楼盘) → building (楼栋) → unit (房源)."""
from decimal import Decimal

from sqlalchemy import CheckConstraint, UniqueConstraint, case

from app.extensions import db
from app.models.types import Area, Money, UTCDateTime, utcnow
from app.models.user import ROLE_LABELS, ROLES


class UnitStatus:
    """The unit statuses of DESIGN.md; moves between them live in services only."""

    WITHHELD = "withheld"
    AVAILABLE = "available"
    HELD = "held"
    DEPOSIT_PENDING = "deposit_pending"
    DEPOSIT_CONFIRMED = "deposit_confirmed"
    SUBSCRIBED = "subscribed"
    CONTRACTED = "contracted"

    ALL = (WITHHELD, AVAILABLE, HELD, DEPOSIT_PENDING, DEPOSIT_CONFIRMED, SUBSCRIBED, CONTRACTED)
    SOLD = (SUBSCRIBED, CONTRACTED)
    LABELS = {
        WITHHELD: "销控",
        AVAILABLE: "可售",
        HELD: "保留",
        DEPOSIT_PENDING: "定金待确认",
        DEPOSIT_CONFIRMED: "定金已确认",
        SUBSCRIBED: "已认购",
        CONTRACTED: "已签约",
    }


ROUNDING_CHOICES = {"fen": "精确到分", "yuan": "取整到元", "ten_yuan": "取整到十元"}


class Project(db.Model):
    __tablename__ = "project"
    __table_args__ = (
        CheckConstraint("hold_minutes > 0", name="hold_minutes_positive"),
        CheckConstraint("rounding IN ('fen', 'yuan', 'ten_yuan')", name="rounding_known"),
    )

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(32), nullable=False, unique=True)
    name = db.Column(db.String(100), nullable=False)
    address = db.Column(db.String(200))
    timezone = db.Column(db.String(64), nullable=False, default="Asia/Shanghai")
    hold_minutes = db.Column(db.Integer, nullable=False, default=30)
    transfer_fee = db.Column(Money(), nullable=False, default=Decimal("0"))
    rounding = db.Column(db.String(16), nullable=False, default="yuan")
    approval_valid_days = db.Column(db.Integer, nullable=False, default=7)
    # Seed 004: cards without a deal are kept this many months after the last contact.
    retention_months = db.Column(db.Integer, nullable=False, default=24, server_default="24")
    # Open holds one consultant may have in this project at once (a manager may exceed it).
    hold_cap = db.Column(db.Integer, nullable=False, default=3, server_default="3")
    # 显示 (reveal) of full numbers allowed per user per hour; beyond it the manager is alerted
    reveal_limit = db.Column(db.Integer, nullable=False, default=30, server_default="30")
    # Bumped by every unit move: the board's ETag, so an unchanged poll costs one read.
    board_version = db.Column(db.Integer, nullable=False, default=0)
    # The board_version of the last change of the grid's shape (units added by an import):
    # a browser older than this re-reads whole grids instead of single cells.
    board_layout_version = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    # When a commission line may be paid (models.commission.PAYABLE_WHEN), and the share of
    # the deal price that must be in for "percent".
    commission_payable = db.Column(db.String(16), nullable=False, default="down_payment",
                                   server_default="down_payment")
    commission_percent = db.Column(db.Integer, nullable=False, default=30, server_default="30")
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    # Set when the project is sold out: it leaves the switcher, its records stay.
    archived_at = db.Column(UTCDateTime)

    buildings = db.relationship(
        "Building", back_populates="project", order_by="Building.sort_order"
    )

    @property
    def archived(self):
        return self.archived_at is not None


class ProjectMember(db.Model):
    """A user's place in one project, with their role there (置业顾问 here, 经理 there)."""

    __tablename__ = "project_member"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),
                      CheckConstraint(f"role IN {ROLES}", name="member_role_known"))

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    user_id = db.Column(db.ForeignKey("user.id"), nullable=False, index=True)
    role = db.Column(db.String(16), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    project = db.relationship("Project")
    user = db.relationship("User")

    @property
    def role_label(self):
        return ROLE_LABELS[self.role]


class Building(db.Model):
    __tablename__ = "building"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.ForeignKey("project.id"), nullable=False, index=True)
    name = db.Column(db.String(32), nullable=False)
    sort_order = db.Column(db.Integer, nullable=False, default=0)

    project = db.relationship("Project", back_populates="buildings")
    units = db.relationship("Unit", back_populates="building")


class Unit(db.Model):
    __tablename__ = "unit"
    __table_args__ = (
        UniqueConstraint("building_id", "entrance", "unit_no"),
        CheckConstraint(f"status IN {UnitStatus.ALL}", name="status_known"),
        CheckConstraint(f"prior_status IS NULL OR prior_status IN {UnitStatus.ALL}",
                        name="prior_status_known"),
        CheckConstraint("building_area > 0", name="area_positive"),
        CheckConstraint("total_price >= 0", name="price_not_negative"),
    )

    id = db.Column(db.Integer, primary_key=True)
    building_id = db.Column(db.ForeignKey("building.id"), nullable=False, index=True)
    floor = db.Column(db.Integer, nullable=False)
    # 单元 (entrance): room numbers repeat across entrances; "" when the building has none.
    entrance = db.Column(db.String(16), nullable=False, default="", server_default="")
    unit_no = db.Column(db.String(16), nullable=False)  # 房号, e.g. 1801
    layout = db.Column(db.String(32), nullable=False)  # 户型, e.g. 三室两厅
    building_area = db.Column(Area(), nullable=False)
    inner_area = db.Column(Area())
    orientation = db.Column(db.String(16))
    unit_price = db.Column(Money(), nullable=False)  # 单价 元/㎡
    total_price = db.Column(Money(), nullable=False)  # 总价 元
    floor_price = db.Column(Money())  # 底价: managers only
    product_type = db.Column(db.String(16))  # 业态 (models.commission.PRODUCT_TYPES)
    status = db.Column(db.String(20), nullable=False, default=UnitStatus.WITHHELD, index=True)
    status_changed_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    held_by_id = db.Column(db.ForeignKey("user.id"))
    hold_expires_at = db.Column(UTCDateTime)
    hold_extended = db.Column(db.Boolean, nullable=False, default=False,
                              server_default=db.false())  # once, by a manager
    # The status a deposit came from, so a finance rejection returns the unit to it.
    prior_status = db.Column(db.String(20))
    # Project.board_version at this unit's last change: polls fetch only newer cells.
    board_version = db.Column(db.Integer, nullable=False, default=0, server_default="0",
                              index=True)

    building = db.relationship("Building", back_populates="units")
    held_by = db.relationship("User")

    @property
    def status_label(self):
        return UnitStatus.LABELS[self.status]

    @property
    def label(self):
        """1栋2单元1801, or "1栋 1801" in a building without 单元."""
        entrance = f"{self.entrance}单元" if self.entrance else " "
        return f"{self.building.name}{entrance}{self.unit_no}"

    @staticmethod
    def label_sql(unit=None, building=None):
        """Unit.label in SQL, for registers and reports (aliases may be passed)."""
        unit, building = unit or Unit, building or Building
        return (building.name + case((unit.entrance != "", unit.entrance + "单元"), else_=" ")
                + unit.unit_no)
