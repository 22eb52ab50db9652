"""Every page each role can open, at the size it is used: 1366×768 office desks, the
consultants' phone pages at 390×844, the hall TV at 1920×1080. Fails on a page wider than the
window, table text wrapped one character per line, interactive elements over one another,
tap targets under 44 px on phone pages, English words in the app's own text, and axe-core's
serious or critical violations. Screenshots go to tests/e2e/screenshots (CI artifacts)."""
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e import screens
from tests.e2e.conftest import PRODUCTION_LIKE, SHOTS, launch_chromium, login
from tests.foundation.test_contrast import contrast

OFFICE = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
HALL = {"width": 1920, "height": 1080}
ROLES = ("consultant", "secretary", "finance", "manager", "admin")
# Three browsers side by side, each with about a third of the pages (Chromium's work overlaps
# the server's; one after the other took twice as long).
ROLE_GROUPS = (("manager",), ("secretary", "consultant"), ("admin", "finance"))
# Data, not the app's words: the demo office's login names (the users page lists them).
DEMO_USERNAMES = ["zhangwei", "chenchen", "wangfang", "lijun", "zhaomin", "chenjing", "liuqiang",
                  "admin"]


def _context(browser, viewport, phone=False):
    # bypass_csp: axe-core is injected by the test only, never served by the app
    return browser.new_context(viewport=viewport, locale="zh-CN", bypass_csp=True,
                               is_mobile=phone, has_touch=phone)


class Sweep:
    """Checks each page on screen, saves its screenshot, runs axe once per kind of page."""

    def __init__(self, page, size, allowed, axe_seen, phone=False):
        self.page, self.size, self.phone, self.allowed = page, size, phone, allowed
        self.problems, self.checked, self.axe_seen, self.axe_seconds = {}, 0, axe_seen, 0.0
        self.by_role = {}

    def visit(self, name, key, failed=None):
        if failed:
            self.problems[f"{name} {key} @{self.size}"] = {"status": [failed]}
            return
        self.checked += 1
        self.by_role[f"{name}@{self.size}"] = self.by_role.get(f"{name}@{self.size}", 0) + 1
        found = {kind: items for kind, items in screens.check(self.page, self.phone,
                                                                    self.allowed).items()
                 if items}
        first = (self.size, key) not in self.axe_seen  # axe and the screenshot: once a kind
        if first:
            started = time.time()
            self.axe_seen[(self.size, key)] = screens.axe(self.page)
            self.axe_seconds += time.time() - started
            if self.axe_seen[(self.size, key)]:
                found["axe"] = self.axe_seen[(self.size, key)]
            shot = SHOTS / f"{self.size}-{name}{key.replace('/', '_')}.png"
            self.page.screenshot(path=str(shot))
        if found:
            self.problems[f"{name} {key} @{self.size}"] = found


def _phone_pages(page, base):
    """The consultant's phone pages: 我的今天, 快速登记, 客户 list and card (follow-ups are
    entered there), the board one building at a time, a held unit (取消保留) and an open one."""
    page.goto(base + "/customers/")
    card = page.eval_on_selector("table a[href*='/customers/']", "a => a.getAttribute('href')")
    page.goto(base + "/board")
    building = page.eval_on_selector(".tabs a[href*='building=']", "a => a.getAttribute('href')")
    mine = page.eval_on_selector_all(".mine[id^=u-]", "els => els.map(e => e.id.slice(2))")
    units = page.eval_on_selector_all(".s-available[id^=u-]", "els => els.map(e => e.id.slice(2))")
    paths = ["/customers/today", "/customers/new", "/customers/", card, building,
             f"/board/unit?unit={units[0]}"] + ([f"/board/unit?unit={mine[0]}"] if mine else [])
    return paths


def _office_sweep(live_server, roles, axe_seen):
    """The roles' pages at 1366×768, in a browser of this thread's own (Playwright's sync API
    is per thread): two threads let Chromium's work overlap the server's."""
    from playwright.sync_api import sync_playwright
    base, sweeps = live_server["url"], []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for role in roles:
            context = _context(browser, OFFICE)
            page = context.new_page()
            login(page, live_server, role)
            sweep = Sweep(page, "1366x768", DEMO_USERNAMES, axe_seen)
            start = [base + "/"] + page.eval_on_selector_all(".sidebar nav a",
                                                             "links => links.map(a => a.href)")
            screens.crawl(page, base, start, lambda key, s=sweep, r=role: s.visit(r, key))
            sweeps.append(sweep)
            context.close()
        browser.close()
    return sweeps


def _hall_sweep(browser, live_server, axe_seen):
    """The hall TV at 1920×1080: 销控大屏 (each page of buildings it rotates through) and the
    开盘叫号屏, opened from the link the manager's 销控大屏 page gives, without a login."""
    base = live_server["url"]
    context = _context(browser, OFFICE)
    page = context.new_page()
    login(page, live_server, "manager")
    page.goto(base + "/board/displays")
    link = page.eval_on_selector("a.link-url", "a => a.getAttribute('href')")
    context.close()
    context = _context(browser, HALL)
    page = context.new_page()
    hall = Sweep(page, "1920x1080", DEMO_USERNAMES, axe_seen)
    page.goto(base + link)
    for index in range(page.locator(".hall-page").count()):
        page.evaluate("""(i) => {
            document.querySelectorAll('.hall-page').forEach((p, n) =>
                p.classList.toggle('active', n === i));
            window.dispatchEvent(new Event('resize'));
        }""", index)
        hall.visit("hall", f"/display/page{index + 1}")
    page.goto(base + link.replace("/display/", "/launch-hall/"))
    hall.visit("hall", "/launch-hall")
    context.close()
    return hall


def _phone_sweep(browser, live_server, axe_seen):
    """The consultant's phone pages at 390×844."""
    base = live_server["url"]
    context = _context(browser, PHONE, phone=True)
    page = context.new_page()
    login(page, live_server, "consultant")
    phone = Sweep(page, "390x844", DEMO_USERNAMES, axe_seen, phone=True)
    for path in _phone_pages(page, base):
        page.goto(base + path)
        phone.visit("consultant", path.split("?")[0] if "unit=" not in path else "/board/unit")
    context.close()
    return phone


@pytest.mark.skipif(PRODUCTION_LIKE, reason="layout, words and axe do not depend on the server: "
                    "the in-process run sweeps every page (and every page is opened on "
                    "PostgreSQL by the route matrix and the links-by-role crawl)")
def test_every_page_of_every_role_fits_its_screen(browser, live_server):
    started, axe_seen = time.time(), {}
    SHOTS.mkdir(exist_ok=True)
    with ThreadPoolExecutor(max_workers=len(ROLE_GROUPS)) as pool:
        parts = [pool.submit(_office_sweep, live_server, roles, axe_seen)
                 for roles in ROLE_GROUPS]
        phone = _phone_sweep(browser, live_server, axe_seen)  # meanwhile, on this thread
        hall = _hall_sweep(browser, live_server, axe_seen)
        sweeps = [sweep for part in parts for sweep in part.result()] + [phone, hall]
    problems = {k: v for sweep in sweeps for k, v in sweep.problems.items()}
    figures = {"pages": {s.size: 0 for s in sweeps}, "seconds": round(time.time() - started)}
    for sweep in sweeps:
        figures["pages"][sweep.size] += sweep.checked
    figures["axe_runs"] = len(axe_seen)
    figures["axe_seconds"] = round(sum(sweep.axe_seconds for sweep in sweeps))
    figures["pages_by_role"] = {k: v for sweep in sweeps for k, v in sweep.by_role.items()}
    figures["axe_violations"] = sum(len(found) for found in axe_seen.values())
    figures["axe_nodes"] = sum(v[2] for found in axe_seen.values() for v in found)
    (SHOTS / "screens.json").write_text(json.dumps({"figures": figures, "problems": problems},
                                                   ensure_ascii=False, indent=1), encoding="utf-8")
    print(figures)
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


# The four pages with option buttons (认知途径, 来访/来电, 跟进方式, A/B/C/D), by who uses them.
CHIP_PAGES = (("secretary", "/rotation/"), ("consultant", "/customers/new"),
              ("secretary", "/visits/"), ("consultant", "card"))


@pytest.mark.parametrize("role,path", CHIP_PAGES)
def test_front_desk_choice_buttons_read_as_buttons_in_one_line(page, live_server, role, path):
    login(page, live_server, role)
    page.set_viewport_size(OFFICE)
    if path == "card":  # one of the consultant's own customers
        page.goto(live_server["url"] + "/customers/")
        path = page.eval_on_selector("table a[href*='/customers/']", "a => a.getAttribute('href')")
    page.goto(live_server["url"] + path)
    chips = page.locator("label.chip span")
    assert chips.count() >= 2
    for index in range(chips.count()):
        chip = chips.nth(index)
        box, text = chip.bounding_box(), chip.inner_text()
        lines = chip.evaluate("el => { const r = document.createRange(); r.selectNodeContents(el);"
                              " return new Set([...r.getClientRects()].map(x => x.top)).size; }")
        # a real button: padded around its text, one line (the legend's 20×20 rule is gone)
        assert box["width"] >= 14 * len(text) + 16 and 28 <= box["height"] <= 44, (text, box)
        assert lines == 1, (text, lines)
        form = chip.locator("xpath=ancestor::form[1]")
        for button in form.locator("button[type=submit]").all():
            other = button.bounding_box()
            apart = (box["x"] + box["width"] <= other["x"] or other["x"] + other["width"]
                     <= box["x"] or box["y"] + box["height"] <= other["y"]
                     or other["y"] + other["height"] <= box["y"])
            assert apart, (text, box, button.inner_text(), other)  # nothing over 登记并分配


@pytest.mark.parametrize("role,height", [("finance", 768), ("manager", 600)])
def test_the_menu_scrolls_above_the_user_footer(page, live_server, role, height):
    login(page, live_server, role)
    page.set_viewport_size({"width": 1366, "height": height})
    page.goto(live_server["url"] + "/board")
    for group in page.locator(".sidebar details.nav-group").all():
        if group.get_attribute("open") is None:
            group.locator("summary").click()  # every group open: longer than the window
    nav = page.locator(".sidebar nav").bounding_box()
    foot = page.locator(".sidebar-foot").bounding_box()
    assert nav["y"] + nav["height"] <= foot["y"] + 1
    assert foot["y"] + foot["height"] <= height + 1
    style = page.eval_on_selector(".sidebar nav", """el => [getComputedStyle(el).overflowY,
        getComputedStyle(el).scrollbarColor,
        getComputedStyle(el.closest('.sidebar')).backgroundColor]""")
    assert style[0] == "auto"
    thumb = re.findall(r"rgb\((\d+), (\d+), (\d+)\)", style[1])[0]
    sidebar = re.findall(r"rgb\((\d+), (\d+), (\d+)\)", style[2])[0]
    hexes = ["#" + "".join(f"{int(c):02x}" for c in rgb) for rgb in (thumb, sidebar)]
    assert contrast(*hexes) >= 3, style  # its scroll bar shows on the dark sidebar (WCAG 1.4.11)
    last = page.locator(".sidebar nav a").last
    last.scroll_into_view_if_needed()
    box = last.bounding_box()
    assert box["y"] + box["height"] <= foot["y"] + 1  # reachable, not under the footer
