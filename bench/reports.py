"""The manager's dashboard and the month sales report over a large project, against bare Flask.

    python bench/reports.py [--quick]

Builds the demo database (SQLite), then bulk-inserts into the demo project 3,000 units (10
buildings), 20,000 customers, 100,000 visits and calls over six months and 1,500 sales
(unit status + `unit_subscribe` audit row, as the deals area will write them) plus 3,000
hold audit rows. Serves it with gunicorn (2 sync workers) and measures the manager's home
(dashboard) and 销售月报 pages. Ends with one RESULT line.
"""
import argparse
import json
import os
import random
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (Server, demo_database, hello_baseline, load, login,  # noqa: E402
                           show)

UNITS, CUSTOMERS, VISITS, SALES, HOLDS = 3000, 20000, 100000, 1500, 3000
DAYS = 180
CHANNELS = ("路过", "朋友介绍", "报纸广告", "网络", "户外广告")
LAYOUTS = (("两室两厅一卫", Decimal("89.36")), ("三室两厅两卫", Decimal("118.52")),
           ("三室两厅两卫", Decimal("128.04")), ("四室两厅两卫", Decimal("143.87")))


def _chunks(rows, size=5000):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def fill(env):
    """Bulk-insert the large project's rows directly (fixture data, not under test)."""
    os.environ.update(env)
    from sqlalchemy import insert, select
    from app import create_app
    from app.extensions import db
    from app.models import AuditLog, Building, Customer, Project, Unit, UnitStatus, User, Visit
    from app.services.clock import now
    rng = random.Random(8)
    app = create_app()
    with app.app_context():
        project_id = db.session.scalar(select(Project.id).order_by(Project.id))
        sellers = db.session.scalars(select(User.id).where(User.role == "consultant")).all()
        start = now() - timedelta(days=DAYS)
        when = lambda: start + timedelta(seconds=rng.randint(0, DAYS * 86400))  # noqa: E731
        buildings = [Building(project_id=project_id, name=f"B{n + 1}栋", sort_order=100 + n)
                     for n in range(10)]
        db.session.add_all(buildings)
        db.session.flush()
        units = []
        for b in buildings:
            for floor in range(1, 31):
                for stack in range(1, UNITS // 300 + 1):
                    layout, area = LAYOUTS[stack % len(LAYOUTS)]
                    price = Decimal(18000 + floor * 120)
                    units.append({"building_id": b.id, "floor": floor,
                                  "unit_no": f"{floor}{stack:02d}", "layout": layout,
                                  "building_area": area, "unit_price": price,
                                  "total_price": (price * area).quantize(1),
                                  "status": UnitStatus.AVAILABLE})
        for chunk in _chunks(units):
            db.session.execute(insert(Unit), chunk)
        unit_ids = db.session.scalars(select(Unit.id).where(
            Unit.building_id.in_([b.id for b in buildings]))).all()
        sold = rng.sample(unit_ids, SALES)
        db.session.execute(Unit.__table__.update().where(Unit.id.in_(sold))
                           .values(status=UnitStatus.SUBSCRIBED))
        audit = [{"at": when(), "action": "unit_subscribe", "object_type": "unit",
                  "object_id": str(uid), "project_id": project_id, "actor": "bench",
                  "before": json.dumps({"status": "available"}),
                  "after": json.dumps({"status": "subscribed"})} for uid in sold]
        audit += [{"at": when(), "action": "unit_hold", "object_type": "unit",
                   "object_id": str(rng.choice(unit_ids)), "project_id": project_id,
                   "actor": "bench", "user_id": rng.choice(sellers),
                   "before": json.dumps({"status": "available"}),
                   "after": json.dumps({"status": "held"})} for _ in range(HOLDS)]
        for chunk in _chunks(audit):
            db.session.execute(insert(AuditLog), chunk)
        customers = []
        for n in range(CUSTOMERS):
            at = when()
            customers.append({"project_id": project_id, "name": f"客户{n}",
                              "phone": f"150{n:08d}", "phone_mask": f"150****{n % 10000:04d}",
                              "owner_id": rng.choice(sellers), "grade": rng.choice("ABCD"),
                              "channel": rng.choice(CHANNELS), "created_at": at,
                              "first_visit_at": at, "is_peer": False,
                              "follow_up_deadline": (at + timedelta(days=rng.randint(1, 30)))
                              .date()})
        for chunk in _chunks(customers):
            db.session.execute(insert(Customer), chunk)
        customer_ids = db.session.scalars(select(Customer.id).where(
            Customer.project_id == project_id)).all()
        visits = [{"project_id": project_id, "customer_id": rng.choice(customer_ids),
                   "kind": rng.choice(("visit", "visit", "call")), "at": when(),
                   "consultant_id": rng.choice(sellers), "channel": rng.choice(CHANNELS),
                   "visit_no": rng.randint(1, 4)} for _ in range(VISITS)]
        for chunk in _chunks(visits):
            db.session.execute(insert(Visit), chunk)
        db.session.commit()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="3 s per measurement")
    args = parser.parse_args()
    seconds, concurrency = (3, 2) if args.quick else (10, 2)  # one client per worker: latency
    print(f"reports benchmark: {UNITS} units, {CUSTOMERS} customers, {VISITS} visits; "
          f"{seconds} s per measurement, {concurrency} clients, gunicorn 2 sync workers")
    hello = hello_baseline(seconds, concurrency)
    show("bare Flask hello-world", hello)
    env, logins = demo_database()
    fill(env)
    results, errors = {}, hello["errors"]
    with Server("wsgi:app", env=env) as server:
        cookie = login(server.port, *logins["manager"])[0]
        for path, name in (("/", "manager dashboard (home)"),
                           ("/reports/sales?period=month", "销售月报 (month, with last month)"),
                           ("/reports/sales?period=day", "销售日报 (day)")):
            figures = load(server.port, path, seconds, concurrency, {"Cookie": cookie})
            show(name, figures)
            results[path] = figures
            errors += figures["errors"] + figures["unexpected"]
    home, month = results["/"], results["/reports/sales?period=month"]
    print(f"RESULT hello_rps={hello['rps']:.0f} dashboard_p50_ms={home['p50']:.0f} "
          f"dashboard_p99_ms={home['p99']:.0f} month_report_p50_ms={month['p50']:.0f} "
          f"month_report_p99_ms={month['p99']:.0f} errors={errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
