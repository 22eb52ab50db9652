"""Projects: an admin creates, edits and archives them; memberships decide who sees which
project and with which role; another project's objects are a 404."""
from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import AuditLog, Project, ProjectMember, Unit, UnitStatus
from tests.fixtures.board import make_project

NEW = {"name": "云栖府", "code": "", "address": "云栖路 1 号", "hold_minutes": "30",
       "transfer_fee": "0", "rounding": "yuan", "approval_valid_days": "7"}


def _member(app, user_id, project_id, role):
    with app.app_context():
        db.session.add(ProjectMember(user_id=user_id, project_id=project_id, role=role))
        db.session.commit()


def test_on_a_fresh_install_the_admin_creates_a_project_and_its_pages_open(app, login_as):
    admin = login_as("admin")
    assert admin.get("/board/import").status_code == 404  # no project yet
    admin.get("/admin/projects/new")
    created = admin.post("/admin/projects/new", NEW)
    assert created.status_code == 302
    home = admin.get("/")
    assert "云栖府" in home.text
    assert admin.get("/board/import").status_code == 200
    assert admin.get("/admin/projects").status_code == 200
    with app.app_context():
        project = db.session.scalar(select(Project))
        assert (project.name, project.address, project.code) == ("云栖府", "云栖路 1 号", "P1")
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "project_created")) == 1


def test_a_bad_project_form_is_refused_with_its_field(app, login_as):
    make_project(app, code="YQF")
    admin = login_as("admin")
    admin.get("/admin/projects/new")
    taken = admin.post("/admin/projects/new", {**NEW, "code": "yqf"})
    assert taken.status_code == 422 and "已被使用" in taken.text
    blank = admin.post("/admin/projects/new", {**NEW, "name": " "})
    assert blank.status_code == 422 and "请输入项目名称" in blank.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Project)) == 1


def test_a_member_of_one_project_sees_nothing_of_another(app, login_as, make_user):
    here = make_project(app, buildings=(("1栋", 2, 2),))
    there = make_project(app, buildings=(("1栋", 2, 2),), code="O")
    consultant = login_as("consultant")
    _member(app, consultant.user_id, there["project"], "consultant")
    other, own = here["units"]["1栋 101"], there["units"]["1栋 101"]
    assert consultant.get(f"/board/unit?unit={own}").status_code == 200
    assert consultant.get(f"/board/unit?unit={other}").status_code == 404
    assert consultant.post("/project", {"project_id": here["project"]}).status_code == 404
    assert consultant.get(f"/board/unit?unit={other}").status_code == 404
    assert 'id="project-switch"' not in consultant.get("/").text  # one project: no switcher


def test_a_users_role_is_the_one_they_have_in_the_current_project(app, login_as):
    first = make_project(app, buildings=(("1栋", 1, 1),))
    second = make_project(app, buildings=(("1栋", 1, 1),), code="O")
    user = login_as("consultant")
    _member(app, user.user_id, first["project"], "manager")
    _member(app, user.user_id, second["project"], "consultant")
    home = user.get("/")
    assert 'id="project-switch"' in home.text
    assert user.get("/admin/audit").status_code == 200  # manager in the first project
    unit = first["units"]["1栋 101"]
    assert user.post(f"/board/units/{unit}/withhold", {"withhold-reason": "留给老业主"},
                     page="/board").status_code in (200, 302)
    user.post("/project", {"project_id": second["project"]})
    assert user.get("/admin/audit").status_code == 403  # consultant in the second
    with app.app_context():
        assert db.session.get(Unit, unit).status == UnitStatus.WITHHELD
        assert db.session.scalar(select(func.count()).select_from(ProjectMember)) == 2


def test_an_archived_project_leaves_the_switcher_and_comes_back(app, login_as):
    kept = make_project(app, buildings=(("1栋", 1, 1),))
    sold_out = make_project(app, buildings=(("1栋", 1, 1),), code="O")
    admin = login_as("admin")
    admin.get("/admin/projects")
    assert admin.post(f"/admin/projects/{sold_out['project']}/archive",
                      {"archived": "1"}).status_code == 302
    assert "已归档" in admin.get("/admin/projects").text
    assert admin.post("/project", {"project_id": sold_out["project"]}).status_code == 404
    assert 'id="project-switch"' not in admin.get("/").text
    admin.post(f"/admin/projects/{sold_out['project']}/archive", {"archived": "0"})
    assert admin.post("/project", {"project_id": sold_out["project"]}).status_code == 302
    with app.app_context():
        actions = db.session.scalars(select(AuditLog.action).where(
            AuditLog.object_type == "project").order_by(AuditLog.id)).all()
        assert actions == ["project_archived", "project_restored"]
        assert db.session.get(Project, kept["project"]).archived_at is None


def test_admin_adds_and_removes_members_with_a_role(app, login_as, make_user):
    world = make_project(app, buildings=(("1栋", 1, 1),))
    staff = make_user("consultant", display_name="李静")
    admin = login_as("admin")
    page = f"/admin/projects/{world['project']}"
    admin.get(page)
    assert admin.post(f"{page}/members", {"user_id": staff, "role": "secretary"},
                      page=page).status_code == 302
    assert "李静" in admin.get(page).text and "销售秘书" in admin.get(page).text
    bad = admin.post(f"{page}/members", {"user_id": staff, "role": "boss"}, page=page)
    assert bad.status_code == 422
    admin.post(f"{page}/members/{staff}/remove", page=page)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProjectMember)) == 0


def test_the_chosen_project_gives_way_when_the_user_may_no_longer_open_it(app, login_as):
    """The user's project is read with the user (one statement): the one chosen in the
    switcher while they may open it, else the first live project they may open."""
    first = make_project(app, buildings=(("1栋", 1, 1),))
    second = make_project(app, buildings=(("1栋", 1, 1),), code="O")
    one, two = first["units"]["1栋 101"], second["units"]["1栋 101"]
    user = login_as("consultant")
    admin = login_as("admin")
    only_second = login_as("consultant", username="only2")
    _member(app, only_second.user_id, second["project"], "secretary")
    _member(app, user.user_id, first["project"], "consultant")
    _member(app, user.user_id, second["project"], "consultant")
    assert [only_second.get(f"/board/unit?unit={unit}").status_code
            for unit in (one, two)] == [404, 200]  # others' memberships count for nothing

    def opens():
        return [user.get(f"/board/unit?unit={unit}").status_code for unit in (one, two)]

    assert opens() == [200, 404]  # nothing chosen: the first project
    user.post("/project", {"project_id": second["project"]})
    assert opens() == [404, 200]
    with app.app_context():  # taken out of the chosen project: back to the first
        db.session.execute(delete(ProjectMember).where(
            ProjectMember.user_id == user.user_id,
            ProjectMember.project_id == second["project"]))
        db.session.commit()
    assert opens() == [200, 404]
    _member(app, user.user_id, second["project"], "consultant")
    assert opens() == [404, 200]  # a member again: the choice still stands
    admin.get("/admin/projects")
    admin.post(f"/admin/projects/{second['project']}/archive", {"archived": "1"})
    assert opens() == [200, 404]  # the chosen project archived
    admin.post(f"/admin/projects/{first['project']}/archive", {"archived": "1"})
    assert [user.get(f"/board/unit?unit={unit}").status_code for unit in (one, two)] == [404, 404]
    admin.post(f"/admin/projects/{second['project']}/archive", {"archived": "0"})
    assert opens() == [404, 200]
    admin_opens = [admin.get(f"/board/unit?unit={unit}").status_code for unit in (one, two)]
    assert admin_opens == [404, 200]  # an admin sees every live project: the first is `second`
