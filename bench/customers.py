"""Customer pages against the bare-Flask baseline, and the front desk's walk-in registration.

    python bench/customers.py [--quick]

Serves the demo project (SQLite) with gunicorn (2 sync workers). Prints req/s and latency for
the pages people open all day (desk, 我的今天, customer list, statistics, charts), then the
latency of 100 walk-in registrations posted one after another as the front desk does them
(each one: customer, visit, queue move, assignment and audit rows in one transaction).
Ends with one RESULT line.
"""
import argparse
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    Server,
    demo_database,
    hello_baseline,
    load,
    login,
    request,
    show,
    summarise,
)

PAGES = [("secretary", "/rotation/", "front desk 轮流接待"),
         ("consultant", "/customers/today", "consultant 我的今天"),
         ("consultant", "/customers/?scope=all", "customer search (whole project)"),
         ("manager", "/visits/statistics?period=month", "来人来电统计表 (month)"),
         ("manager", "/visits/analysis", "customer analysis charts (SVG)")]


def desk_session(port, cookie):
    """The desk page's cookie and CSRF token (the token lives in the session the page sets)."""
    _, headers, body = request(port, "GET", "/rotation/", {"Cookie": cookie})
    cookie = headers.get("Set-Cookie", cookie).split(";")[0]
    return cookie, re.search(rb'"X-CSRFToken": "([^"]+)"', body).group(1).decode()


def walk_ins(port, cookie, count):
    """Post `count` walk-ins through the desk form; latency of each registration."""
    cookie, token = desk_session(port, cookie)
    latencies, errors = [], 0
    began = time.perf_counter()
    for n in range(count):
        body = urlencode({"name": f"压测客户{n}", "phone": f"1770000{n:04d}", "channel": "路过"})
        start = time.perf_counter()
        status, _, _ = request(port, "POST", "/rotation/walk-in", {
            "Cookie": cookie, "X-CSRFToken": token, "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded"}, body)
        latencies.append((time.perf_counter() - start) * 1000)
        errors += status != 200
    return summarise(latencies, time.perf_counter() - began, errors)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="3 s per measurement")
    args = parser.parse_args()
    seconds, concurrency = (3, 8) if args.quick else (10, 16)
    print(f"customers benchmark: {seconds} s per measurement, {concurrency} clients, "
          "gunicorn 2 sync workers")
    hello = hello_baseline(seconds, concurrency)
    show("bare Flask hello-world", hello)
    env, logins = demo_database()
    results, errors = {}, hello["errors"]
    with Server("wsgi:app", env=env) as server:
        sessions = {role: login(server.port, *logins[role]) for role in
                    ("secretary", "consultant", "manager")}
        for role, path, name in PAGES:
            figures = load(server.port, path, seconds, concurrency,
                           {"Cookie": sessions[role][0]})
            show(name, figures)
            results[path] = figures
            errors += figures["errors"] + figures["unexpected"]
        desk = walk_ins(server.port, sessions["secretary"][0], 100)
        show("walk-in registration (one by one)", desk)
        errors += desk["errors"]
    worst = min(results.values(), key=lambda f: f["rps"])
    print(f"  slowest page at {worst['rps'] / hello['rps']:.2f} of hello-world throughput")
    print(f"RESULT desk_rps={results['/rotation/']['rps']:.0f} "
          f"analysis_rps={results['/visits/analysis']['rps']:.0f} "
          f"walk_in_p50_ms={desk['p50']:.0f} walk_in_p99_ms={desk['p99']:.0f} "
          f"errors={errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
