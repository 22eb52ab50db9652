"""The manager's dashboard and the month sales report over a large project, against bare Flask.

    python bench/reports.py [--quick]

Builds the demo database (SQLite), then bulk-inserts into the demo project 3,000 units (10
buildings), 20,000 customers, 100,000 visits and calls over six months and 1,500 sales
(unit status + `unit_subscribe` audit row, a confirmed deposit with its receipt and a signed
认购书 at a deal price), 750 contracts with 4 instalments each and about 2,000 回款, plus
3,000 hold audit rows. Serves it with gunicorn (2 sync workers) and measures the manager's
home (dashboard), 销售月报 / 日报, the funnel, collections ageing and consultant performance.
Ends with one RESULT line.
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

from bench.harness import Server, demo_database, hello_baseline, load, login, show  # noqa: E402

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
        sold_at = {int(row["object_id"]): row["at"] for row in audit[:SALES]}
        deals(db, project_id, sold_at, customer_ids, sellers, rng)
        db.session.commit()


def deals(db, project_id, sold_at, customer_ids, sellers, rng):
    """Deposits, 认购书, contracts, instalments and payments behind the 1,500 sales."""
    from sqlalchemy import insert, select

    from app.models import (
        Contract,
        Deposit,
        Instalment,
        Payment,
        Receipt,
        ReceiptBook,
        Subscription,
        Unit,
        User,
    )
    from app.services.deals.contracts import add_months
    staff = db.session.scalar(select(User.id).where(User.role == "secretary"))
    book = ReceiptBook(project_id=project_id, first_no=500000, last_no=509999, holder="bench",
                       registered_by_id=staff)
    db.session.add(book)
    db.session.flush()
    prices = dict(db.session.execute(select(Unit.id, Unit.total_price)
                                     .where(Unit.id.in_(list(sold_at)))).all())
    numbers = iter(range(500000, 510000))

    def receipt(purpose, amount, unit_id, customer_id, at):
        return {"project_id": project_id, "book_id": book.id, "number": next(numbers),
                "purpose": purpose, "amount": amount, "method": "transfer",
                "payer_id": customer_id, "unit_id": unit_id, "status": "confirmed",
                "issued_by_id": staff, "issued_at": at}
    rows = {"receipt": [], "deposit": [], "sub": []}
    for n, (unit_id, at) in enumerate(sold_at.items()):
        customer, amount = rng.choice(customer_ids), Decimal(50000)
        rows["receipt"].append(receipt("large", amount, unit_id, customer, at))
        rows["deposit"].append({"project_id": project_id, "unit_id": unit_id,
                                "customer_id": customer, "consultant_id": rng.choice(sellers),
                                "kind": "large", "amount": amount, "method": "transfer",
                                "status": "confirmed", "recorded_by_id": staff,
                                "recorded_at": at, "form_key": f"bench-dep-{n}"})
        deal = (prices[unit_id] * Decimal("0.98")).quantize(1)
        rows["sub"].append({"project_id": project_id, "number": f"RGB-{n:05d}",
                            "unit_id": unit_id, "customer_id": customer, "list_price":
                            prices[unit_id], "deal_price": deal, "plan": "instalments",
                            "sign_deadline": at.date(), "signed_by_id": staff,
                            "signed_at": at, "form_key": f"bench-sub-{n}"})
    db.session.execute(insert(Receipt), rows["receipt"])
    receipt_ids = db.session.scalars(select(Receipt.id).where(Receipt.book_id == book.id)
                                     .order_by(Receipt.number)).all()
    for row, rid in zip(rows["deposit"], receipt_ids, strict=True):
        row["receipt_id"] = rid
    db.session.execute(insert(Deposit), rows["deposit"])
    deposit_ids = db.session.scalars(select(Deposit.id).where(Deposit.form_key.like("bench-%"))
                                     .order_by(Deposit.id)).all()
    for row, did in zip(rows["sub"], deposit_ids, strict=True):
        row["deposit_id"] = did
    db.session.execute(insert(Subscription), rows["sub"])
    subs = db.session.execute(select(Subscription.id, Subscription.unit_id,
                                     Subscription.customer_id, Subscription.deal_price,
                                     Subscription.signed_at)
                              .where(Subscription.form_key.like("bench-%"))).all()
    contracts = [{"project_id": project_id, "number": f"HTB-{n:05d}", "unit_id": s.unit_id,
                  "subscription_id": s.id, "customer_id": s.customer_id,
                  "sign_date": s.signed_at.date(), "total_price": s.deal_price,
                  "plan": "instalments", "created_by_id": staff, "created_at": s.signed_at,
                  "form_key": f"bench-con-{n}"} for n, s in enumerate(subs[:SALES // 2])]
    db.session.execute(insert(Contract), contracts)
    instalments = []
    for c in db.session.execute(select(Contract.id, Contract.total_price, Contract.sign_date)
                                .where(Contract.form_key.like("bench-%"))).all():
        part = (c.total_price / 4).quantize(Decimal("0.01"))
        for seq in range(1, 5):
            amount = part if seq < 4 else c.total_price - part * 3
            instalments.append({"contract_id": c.id, "seq": seq, "label": f"第 {seq} 期",
                                "due_date": add_months(c.sign_date, seq - 1), "amount": amount})
    db.session.execute(insert(Instalment), instalments)
    due = db.session.execute(select(Instalment.id, Instalment.contract_id, Instalment.amount,
                                    Instalment.due_date, Contract.unit_id, Contract.customer_id)
                             .join(Contract).where(Contract.form_key.like("bench-%"))).all()
    paid = [i for i in due if i.due_date <= sold_at[i.unit_id].date() + timedelta(days=60)
            and rng.random() < 0.8]
    pay_receipts = [receipt("payment", i.amount, i.unit_id, i.customer_id,
                            sold_at[i.unit_id] + timedelta(days=1)) for i in paid]
    db.session.execute(insert(Receipt), pay_receipts)
    ids = db.session.scalars(select(Receipt.id).where(Receipt.book_id == book.id,
                                                      Receipt.purpose == "payment")
                             .order_by(Receipt.number)).all()
    db.session.execute(insert(Payment), [
        {"project_id": project_id, "contract_id": i.contract_id, "instalment_id": i.id,
         "receipt_id": rid, "amount": i.amount, "method": "transfer", "status": "confirmed",
         "recorded_by_id": staff, "recorded_at": sold_at[i.unit_id] + timedelta(days=1),
         "form_key": f"bench-pay-{n}"} for n, (i, rid) in enumerate(zip(paid, ids, strict=True))])


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
                           ("/reports/sales?period=day", "销售日报 (day)"),
                           ("/reports/funnel?period=month", "转化漏斗 (month)"),
                           ("/reports/collections", "回款账龄 (collections)"),
                           ("/reports/consultants?period=month", "顾问业绩 (month)")):
            figures = load(server.port, path, seconds, concurrency, {"Cookie": cookie})
            show(name, figures)
            results[path] = figures
            errors += figures["errors"] + figures["unexpected"]
    home, month = results["/"], results["/reports/sales?period=month"]
    print(f"RESULT hello_rps={hello['rps']:.0f} dashboard_p50_ms={home['p50']:.0f} "
          f"dashboard_p99_ms={home['p99']:.0f} month_report_p50_ms={month['p50']:.0f} "
          f"month_report_p99_ms={month['p99']:.0f} "
          f"funnel_p50_ms={results['/reports/funnel?period=month']['p50']:.0f} "
          f"collections_p50_ms={results['/reports/collections']['p50']:.0f} errors={errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
