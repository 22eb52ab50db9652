"""Benchmark harness: serve an app with gunicorn, drive it with concurrent clients, print figures.

Every benchmark measures a bare-Flask hello-world under the same server settings in the same
run, so the figures carry a ratio that means something on whatever machine runs them.
The load comes from threads in this process over loopback only (127.0.0.1).
"""
import http.client
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with sync workers on a free loopback port; a context manager."""

    def __init__(self, target, workers=2, env=None, cwd=ROOT):
        self.port = free_port()
        self.target, self.workers, self.cwd = target, workers, cwd
        self.env = {**os.environ, **(env or {})}
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", str(self.workers), "--bind",
             f"127.0.0.1:{self.port}", "--log-level", "warning", self.target],
            cwd=self.cwd, env=self.env)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.target} did not start")

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            # a sync worker can sit on a browser's idle pre-opened connection until gunicorn's
            # graceful timeout (30 s); the figures are taken, so stop it now
            self.proc.kill()
            self.proc.wait(10)


def request(port, method, path, headers=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def keep_cookie(headers, response_headers):
    """Take a renewed session cookie as a browser does: the server re-signs the session when
    its idle clock moves on (every 30 s of activity), and a client that kept sending the old
    cookie would make it re-sign on every request after that."""
    renewed = response_headers.get("Set-Cookie")
    if renewed and "Cookie" in headers:
        headers["Cookie"] = renewed.split(";")[0]


def login(port, username, password):
    """Log in through the real form; returns the Cookie header and a CSRF token."""
    status, headers, body = request(port, "GET", "/login")
    cookie = headers["Set-Cookie"].split(";")[0]
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body).group(1).decode()
    form = urlencode({"csrf_token": token, "username": username, "password": password})
    status, headers, _ = request(port, "POST", "/login", {
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}, form)
    assert status == 302, f"login failed: {status}"
    cookie = headers["Set-Cookie"].split(";")[0]
    _, headers, body = request(port, "GET", "/", {"Cookie": cookie})
    token = re.search(rb'"X-CSRFToken": "([^"]+)"', body).group(1).decode()
    # The page put the CSRF secret into the session: keep the cookie that carries it.
    cookie = headers.get("Set-Cookie", cookie).split(";")[0]
    return cookie, token


def load(port, path, seconds, concurrency, headers=None, expect=(200,)):
    """GET `path` from `concurrency` threads for `seconds`; latency percentiles in ms."""
    latencies, errors, unexpected = [], [0], [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker():
        local, errs, odd = [], 0, 0
        while time.perf_counter() < stop:
            start = time.perf_counter()
            try:
                status, _, _ = request(port, "GET", path, headers)
            except OSError:
                errs += 1
                continue
            local.append((time.perf_counter() - start) * 1000)
            if status >= 500:
                errs += 1
            elif status not in expect:
                odd += 1
        with lock:
            latencies.extend(local)
            errors[0] += errs
            unexpected[0] += odd

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return summarise(latencies, elapsed, errors[0], unexpected[0])


def summarise(latencies, elapsed, errors=0, unexpected=0):
    latencies = sorted(latencies)

    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] if latencies else 0.0

    return {"requests": len(latencies), "rps": len(latencies) / elapsed if elapsed else 0.0,
            "p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99), "errors": errors,
            "unexpected": unexpected}


def show(name, figures):
    print(f"  {name:<34} {figures['rps']:8.1f} req/s   p50 {figures['p50']:6.1f} ms   "
          f"p99 {figures['p99']:6.1f} ms   5xx/err {figures['errors']}"
          + (f"   unexpected {figures['unexpected']}" if figures.get("unexpected") else ""),
          flush=True)


def hello_baseline(seconds, concurrency, workers=2):
    """Bare Flask hello-world under the same server settings, with the server's CPU per
    request in ms ('cpu_ms'): the unit the benchmarks state their costs in under load. (A
    request sent alone is compared with hello-worlds sent alone at the same moment:
    launch_day.HelloBeside.)"""
    with Server("bench.hello:app", workers=workers) as server:
        before = cpu_seconds(server.proc.pid)
        figures = load(server.port, "/", seconds, concurrency)
        cpu = cpu_seconds(server.proc.pid) - before
    return {**figures, "cpu_ms": cpu / max(1, figures["requests"]) * 1000}


def machine_cpu_seconds():
    """Busy CPU seconds of the whole machine, all cores (/proc/stat): the app, the database,
    the load generator and anything else running."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """CPU time of gunicorn: the master and its workers (found by parent pid), every thread.

    From /proc/<pid>/task/<tid>/schedstat (nanoseconds on a CPU) where the kernel keeps it:
    the per-request probes read it around single requests, and /proc/<pid>/stat counts in
    10 ms ticks, which made one request's figure a coin toss between 0 and 10 ms."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) != pid and int(fields[1]) != pid:
            continue
        try:
            total += sum(int((task / "schedstat").read_text().split()[0])
                         for task in (stat.parent / "task").iterdir()) / 1e9
        except (OSError, ValueError, IndexError):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def demo_database():
    """A fresh SQLite database, migrated, with the demo project; returns (env, logins)."""
    instance = Path(tempfile.mkdtemp(prefix="anchang-bench-"))
    env = {"DATABASE_URL": f"sqlite:///{instance / 'bench.db'}", "ANCHANG_INSTANCE": str(instance),
           "FLASK_APP": "wsgi"}
    run_env = {**os.environ, **env}
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=run_env, check=True,
                   capture_output=True)
    out = subprocess.run([str(BIN / "flask"), "demo-data"], cwd=ROOT, env=run_env, check=True,
                         capture_output=True, text=True).stdout
    logins = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] in {"consultant", "secretary", "finance", "manager",
                                            "admin"}:
            logins.setdefault(parts[0], (parts[1], parts[2]))
    return env, logins


def insert_unit_grid(project, buildings, floors, stacks):
    """Bulk-insert buildings × floors × stacks withheld units into `project` (bench fixture
    data, not under test); the caller releases them through the status service."""
    from decimal import Decimal

    from sqlalchemy import insert

    from app.extensions import db
    from app.models import Building, Unit, UnitStatus
    rows = []
    for b in range(buildings):
        building = Building(project_id=project.id, name=f"{b + 1}栋", sort_order=b)
        db.session.add(building)
        db.session.flush()
        for floor in range(1, floors + 1):
            for stack in range(1, stacks + 1):
                area = Decimal("89.36") + stack * 10
                price = Decimal(20000 + floor * 60)
                rows.append({"building_id": building.id, "floor": floor,
                             "unit_no": f"{floor}{stack:02d}", "layout": "三室两厅两卫",
                             "building_area": area, "unit_price": price,
                             "total_price": (price * area).quantize(Decimal("1")),
                             "status": UnitStatus.WITHHELD, "hold_extended": False,
                             "board_version": 0, "status_changed_at": project.created_at})
    db.session.execute(insert(Unit), rows)


class Spy:
    """py-spy on every gunicorn worker while the block runs (`--spy`); then the frames most
    often on the stack of a request, as a share of the samples taken inside requests.

    A diagnosis aid, not a figure: sampling costs the workers a little CPU, so the run's
    RESULT line is taken without it. py-spy comes with requirements-dev.txt."""

    def __init__(self, master_pid, label, top=15, rate=100):
        self.master_pid, self.label, self.top, self.rate = master_pid, label, top, rate
        self.procs, self.files = [], []

    def __enter__(self):
        spy = BIN / "py-spy"
        if not spy.exists():
            print(f"   py-spy not found at {spy}: pip install py-spy (requirements-dev.txt)")
            return self
        folder = Path(tempfile.mkdtemp(prefix="anchang-spy-"))
        for pid in worker_pids(self.master_pid):
            out = folder / f"{pid}.txt"
            self.files.append(out)
            self.procs.append(subprocess.Popen(
                [str(spy), "record", "--pid", str(pid), "--rate", str(self.rate), "--format",
                 "raw", "--nonblocking", "--output", str(out)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        return self

    def __exit__(self, *exc):
        for proc in self.procs:
            proc.send_signal(2)  # py-spy writes its file on Ctrl-C
        for proc in self.procs:
            proc.wait(30)
        if self.files:
            print(top_frames(self.files, self.label, self.top), flush=True)


def worker_pids(master_pid):
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master_pid:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return pids


def top_frames(files, label, top):
    """Inclusive share of each frame over the samples taken inside a request (py-spy raw:
    one 'frame;frame;... count' line per stack)."""
    inclusive, own, total = {}, {}, 0
    for path in files:
        if not Path(path).exists():
            continue
        for line in Path(path).read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            frames = stack.split(";")
            if not any("handle_request" in frame for frame in frames):
                continue  # idle: a worker waiting in accept or select
            count = int(count)
            total += count
            own[frames[-1]] = own.get(frames[-1], 0) + count
            for frame in set(frames):
                inclusive[frame] = inclusive.get(frame, 0) + count
    if not total:
        return f"   py-spy ({label}): no samples inside requests"
    ours = sorted(((n, f) for f, n in inclusive.items() if "(app/" in f), reverse=True)
    leaves = sorted(((n, f) for f, n in own.items()), reverse=True)
    lines = [f"   py-spy ({label}): {total} samples inside requests"]
    for title, rows in (("the app's own frames, % of samples with the frame on the stack", ours),
                        ("where the samples end, % (waits included)", leaves)):
        lines.append(f"     {title}:")
        lines += [f"     {100 * count / total:5.1f}  {frame[:110]}" for count, frame in rows[:top]]
    return "\n".join(lines)
