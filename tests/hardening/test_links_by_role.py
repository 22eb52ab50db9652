"""No page links a role to a route that answers it 403.

For each role, on the route matrix's world, crawl what the role can open: start at /,
follow same-origin links (href, hx-get, GET forms), GET only, one page per URL pattern
(endpoint and query keys), at most MAX_PAGES pages. Every link found is then asked of the
app as that role; a 403 is a link the template should have hidden with can().
"""
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from app.extensions import db
from app.models import User
from app.policy import roles_allow
from tests.hardening.test_route_matrix import ROLES, _login, _world

MAX_PAGES = 150
SKIPPED_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "#")


class _Links(HTMLParser):
    """The GET targets of a page: a[href], [hx-get], form[method=get][action]."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.found.append(attrs["href"])
        if attrs.get("hx-get"):
            self.found.append(attrs["hx-get"])
        if tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self.found.append(attrs.get("action") or "")


def links_of(page_url, html):
    parser = _Links()
    parser.feed(html)
    links = set()
    for raw in parser.found:
        raw = raw.strip()
        if raw.startswith(SKIPPED_SCHEMES):
            continue
        absolute = urlsplit(urljoin("http://localhost" + page_url, raw))
        if absolute.netloc != "localhost" or absolute.scheme not in ("http", "https"):
            continue  # another origin
        links.add(absolute.path + (f"?{absolute.query}" if absolute.query else ""))
    return links


def _pattern(adapter, url):
    """(endpoint, query keys) of a same-origin URL, or None when it is no GET route."""
    parts = urlsplit(url)
    try:
        endpoint, _ = adapter.match(parts.path, method="GET")
    except RequestRedirect:
        return ("redirect", parts.path)
    except HTTPException:
        return None
    return (endpoint, frozenset(key for key, _ in parse_qsl(parts.query)))


def crawl(app, browser, user):
    """{page url: links on it} for the pages of one role, and the links it is refused."""
    adapter = app.url_map.bind("localhost")
    queue, pages, seen, by_url = ["/"], {}, {}, {}
    while queue and len(pages) < MAX_PAGES:
        url = queue.pop(0)
        pattern = _pattern(adapter, url)
        if pattern is None or pattern[0] == "static" or pattern in seen:
            continue
        response = browser.client.get(url)
        seen[pattern] = (response.status_code, response.mimetype == "text/html")
        by_url[url] = response.status_code
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        pages[url] = links_of(url, response.get_data(as_text=True))
        queue.extend(sorted(pages[url]))
    refused = set()
    for link in sorted(set().union(*pages.values())):
        pattern = _pattern(adapter, link)
        if pattern is not None and pattern[0] != "static" and _status(
                app, browser, user, link, pattern, seen, by_url) == 403:
            refused.add(link)
    return pages, refused


def _status(app, browser, user, link, pattern, seen, by_url):
    """403 when the action the route requires (app.policy) refuses the role; else what a GET
    answers: for each page (object rules differ per object), once per pattern for a file
    (PDF, Excel: slow to make, and refused before they are made)."""
    action = getattr(app.view_functions.get(pattern[0]), "action", None)
    if action is not None and not roles_allow(user, action):
        return 403
    if pattern not in seen:
        response = browser.client.get(link)
        seen[pattern] = (response.status_code, response.mimetype == "text/html")
        by_url[link] = response.status_code
    status, page = seen[pattern]
    if not page:
        return status
    if link not in by_url:
        by_url[link] = browser.client.get(link).status_code
    return by_url[link]


def _user(app, role):
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == f"m_{role}"))
        db.session.expunge(user)
        return user


def test_no_page_links_to_a_forbidden_route(app, make_user, snapshot):
    snapshot("matrix", lambda: _world(app, make_user))
    forbidden, crawled = [], {}
    for role in ROLES:
        pages, refused = crawl(app, _login(app, role), _user(app, role))
        crawled[role] = len(pages)
        forbidden += sorted((page, link, role) for page, links in pages.items()
                            for link in links & refused)
    assert not forbidden, "links to routes the role gets 403 on:\n" + "\n".join(
        f"{role}: {page} -> {link}" for page, link, role in forbidden)
    assert all(count >= 3 for count in crawled.values()), crawled
