"""Launch day 开盘 under load, on SQLite and on PostgreSQL, against the bare-Flask baseline.

    python bench/launch_day.py [--quick | --heavy] [--engines sqlite,postgresql] [--workers 4]

Per engine: a 3,000-unit project (10 buildings × 30 floors × 10 units) with 300 units
released, a lottery launch with 300 confirmed registrations, drawn and in selection; served
by gunicorn (sync workers). Then for 5 minutes (60 s with --quick; --heavy: twice the
consultants and boards for 120 s):

- 200 simulated consultants, each acting every 2–6 s: hold a unit (and let it go again), or,
  when a buyer has been called, pick a unit for them at a console desk. 50 of them hot-spot
  on the same 10 units; the others spread over the 300.
- a secretary calls the next buyer at the pace that sells the released units in the run;
- 200 boards (showing 1栋, where the released units are) poll /board/poll every 2 s with
  If-None-Match (304 while nothing changed);
- 2 hall displays 销控大屏 (/display/<token>) and 2 launch hall screens 开盘大屏
  (/launch-hall/<token>) poll the same way, as their pages do.

Prints holds and picks per second, p50/p95/p99 per action, 5xx, double sales (checked in
the database afterwards), staleness (the longest time any board or hall screen still showed
a state older than the database's: measured against a 10 Hz sampler of the board counter),
the server's CPU use, and ends with one RESULT line per engine. Before the rush it probes what
a poll, a hold, a release, the floor under a move and a panel cost the server each, alone and
in a stream; after it, a call (叫号) and a pick (选房) alone (they use up the launch's buyers
and units); each also in bare-Flask hello-world requests measured the same way.
"""
import argparse
import os
import queue
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    BIN,
    ROOT,
    Server,
    Spy,
    cpu_seconds,
    hello_baseline,
    insert_unit_grid,
    keep_cookie,
    login,
    machine_cpu_seconds,
    request,
    summarise,
)


class PatientServer(Server):
    """gunicorn that may still be draining a backlog of requests when the rush ends."""

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

BUILDINGS, FLOORS, STACKS = 10, 30, 10
RELEASED, HOT_UNITS, HOT_CLIENTS = 300, 10, 50
CONSULTANTS, BOARDS, DESKS, BUYERS = 200, 200, 8, 300
HALL_SCREENS = 2  # each: a 销控大屏 and a 开盘大屏, from one display link
PASSWORD = "Bench-Launch-2026"
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/h_launch_bench")


# ---------------------------------------------------------------- setup (through services)

def make_app():
    """gunicorn target: the app, with bench users' cheap password hashes left as they are.

    Logging in 200 consultants at full argon2 cost takes minutes on a shared 2-core machine
    and the password cost is not what this measures (the tests do the same)."""
    from app import create_app
    from app.policy import require
    from app.services import auth
    auth.needs_rehash = lambda _hash: False
    app = create_app()
    # The floor under every move, for the probe: a POST that passes what a hold passes (the
    # session with its user and project, CSRF, the role check, the security headers) and
    # then does nothing. Only this bench's app has it.
    app.add_url_rule("/bench/floor", "bench_floor", require("unit.hold")(lambda: ""),
                     methods=["POST"])
    return app


def fresh_database(engine):
    """(env, how to read the board counter) for an empty, migrated database."""
    instance = Path(tempfile.mkdtemp(prefix=f"anchang-launch-{engine}-"))
    if engine == "sqlite":
        url = f"sqlite:///{instance / 'bench.db'}"
    else:
        import psycopg
        base, name = PG_URL.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
        url = PG_URL
    env = {"DATABASE_URL": url, "ANCHANG_INSTANCE": str(instance), "FLASK_APP": "wsgi"}
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env={**os.environ, **env},
                   check=True, capture_output=True)
    return env


def build(env):
    """Users, the project, 300 released units, a drawn launch in selection. Returns ids."""
    os.environ.update(env)
    from argon2 import PasswordHasher
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import Customer, Project, ReceiptBook, Unit, User
    from app.services.board import displays, unit_status
    from app.services.deals.common import new_form_key
    from app.services.launch import launches, lottery, registrations, selection

    app = create_app()
    with app.app_context():
        digest = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
        people = [User(username=f"c{i:03d}", display_name=f"顾问{i:03d}", role="consultant",
                       password_hash=digest) for i in range(CONSULTANTS)]
        people += [User(username=f"desk{i}", display_name=f"秘书{i}", role="secretary",
                        password_hash=digest) for i in range(DESKS)]
        people += [User(username="manager", display_name="刘强", role="manager",
                        password_hash=digest),
                   User(username="finance", display_name="陈静", role="finance",
                        password_hash=digest)]
        db.session.add_all(people)
        project = Project(code="LAUNCH", name="开盘压测花园", hold_minutes=30)
        db.session.add(project)
        db.session.flush()
        insert_unit_grid(project, BUILDINGS, FLOORS, STACKS)
        manager, finance, desk = people[-2], people[-1], people[CONSULTANTS]
        ids = db.session.scalars(select(Unit.id).order_by(Unit.id)).all()
        released = ids[:RELEASED]
        unit_status.transition_many(project.id, released, "release", manager, reason="开盘")
        db.session.add(ReceiptBook(project_id=project.id, first_no=1, last_no=1000,
                                   holder="开盘", registered_by_id=finance.id))
        launch = launches.create(project, name="一期开盘", mode="lottery", amount_text="50000",
                                 window_minutes=3, miss_penalty=3, actor=desk)
        db.session.flush()
        for n in range(BUYERS):
            buyer = Customer(project_id=project.id, name=f"买家{n:03d}",
                             phone=f"137{n:08d}", owner_id=people[n % CONSULTANTS].id)
            db.session.add(buyer)
            db.session.flush()
            entry, _ = registrations.register(
                launch, customer_id=buyer.id, amount_text="50000", method="transfer",
                receipt_no=str(n + 1), layouts=[], consultant_id=None,
                form_key=new_form_key(), actor=desk)
            registrations.confirm(entry, finance)
        lottery.commit(launch, desk)
        lottery.draw(launch, desk)
        selection.start(launch, desk)
        link = displays.create_link(project, "售楼处大厅", False, 10, manager)
        db.session.commit()
        result = {"project": project.id, "launch": launch.id, "released": released,
                  "display": link.token}
        db.engine.dispose()
    return result


# ---------------------------------------------------------------- load

class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = {}
        self.counts = {}
        self.errors = 0

    def add(self, action, ms, status):
        with self.lock:
            self.latency.setdefault(action, []).append(ms)
            key = f"{action}:{status}"
            self.counts[key] = self.counts.get(key, 0) + 1
            if status >= 500:
                self.errors += 1


def timed(recorder, action, port, method, path, headers, body=None):
    began = time.perf_counter()
    try:
        status, response_headers, data = request(port, method, path, headers, body)
    except OSError:
        with recorder.lock:
            recorder.errors += 1
        return 599, {}, b""
    recorder.add(action, (time.perf_counter() - began) * 1000, status)
    keep_cookie(headers, response_headers)
    return status, response_headers, data


def consultant(port, session, desk, units, hot, called, recorder, stop, seed):
    """Hold (and let go) or pick for a called buyer, every 2–6 s, until `stop`."""
    rng = random.Random(seed)
    cookie, token = session
    headers = {"Cookie": cookie, "X-CSRFToken": token, "HX-Request": "true",
               "Content-Type": "application/x-www-form-urlencoded"}
    desk_headers = {"Cookie": desk[0], "X-CSRFToken": desk[1], "HX-Request": "true",
                    "Content-Type": "application/x-www-form-urlencoded"}
    time.sleep(rng.uniform(0, 4))
    while time.time() < stop:
        try:
            entry = called.get_nowait()
        except queue.Empty:
            entry = None
        if entry is not None:
            pick(port, desk_headers, entry, hot if hot else units, units, recorder, rng)
        else:
            unit = rng.choice(hot or units)
            status, _, _ = timed(recorder, "hold", port, "POST", f"/board/units/{unit}/hold",
                                 headers, "")
            if status == 200:
                time.sleep(rng.uniform(0.2, 1.0))  # the customer looks at the unit
                timed(recorder, "release", port, "POST", f"/board/units/{unit}/cancel-hold",
                      headers, "")
        time.sleep(rng.uniform(2, 6))


def pick(port, headers, entry, first_choice, units, recorder, rng):
    """A called buyer tries units until one is theirs (first their favourites)."""
    for attempt in range(6):
        pool = first_choice if attempt < 2 else units
        unit = rng.choice(pool)
        status, _, _ = timed(recorder, "pick", port, "POST", f"/launches/entries/{entry}/pick",
                             headers, urlencode({"unit_id": unit}))
        if status in (302, 303):
            with recorder.lock:
                recorder.counts["picked"] = recorder.counts.get("picked", 0) + 1
            return
        if status >= 500:
            return


def caller(port, desk, launch_id, called, read_called, interval, recorder, stop):
    """The secretary calls the next buyer every `interval` s; called buyers go to `called`."""
    headers = {"Cookie": desk[0], "X-CSRFToken": desk[1], "HX-Request": "true",
               "Content-Type": "application/x-www-form-urlencoded"}
    seen = set()
    while time.time() < stop:
        began = time.time()
        timed(recorder, "call", port, "POST", f"/launches/{launch_id}/do/call", headers, "")
        for entry in read_called():
            if entry not in seen:
                seen.add(entry)
                called.put(entry)
        time.sleep(max(0.0, interval - (time.time() - began)))


def screen_poller(port, action, path, headers, tag, version_at, truth, staleness, recorder,
                  stop, seed):
    """A screen opened before the rush (`tag`): a conditional GET of `path` every 2 s;
    records how long it showed a board older than the database's. `version_at` is where
    the board version sits in the screen's ETag."""
    rng = random.Random(seed)
    shown = int(tag.strip('"').split(".")[version_at])
    time.sleep(rng.uniform(0, 2))
    worst = 0.0
    while time.time() < stop:
        began = time.time()
        status, response_headers, _ = timed(recorder, action, port, "GET", path,
                                            {**headers, "If-None-Match": tag})
        now = time.time()
        newer = truth.first_after(shown)  # when the database first had a newer state
        if newer is not None and newer < now:
            worst = max(worst, now - newer)  # how long this screen showed the old one
        if status in (200, 304) and response_headers.get("ETag"):
            tag = response_headers["ETag"]
            shown = int(tag.strip('"').split(".")[version_at])
        time.sleep(max(0.0, 2.0 - (time.time() - began)))
    with staleness[1]:
        staleness[0].setdefault(action, []).append(worst)


class Truth:
    """Samples the project's board counter 10 times a second: when each version appeared."""

    def __init__(self, read_version):
        self.read_version = read_version
        self.seen = []  # (version, first seen at)
        self.lock = threading.Lock()

    def run(self, stop):
        while time.time() < stop:
            version = self.read_version()
            with self.lock:
                if not self.seen or version > self.seen[-1][0]:
                    self.seen.append((version, time.time()))
            time.sleep(0.1)

    def first_after(self, version):
        with self.lock:
            for seen_version, at in self.seen:
                if seen_version > version:
                    return at
        return None


def readers(env, project_id, launch_id):
    """Direct database reads for the sampler, the caller and the double-sale check."""
    url = env["DATABASE_URL"]
    if url.startswith("sqlite"):
        path = url[len("sqlite:///"):]

        def query(sql, *args):
            conn = sqlite3.connect(path, timeout=30)
            try:
                return conn.execute(sql.replace("%s", "?"), args).fetchall()
            finally:
                conn.close()
    else:
        import psycopg

        def query(sql, *args):
            with psycopg.connect(url) as conn:
                return conn.execute(sql, args).fetchall()

    def version():
        return query("SELECT board_version FROM project WHERE id = %s", project_id)[0][0]

    def called():
        return [row[0] for row in query(
            "SELECT id FROM launch_registration WHERE launch_id = %s AND call_status = 'called'",
            launch_id)]

    return query, version, called


def double_sales(query, project_id):
    """Units sold twice: more than one live deposit, or more than one pick or deposit move."""
    many_deposits = query("SELECT unit_id FROM deposit WHERE project_id = %s AND status != "
                          "'rejected' GROUP BY unit_id HAVING COUNT(*) > 1", project_id)
    many_picks = query("SELECT picked_unit_id FROM launch_registration WHERE picked_unit_id IS "
                       "NOT NULL GROUP BY picked_unit_id HAVING COUNT(*) > 1")
    many_moves = query("SELECT object_id FROM audit_log WHERE action IN ('unit_launch_pick', "
                       "'unit_launch_pick_confirmed', 'unit_record_deposit') GROUP BY object_id "
                       "HAVING COUNT(*) > 1")
    return len({row[0] for row in many_deposits + many_picks}) + len(many_moves)


def free_units(query, project_id):
    """The project's units nobody holds or has picked: the released ones still for sale."""
    return [row[0] for row in query(
        "SELECT unit.id FROM unit JOIN building ON building.id = unit.building_id "
        "WHERE building.project_id = %s AND unit.status = 'available' ORDER BY unit.id",
        project_id)]


def page_tag(port, path, cookie):
    """The ETag a page opened now starts polling with (its data-etag)."""
    _, _, page = request(port, "GET", path, {"Cookie": cookie})
    return re.search(rb'data-etag="([^"]+)"', page).group(1).replace(b"&#34;", b'"').decode()


def probe(port, pid, sessions, tag, units, hello, workers):
    """What one request of each kind costs the server: polls from 16 clients for 4 s, one
    consultant holding and letting go a unit 100 times in a row, then 16 consultants doing
    so at once, each with their own unit, for 4 s. Each cost is also given in bare-Flask
    hello-world requests of the same run (`hello`), measured the same way: a request in a
    stream against hello-worlds in a stream (a request alone costs more: its worker wakes
    for it), and a request sent alone against a hello-world sent alone between them, to a
    hello-world server (the same settings) running beside the app: on this machine the cost
    of a lone request moves by half within minutes, and a ratio of two figures measured
    minutes apart moved with it."""
    from bench.harness import load
    cookie, token = sessions[0]
    project, version, layout, expired = tag.strip('"').split(".")
    behind = f'"{project}.{max(0, int(version) - 20)}.{layout}.{expired}"'  # 20 changes back
    headers = {"Cookie": cookie, "HX-Request": "true"}
    stream = hello["cpu_ms"]
    costs = {}
    for name, etag in (("poll, 20 changes", behind), ("poll, unchanged (304)", tag)):
        before, began = cpu_seconds(pid), time.time()
        figures = load(port, f"/board/poll?project={project}&building=1", 4, 16,
                       {**headers, "If-None-Match": etag}, expect=(200, 304))
        cpu = cpu_seconds(pid) - before
        costs[name] = cpu / max(1, figures["requests"]) * 1000
        print(f"   probe {name:<22} {figures['rps']:6.0f} req/s alone, "
              f"{costs[name]:5.1f} ms server CPU each ({costs[name] / stream:4.1f} hello), "
              f"{cpu / (time.time() - began):.2f} cores", flush=True)

    def moves(session):
        return {"Cookie": session[0], "HX-Request": "true", "X-CSRFToken": session[1],
                "Content-Type": "application/x-www-form-urlencoded"}

    mover = moves(sessions[0])

    paths = {"hold": "/board/units/{}/hold", "release": "/board/units/{}/cancel-hold",
             "floor": "/bench/floor", "panel": "/board/unit?unit={}"}
    what = {"hold": "goal for a hold ≤ 4", "release": "goal ≤ 4",
            "floor": "a POST that passes a hold's checks and does nothing: the floor under it",
            "panel": "opening a unit's panel; a move's answer is the panel, and the board poll "
                     "it triggers no longer fetches it again"}
    spent = dict.fromkeys(paths, 0.0)
    hello = 0.0
    with HelloBeside(workers) as beside:
        for _ in range(100):
            for name, path in paths.items():
                before = cpu_seconds(pid)
                method = "GET" if name == "panel" else "POST"
                status, answer, _ = request(port, method, path.format(units[0]), mover,
                                            "" if method == "POST" else None)
                spent[name] += cpu_seconds(pid) - before
                keep_cookie(mover, answer)
                assert status == 200, f"probe {name}: {status}"
            hello += beside.alone_ms()
    alone = hello / 100
    print(f"   probe hello-world alone      {alone:5.2f} ms server CPU each, sent between the "
          "probes' own requests (the unit of the figures alone below)", flush=True)
    for name, cpu in spent.items():
        costs[name] = cpu / 100 * 1000
        print(f"   probe {name:<22} {costs[name]:5.1f} ms server CPU each alone "
              f"({costs[name] / alone:4.1f} hello-world requests alone; {what[name]}; against "
              f"hello-worlds in a stream, as earlier runs put it: {costs[name] / stream:4.1f})",
              flush=True)
    print(f"   probe a hold's own work     {costs['hold'] - costs['floor']:5.1f} ms "
          f"({(costs['hold'] - costs['floor']) / alone:4.1f} hello alone) above the floor",
          flush=True)
    for name, steps in (("moves in a stream", ("hold", "release")),
                        ("floor in a stream", ("floor",))):
        clients = [(moves(sessions[i]), [paths[step].format(unit) for step in steps])
                   for i, unit in enumerate(units)]
        costs[name] = stream_cost(port, pid, clients)
        print(f"   probe {name:<22} {costs[name]:5.1f} ms server CPU each, {len(units)} "
              f"consultants at once ({costs[name] / stream:4.1f} hello-world requests in a "
              "stream)", flush=True)
    return costs


class HelloBeside(Server):
    """A bare-Flask hello-world server (the app's server settings) beside the app, every
    worker warmed first: its lone requests are the unit of the probes' figures alone."""

    def __init__(self, workers):
        super().__init__("bench.hello:app", workers=workers)

    def __enter__(self):
        super().__enter__()
        for _ in range(20 * self.workers):  # each worker's first requests set Flask up
            request(self.port, "GET", "/")
        return self

    def alone_ms(self):
        """One hello-world sent alone: the server CPU it cost, in ms."""
        before = cpu_seconds(self.proc.pid)
        assert request(self.port, "GET", "/")[0] == 200
        return (cpu_seconds(self.proc.pid) - before) * 1000


def probe_launch(port, pid, desks, launch_id, read_called, unsold, workers, rounds=20):
    """What a call (叫号) and a pick (选房) cost the server alone, measured after the rush
    (they change the launch: before it they would take its buyers and units): the secretary
    calls the next buyer (a POST answered with a redirect to the console), a desk picks a
    free released unit for each buyer the call brought; a hello-world alone after each
    round, to a hello-world server beside the app, as in probe."""
    def headers(desk):
        return {"Cookie": desk[0], "X-CSRFToken": desk[1], "HX-Request": "true",
                "Content-Type": "application/x-www-form-urlencoded"}

    calling, picking = headers(desks[0]), headers(desks[1])
    spent, done = {"call": 0.0, "pick": 0.0}, {"call": 0, "pick": 0}
    hello = 0.0
    seen, units = set(read_called()), unsold()

    def timed_post(kind, path, desk, body=""):
        before = cpu_seconds(pid)
        status, answer, _ = request(port, "POST", path, desk, body)
        spent[kind] += cpu_seconds(pid) - before
        keep_cookie(desk, answer)
        assert status in (302, 303), f"probe {kind}: {status}"
        done[kind] += 1

    with HelloBeside(workers) as beside:
        for _ in range(rounds):
            timed_post("call", f"/launches/{launch_id}/do/call", calling)
            called = [entry for entry in read_called() if entry not in seen]
            seen.update(called)
            for entry in called[:len(units)]:
                timed_post("pick", f"/launches/entries/{entry}/pick", picking,
                           urlencode({"unit_id": units.pop()}))
            hello += beside.alone_ms()
    alone = hello / rounds
    print(f"   probe hello-world alone      {alone:5.2f} ms server CPU each, sent between the "
          "calls and picks below", flush=True)
    for kind in ("call", "pick"):
        if not done[kind]:
            print(f"   probe {kind:<22} none made (no buyer left to call, or no unit)")
            continue
        each = spent[kind] / done[kind] * 1000
        print(f"   probe {kind:<22} {each:5.1f} ms server CPU each alone "
              f"({each / alone:4.1f} hello-world requests alone; {done[kind]} after the rush)",
              flush=True)


def stream_cost(port, pid, clients, seconds=4):
    """Server CPU in ms per request while each client (headers, its POST paths) posts its
    paths in turn, all at once, for `seconds`."""
    counted = [0] * len(clients)
    stop = time.time() + seconds

    def client(i):
        headers, paths = clients[i]
        while time.time() < stop:
            for path in paths:
                status, answer, _ = request(port, "POST", path, headers, "")
                assert status == 200, f"probe {path}: {status}"
                keep_cookie(headers, answer)
                counted[i] += 1

    before = cpu_seconds(pid)
    with ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(client, range(len(clients))))
    return (cpu_seconds(pid) - before) / max(1, sum(counted)) * 1000


HELLO = {}  # a hello-world request's server CPU in ms, measured before each engine's run


def run_engine(engine, seconds, workers, spy=False):
    print(f"\n== {engine}: building the project and the launch ...", flush=True)
    env = fresh_database(engine)
    started = time.time()
    ids = build(env)
    print(f"   setup {time.time() - started:.0f} s: {BUILDINGS * FLOORS * STACKS} units, "
          f"{RELEASED} released, {BUYERS} registrations drawn by lottery", flush=True)
    query, read_version, read_called = readers(env, ids["project"], ids["launch"])
    released = ids["released"]
    hot = released[:HOT_UNITS]
    with PatientServer("bench.launch_day:make_app()", workers=workers, env=env) as server:
        port = server.port
        with ThreadPoolExecutor(4) as pool:
            sessions = list(pool.map(lambda i: login(port, f"c{i:03d}", PASSWORD),
                                     range(CONSULTANTS)))
            desks = list(pool.map(lambda i: login(port, f"desk{i}", PASSWORD), range(DESKS)))
        tags = {path: page_tag(port, path, sessions[0][0])
                for path in ("/board?building=1", f"/display/{ids['display']}",
                             f"/launch-hall/{ids['display']}")}
        tag = tags["/board?building=1"]
        print(f"   {len(sessions) + len(desks)} logins done", flush=True)
        costs = probe(port, server.proc.pid, sessions, tag, released[-16:], HELLO, workers)
        print("   the rush starts", flush=True)
        recorder, truth = Recorder(), Truth(read_version)
        staleness = ({}, threading.Lock())
        called = queue.Queue()
        stop = time.time() + seconds
        interval = seconds / (RELEASED * 0.8)  # sells about 80 % of the released units
        cpu_before, wall_before = cpu_seconds(server.proc.pid), time.time()
        client_before, machine_before = time.process_time(), machine_cpu_seconds()
        threads = [threading.Thread(target=truth.run, args=(stop,)),
                   threading.Thread(target=caller, args=(port, desks[0], ids["launch"], called,
                                                         read_called, interval, recorder, stop))]
        for i in range(CONSULTANTS):
            threads.append(threading.Thread(target=consultant, args=(
                port, sessions[i], desks[1 + i % (DESKS - 1)], released,
                hot if i < HOT_CLIENTS else None, called, recorder, stop, i)))
        for i in range(BOARDS):
            threads.append(threading.Thread(target=screen_poller, args=(
                port, "poll", f"/board/poll?project={ids['project']}&building=1",
                {"Cookie": sessions[i % CONSULTANTS][0], "HX-Request": "true"},
                tag, 1, truth, staleness, recorder, stop, 1000 + i)))
        for i in range(HALL_SCREENS):  # the 销控大屏 (version in place 1), the 开盘大屏 (2)
            for path, version_at in ((f"/display/{ids['display']}", 1),
                                     (f"/launch-hall/{ids['display']}", 2)):
                threads.append(threading.Thread(target=screen_poller, args=(
                    port, "hall", f"{path}/poll", {"HX-Request": "true"}, tags[path],
                    version_at, truth, staleness, recorder, stop, 2000 + i)))
        with Spy(server.proc.pid, f"{engine}, the rush") if spy else nullcontext():
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        elapsed = time.time() - wall_before
        cpu = ((cpu_seconds(server.proc.pid) - cpu_before) / elapsed,
               (time.process_time() - client_before) / elapsed,
               (machine_cpu_seconds() - machine_before) / elapsed)
        probe_launch(port, server.proc.pid, desks, ids["launch"], read_called,
                     lambda: free_units(query, ids["project"]), workers)
    double = double_sales(query, ids["project"])  # the rush's sales and the probe's picks
    need = BOARDS / 2 * costs["poll, 20 changes"] / 1000
    print(f"   cost: {BOARDS} boards polling every 2 s need about {need:.2f} cores for the "
          f"polls alone when every poll carries changes (measured alone, above)", flush=True)
    return report(engine, recorder, elapsed, cpu, double, staleness[0])


def report(engine, recorder, elapsed, cpu, double, staleness):
    """Prints the figures; returns (RESULT line, 5xx, double sales). Staleness is the worst
    over every screen: the consultants' boards and the hall screens."""
    stale = max((worst for worsts in staleness.values() for worst in worsts), default=0.0)
    counts = recorder.counts
    holds = counts.get("hold:200", 0)
    picks = counts.get("picked", 0)
    print(f"   {engine}: {elapsed:.0f} s, holds {holds} ({holds / elapsed:.1f}/s, "
          f"{counts.get('hold:409', 0)} told 已被保留), picks {picks} ({picks / elapsed:.2f}/s, "
          f"{counts.get('pick:422', 0)} lost a race or a window)", flush=True)
    figures = {}
    for action in ("hold", "release", "pick", "call", "poll", "hall"):
        f = summarise(recorder.latency.get(action, []), elapsed)
        figures[action] = f
        extra = ""
        if action in ("poll", "hall"):
            extra = (f"   304 {counts.get(action + ':304', 0)} / 200 "
                     f"{counts.get(action + ':200', 0)}   stale ≤ "
                     f"{max(staleness.get(action) or [0.0]):.1f} s")
        print(f"   {action:<8} {f['requests']:6d} req {f['rps']:7.1f}/s   p50 {f['p50']:6.0f} ms"
              f"   p95 {f['p95']:6.0f} ms   p99 {f['p99']:6.0f} ms{extra}", flush=True)
    print(f"   5xx {recorder.errors}; double sales in the database {double}; staleness of "
          f"every screen {stale:.1f} s (target ≤ 3); server CPU {cpu[0]:.2f} cores, "
          f"this load generator "
          f"{cpu[1]:.2f} cores; the whole machine (app, database, load generator) "
          f"{cpu[2]:.2f} of its {os.cpu_count()} cores (goal ≤ 1.4)", flush=True)
    return (f"RESULT engine={engine} hold_p95_ms={figures['hold']['p95']:.0f} "
            f"pick_p95_ms={figures['pick']['p95']:.0f} errors_5xx={recorder.errors} "
            f"double={double} staleness_s={stale:.1f} machine_cpu_cores={cpu[2]:.2f}"
            ), recorder.errors, double


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="60 s per engine instead of 300")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--seconds", type=int, help="override the run length per engine")
    parser.add_argument("--consultants", type=int, help="fewer consultants (to see costs)")
    parser.add_argument("--boards", type=int, help="fewer polling boards (to see costs)")
    parser.add_argument("--spy", action="store_true",
                        help="py-spy the workers during the rush and print the top frames "
                             "(costs them some CPU: not for the RESULT figures)")
    parser.add_argument("--heavy", action="store_true",
                        help="twice the crowd: 400 consultants and 400 boards for 120 s")
    args = parser.parse_args()
    global CONSULTANTS, BOARDS
    if args.heavy:
        CONSULTANTS, BOARDS = 400, 400
    CONSULTANTS = args.consultants if args.consultants is not None else CONSULTANTS
    BOARDS = args.boards if args.boards is not None else BOARDS
    seconds = args.seconds or (60 if args.quick else 120 if args.heavy else 300)
    print(f"launch-day benchmark: {BUILDINGS * FLOORS * STACKS} units, {RELEASED} released, "
          f"{CONSULTANTS} consultants ({HOT_CLIENTS} on {HOT_UNITS} units), {BOARDS} boards "
          f"polling every 2 s, {seconds} s per engine, gunicorn {args.workers} sync workers")
    lines, failed = [], False
    for engine in args.engines.split(","):
        # measured again before each engine: this machine's speed moves within minutes, and
        # the probes' ratios should compare costs of the same few minutes (a request alone:
        # against hello-worlds sent alone between the probe's own requests, see probe)
        hello = hello_baseline(5 if args.quick else 10, 16, workers=args.workers)
        HELLO.update(hello)
        print(f"   bare Flask hello-world: {hello['rps']:.0f} req/s, p50 {hello['p50']:.1f} ms, "
              f"p99 {hello['p99']:.1f} ms, {hello['cpu_ms']:.2f} ms server CPU each "
              "(16 clients, same server settings)", flush=True)
        line, errors, double = run_engine(engine.strip(), seconds, args.workers, args.spy)
        lines.append(line)
        failed = failed or errors or double
    print()
    for line in lines:
        print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
