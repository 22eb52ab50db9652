"""The sales control board under load, against the bare-Flask baseline.

    python bench/grid.py [--quick]

Builds a 3,000-unit project (10 buildings × 30 floors × 10 units) on SQLite, serves it with
gunicorn (2 sync workers) and prints: hello-world req/s; the whole-project board (req/s,
p50/p99) and the same HTML rendered from data already in memory (the render limit); one
building page; the unchanged poll (304); their ratios. Then 200 concurrent clients hold
random units among 300 (and release what they got) for 30 s (10 s with --quick): holds/s,
p50/p95/p99, 5xx and double holds, checked both live and afterwards in the audit log.
Ends with one RESULT line.
"""
import argparse
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    BIN,
    ROOT,
    Server,
    hello_baseline,
    insert_unit_grid,
    load,
    login,
    request,
    show,
    summarise,
)

BUILDINGS, FLOORS, STACKS = 10, 30, 10
PASSWORD = "Bench-Board-2026"


def make_app():
    """gunicorn target: the app plus a bench-only page rendering the board from memory."""

    from app import create_app
    from app.filters import current_project
    from app.policy import require
    from app.services.board import grid
    from app.web import render_page

    app = create_app()
    cache = {}

    @app.route("/bench/board-from-memory")
    @require("board.view")
    def board_from_memory():
        """The board view with the database reads done once: what rendering alone costs."""
        project = current_project()
        if project.id not in cache:
            cache[project.id] = grid.board_data(project.id, None)
        context = grid.board_view(cache[project.id], grid.Filters())
        return render_page("board/index.html", partial="board/_board.html", project=project,
                           **context)

    return app


def build_project(consultants):
    """A fresh SQLite database with the 3,000-unit project, released through the service."""
    instance = Path(tempfile.mkdtemp(prefix="anchang-board-bench-"))
    env = {"DATABASE_URL": f"sqlite:///{instance / 'bench.db'}",
           "ANCHANG_INSTANCE": str(instance), "FLASK_APP": "wsgi"}
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env={**os.environ, **env},
                   check=True, capture_output=True)
    os.environ.update(env)
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import Building, Project, Unit, User
    from app.services.board import unit_status
    from app.services.passwords import hash_password

    app = create_app()
    with app.app_context():
        digest = hash_password(PASSWORD)  # one hash for every bench user: setup stays quick
        users = [User(username=f"c{i:03d}", display_name=f"顾问{i:03d}", role="consultant",
                      password_hash=digest) for i in range(consultants)]
        users += [User(username="secretary", display_name="赵敏", role="secretary",
                       password_hash=digest),
                  User(username="manager", display_name="刘强", role="manager",
                       password_hash=digest)]
        db.session.add_all(users)
        project = Project(code="BENCH", name="压测花园", hold_minutes=30)
        db.session.add(project)
        db.session.flush()
        insert_unit_grid(project, BUILDINGS, FLOORS, STACKS)
        manager = users[-1]
        ids = db.session.scalars(select(Unit.id).order_by(Unit.id)).all()
        unit_status.transition_many(project.id, ids, "release", manager, reason="开盘")
        db.session.commit()
        project_id = project.id
        building_id = db.session.scalar(select(Building.id).order_by(Building.id))
        db.engine.dispose()
    return env, instance / "bench.db", project_id, building_id, ids


def hold_race(port, sessions, unit_ids, seconds, clients):
    """`clients` threads hold random units and release what they win; returns figures."""
    latencies, errors, holds, conflicts, double = [], [0], [0], [0], [0]
    holders, lock = {}, threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(index):
        cookie, token = sessions[index % len(sessions)]
        headers = {"Cookie": cookie, "X-CSRFToken": token, "HX-Request": "true",
                   "Content-Type": "application/x-www-form-urlencoded"}
        rng = random.Random(index)
        local = []
        while time.perf_counter() < stop:
            unit = rng.choice(unit_ids)
            began = time.perf_counter()
            try:
                status, _, _ = request(port, "POST", f"/board/units/{unit}/hold", headers, "")
            except OSError:
                with lock:
                    errors[0] += 1
                continue
            local.append((time.perf_counter() - began) * 1000)
            with lock:
                if status >= 500:
                    errors[0] += 1
                elif status == 409:
                    conflicts[0] += 1
                elif status == 200:
                    holds[0] += 1
                    if unit in holders:
                        double[0] += 1  # two clients hold the same unit at once
                    holders[unit] = index
            if status == 200:
                with lock:
                    holders.pop(unit, None)  # forget it before the release can commit
                status, _, _ = request(port, "POST", f"/board/units/{unit}/cancel-hold",
                                       headers, "")
                if status >= 500:
                    with lock:
                        errors[0] += 1
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    figures = summarise(latencies, time.perf_counter() - began, errors[0])
    figures.update(holds=holds[0], conflicts=conflicts[0], double=double[0],
                   holds_per_s=holds[0] / (time.perf_counter() - began))
    return figures


def double_holds_in_audit(path):
    """Two unit_hold rows for one unit with no release between them: a double hold."""
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT object_id, action FROM audit_log WHERE action IN "
                        "('unit_hold', 'unit_cancel_hold', 'unit_hold_expired') ORDER BY id")
    held, double = set(), 0
    for unit, action in rows:
        if action == "unit_hold":
            double += unit in held
            held.add(unit)
        else:
            held.discard(unit)
    conn.close()
    return double


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="3 s per page, 10 s of holds")
    args = parser.parse_args()
    seconds, concurrency = (3, 8) if args.quick else (10, 16)
    race_seconds, clients, consultants = (10, 200, 50) if args.quick else (30, 200, 200)
    started = time.perf_counter()
    print(f"board benchmark: {BUILDINGS}×{FLOORS}×{STACKS} units, {seconds} s per page "
          f"measurement, {concurrency} clients, gunicorn 2 sync workers", flush=True)
    hello = hello_baseline(seconds, concurrency)
    show("bare Flask hello-world", hello)
    env, path, project_id, building_id, unit_ids = build_project(consultants)
    with Server("bench.board:make_app()", env=env) as server:
        cookie, _ = login(server.port, "secretary", PASSWORD)
        auth = {"Cookie": cookie}
        _, _, page = request(server.port, "GET", "/board", auth)
        tag = re.search(rb'data-etag="([^"]+)"', page).group(1).replace(b"&#34;", b'"').decode()
        whole = load(server.port, "/board", seconds, concurrency, auth)
        show("whole board (3,000 units)", whole)
        memory = load(server.port, "/bench/board-from-memory", seconds, concurrency, auth)
        show("same HTML from memory (limit)", memory)
        building = load(server.port, f"/board?building={building_id}", seconds, concurrency, auth)
        show("one building (300 units)", building)
        poll = load(server.port, f"/board/poll?project={project_id}", seconds, concurrency,
                    {**auth, "If-None-Match": tag}, expect=(304,))
        show("unchanged poll (304)", poll)
        sessions = [login(server.port, f"c{i:03d}", PASSWORD) for i in range(consultants)]
        race = hold_race(server.port, sessions, unit_ids[:300], race_seconds, clients)
    race["double"] += double_holds_in_audit(path)
    ratios = {"poll": poll["rps"] / hello["rps"], "board": whole["rps"] / memory["rps"],
              "building": building["rps"] / hello["rps"]}
    print(f"  ratios: poll/hello {ratios['poll']:.2f} (target ≥ 0.50), board/render "
          f"{ratios['board']:.2f} (≥ 0.85), building/hello {ratios['building']:.2f} (≥ 0.20)")
    print(f"  holds: {clients} clients on 300 units for {race_seconds} s: {race['requests']} "
          f"attempts ({race['rps']:.1f}/s), {race['holds']} won "
          f"({race['holds_per_s']:.1f} holds/s), "
          f"{race['conflicts']} told 已被保留; p50 {race['p50']:.0f} ms, p95 {race['p95']:.0f} ms, "
          f"p99 {race['p99']:.0f} ms; 5xx {race['errors']}; double holds {race['double']}")
    errors = sum(f["errors"] for f in (hello, whole, memory, building, poll, race))
    print(f"  ({time.perf_counter() - started:.0f} s in all)")
    print(f"RESULT poll_ratio={ratios['poll']:.2f} board_vs_render={ratios['board']:.2f} "
          f"building_ratio={ratios['building']:.2f} hold_p95_ms={race['p95']:.0f} "
          f"errors_5xx={errors} double={race['double']}")
    return 1 if errors or race["double"] else 0


if __name__ == "__main__":
    sys.exit(main())
