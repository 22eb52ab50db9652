"""The sidebar: pages grouped by area; a role with many pages sees the groups folded except
the one on screen and the one with a live badge."""
import re

from tests.fixtures.board import make_project

GROUP = re.compile(r'<details class="nav-group"( open)?><summary>([^<]+)</summary>')


def groups(html):
    return {title: bool(is_open) for is_open, title in GROUP.findall(html)}


def test_a_manager_sees_folded_groups_with_the_current_one_open(app, login_as):
    make_project(app)
    manager = login_as("manager")
    seen = groups(manager.get("/board").get_data(as_text=True))
    assert seen["销控"] and seen["优惠"]  # the page on screen; the approvals badge
    assert not seen["客户"] and not seen["管理"]
    assert groups(manager.get("/customers/").get_data(as_text=True))["客户"]


def test_a_consultant_sees_every_group_open(login_as):
    seen = groups(login_as("consultant").get("/").get_data(as_text=True))
    assert seen and all(seen.values()) and "管理" not in seen


def test_each_role_gets_its_own_menu_on_the_same_page_whoever_opened_it_first(app, login_as):
    """Each worker keeps a menu once rendered (per set of entries and page): a consultant
    opening the board after the manager gets the consultant's menu, with the right entry
    marked as the page on screen."""
    make_project(app)
    manager, consultant = login_as("manager"), login_as("consultant")
    first = manager.get("/board").get_data(as_text=True)
    assert "操作日志" in first and 'id="badge-discounts-queue"' in first
    page = consultant.get("/board").get_data(as_text=True)
    menu = page[page.index('id="main-menu"'):page.index("</nav>", page.index('id="main-menu"'))]
    assert "操作日志" not in menu and "用户管理" not in menu and "badge-discounts" not in menu
    assert re.search(r'href="/board" class="active">销控表', menu)
    other = consultant.get("/customers/").get_data(as_text=True)
    assert re.search(r'href="/board" class="">销控表', other)


def test_breadcrumbs_link_to_the_pages_they_name(app, login_as):
    manager = login_as("manager")
    page = manager.get("/admin/audit").get_data(as_text=True)
    crumbs = page[page.index('class="crumbs"'):page.index("</nav>", page.index('class="crumbs"'))]
    assert '<a href="/admin/audit">管理</a>' in crumbs and "操作日志" in crumbs
    assert '<a href="/admin/audit">操作日志' not in crumbs  # the page on screen is no link


def test_every_page_names_a_favicon_the_app_serves(app, client):
    page = client.get("/login").get_data(as_text=True)
    href = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)
    icon = client.get(href)
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
