"""The hall display 销控大屏: a revocable read-only link, live, without customer data."""
import re

from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, DisplayLink
from tests.fixtures.board import make_project


def create_link(manager, name="售楼大厅 1 号屏", show_prices=False):
    manager.get("/board/displays")
    data = {"name": name, "rotate_seconds": "15"}
    if show_prices:
        data["show_prices"] = "y"
    response = manager.post("/board/displays", data)
    assert response.status_code == 302
    page = manager.get("/board/displays").get_data(as_text=True)
    return re.search(r'href="/display/([\w-]+)"', page).group(1)


def test_a_manager_creates_a_link_the_hall_tv_opens_without_login(app, login_as, client):
    world = make_project(app, buildings=(("1栋", 4, 4), ("2栋", 4, 2)))
    consultant = login_as("consultant", display_name="王芳")
    consultant.get("/board")
    consultant.post(f"/board/units/{world['units']['1栋 301']}/hold", {}, htmx=True)
    token = create_link(login_as("manager"))
    screen = client.get(f"/display/{token}")
    html = screen.get_data(as_text=True)
    assert screen.status_code == 200 and "测试花园" in html and "销控表" in html
    assert len(re.findall(r'id="d-\d+" class="hc s-', html)) == 24
    assert 'class="hc s-held"' in html and "王芳" not in html  # no names on the hall screen
    assert "万" not in html  # prices hidden unless the manager allows them
    assert "Set-Cookie" not in screen.headers  # an anonymous screen gets no session
    with app.app_context():
        row = db.session.scalar(select(AuditLog).where(AuditLog.action == "display_link_created"))
        assert row.object_type == "display_link"


def test_prices_show_only_when_allowed_and_the_screen_follows_changes(app, login_as, client):
    world = make_project(app)
    manager = login_as("manager")
    token = create_link(manager, show_prices=True)
    html = client.get(f"/display/{token}").get_data(as_text=True)
    assert "万</small>" in html
    tag = re.search(r'id="hall-poll"[^>]*data-etag="([^"]+)"', html).group(1).replace("&#34;", '"')
    poll = client.get(f"/display/{token}/poll", headers={"If-None-Match": tag})
    assert poll.status_code == 304
    manager.post(f"/board/units/{world['units']['1栋 101']}/withhold", {}, htmx=True)
    poll = client.get(f"/display/{token}/poll", headers={"If-None-Match": tag})
    body = poll.get_data(as_text=True)
    assert poll.status_code == 200 and poll.headers["ETag"] != tag
    assert f'id="d-{world["units"]["1栋 101"]}" class="hc s-withheld" hx-swap-oob="true"' in body
    assert 'id="hall-figures"' in body


def test_a_revoked_link_stops_the_screen(app, login_as, client):
    make_project(app)
    manager = login_as("manager")
    token = create_link(manager)
    link_id = db_link_id(app, token)
    response = manager.post(f"/board/displays/{link_id}/revoke", {})
    assert response.status_code == 302
    assert "已撤销" in manager.get("/board/displays").get_data(as_text=True)
    gone = client.get(f"/display/{token}")
    assert gone.status_code == 410 and "该大屏链接已失效" in gone.get_data(as_text=True)
    poll = client.get(f"/display/{token}/poll")
    assert poll.status_code == 410 and poll.get_data(as_text=True) == "该大屏链接已被撤销"
    assert client.get("/display/not-a-real-token").status_code == 410
    again = manager.post(f"/board/displays/{link_id}/revoke", {})
    assert "该链接已撤销" in manager.get(again.headers["Location"]).get_data(as_text=True)


def test_a_link_needs_a_name_and_a_sensible_rotation(app, login_as):
    make_project(app)
    manager = login_as("manager")
    manager.get("/board/displays")
    response = manager.post("/board/displays", {"name": "", "rotate_seconds": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请填写屏幕名称" in html and "轮播间隔应在 5 到 300 秒之间" in html


def db_link_id(app, token):
    with app.app_context():
        return db.session.scalar(select(DisplayLink.id).where(DisplayLink.token == token))
