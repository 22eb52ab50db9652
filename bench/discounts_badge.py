"""The manager's pending-count badge, polled every 4 s by every open manager page.

    python bench/discounts_badge.py [--quick]

Measures the poll as browsers send it (If-None-Match → 304) and without the ETag (200),
next to a bare-Flask hello-world in the same run. Ends with one RESULT line.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Server, demo_database, hello_baseline, load, login, request, show  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="3 s per measurement")
    args = parser.parse_args()
    seconds, concurrency = (3, 8) if args.quick else (10, 16)
    print(f"discount badge benchmark: {seconds} s per measurement, {concurrency} clients, "
          "gunicorn 2 sync workers")
    hello = hello_baseline(seconds, concurrency)
    show("bare Flask hello-world", hello)
    env, logins = demo_database()
    with Server("wsgi:app", env=env) as server:
        cookie, _ = login(server.port, *logins["manager"])
        status, headers, _ = request(server.port, "GET", "/discounts/badge", {"Cookie": cookie})
        assert status == 200, status
        etag = headers["ETag"]
        fresh = load(server.port, "/discounts/badge", seconds, concurrency, {"Cookie": cookie})
        show("badge, full fragment (200)", fresh)
        polled = load(server.port, "/discounts/badge", seconds, concurrency,
                      {"Cookie": cookie, "If-None-Match": etag}, expect=(304,))
        show("badge, unchanged (304)", polled)
    ratio = polled["rps"] / hello["rps"]
    managers = polled["rps"] * 4  # each manager page polls once every 4 s
    print(f"  ratio to hello-world: {ratio:.2f}; one server answers the polls of about "
          f"{managers:.0f} open manager pages")
    errors = hello["errors"] + fresh["errors"] + polled["errors"]
    print(f"RESULT badge_304_ratio={ratio:.2f} badge_304_p99_ms={polled['p99']:.0f} "
          f"unexpected={polled['unexpected']} errors_5xx={errors}")
    return 1 if errors or polled["unexpected"] else 0


if __name__ == "__main__":
    sys.exit(main())
