"""The hall TV at 1920×1080: every page of buildings fits between header and legend, the clock
shows the project's time zone (not the TV's), and a revoked link blanks the screen."""
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.extensions import db
from app.models import DisplayLink, Project, User
from app.services.board import displays
from tests.e2e.conftest import shot, wait_until

HALL = {"width": 1920, "height": 1080}


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
    office = datetime.now(ZoneInfo("Asia/Shanghai"))
    assert f"{office:%H}:" in page.locator("#hall-clock").inner_text()

    with in_process_app.app_context():
        displays.revoke_link(db.session.get(DisplayLink, link_id), db.session.scalar(
            select(User).where(User.role == "manager")))
        db.session.commit()
    wait_until(page, lambda: page.locator("body.hall-revoked").count() == 1, timeout=8)
    assert page.locator(".hc").count() == 0  # nothing of the board stays on the screen
    assert "已被撤销" in page.locator("#hall-note").inner_text()
    shot(page, "hall-revoked")
    context.close()
