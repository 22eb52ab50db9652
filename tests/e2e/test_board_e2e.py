"""The board in Chromium: two browsers on one board, the unit panel, keyboard, import, hall."""
import re

from tests.e2e.conftest import SHOTS, login, shot, wait_until
from tests.fixtures.board import xlsx_bytes


def board_url(live_server, page, building="2栋"):
    page.goto(live_server["url"] + "/board")
    page.click(f"nav.tabs >> text={building}")
    page.wait_for_selector(".cell")
    return page.url


def test_two_browsers_one_hold_the_other_follows_within_3_seconds(page, browser, live_server):
    login(page, live_server, "consultant")
    url = board_url(live_server, page)
    watcher_context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    watcher = watcher_context.new_page()
    watcher.csp_errors = []
    watcher.on("console", lambda msg: watcher.csp_errors.append(msg.text)
               if "Content Security Policy" in msg.text else None)
    login(watcher, live_server, "secretary")
    watcher.goto(url)
    cell = page.locator(".cell.s-available").nth(5)
    unit_id = cell.get_attribute("id")
    unit_no = cell.locator(".c-no").inner_text()
    assert watcher.locator(f"#{unit_id}").get_attribute("class").startswith("cell s-available")

    cell.click()
    page.wait_for_selector("#unit-panel .panel-head")
    assert unit_no in page.locator("#unit-panel h2").inner_text()
    page.click("#unit-panel >> text=保留 30 分钟")
    wait_until(page, lambda: "由" in page.locator("#unit-panel .hold-note").inner_text()
               if page.locator("#unit-panel .hold-note").count() else False)
    mine = page.locator(f"#{unit_id}")
    # my own hold is marked on my board (by the browser: the HTML is the same for everyone)
    wait_until(page, lambda: "s-held mine" in mine.get_attribute("class"), timeout=3.0)
    shot(page, "board-unit-panel")
    page.screenshot(path=str(SHOTS / "board-unit-panel-1440x900.png"))

    watched = watcher.locator(f"#{unit_id}")
    wait_until(watcher, lambda: "s-held" in watched.get_attribute("class"), timeout=3.0)
    assert "留" in watched.inner_text() and watcher.url == url  # no reload happened
    assert "mine" not in watched.get_attribute("class")  # not the secretary's hold
    figures = watcher.locator(".legend").inner_text()
    assert re.search(r"保留\s+2\s+套", figures)  # 1603 in the demo, and this one
    watcher.set_viewport_size({"width": 1440, "height": 900})
    shot(watcher, "board-building")
    watcher.screenshot(path=str(SHOTS / "board-1440x900.png"))
    assert not page.csp_errors and not watcher.csp_errors, page.csp_errors + watcher.csp_errors
    watcher_context.close()


def test_after_my_own_move_my_panel_still_follows_what_others_do(page, browser, live_server):
    """The hold's answer is the fresh panel, so the board poll it triggers does not fetch
    the panel again (it did whenever the poll took longer than htmx's settling: on a busy
    launch day, every move cost a second panel); a later change by someone else does refresh
    it."""
    login(page, live_server, "consultant")
    page.goto(live_server["url"] + "/customers/today")
    while page.locator(".hold-line").count():  # under the hold cap whatever ran before
        page.locator(".hold-line a").first.click()
        page.click("#unit-panel >> text=取消保留")
        page.locator("#unit-panel >> text=保留 30 分钟").wait_for()
        page.goto(live_server["url"] + "/customers/today")
    board_url(live_server, page, "3栋")
    # polls answered as on a busy launch day (150 ms), not in the 20 ms htmx takes to settle
    # the move's answer (a panel not yet settled misses a refresh asked of it)
    page.route("**/board/poll?*", lambda route: (page.wait_for_timeout(150), route.continue_()))
    panels = []
    page.on("request", lambda req: panels.append(req.url) if "/board/unit?" in req.url else None)
    polls = []
    page.on("response", lambda res: polls.append(res) if "/board/poll" in res.url else None)
    cell = page.locator(".cell.s-available").nth(7)
    unit_id = cell.get_attribute("id")
    cell.click()
    page.wait_for_selector("#unit-panel .panel-head")
    page.click("#unit-panel >> text=保留 30 分钟")
    page.locator("#unit-panel .hold-note").wait_for()
    wait_until(page, lambda: "s-held mine" in page.locator(f"#{unit_id}").get_attribute("class"),
               timeout=3.0)  # the board poll that the move triggered has been applied
    seen = len(polls)
    wait_until(page, lambda: len(polls) > seen + 1, timeout=6.0)  # and two polls more
    assert len(panels) == 1, panels  # opened once; the move's answer was the fresh panel

    # The manager lets the hold go: the consultant's open panel follows within a poll or two.
    manager_context = browser.new_context(viewport={"width": 1440, "height": 900},
                                          locale="zh-CN")
    manager = manager_context.new_page()
    login(manager, live_server, "manager")
    board_url(live_server, manager, "3栋")
    manager.locator(f"#{unit_id}").click()
    manager.locator("#unit-panel .hold-note").wait_for()
    manager.fill("#unit-panel [name='cancel_hold-reason']", "客户已放弃")
    manager.click("#unit-panel >> text=取消保留")
    manager.locator("#unit-panel >> text=保留 30 分钟").wait_for()
    wait_until(page, lambda: page.locator("#unit-panel .hold-note").count() == 0, timeout=5.0)
    page.locator("#unit-panel >> text=保留 30 分钟").wait_for()
    assert len(panels) == 2, panels  # fetched once more: for the manager's change
    assert not page.csp_errors, page.csp_errors
    manager_context.close()


def test_the_whole_project_at_a_glance_and_the_keyboard(page, live_server):
    login(page, live_server, "manager")
    page.goto(live_server["url"] + "/board")
    page.wait_for_selector(".mini")
    assert page.locator(".bld").count() == 4 and page.locator(".mini").count() == 608
    page.screenshot(path=str(SHOTS / "board-all-1440x900.png"))
    first = page.locator(".mini").first
    first.focus()
    page.keyboard.press("ArrowRight")
    focused = page.locator(".mini:focus")
    assert focused.count() == 1 and focused.get_attribute("id") != first.get_attribute("id")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_selector("#unit-panel .panel-head")
    assert page.locator("#unit-panel h2").is_visible()
    page.keyboard.press("Escape")
    wait_until(page, lambda: page.locator("#unit-panel.empty").count() == 1)
    page.select_option("select[name=layout]", "四室两厅两卫")
    wait_until(page, lambda: page.locator(".mini.dim").count() > 400)
    assert "layout=" in page.url  # the filter is in the address: a reload keeps it
    assert not page.csp_errors, page.csp_errors


def test_import_shows_a_preview_before_anything_is_written(page, live_server, tmp_path):
    login(page, live_server, "secretary")
    page.goto(live_server["url"] + "/board/import")
    rows = [["翡翠湾花园 二期房源表"],
            ["楼栋", "楼层", "房号", "户型", "建筑面积(㎡)", "单价(元/㎡)", "总价(元)"]]
    rows += [["6栋", floor, f"{floor}{i:02d}", "三室两厅两卫", "118.52", "22,800", ""]
             for floor in range(1, 4) for i in range(1, 5)]
    rows.append(["1栋", 10, "1001", "两室两厅一卫", "89.36", "23,000", ""])
    path = tmp_path / "二期房源表.xlsx"
    path.write_bytes(xlsx_bytes(rows, merges=["A3:A14"]))
    page.set_input_files("input[type=file]", str(path))
    page.click("text=上传并检查")
    page.wait_for_selector(".import-preview")
    text = page.locator(".import-preview").inner_text()
    assert "新增房源" in text and "确认导入:新增 12 套,修改 1 套" in text
    shot(page, "board-import-preview")
    bad = tmp_path / "错误.xlsx"
    bad.write_bytes(xlsx_bytes([rows[1], ["6栋", 1, "101", "三室", "一百", "22800", ""]]))
    page.set_input_files("input[type=file]", str(bad))
    page.click("text=上传并检查")
    page.wait_for_selector(".import-errors")
    assert "第 2 行: 建筑面积不是数字" in page.locator(".import-errors").inner_text()
    shot(page, "board-import-errors")
    assert not page.csp_errors, page.csp_errors


def test_hall_display_at_1920(page, browser, live_server):
    login(page, live_server, "manager")
    page.goto(live_server["url"] + "/board/displays")
    page.fill("input[name=name]", "售楼大厅 1 号屏")
    page.check("input[name=show_prices]")
    page.click("text=创建链接")
    link = page.locator("td a[target=_blank]").first.get_attribute("href")
    shot(page, "board-display-links")
    hall_context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    hall = hall_context.new_page()
    errors = []
    hall.on("console", lambda msg: errors.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    hall.goto(live_server["url"] + link)
    hall.wait_for_selector(".hall-page.active .hc")
    assert "翡翠湾花园" in hall.locator(".hall-head").inner_text()
    assert hall.locator(".hall-page").count() >= 2  # buildings rotate on the screen
    assert "王芳" not in hall.content() and "李军" not in hall.content()
    hall.screenshot(path=str(SHOTS / "hall-display-1920x1080.png"))
    assert not errors, errors
    hall_context.close()


def test_a_board_whose_session_ended_goes_to_the_login_page(page, live_server):
    login(page, live_server, "finance")
    page.goto(live_server["url"] + "/board")
    page.wait_for_selector(".mini")
    other = page.context.new_page()  # same browser: log out in another tab
    other.goto(live_server["url"] + "/")
    other.click("text=退出登录")
    other.wait_for_url("**/login")
    wait_until(page, lambda: "/login" in page.url, timeout=6.0)  # not a silently stale board
    assert page.locator("input[name=username]").count() == 1
