"""gunicorn trusts X-Forwarded-* only as far as TRUSTED_PROXIES says."""
import runpy
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


@pytest.mark.parametrize("env, expected", [
    ({}, ""),
    ({"TRUSTED_PROXIES": "0"}, ""),
    ({"TRUSTED_PROXIES": "1"}, "127.0.0.1,::1"),
    ({"TRUSTED_PROXIES": "1", "TRUSTED_PROXY_IPS": "10.0.0.5"}, "10.0.0.5"),
])
def test_forwarded_allow_ips_follows_trusted_proxies(monkeypatch, env, expected):
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    monkeypatch.delenv("TRUSTED_PROXY_IPS", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = runpy.run_path(str(CONF))
    assert settings["forwarded_allow_ips"] == expected
    from gunicorn.config import Config
    config = Config()
    config.set("forwarded_allow_ips", settings["forwarded_allow_ips"])
    assert ("127.0.0.1" in config.forwarded_allow_ips) == bool(expected.count("127.0.0.1"))


def test_a_worker_freezes_what_it_loaded_so_full_collections_skip_it():
    import gc
    settings = runpy.run_path(str(CONF))
    assert gc.get_freeze_count() == 0
    try:
        settings["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
