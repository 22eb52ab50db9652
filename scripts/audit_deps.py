"""Known vulnerabilities in the installed (pinned) packages: pip-audit, with one fallback.

    .venv/bin/python scripts/audit_deps.py        (make audit; CI runs it)

pip-audit lists what pip installed (its PipSource) and reads each release's advisories (PYSEC,
GHSA, OSV) from the package index's JSON API (its PyPIService, merged by its Auditor). That
service asks the per-release URL, which some mirrors and proxies do not serve (this machine's
answers 404); there the project URL answers instead, when its newest release is the pinned one.
A package neither answers for (an older pin behind such a proxy, an index out of reach) is
listed as unchecked, not passed. Exits 1 when an installed package has a known vulnerability.

The index is pip's own: the host of the index-url pip is configured with (pip.conf,
PIP_INDEX_URL), else pip's default index.
"""
import sys
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import requests
from packaging.version import InvalidVersion, Version
from pip._internal.commands import create_command
from pip._internal.models.index import PyPI
from pip_audit._audit import Auditor
from pip_audit._dependency_source import DependencySource, PipSource
from pip_audit._service import PyPIService, ServiceError, SkippedDependency

THREADS = 8
TIMEOUT = 20  # seconds per request


def json_api():
    """The JSON API of pip's index: https://pypi.org/simple → https://pypi.org/pypi."""
    options, _args = create_command("install").parse_args([])
    index = urlsplit(options.index_url)
    if index.scheme not in ("http", "https"):  # a local directory serves no JSON API
        return PyPI.pypi_url
    return f"{index.scheme}://{index.netloc}/pypi"


def _same_release(a, b):
    try:
        return Version(a) == Version(b)
    except (InvalidVersion, TypeError):
        return False


class ReleaseOrNewest:
    """The HTTP session pip-audit's PyPI service reads through, sent to `api`. A release the
    index has no page for is answered by the project page when that release is the newest."""

    def __init__(self, session, api):
        self.session, self.api = session, api

    def get(self, url, **kwargs):
        name, version = url.split("/")[-3:-1]  # the service asks .../<name>/<version>/json
        response = self.session.get(f"{self.api}/{name}/{version}/json", **kwargs)
        if response.status_code != 404:
            return response
        project = self.session.get(f"{self.api}/{name}/json", **kwargs)
        newest = project.json().get("info", {}).get("version") if project.ok else None
        return project if _same_release(newest, version) else response


class IndexService(PyPIService):
    """pip-audit's PyPI service on pip's index (through ReleaseOrNewest), several packages at a
    time. A package it cannot read is skipped, so it shows as unchecked and the audit goes on."""

    def __init__(self, api, **kwargs):
        super().__init__(**kwargs)
        self.session = ReleaseOrNewest(self.session, api)

    def query(self, spec):
        try:
            return super().query(spec)
        except (ServiceError, requests.RequestException, ValueError) as exc:
            return SkippedDependency(name=spec.name, skip_reason=str(exc)), []

    def query_all(self, specs):
        with ThreadPoolExecutor(THREADS) as pool:
            yield from pool.map(self.query, specs)


class Listed(DependencySource):
    """Packages already collected, as a pip-audit source (the report names their versions)."""

    def __init__(self, packages):
        self.packages = packages

    def collect(self):
        return iter(self.packages)

    def fix(self, fix_version):
        raise NotImplementedError("the audit reports; upgrading is a change to the pins")


def installed():
    """Every distribution in this environment, as `pip list` shows it (pip-audit's PipSource)."""
    return list(PipSource().collect())


def _pin(package):
    version = getattr(package, "version", None)
    return f"{package.name}=={version}" if version is not None else package.name


def main():
    packages = installed()
    service = IndexService(json_api(), timeout=TIMEOUT)
    vulnerable, unchecked = [], []
    # the auditor answers in the order it was given the packages
    for package, (found, advisories) in zip(
            packages, Auditor(service).audit(Listed(packages)), strict=True):
        if found.is_skipped():
            unchecked.append(_pin(package))
        elif advisories:
            vulnerable.append((_pin(package), [advisory.id for advisory in advisories]))
    for pin, ids in vulnerable:
        print(f"VULNERABLE {pin}: {', '.join(ids)}")
    if unchecked:
        print("unchecked (PyPI gave no data for this release): " + ", ".join(unchecked))
    checked = len(packages) - len(unchecked)
    print(f"dependency audit: {checked} of {len(packages)} installed packages checked against "
          f"PyPI advisories, {len(vulnerable)} with known vulnerabilities")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
