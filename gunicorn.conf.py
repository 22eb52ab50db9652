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
