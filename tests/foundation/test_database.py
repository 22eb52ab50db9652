"""app.database.as_loaded: a row from a Core read or a kept copy becomes the session's
object exactly as if the ORM had loaded it."""
from sqlalchemy import inspect, select

from app.database import as_loaded
from app.extensions import db as _db
from app.models import Building, Project


def _project_with_a_building():
    project = Project(code="AL", name="载入", hold_minutes=30)
    project.buildings.append(Building(name="1栋", sort_order=1))
    _db.session.add(project)
    _db.session.commit()
    project_id = project.id
    _db.session.remove()
    row = _db.session.execute(select(*Project.__table__.c).where(
        Project.id == project_id)).one()
    return dict(row._mapping)


def test_a_row_made_into_an_object_is_persistent_lazy_loads_and_writes_its_changes(db):
    columns = _project_with_a_building()
    session = db.session()
    project = as_loaded(session, Project, columns)
    state = inspect(project)
    assert state.persistent and not state.modified and project in session
    assert session.get(Project, columns["id"]) is project  # the identity map has it
    assert [b.name for b in project.buildings] == ["1栋"]  # a relationship loads when read
    assert as_loaded(session, Project, columns) is project  # the same row: the same object

    project.name = "载入(改)"
    assert project in session.dirty
    session.commit()  # flushed as an UPDATE, then expired like any loaded object
    assert "name" not in inspect(project).dict
    assert db.session.scalar(select(Project.name).where(
        Project.id == columns["id"])) == "载入(改)"


def test_a_rollback_expires_an_object_made_from_a_row(db):
    columns = _project_with_a_building()
    session = db.session()
    project = as_loaded(session, Project, columns)
    project.hold_minutes = 45
    session.rollback()
    assert project.hold_minutes == 30  # read again from the database
