"""The admin's first-run checklist on the home page, until a new project is ready to sell."""
from dataclasses import dataclass

from sqlalchemy import exists, or_, select

from app.extensions import db
from app.models import (
                        Building,
                        PriceRule,
                        ProjectMember,
                        ReceiptBook,
                        Unit,
                        UnitImport,
                        User,
)


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    endpoint: str
    action: str  # the policy action the step's page needs: others see the step, not the link
    done: bool
    optional: bool = False


def checklist(project):
    """The steps in order, each done or not; None once every required step is done."""
    project_id = project.id if project is not None else None
    steps = [
        Step("project", "创建项目", "admin.project_new", "settings.manage", project is not None),
        Step("units", "导入房源表", "board.import_units", "board.import",
             project_id is not None and _any(
            select(Unit.id).join(Building).where(Building.project_id == project_id))),
        Step("staff", "添加员工账号", "admin.users_list", "users.manage", _any(
            select(User.id).where(User.active.is_(True), User.role != "admin",
                                  _works_in(project_id)))),
        Step("price_policy", "设置价格政策", "deals.price_policy_page", "price_policy.manage",
             _any(
            select(PriceRule.id).where(PriceRule.project_id == project_id))),
        Step("receipt_books", "登记收据本(财务)", "deals.receipt_books", "receipt.books",
             _any(
            select(ReceiptBook.id).where(ReceiptBook.project_id == project_id))),
        Step("opening", "导入期初数据(可选)", "opening.index", "opening.import", _any(
            select(UnitImport.id).where(UnitImport.project_id == project_id,
                                        UnitImport.kind != "units",
                                        UnitImport.applied_at.is_not(None))), optional=True),
    ]
    if all(step.done for step in steps if not step.optional):
        return None
    return steps


def _works_in(project_id):
    """SQL condition on User: a member of the project, or an account in no project."""
    member = select(ProjectMember.id).where(ProjectMember.user_id == User.id)
    return or_(exists(member.where(ProjectMember.project_id == project_id)), ~exists(member))


def _any(query):
    return bool(db.session.scalar(select(exists(query))))
