from tests.route_table import Route

ALL = frozenset({"consultant", "secretary", "finance", "manager", "admin"})
REGISTERS = frozenset({"secretary", "finance", "manager", "admin"})
MANAGE = frozenset({"manager", "admin"})


def add_to_world(world):
    """A rule version in force, the 业态 of the matrix project's building, and the lines of
    the world's live deals (payable at 认购 here)."""
    from datetime import timedelta

    from sqlalchemy import select

    from app.extensions import db
    from app.models import Building, Deposit, Project, User
    from app.services import clock
    from app.services.commissions import accrual, rules

    manager = db.session.get(User, world["manager"])
    project = db.session.get(Project, world["project"])
    rules.set_product_type(db.session.get(Building, world["building"]), "high_rise", manager)
    rule = rules.add_rule(project, {"payee_kind": "consultant", "product_type": "high_rise",
                                    "kind": "rate", "value": "0.5",
                                    "valid_from": clock.today() - timedelta(days=1)}, manager)
    project.commission_payable = "subscribed"
    for deposit in db.session.scalars(select(Deposit).where(Deposit.project_id == project.id)):
        accrual.settle(deposit, manager, "认购")
    db.session.commit()
    world.update(commission_rule=rule.id, commission_payee=f"user:{world['consultant']}")


ROUTES = {
    "commissions.index": Route(ALL),
    "commissions.summary": Route(ALL),
    "commissions.export": Route(REGISTERS),
    "commissions.export_summary": Route(REGISTERS),
    "commissions.statement": Route(REGISTERS),
    # no lines for the payee: nothing to print
    "commissions.statement_pdf": Route(REGISTERS, ok=404),
    "commissions.rules_page": Route(REGISTERS),
    "commissions.new_rule": Route(MANAGE),
    "commissions.end_rule": Route(MANAGE, args=lambda w: {"rule_id": w["commission_rule"]}),
    "commissions.save_settings": Route(MANAGE),
    "commissions.set_product_type": Route(MANAGE),
    "commissions.approvals": Route(frozenset({"manager"})),
    "commissions.payouts": Route(frozenset({"finance"})),
    "commissions.recoveries": Route(frozenset({"finance"})),
    "commissions.referrals": Route(frozenset({"secretary", "manager"})),
}
