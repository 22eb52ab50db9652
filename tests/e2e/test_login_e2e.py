"""Each role logs in through a real browser and lands on its own home page."""
import pytest

from tests.e2e.conftest import login, shot, wait_until

NAV = {
    "consultant": ({"首页"}, {"用户管理", "操作日志"}),
    "secretary": ({"首页"}, {"用户管理", "操作日志"}),
    "finance": ({"首页"}, {"用户管理", "操作日志"}),
    "manager": ({"首页", "操作日志"}, {"用户管理"}),
    "admin": ({"首页", "操作日志", "用户管理", "项目设置"}, set()),
}


def test_login_page(page, live_server):
    page.goto(live_server["url"] + "/login")
    assert page.title().startswith("登录")
    page.fill("input[name=username]", "nobody")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert page.locator(".form-errors").inner_text() == "用户名或密码错误"
    shot(page, "login")
    assert not page.csp_errors


@pytest.mark.parametrize("role", list(NAV))
def test_each_role_sees_its_home_and_navigation(page, live_server, role):
    login(page, live_server, role)
    nav = {text.strip() for text in page.locator(".sidebar nav a").all_text_contents()}
    must, must_not = NAV[role]  # listed, possibly in a folded group
    assert must <= nav and not (must_not & nav), nav
    assert "翡翠湾花园" in page.locator(".topbar").inner_text()
    assert page.locator(".stat-value").first.inner_text() == "608"
    shot(page, f"home-{role}")
    page.click("text=退出登录")
    page.wait_for_url("**/login")
    assert not page.csp_errors, page.csp_errors


def test_a_folded_group_opens_and_stays_open_on_the_next_page(page, live_server):
    login(page, live_server, "manager")
    audit_link = page.locator(".sidebar nav a", has_text="操作日志")
    assert not audit_link.is_visible()  # 管理 is folded for a manager's long list
    page.click(".sidebar summary:has-text('管理')")
    assert audit_link.is_visible()
    page.goto(live_server["url"] + "/board")
    assert page.locator(".sidebar nav a", has_text="操作日志").is_visible()  # remembered
    shot(page, "nav-manager-board")
    assert not page.csp_errors, page.csp_errors


def test_htmx_audit_filter_swaps_rows_in_place(page, live_server):
    login(page, live_server, "manager")
    page.goto(live_server["url"] + "/admin/audit")
    page.select_option("select[name=action]", "login")  # picked from a list, no codes typed
    actions = page.locator("#audit-rows td:nth-child(3)")
    wait_until(page, lambda: {text.split()[0] for text in actions.all_inner_texts()} == {"登录"})
    assert "action=login" in page.url
    shot(page, "audit-log")
    assert not page.csp_errors


def test_the_test_browser_preloads_no_address_bar_popups(browser, page):
    """The suite's Chromium opens no WebUI of its own beside the test's pages (the address
    bar's popups cost a renderer per window): a new Chromium that renames the feature shows
    here, not as a slower suite."""
    page.goto("about:blank")
    session = browser.new_browser_cdp_session()
    targets = session.send("Target.getTargets")["targetInfos"]
    assert [t["url"] for t in targets if t["type"] != "page"] == []
