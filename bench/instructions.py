"""Instructions per request, counted by callgrind in process: the steady figure.

    python bench/instructions.py [--quick] [--engine sqlite|postgresql] [--root CHECKOUT]

The load benchmarks measure CPU time, which moves by up to 2x within the hour on a shared
machine. An instruction count does not: each request below runs in this process through
Flask's test client on the demo project, with callgrind's instrumentation switched on only
around the measured loop (`callgrind_control`), and the count divided by the requests. A
bare-Flask hello-world is counted the same way, so every figure also reads as hello-worlds.

- hello: the bare-Flask hello-world (bench/hello.py)
- page: a logged-in GET of a view that does nothing (the session, its user, the headers)
- floor: a POST that passes a hold's checks (CSRF, the role) and does nothing
- panel: a consultant opening a unit's panel (htmx)
- move: a hold or a release from the panel (htmx), the two in turns

`--root` counts another checkout (a `git worktree` of an older commit, say) with this
script, on a database its own migrations built: the before and after of a change. Needs
Debian's valgrind; without it the script says so and stops. Ends with one RESULT line.
"""
import argparse
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
KINDS = ("hello", "page", "floor", "panel", "move")
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/h_launch_bench")


def database(engine, root):
    """(env, consultant's username and password): the demo project, migrated by `root`."""
    instance = Path(tempfile.mkdtemp(prefix="anchang-instructions-"))
    if engine == "sqlite":
        url = f"sqlite:///{instance / 'bench.db'}"
    else:
        import psycopg
        server = PG_URL.rsplit("/", 1)[0]
        url = f"{server}/h_instructions_bench"
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS h_instructions_bench")
            conn.execute("CREATE DATABASE h_instructions_bench")
    env = {**os.environ, "DATABASE_URL": url, "ANCHANG_INSTANCE": str(instance),
           "FLASK_APP": "wsgi"}
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=root, env=env, check=True,
                   capture_output=True)
    out = subprocess.run([str(BIN / "flask"), "demo-data"], cwd=root, env=env, check=True,
                         capture_output=True, text=True).stdout
    consultant = next(line.split()[1:3] for line in out.splitlines()
                      if line.split()[:1] == ["consultant"])
    return env, consultant


def count(kind, requests, root, env, consultant):
    """Instructions per request of `kind`, from a child process under callgrind."""
    with tempfile.TemporaryDirectory() as place:
        out = Path(place) / "callgrind.out"
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no",
             f"--callgrind-out-file={out}", str(BIN / "python"), str(Path(__file__).resolve()),
             "--child", kind, "--requests", str(requests), "--root", str(root)],
            env={**env, "PYTHONHASHSEED": "0", "BENCH_USER": consultant[0],
                 "BENCH_PASSWORD": consultant[1]},
            capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{kind}: the child failed\n{done.stderr[-3000:]}")
        totals = re.search(r"^totals:\s+(\d+)", out.read_text(), re.M)
    return int(totals.group(1)) / requests


def child(kind, requests, root):
    """Run under callgrind: set up, warm up, then `requests` requests with instrumentation."""
    sys.path.insert(0, str(root))
    os.chdir(root)
    run = requests_of(kind)
    for _ in range(20):  # warm: templates compiled, statements cached, kept rows read
        run()
    # What the process holds now lives as long as it does: frozen, as gunicorn's workers
    # freeze what they loaded (gunicorn.conf.py). Otherwise a full collection walking it
    # lands in the count or not as allocations happen to fall (one added 1.7 M per request
    # to 50 panels on PostgreSQL, and to nothing else).
    gc.collect()
    gc.freeze()
    pid = str(os.getpid())
    subprocess.run(["callgrind_control", "-i", "on", pid], check=True, capture_output=True)
    for _ in range(requests // (2 if kind == "move" else 1)):
        run()
    subprocess.run(["callgrind_control", "-i", "off", pid], check=True, capture_output=True)


def requests_of(kind):
    """A function making one request of `kind` (a hold and a release for "move")."""
    if kind == "hello":
        from bench.hello import app as hello
        client = hello.test_client()
        return lambda: expect(client.get("/"), 200)
    from flask_login import login_required

    from app import create_app, sessions
    from app.policy import require
    app = create_app()
    app.config["SESSION_COOKIE_SECURE"] = False
    # What the app keeps for a few seconds (the active users, the board's tag) or renews
    # every 30 s (the session's idle clock) would be read or signed again as often as the
    # run is slow under valgrind: the count would follow the machine. Not during a count.
    app.config["POLL_TAG_SECONDS"] = 3600
    sessions.SEEN_AT_STEP = 3600
    app.add_url_rule("/bench/page", "bench_page", login_required(lambda: ""))
    app.add_url_rule("/bench/floor", "bench_floor", require("unit.hold")(lambda: ""),
                     methods=["POST"])
    client, environ = app.test_client(), {"REMOTE_ADDR": "127.0.0.1"}
    page = client.get("/login", environ_base=environ).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    expect(client.post("/login", environ_base=environ, data={
        "csrf_token": token, "username": os.environ["BENCH_USER"],
        "password": os.environ["BENCH_PASSWORD"]}), 302)
    board = client.get("/board", environ_base=environ).text
    headers = {"HX-Request": "true", "X-CSRFToken": re.search(  # the page's hx-headers
        r'"X-CSRFToken": "([^"]+)"', board).group(1)}
    unit = int(re.search(r'id="u-(\d+)" class="(?:mini|cell) s-available', board).group(1))
    if kind == "page":
        return lambda: expect(client.get("/bench/page", environ_base=environ), 200)
    if kind == "floor":
        return lambda: expect(client.post("/bench/floor", headers=headers,
                                          environ_base=environ), 200)
    if kind == "panel":
        return lambda: expect(client.get(f"/board/unit?unit={unit}", environ_base=environ,
                                         headers={"HX-Request": "true"}), 200)

    def move():
        expect(client.post(f"/board/units/{unit}/hold", headers=headers,
                           environ_base=environ), 200)
        expect(client.post(f"/board/units/{unit}/cancel-hold", headers=headers,
                           environ_base=environ), 200)
    return move


def expect(response, status):
    if response.status_code != status:
        raise SystemExit(f"{response.request.path}: {response.status_code}, not {status}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="50 requests of each kind")
    parser.add_argument("--engine", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--root", default=str(HERE), help="the checkout to count")
    parser.add_argument("--kinds", default=",".join(KINDS),
                        help="the kinds to count, comma-separated (hello is always counted)")
    parser.add_argument("--child", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--requests", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    root = Path(args.root).resolve()
    if args.child:
        child(args.child, args.requests, root)
        return 0
    if not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        print("instructions benchmark: valgrind not found (Debian: apt-get install valgrind); "
              "nothing counted")
        return 0
    requests = 50 if args.quick else 200
    print(f"instructions benchmark: {root}, {args.engine}, {requests} requests of each kind, "
          "callgrind in process")
    env, consultant = database(args.engine, root)
    figures = {}
    asked = args.kinds.split(",")
    kinds = ["hello"] + [kind for kind in KINDS[1:] if kind in asked]
    for kind in kinds:
        figures[kind] = count(kind, requests, root, env, consultant)
        print(f"   {kind:<6} {figures[kind] / 1e6:7.2f} M instructions per request "
              f"({figures[kind] / figures['hello']:5.1f} hello-world requests)", flush=True)
    print("RESULT " + " ".join(f"{kind}_M={figures[kind] / 1e6:.2f}" for kind in kinds)
          + (f" move_per_hello={figures['move'] / figures['hello']:.1f}" if "move" in figures
             else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
