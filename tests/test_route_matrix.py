"""Every route × every role (and anonymous) against tests/route_table/.

GET: anonymous → login redirect, allowed → its ok status, others → 403.
POST: anonymous → login redirect, others → 403, allowed → neither 403 nor 5xx.
A route with no entry in the table fails: new routes must declare who may use them.
"""
from decimal import Decimal

from app.extensions import db
from app.models import Building, Project, Unit
from tests.conftest import PASSWORD
from tests.helpers import Browser
from tests.route_table import PUBLIC, collect

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
        db.session.add_all([project, building, unit])
        db.session.commit()
        world.update(project=project.id, building=building.id, unit=unit.id)
        world.update(_customer_world(project, world))
    return world


def _customer_world(project, world):
    """A customer of m_consultant with a downgrade, and a channel report confirmed on arrival."""
    from app.models import User
    from app.services import channels, customers, rotation, visits
    consultant, manager = db.session.get(User, world["consultant"]), db.session.get(User,
                                                                                   world["manager"])
    company = channels.save_company(project, "链家地产", "agency", by=manager)
    agent = channels.add_agent(company, "刘洋", by=manager)
    report = channels.report_customer(project, agent, "张三", "138****8000", by=manager)
    customer, _ = customers.register(project, "张三", "13800138000", "路过", consultant)
    visits.record_visit(customer, consultant, "visit")
    channels.confirm_visit(report, customer, consultant, by=manager)
    visits.change_grade(customer, "B", "首次接待", by=consultant)
    downgrade = visits.change_grade(customer, "C", "预算不足", by=consultant)
    rotation.set_order(project, [consultant.id], by=manager)
    db.session.commit()
    return {"customer": customer.id, "downgrade": downgrade.id, "channel_company": company.id,
            "channel_report": report.id}


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


def test_route_matrix(app, make_user):
    table = collect()
    world = _world(app, make_user)
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
