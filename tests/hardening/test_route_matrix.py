"""Every route × every role (and anonymous) against tests/route_table/.

GET: anonymous → login redirect, allowed → its ok status, others → 403.
POST: anonymous → login redirect, others → 403, allowed → neither 403 nor 5xx.
A route with no entry in the table fails: new routes must declare who may use them.
"""
from datetime import timedelta
from decimal import Decimal

from app.extensions import db
from app.models import Building, DisplayLink, Project, Unit, UnitImport, UnitStatus
from app.models.types import utcnow
from tests.conftest import PASSWORD
from tests.helpers import Browser
from tests.route_table import PUBLIC, collect
from tests.route_table.changes import add_to_world as add_changes
from tests.route_table.commissions import add_to_world as add_commissions
from tests.route_table.deals import add_to_world as add_deals
from tests.route_table.discounts import add_to_world as add_discounts
from tests.route_table.launch import add_to_world as add_launch

ROLES = ("consultant", "secretary", "finance", "manager", "admin")


def _world(app, make_user):
    world = {role: make_user(role, username=f"m_{role}") for role in ROLES}
    world["victim"] = make_user("consultant", username="victim")
    with app.app_context():
        project = Project(code="M", name="矩阵项目")
        building = Building(project=project, name="1栋")
        unit = Unit(building=building, floor=1, unit_no="101", layout="两室",
                    building_area=Decimal("88"), unit_price=Decimal("1"),
                    total_price=Decimal("88"))
        # board: a unit held by the matrix consultant, a display link, an import preview
        held = Unit(building=building, floor=1, unit_no="102", layout="两室",
                    building_area=Decimal("88"), unit_price=Decimal("1"),
                    total_price=Decimal("88"), status=UnitStatus.HELD,
                    held_by_id=world["consultant"], hold_expires_at=utcnow() + timedelta(hours=8))
        link = DisplayLink(project=project, token="matrix-display-token", name="大厅",
                           created_by_id=world["manager"])
        preview = UnitImport(project=project, filename="m.xlsx", rows="[]", row_count=0,
                             created_by_id=world["secretary"])
        db.session.add_all([project, building, unit, held, link, preview])
        db.session.commit()
        world.update(project=project.id, building=building.id, unit=unit.id, held_unit=held.id,
                     display_link=link.id, display_token=link.token, unit_import=preview.id)
        add_discounts(world)
        world.update(_customer_world(project, world))
        add_deals(world)
        add_changes(world)
        add_launch(world)
        add_commissions(world)
    return world


def _customer_world(project, world):
    """A customer of m_consultant with a downgrade, and a channel report confirmed on arrival."""
    from app.models import User
    from app.services.customers import cards, channels, rotation, visits
    consultant, manager = db.session.get(User, world["consultant"]), db.session.get(User,
                                                                                   world["manager"])
    company = channels.save_company(project, "链家地产", "agency", by=manager)
    agent = channels.add_agent(company, "刘洋", by=manager)
    report = channels.report_customer(project, agent, "张三", "男", "1380**38000", by=manager)
    customer, _ = cards.register(project, "张三", "13800138000", "路过", consultant)
    customer.gender = "男"
    visits.record_visit(customer, consultant, "visit")
    channels.confirm_visit(report, customer, consultant, by=manager)
    visits.change_grade(customer, "B", "首次接待", by=consultant)
    downgrade = visits.change_grade(customer, "C", "预算不足", by=consultant)
    follow_up = visits.record_follow_up(customer, consultant, "phone", "电话回访")
    rotation.set_order(project, [consultant.id], by=manager)
    db.session.commit()
    return {"customer": customer.id, "downgrade": downgrade.id, "channel_company": company.id,
            "channel_report": report.id, "follow_up": follow_up.id}


def _rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def _login(app, role):
    browser = Browser(app.test_client())
    assert browser.login(f"m_{role}", PASSWORD).status_code == 302
    return browser


def test_every_route_is_in_the_table(app):
    table = collect()
    missing = sorted({rule.endpoint for rule in _rules(app)} - table.keys())
    assert not missing, f"routes without an access rule in tests/route_table/: {missing}"
    stale = sorted(table.keys() - {rule.endpoint for rule in _rules(app)})
    assert not stale, f"table lists routes that no longer exist: {stale}"


def test_route_matrix(app, make_user, snapshot):
    table = collect()
    world = snapshot("matrix", lambda: _world(app, make_user))
    browsers = {role: _login(app, role) for role in ROLES}
    anonymous = Browser(app.test_client())
    failures, checked = [], 0
    for rule in _rules(app):
        spec = table[rule.endpoint]
        with app.test_request_context():
            from flask import url_for
            url = url_for(rule.endpoint, **spec.args(world))
        for role in (None,) + ROLES:
            browser = anonymous if role is None else browsers[role]
            allowed = spec.roles == PUBLIC or (role is not None and role in spec.roles)
            for method in sorted(rule.methods & {"GET", "POST"}):
                if method == "POST" and allowed and spec.ends_session:
                    continue  # covered by its own tests; it would log this browser out
                checked += 1
                problem = _check(browser, method, url, role, allowed, spec)
                if problem:
                    failures.append(f"{method} {url} as {role or 'anonymous'}: {problem}")
            if "GET" not in rule.methods:
                checked += 1
                status = browser.client.get(url).status_code
                if status != 405:
                    failures.append(f"GET {url} as {role}: expected 405, got {status}")
    assert not failures, "\n".join(failures)
    assert checked >= len(table) * 6


def _check(browser, method, url, role, allowed, spec):
    if method == "GET":
        response = browser.client.get(url)
        status = response.status_code
        if role is None and spec.roles != PUBLIC:
            if status != 302 or "/login" not in response.headers.get("Location", ""):
                return f"expected login redirect, got {status}"
        elif allowed and role is not None and status != spec.ok and spec.roles != PUBLIC:
            return f"expected {spec.ok}, got {status}"
        elif not allowed and status != 403:
            return f"expected 403, got {status}"
        return None
    response = browser.post(url, {}, page="/login" if role is None else "/")
    status = response.status_code
    if role is None and spec.roles != PUBLIC:
        if status != 302 or "/login" not in response.headers.get("Location", ""):
            return f"expected login redirect, got {status}"
    elif not allowed and status != 403:
        return f"expected 403, got {status}"
    elif allowed and (status == 403 or status >= 500):
        return f"allowed role got {status}"
    return None


# Tables written on read by design (who looked at personal data); everything else must not move.
READ_LOG_TABLES = {"access_log"}


def _snapshot(app):
    import hashlib

    from app.services.audit import READ_ACTION_SUFFIXES
    digests = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name in READ_LOG_TABLES:
                continue
            query = table.select().order_by(*table.primary_key.columns)
            if table.name == "audit_log":
                query = query.where(*[~table.c.action.endswith(suffix)
                                      for suffix in READ_ACTION_SUFFIXES])
            rows = db.session.execute(query).all()
            digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
        db.session.rollback()
    return digests


def test_every_get_leaves_the_database_unchanged(app, make_user, snapshot):
    table = collect()
    world = snapshot("matrix", lambda: _world(app, make_user))
    browsers = {role: _login(app, role) for role in ROLES}
    browsers[None] = Browser(app.test_client())
    before = _snapshot(app)
    walked = 0
    for rule in _rules(app):
        if "GET" not in rule.methods:
            continue
        with app.test_request_context():
            from flask import url_for
            url = url_for(rule.endpoint, **table[rule.endpoint].args(world))
        for browser in browsers.values():
            assert browser.client.get(url).status_code < 500, url
            walked += 1
    after = _snapshot(app)
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"GET requests changed tables: {changed}"
    assert walked >= 6
