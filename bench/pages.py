"""Everyday pages against the bare-Flask baseline: login page and a manager's home page.

    python bench/pages.py [--quick]

Serves the demo project (SQLite) with gunicorn (2 sync workers) and prints req/s, p50, p99
and the ratio to a hello-world measured in the same run. Ends with one RESULT line.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Server, demo_database, hello_baseline, load, login, show  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="3 s per measurement")
    args = parser.parse_args()
    seconds, concurrency = (3, 8) if args.quick else (10, 16)
    print(f"pages benchmark: {seconds} s per measurement, {concurrency} clients, "
          "gunicorn 2 sync workers")
    hello = hello_baseline(seconds, concurrency)
    show("bare Flask hello-world", hello)
    env, logins = demo_database()
    with Server("wsgi:app", env=env) as server:
        cookie, _ = login(server.port, *logins["manager"])
        login_page = load(server.port, "/login", seconds, concurrency)
        show("login page (anonymous)", login_page)
        home = load(server.port, "/", seconds, concurrency, {"Cookie": cookie})
        show("manager home (608 units summarised)", home)
    ratio_login = login_page["rps"] / hello["rps"]
    ratio_home = home["rps"] / hello["rps"]
    print(f"  ratios to hello-world: login {ratio_login:.2f}, home {ratio_home:.2f}")
    errors = hello["errors"] + login_page["errors"] + home["errors"]
    print(f"RESULT login_ratio={ratio_login:.2f} home_ratio={ratio_home:.2f} "
          f"home_p99_ms={home['p99']:.0f} errors_5xx={errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
