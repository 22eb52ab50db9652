"""Known vulnerabilities in the installed (pinned) packages, from PyPI's advisory data.

    .venv/bin/python scripts/audit_deps.py        (make audit; CI runs it)

The same source pip-audit reads by default: PyPI's JSON API lists the advisories (PYSEC, GHSA,
OSV) that affect a release. pip-audit asks the per-release URL, which some mirrors and proxies
do not serve (this machine's answers 404); this script asks it first and falls back to the
project URL, which carries the advisories of the newest release, when that is the pinned one.
Exits 1 when any installed package has a known vulnerability, 0 otherwise; a package it cannot
check (PyPI unreachable, an older pin behind a proxy) is listed as unchecked, not passed.
"""
import json
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

PYPI = "https://pypi.org/pypi"


def installed():
    """(name, version) of every package in this environment, as pip freeze lists them."""
    out = subprocess.run([sys.executable, "-m", "pip", "freeze", "--all"], check=True,
                         capture_output=True, text=True).stdout
    return [tuple(line.split("==", 1)) for line in out.splitlines() if "==" in line]


def _json(url):
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return json.load(response)
    except (urllib.error.URLError, TimeoutError, ValueError):
        return None


def advisories(package):
    """(name, version, [advisory ids] or None when it could not be checked)."""
    name, version = package
    data = _json(f"{PYPI}/{name}/{version}/json")
    if data is None:
        data = _json(f"{PYPI}/{name}/json")
        if data is None or data["info"]["version"] != version:
            return name, version, None
    found = [v.get("id") for v in data.get("vulnerabilities", [])
             if not v.get("withdrawn")]
    return name, version, found


def main():
    packages = installed()
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(advisories, packages))
    vulnerable = [(n, v, ids) for n, v, ids in results if ids]
    unchecked = [(n, v) for n, v, ids in results if ids is None]
    for name, version, ids in vulnerable:
        print(f"VULNERABLE {name}=={version}: {', '.join(ids)}")
    if unchecked:
        print("unchecked (PyPI gave no data for this release): "
              + ", ".join(f"{n}=={v}" for n, v in unchecked))
    checked = len(results) - len(unchecked)
    print(f"dependency audit: {checked} of {len(results)} installed packages checked against "
          f"PyPI advisories, {len(vulnerable)} with known vulnerabilities")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
