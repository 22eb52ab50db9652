"""Importing a large 房源表: check + preview, then apply, against the bare-Flask baseline.

    python bench/unit_import.py [--quick]

Serves the demo project (SQLite) with gunicorn (2 sync workers), uploads a sheet of 10
buildings × 50 floors × 10 units (5,000 rows; --quick: 2 buildings, 1,000 rows) through the
real import page as a secretary does, and applies the preview. Prints the seconds of each step,
rows per second, and each step as a multiple of one bare-Flask hello-world request measured in
the same run. Ends with one RESULT line.
"""
import argparse
import io
import re
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook  # noqa: E402

from bench.harness import Server, demo_database, hello_baseline, login, request, show  # noqa: E402

HEADER = ["楼栋", "楼层", "房号", "户型", "建筑面积(㎡)", "套内面积(㎡)", "朝向", "单价(元/㎡)",
          "总价(元)"]
SECONDS_GOAL = 10  # each step, for 5,000 rows, on this 2-core machine


def sheet(buildings, floors=50, stacks=10):
    """A 房源表 as an office writes one: a title row, the header, one row per unit."""
    workbook = Workbook()
    rows = workbook.active
    rows.append(["二期 房源表"])
    rows.append(HEADER)
    for building in range(1, buildings + 1):
        for floor in range(1, floors + 1):
            for stack in range(1, stacks + 1):
                rows.append([f"二期{building}栋", floor, f"{floor}{stack:02d}", "三室两厅两卫",
                             "118.52", "94.10", "南北", f"{20000 + floor * 50:,}", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def multipart(fields, filename, data):
    """A multipart/form-data body with text `fields` and one file."""
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             .encode() for name, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="{filename}"\r\nContent-Type: application/vnd.openxmlformats-'
                 'officedocument.spreadsheetml.sheet\r\n\r\n'.encode('utf-8') + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def import_sheet(port, cookie, token, data):
    """Upload, then apply; (seconds to check and preview, seconds to apply, statuses)."""
    body, content_type = multipart({"csrf_token": token}, "房源表.xlsx", data)
    headers = {"Cookie": cookie, "X-CSRFToken": token, "HX-Request": "true",
               "Content-Type": content_type}
    began = time.perf_counter()
    status, _, page = request(port, "POST", "/board/import", headers, body)
    checked = time.perf_counter()
    found = re.search(rb"/board/import/(\d+)/apply", page)
    if status != 200 or not found:
        return checked - began, 0.0, (status, None)
    applied, _, _ = request(port, "POST", f"/board/import/{found.group(1).decode()}/apply", {
        "Cookie": cookie, "X-CSRFToken": token,
        "Content-Type": "application/x-www-form-urlencoded"}, f"csrf_token={token}")
    return checked - began, time.perf_counter() - checked, (status, applied)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="1,000 rows instead of 5,000")
    args = parser.parse_args()
    buildings = 2 if args.quick else 10
    rows = buildings * 500
    print(f"unit import benchmark: {rows} rows, gunicorn 2 sync workers, SQLite")
    hello = hello_baseline(3, 1)
    show("bare Flask hello-world (1 client)", hello)
    hello_ms = 1000 / hello["rps"]
    data = sheet(buildings)
    env, logins = demo_database()
    with Server("wsgi:app", env=env) as server:
        cookie, token = login(server.port, *logins["secretary"])
        check, apply, statuses = import_sheet(server.port, cookie, token, data)
    ok = statuses == (200, 302)
    print(f"  check + preview {check:6.2f} s  ({rows / check:7.0f} rows/s, "
          f"{check * 1000 / hello_ms:8.0f} hello-world requests)")
    print(f"  apply           {apply:6.2f} s  ({rows / apply if apply else 0:7.0f} rows/s, "
          f"{apply * 1000 / hello_ms:8.0f} hello-world requests)")
    goal = SECONDS_GOAL * rows / 5000
    met = ok and check < goal and apply < goal
    print(f"RESULT rows={rows} check={check:.2f}s apply={apply:.2f}s statuses={statuses} "
          f"goal=<{goal:.0f}s each {'MET' if met else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
