"""gunicorn settings read from the environment (gunicorn loads ./gunicorn.conf.py itself).

gunicorn by default believes X-Forwarded-Proto from 127.0.0.1 and ::1, whatever the app was
told: with TRUSTED_PROXIES=0 (no proxy in front) a local process could make a plain-HTTP
request look like HTTPS. So it trusts forwarded headers only when TRUSTED_PROXIES says a
proxy is there, and then only from the addresses in TRUSTED_PROXY_IPS (nginx on this host).
"""
import os

_proxies = int(os.environ.get("TRUSTED_PROXIES", "0") or 0)
forwarded_allow_ips = (os.environ.get("TRUSTED_PROXY_IPS", "127.0.0.1,::1") if _proxies
                       else "")


def post_worker_init(worker):
    """Freeze what the worker holds once the app is loaded: the app, its routes, templates,
    compiled statements and the ORM's mappers (about 200,000 objects) live as long as the
    worker, and the garbage collector's full passes walked every one of them again and
    again (about 100 ms each, one every few hundred requests, landing on whichever request
    was running). Objects made later are collected as before."""
    import gc
    gc.freeze()
