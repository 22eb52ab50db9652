"""scripts/audit_deps.py: a known advisory fails the audit; an unreachable index is no pass."""
import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_deps.py"
spec = importlib.util.spec_from_file_location("audit_deps", SCRIPT)
audit_deps = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit_deps)

PAGES = {
    "https://pypi.org/pypi/flask/3.1.3/json": {"info": {"version": "3.1.3"},
                                              "vulnerabilities": []},
    # this proxy answers only the project page, whose newest release is the pinned one
    "https://pypi.org/pypi/jinja2/json": {"info": {"version": "3.1.2"}, "vulnerabilities": [
        {"id": "GHSA-h5c8-rqwp-cp95", "withdrawn": None},
        {"id": "PYSEC-OLD", "withdrawn": "2024-01-01"}]},
    "https://pypi.org/pypi/oldpkg/json": {"info": {"version": "2.0"}, "vulnerabilities": []},
}


def test_advisories_fail_the_audit_and_unknown_releases_are_listed(monkeypatch, capsys):
    monkeypatch.setattr(audit_deps, "_json", PAGES.get)
    monkeypatch.setattr(audit_deps, "installed",
                        lambda: [("flask", "3.1.3"), ("jinja2", "3.1.2"), ("oldpkg", "1.0")])
    assert audit_deps.main() == 1
    out = capsys.readouterr().out
    assert "VULNERABLE jinja2==3.1.2: GHSA-h5c8-rqwp-cp95" in out and "PYSEC-OLD" not in out
    assert "unchecked (PyPI gave no data for this release): oldpkg==1.0" in out
    assert "2 of 3 installed packages checked" in out


def test_a_clean_environment_passes(monkeypatch):
    monkeypatch.setattr(audit_deps, "_json", PAGES.get)
    monkeypatch.setattr(audit_deps, "installed", lambda: [("flask", "3.1.3")])
    assert audit_deps.main() == 0
