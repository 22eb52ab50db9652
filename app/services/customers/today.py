"""A consultant's day 我的今天: follow-ups due and overdue, appointments, expiring cards and
holds."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Customer, Visit
from app.services.clock import day_bounds, today
from app.services.customers import cards, ownership, rotation
from app.services.reports import overview


def _mine(user_id, project_id):
    return select(Customer).where(Customer.project_id == project_id,
                                  Customer.owner_id == user_id,
                                  Customer.anonymised_at.is_(None))


def _valid(rows):
    """Only customers still theirs: an expired card goes to the pool, not to the to-do list."""
    return [c for c in rows if ownership.ownership_valid(c)]


def my_day(user, project_id, day=None):
    day = day or today()
    mine = _mine(user.id, project_id)
    start, end = day_bounds(day)
    data = {
        "day": day,
        "due": _valid(db.session.scalars(mine.where(
            Customer.follow_up_due_on <= day, Customer.follow_up_deadline >= day)
            .order_by(Customer.follow_up_deadline, Customer.id))),
        "overdue": _valid(db.session.scalars(mine.where(Customer.follow_up_deadline < day)
                                             .order_by(Customer.follow_up_deadline, Customer.id))),
        "appointments": db.session.scalars(mine.where(Customer.next_appointment_on == day)
                                           .order_by(Customer.id)).all(),
        "expiring": ownership.expiring(user.id, project_id),
        "holds": overview.units_held_by(user.id, project_id),
        "received": rotation.assignments(project_id, day, consultant_id=user.id),
        "contacts": db.session.scalars(
            select(Visit).where(Visit.project_id == project_id, Visit.consultant_id == user.id,
                                Visit.at >= start, Visit.at < end)
            .options(selectinload(Visit.customer)).order_by(Visit.at.desc())).all(),
    }
    data["states"] = cards.card_states([*data["due"], *data["overdue"], *data["expiring"]])
    return data


def grade_counts(user_id, project_id):
    rows = db.session.execute(
        select(Customer.grade, db.func.count()).where(
            Customer.project_id == project_id, Customer.owner_id == user_id,
            Customer.anonymised_at.is_(None)).group_by(Customer.grade)).all()
    return {grade or "-": count for grade, count in rows}
