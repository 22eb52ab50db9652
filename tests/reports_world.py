"""A generated project with three months of activity, for the report reconciliation tests.

Board moves go through app.services.unit_status; deals go through the deals services
(tests/deals_world.py: deposits confirmed or rejected by finance, special discounts approved
by the manager, 认购书 signed and corrected, contracts, 回款 confirmed or not). 退房 has no
service yet, so it is written as that area will write it: the unit's status and one `unit_*`
audit row with before/after status, at the frozen instant. Visits and customers are fixture
rows. `ledger` keeps every status move as the test saw it, and `deals` every sale, so expected
figures are computed from the test's own record, not from the code under test.
"""
import random
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import Customer, FollowUp, Unit, UnitStatus, User, Visit
from app.services import audit, unit_status
from app.services.errors import Conflict
from tests.board_helpers import make_project
from tests.deals_world import Dealer

S = UnitStatus
SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_DAY = date(2026, 9, 1)
TODAY = date(2026, 11, 23)  # a Monday
NOW = datetime.combine(TODAY, time(23, 30), tzinfo=SHANGHAI)
CHANNELS = ("路过", "朋友介绍", "报纸广告", "网络", None)


def day_clock(day, rng):
    """Instants through a Shanghai day, each after the last (00:05 on, at most ~17:00)."""
    current = [datetime.combine(day, time(0, 5), tzinfo=SHANGHAI)]

    def tick():
        current[0] += timedelta(minutes=rng.randint(1, 90))
        return current[0]
    return tick


def deal(unit_id, after, at, actor, ledger):
    """A sale or a 退房 as the deals area records it: status + audit row, at `at`."""
    with time_machine.travel(at, tick=False):
        unit = db.session.get(Unit, unit_id)
        before = unit.status
        unit.status, unit.status_changed_at = after, at
        action = {S.SUBSCRIBED: "unit_subscribe", S.CONTRACTED: "unit_contract"}.get(
            after, "unit_refund")
        audit.record(action, "unit", unit_id, before={"status": before},
                     after={"status": after}, project_id=unit.building.project_id, user=actor)
        db.session.commit()
    ledger.append((at.astimezone(timezone.utc), unit_id, before, after))


def generate(app, make_user, seed=8):
    """{'project', 'units', 'consultants', 'manager', 'ledger', 'visits', 'customers', 'holds'}."""
    world = make_project(app, buildings=(("1栋", 8, 4), ("2栋", 8, 4), ("3栋", 8, 4)))
    consultants = [make_user("consultant", display_name=n) for n in ("王芳", "李军", "张伟")]
    manager_id = make_user("manager", username="boss", display_name="刘强")
    secretary_id = make_user("secretary", username="zhaomin", display_name="赵敏")
    finance_id = make_user("finance", username="chenjing", display_name="陈静")
    rng = random.Random(seed)
    ledger, visits, customers, holds, follow_ups = [], [], [], [], []
    with app.app_context():
        manager = db.session.get(User, manager_id)
        sellers = [db.session.get(User, uid) for uid in consultants]
        project_id = world["project"]
        dealer = Dealer(project_id, rng, manager, db.session.get(User, secretary_id),
                        db.session.get(User, finance_id), ledger)
        withheld = [world["units"][f"2栋 8{n:02d}"] for n in range(1, 5)]
        start = datetime.combine(FIRST_DAY, time(9), tzinfo=SHANGHAI)
        with time_machine.travel(start, tick=False):
            unit_status.transition_many(project_id, withheld, "withhold", manager)
            db.session.commit()
        ledger += [(start.astimezone(timezone.utc), uid, S.AVAILABLE, S.WITHHELD)
                   for uid in withheld]
        day = FIRST_DAY
        while day <= TODAY:
            _day(app, project_id, day, rng, sellers, manager, ledger, visits, customers, holds,
                 follow_ups, dealer)
            day += timedelta(days=1)
    return {"project": project_id, "units": world["units"], "consultants": consultants,
            "manager": manager_id, "ledger": ledger, "visits": visits, "customers": customers,
            "holds": holds, "follow_ups": follow_ups, "deals": dealer.record}


def _statuses(ledger):
    state = {}
    for _at, unit_id, _before, after in ledger:
        state[unit_id] = after
    return state


def _day(app, project_id, day, rng, sellers, manager, ledger, visits, customers, holds,
         follow_ups, dealer):
    when = day_clock(day, rng)
    unit_ids = db.session.scalars(select(Unit.id).order_by(Unit.id)).all()
    buyers = db.session.scalars(select(Customer).where(Customer.project_id == project_id)
                                .order_by(Customer.id)).all()
    for _ in range(rng.choice((0, 0, 1, 1, 2))):  # sales, from a deposit on
        free = db.session.scalars(select(Unit.id).where(Unit.status == S.AVAILABLE)
                                  .order_by(Unit.id)).all()
        if free and buyers:
            dealer.sell(rng.choice(free), rng.choice(buyers), rng.choice(sellers), day, when)
    state = _statuses(ledger)
    subscribed = [u for u in unit_ids if state.get(u) == S.SUBSCRIBED]
    if subscribed and rng.random() < 0.3:  # a contract signed: not a second sale
        dealer.contract(rng.choice(subscribed), day, when)
    if subscribed and rng.random() < 0.08:  # 退房
        unit_id = rng.choice(subscribed)
        deal(unit_id, S.AVAILABLE, when(), manager, ledger)
    dealer.collect(day, when)
    state = _statuses(ledger)
    free = [u for u in unit_ids if state.get(u, S.AVAILABLE) == S.AVAILABLE]
    if free and rng.random() < 0.4:  # a hold through the board's service
        at, seller = when(), rng.choice(sellers)
        with time_machine.travel(at, tick=False):
            try:
                unit_status.transition(db.session.get(Unit, rng.choice(free)), "hold", seller)
            except Conflict:  # held by someone else right now
                db.session.rollback()
            else:
                db.session.commit()
                holds.append((at.astimezone(timezone.utc), seller.id))
    _contacts(project_id, day, rng, sellers, when, visits, customers, follow_ups)


def _contacts(project_id, day, rng, sellers, when, visits, customers, follow_ups):
    for n in range(rng.randint(0, 3)):  # new customers, with a first visit
        seller, at = rng.choice(sellers), when()
        grade = rng.choice(("A", "B", "C", "D", None))
        deadline = day + timedelta(days=rng.randint(-5, 10))
        customer = Customer(project_id=project_id, name=f"客户{day:%m%d}{n}",
                            phone=f"139{day:%m%d}{n:04d}", owner_id=seller.id, grade=grade,
                            created_at=at, first_visit_at=at, channel=rng.choice(CHANNELS[:4]),
                            follow_up_deadline=deadline)
        db.session.add(customer)
        db.session.flush()
        customers.append((at.astimezone(timezone.utc), grade, seller.id, deadline))
        db.session.add(Visit(project_id=project_id, customer_id=customer.id, kind="visit", at=at,
                             consultant_id=seller.id, channel=customer.channel, visit_no=1))
        visits.append((at.astimezone(timezone.utc), "visit", seller.id, customer.channel))
        if rng.random() < 0.6:  # a follow-up the same day, reached or not
            effective, done_at = rng.random() < 0.7, when()
            db.session.add(FollowUp(project_id=project_id, customer_id=customer.id,
                                    consultant_id=seller.id, at=done_at, way="phone",
                                    content="回访", effective=effective))
            follow_ups.append((done_at.astimezone(timezone.utc), seller.id, effective))
    for _ in range(rng.randint(0, 3)):  # calls and walk-ins who left no details
        seller, at, kind = rng.choice(sellers), when(), rng.choice(("visit", "call"))
        channel = rng.choice(CHANNELS)
        db.session.add(Visit(project_id=project_id, kind=kind, at=at, consultant_id=seller.id,
                             channel=channel))
        visits.append((at.astimezone(timezone.utc), kind, seller.id, channel))
    db.session.commit()
