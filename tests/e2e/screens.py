"""The pages each role can open, found by following its links, and the layout checks run on
each (screen_checks.js) plus axe-core's (vendor/axe.min.js, for tests only)."""
import re
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).parent
CHECKS = (HERE / "screen_checks.js").read_text(encoding="utf-8")
AXE_SOURCE = (HERE / "vendor" / "axe.min.js").read_text(encoding="utf-8")

# Links that download, print or leave the app, and pages tested at their own size.
SKIP = re.compile(r"(\.xlsx|\.pdf|/pdf|/print|/export|/download|/logout|/attachments/|/d/|"
                  r"/lottery|/verify|/static/|/template|/display/|/launch-hall/)")
# Words that are data or names of things, not the app's own English.
ALLOWED = {"Anchang", "PDF", "Excel", "xlsx", "csv", "POS", "QR", "URL", "DM", "IP", "ID", "SHA",
           "JPG", "PNG", "WebP", "Ctrl", "Esc", "MB"}


def pattern(path):
    """/customers/12/card → /customers/N/card: one page per kind of page."""
    return re.sub(r"/\d+(?=/|$)", "/N", path)


def crawl(page, base, start, visit, limit=80):
    """Open every page reachable through links from `start`, one per pattern, and call
    visit(pattern) on each while it is on screen; returns the patterns seen."""
    found, queue = [], list(start)
    while queue and len(found) < limit:
        url = queue.pop(0)
        key = pattern(urlsplit(url).path)
        if key in found:
            continue
        try:
            response = page.goto(url, wait_until="domcontentloaded")  # after CSS and scripts
        except Exception:  # a download (Playwright refuses to navigate to it)
            continue
        if response is not None and response.status >= 500:
            visit(key, failed=response.status)  # a broken page is a finding, never skipped
            continue
        if response is None or response.status != 200 or not page.url.startswith(base) \
                or "text/html" not in response.headers.get("content-type", ""):
            continue
        found.append(key)
        visit(key)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)"):
            href = href.split("#")[0]
            if href.startswith(base) and not SKIP.search(href) and "?" not in href \
                    and pattern(urlsplit(href).path) not in found:
                queue.append(href)
    return found


def check(page, phone=False, allowed=()):
    return page.evaluate(CHECKS, {"phone": phone, "allowed": sorted(ALLOWED | set(allowed))})


def axe(page):
    """Serious and critical axe-core violations of the page on screen: [(id, impact, count)]."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        # Evaluated by the browser's debugger protocol, not as a <script> of the page: the
        # page's own CSP (script-src 'self') does not apply, so hall screens need no bypass.
        page.evaluate(AXE_SOURCE)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => [v.id, v.impact, v.nodes.length,
                                      v.nodes.slice(0, 3).map(n => n.target.join(' '))]);
    }""")
    return [tuple(v) for v in result if v[1] in ("serious", "critical")]
