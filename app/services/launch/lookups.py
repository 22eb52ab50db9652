"""Read-only look-ups the launch pages show."""
from sqlalchemy import select

from app.extensions import db
from app.models import Building, DisplayLink, Launch, Unit

SHOWN = ("selecting", "paused", "drawn", "closed")  # launches the hall screen may show


def by_token(token):
    """The launch whose public verification token this is, or None."""
    if len(token) > 64:
        return None
    return db.session.scalar(select(Launch).where(Launch.public_token == token))


def on_hall(project_id):
    """The launch the hall screen shows: the one selecting (or paused), else the latest."""
    return db.session.scalar(select(Launch).where(Launch.project_id == project_id,
                                                  Launch.status.in_(SHOWN))
                             .order_by(Launch.status.in_(("selecting", "paused")).desc(),
                                       Launch.id.desc()).limit(1))


def hall_links(project_id):
    """The project's live hall-display links (the console lists them for the 叫号屏)."""
    return db.session.scalars(select(DisplayLink).where(
        DisplayLink.project_id == project_id, DisplayLink.revoked_at.is_(None))).all()


def buildings(project_id):
    """(id, name) of the project's buildings, in board order."""
    return db.session.execute(select(Building.id, Building.name)
                              .where(Building.project_id == project_id)
                              .order_by(Building.sort_order, Building.id)).all()


def layouts(project_id):
    """The project's layouts 户型, for the 认筹 form's wanted layouts."""
    return db.session.scalars(select(Unit.layout).join(Building).distinct()
                              .where(Building.project_id == project_id)
                              .order_by(Unit.layout)).all()


def unit_ids(building_id, floor_from=None, floor_to=None):
    """The units of a building between two floors (either may be open)."""
    query = select(Unit.id).where(Unit.building_id == building_id)
    if floor_from is not None:
        query = query.where(Unit.floor >= floor_from)
    if floor_to is not None:
        query = query.where(Unit.floor <= floor_to)
    return db.session.scalars(query).all()
