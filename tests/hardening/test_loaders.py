"""app.loaders: an id of another project's object is a 404 like an unknown id, and the
project the switcher chose decides which objects a request sees."""
from app.extensions import db
from app.models import Unit, UnitStatus
from tests.fixtures.board import make_project


def test_another_projects_unit_is_not_found_until_the_user_switches_to_it(app, login_as):
    here = make_project(app, buildings=(("1栋", 2, 2),))
    there = make_project(app, buildings=(("1栋", 2, 2),), code="O")
    own, other = here["units"]["1栋 101"], there["units"]["1栋 101"]
    manager = login_as("manager")
    assert manager.get(f"/board/unit?unit={own}").status_code == 200
    for url in (f"/board/unit?unit={other}", f"/deals/units/{other}/price",
                f"/deals/units/{other}/subscription"):
        assert manager.get(url).status_code == 404, url
    withheld = manager.post(f"/board/units/{other}/withhold", {"withhold-reason": "x"},
                            page="/board")
    assert withheld.status_code == 404
    with app.app_context():
        assert db.session.get(Unit, other).status == UnitStatus.AVAILABLE  # nothing written

    assert manager.post("/project", {"project_id": there["project"]}).status_code == 302
    assert manager.get(f"/board/unit?unit={other}").status_code == 200
    assert manager.get(f"/board/unit?unit={own}").status_code == 404
