"""scripts/audit_deps.py (pip-audit): a known advisory fails the audit, a release the index
has no page for is read from the project page when it is the newest, and anything else the
index does not answer is listed as unchecked, not passed. No network: the HTTP session is fake."""
import importlib.util
import os
from pathlib import Path

import pip_audit._service.pypi
import pytest
import requests
from packaging.version import Version
from pip_audit._service import ResolvedDependency

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_deps.py"
spec = importlib.util.spec_from_file_location("audit_deps", SCRIPT)
audit_deps = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit_deps)

API = "https://index.example/pypi"


def advisory(id_, withdrawn=None):
    return {"id": id_, "aliases": [], "fixed_in": ["9.9"], "summary": "x", "withdrawn": withdrawn}


PAGES = {
    f"{API}/flask/3.1.3/json": {"info": {"version": "3.1.3"}, "vulnerabilities": []},
    # this index answers only the project page, whose newest release is the pinned one
    f"{API}/jinja2/json": {"info": {"version": "3.1.2"}, "vulnerabilities": [
        advisory("GHSA-h5c8-rqwp-cp95"), advisory("PYSEC-OLD", withdrawn="2024-01-01")]},
    # the pin is older than the newest release: the project page says nothing about it
    f"{API}/oldpkg/json": {"info": {"version": "2.0"}, "vulnerabilities": []},
}


class Response:
    def __init__(self, url):
        self.url, self.data = url, PAGES.get(url)
        self.status_code = 200 if self.data is not None else 404
        self.ok = self.status_code == 200

    def json(self):
        return self.data

    def raise_for_status(self):
        if not self.ok:
            raise requests.HTTPError(f"{self.status_code} for {self.url}", response=self)


class Session:
    def __init__(self):
        self.asked = []

    def get(self, url, **kwargs):
        self.asked.append(url)
        if "unreachable" in url:
            raise requests.ConnectionError("index out of reach")
        return Response(url)


@pytest.fixture
def session(monkeypatch):
    fake = Session()
    monkeypatch.setattr(pip_audit._service.pypi, "caching_session", lambda cache_dir: fake)
    monkeypatch.setattr(audit_deps, "json_api", lambda: API)
    return fake


def pins(*pairs):
    return lambda: [ResolvedDependency(name=n, version=Version(v)) for n, v in pairs]


def test_advisories_fail_the_audit_and_unknown_releases_are_listed(monkeypatch, capsys, session):
    monkeypatch.setattr(audit_deps, "installed", pins(
        ("flask", "3.1.3"), ("jinja2", "3.1.2"), ("oldpkg", "1.0"), ("unreachable", "1.0")))
    assert audit_deps.main() == 1
    out = capsys.readouterr().out
    assert "VULNERABLE jinja2==3.1.2: GHSA-h5c8-rqwp-cp95" in out and "PYSEC-OLD" not in out
    assert ("unchecked (PyPI gave no data for this release): oldpkg==1.0, unreachable==1.0"
            in out)
    assert "dependency audit: 2 of 4 installed packages checked against PyPI advisories, " \
           "1 with known vulnerabilities" in out
    # the release page first, the project page only where the release page is missing
    assert f"{API}/flask/3.1.3/json" in session.asked and f"{API}/flask/json" not in session.asked
    assert f"{API}/jinja2/3.1.2/json" in session.asked and f"{API}/jinja2/json" in session.asked


def test_a_clean_environment_passes(monkeypatch, capsys, session):
    monkeypatch.setattr(audit_deps, "installed", pins(("flask", "3.1.3")))
    assert audit_deps.main() == 0
    assert "1 of 1 installed packages checked" in capsys.readouterr().out


def test_the_index_is_the_host_of_pips_index_url(monkeypatch):
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)  # no pip.conf of this machine
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    assert audit_deps.json_api() == "https://pypi.org/pypi"  # pip's default index
    monkeypatch.setenv("PIP_INDEX_URL", "https://mirrors.example.cn/pypi/simple/")
    assert audit_deps.json_api() == "https://mirrors.example.cn/pypi"
    monkeypatch.setenv("PIP_INDEX_URL", "file:///opt/pypi/simple")  # no JSON API there
    assert audit_deps.json_api() == "https://pypi.org/pypi"
