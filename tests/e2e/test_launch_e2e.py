"""Launch day in Chromium: the secretary runs a short selection session for two buyers from
the console; the hall screen (1920×1080) follows every call and pick within 3 s."""
from sqlalchemy import select

from app.extensions import db
from app.models import Customer, Project, User
from app.services.board import displays
from app.services.deals.common import new_form_key
from app.services.launch import launches, registrations
from tests.e2e import screens
from tests.e2e.conftest import SHOTS, login, shot, wait_until


def _arrange(app):
    """A lottery launch with two registered buyers (one confirmed by finance) and a hall link."""
    with app.app_context():
        project = db.session.scalar(select(Project).order_by(Project.id))
        by_role = {role: db.session.scalar(select(User).where(User.role == role).order_by(User.id))
                   for role in ("secretary", "finance", "manager")}
        buyers = db.session.scalars(select(Customer).where(Customer.project_id == project.id)
                                    .order_by(Customer.id).limit(2)).all()
        launch = launches.create(project, name="二期开盘", mode="lottery", amount_text="30000",
                                 window_minutes=3, miss_penalty=2, actor=by_role["secretary"])
        entries = [registrations.register(
            launch, customer_id=buyer.id, amount_text="30000", method="transfer",
            receipt_no=str(1095 + n), layouts=["三室两厅两卫"], consultant_id=buyer.owner_id,
            form_key=new_form_key(), actor=by_role["secretary"])[0]
            for n, buyer in enumerate(buyers)]
        registrations.confirm(entries[0], by_role["finance"])
        link = displays.create_link(project, "选房区大屏", False, 15, by_role["manager"])
        db.session.commit()
        return launch.id, link.token, [b.name for b in buyers]


def _pick(page, index, expected):
    """Choose a unit for the called buyer and confirm. The console's live part may be
    swapped by its poll between choosing and clicking (a fresh, empty select): then again."""
    for _ in range(2):
        page.select_option(".called select[name=unit_id]", index=index)
        page.click(".called button:has-text('确认选房')")
        try:
            wait_until(page, lambda: expected in page.content(), 10.0)
            return
        except AssertionError:
            if page.locator(".called select[name=unit_id]").count() == 0:
                break  # the pick went through, only slowly: no called buyer to pick for
    wait_until(page, lambda: expected in page.content(), 10.0)


def test_a_selection_session_with_two_buyers(page, browser, live_server, in_process_app):
    launch_id, token, names = _arrange(in_process_app)
    hall = browser.new_context(viewport={"width": 1920, "height": 1080},
                               locale="zh-CN").new_page()
    login(page, live_server, "secretary")
    console = live_server["url"] + f"/launches/{launch_id}"
    page.goto(console)
    for button in ("截止认筹并公示摇号种子哈希", "摇号(公布种子)", "开始选房"):
        page.click(f"button:has-text('{button}')")
        page.wait_for_load_state()
    assert "选房开始" in page.content()
    hall.goto(live_server["url"] + f"/launch-hall/{token}")
    assert "请稍候" in hall.content()

    page.click("button:has-text('叫下一位')")
    first = page.locator(".called .called-no").first.inner_text()
    wait_until(hall, lambda: hall.locator(".hall-number .no").count() == 1, 3.0)
    assert hall.locator(".hall-number .no").inner_text() == first.replace("号", "").strip()
    shot(hall, "launch-hall-calling")
    # the 叫号屏 calling a number (the screen sweep sees it idle): layout, words, axe
    found = {kind: items for kind, items in screens.check(hall).items() if items}
    assert not found and not screens.axe(hall), found
    shot(page, "launch-console-calling")

    _pick(page, 1, "已转为定金,收据 No.")
    wait_until(hall, lambda: hall.locator(".hall-number").count() == 0, 3.0)
    assert hall.locator(".hall-figures strong").nth(1).inner_text() == "1"

    page.click("button:has-text('叫下一位')")
    page.click(".called button:has-text('过号')")  # not here: nobody behind, stays next
    wait_until(page, lambda: "未到场" in page.content())
    page.click("button:has-text('叫下一位')")
    shot(page, "launch-console-second-buyer")
    _pick(page, 2, "已转为定金,收据 No.")  # confirmed or not: the lottery decides who is first
    wait_until(hall, lambda: hall.locator(".hall-figures strong").nth(1).inner_text() == "2",
               3.0)
    shot(hall, "launch-hall-done")
    shot(page, "launch-console-done")

    page.click("a:has-text('摇号公示与核验页')")
    page.wait_for_selector("#verdict")
    assert "完全一致" in page.locator("#verdict").inner_text()
    shot(page, "launch-lottery-verify")
    page.goto(live_server["url"] + f"/launches/{launch_id}/registrations")
    shot(page, "launch-registrations")
    assert not page.csp_errors and not hall.csp_errors if hasattr(hall, "csp_errors") else True
    assert (SHOTS / "launch-hall-calling.png").exists()
