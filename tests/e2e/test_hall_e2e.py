"""The hall TV at 1920×1080: every page of buildings fits between header and legend, the clock
shows the project's time zone (not the TV's), and a revoked link blanks the screen."""
from contextlib import contextmanager
from datetime import datetime, timezone

from sqlalchemy import select

from app.extensions import db
from app.models import DisplayLink, Project, User
from app.services.board import displays
from tests.e2e.conftest import shot, wait_until

HALL = {"width": 1920, "height": 1080}
# 16:30 UTC on 1 March 2026: already 2 March in Tokyo (01:30) and Shanghai (00:30), still
# 1 March in New York (11:30). A clock in the wrong zone shows the wrong day, not only hour.
AT = datetime(2026, 3, 1, 16, 30, tzinfo=timezone.utc)


@contextmanager
def _project_zone(app, name):
    """The demo project set to another time zone for one test (the live server is shared)."""
    with app.app_context():
        project = db.session.scalar(select(Project).order_by(Project.id))
        before, project.timezone = project.timezone, name
        db.session.commit()
    try:
        yield
    finally:
        with app.app_context():
            db.session.scalar(select(Project).order_by(Project.id)).timezone = before
            db.session.commit()


def test_the_hall_clocks_show_the_projects_time_zone_not_the_tvs(browser, in_process_app,
                                                                 live_server):
    _link_id, token = _link(in_process_app)
    context = browser.new_context(viewport=HALL, locale="zh-CN", timezone_id="America/New_York")
    context.clock.set_fixed_time(AT)
    page = context.new_page()
    with _project_zone(in_process_app, "Asia/Tokyo"):
        page.goto(f"{live_server['url']}/display/{token}")
        board_clock = page.locator("#hall-clock").inner_text()
        page.goto(f"{live_server['url']}/launch-hall/{token}")
        wait_until(page, lambda: page.locator("#launch-clock").inner_text() != "")
        launch_clock = page.locator("#launch-clock").inner_text()
    assert "3月2日" in board_clock and "01:30" in board_clock, board_clock
    assert launch_clock.startswith("01:30"), launch_clock
    context.close()


def _link(app):
    with app.app_context():
        project = db.session.scalar(select(Project).order_by(Project.id))
        manager = db.session.scalar(select(User).where(User.role == "manager"))
        link = displays.create_link(project, "大厅电视(测试)", True, 30, manager)
        db.session.commit()
        return link.id, link.token


def test_every_building_fits_the_hall_screen_and_a_revoked_link_blanks_it(browser,
                                                                          in_process_app,
                                                                          live_server):
    link_id, token = _link(in_process_app)
    # A TV set to New York time still shows the office's (Asia/Shanghai) clock.
    context = browser.new_context(viewport=HALL, locale="zh-CN", timezone_id="America/New_York")
    context.clock.set_fixed_time(AT)
    page = context.new_page()
    page.goto(f"{live_server['url']}/display/{token}")
    count = page.locator(".hall-page").count()
    assert count >= 2
    for index in range(count):
        page.evaluate("""(i) => {
            document.querySelectorAll('.hall-page').forEach((p, n) =>
                p.classList.toggle('active', n === i));
            window.dispatchEvent(new Event('resize'));
        }""", index)
        area = page.locator("#hall-pages").bounding_box()
        foot = page.locator(".hall-foot").bounding_box()
        for building in page.locator(".hall-page.active .hall-bld").all():
            box = building.bounding_box()
            assert box["x"] >= area["x"] - 1 and box["x"] + box["width"] <= area["x"] + area[
                "width"] + 1, (index, box, area)
            assert box["y"] + box["height"] <= foot["y"] + 1, (index, box, foot)
        heights = page.eval_on_selector_all(
            ".hall-page.active .hc", "cells => cells.map(c => c.scrollHeight - c.clientHeight)")
        assert max(heights) <= 4  # prices on one line, not wrapped under the cell
        shot(page, f"hall-1920x1080-page{index + 1}")
    clock = page.locator("#hall-clock").inner_text()
    assert "3月2日" in clock and "00:30" in clock, clock

    with in_process_app.app_context():
        displays.revoke_link(db.session.get(DisplayLink, link_id), db.session.scalar(
            select(User).where(User.role == "manager")))
        db.session.commit()
    wait_until(page, lambda: page.locator("body.hall-revoked").count() == 1, timeout=8)
    assert page.locator(".hc").count() == 0  # nothing of the board stays on the screen
    assert "已被撤销" in page.locator("#hall-note").inner_text()
    shot(page, "hall-revoked")
    context.close()
