"""CSRF tokens signed and verified once per worker while they are young.

Flask-WTF signs the session's raw token afresh for every page that shows a form (a
serializer built, JSON, an HMAC: 0.24 M instructions) and verifies the signed token of every
unsafe request the same way (0.34 M): together 7 % of a move on the board. Here:

- a page shows the signed token this worker made for the session's raw token within the last
  REUSE_SECONDS (signed_token: the templates' csrf_token and the forms' CSRF field), else
  Flask-WTF signs a new one, which is kept for the next pages. With WTF_CSRF_TIME_LIMIT
  set, a page's token thus expires up to REUSE_SECONDS sooner than a fresh one (this app
  sets none: a token lives as long as its session);
- an unsafe request whose signed token this worker has verified before passes if it carries
  the session's raw token, under the same secret key, and within the time limit of its
  signing: the checks Flask-WTF's validate_csrf makes, without the HMAC. Any other token is
  verified by Flask-WTF itself, and kept once it passed. The checks protect() makes after
  the token's (the referrer over HTTPS) are made on both paths.
"""
import hmac
import time
from collections import OrderedDict

from flask import current_app, g, request, session
from flask_wtf.csrf import CSRFProtect, _FlaskFormCSRF, generate_csrf, same_origin
from itsdangerous import URLSafeTimedSerializer

REUSE_SECONDS = 60
KEPT = 4096  # signed and verified tokens kept per worker: one or two per open session


class KeptTokenCSRFProtect(CSRFProtect):
    def init_app(self, app):
        super().init_app(app)
        # after Flask-WTF's own context processor, which offers generate_csrf: this one wins
        app.jinja_env.globals["csrf_token"] = signed_token
        app.context_processor(lambda: {"csrf_token": signed_token})

    def protect(self, apply_exemptions=False):
        config, req = current_app._get_current_object().config, request._get_current_object()
        if req.method not in config["WTF_CSRF_METHODS"] or (
                apply_exemptions and (not req.endpoint or self._is_exempt())):
            return super().protect(apply_exemptions)  # nothing to check: as Flask-WTF
        token = self._get_csrf_token()
        if not _verified_before(token):
            super().protect(apply_exemptions)  # raises CSRFError for a bad token
            _keep_verified(token)
            return None
        # A token verified before: what Flask-WTF's protect checks after the token
        # (flask_wtf/csrf.py, CSRFProtect.protect, Flask-WTF 1.3.0).
        if req.is_secure and config["WTF_CSRF_SSL_STRICT"]:
            if not req.referrer:
                self._error_response("The referrer header is missing.")
            if not same_origin(req.referrer, f"https://{req.host}/"):
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True
        return None

    # Flask-WTF's own two lookups (flask_wtf/csrf.py, Flask-WTF 1.3.0), with the request and
    # the app looked through once: each read through their proxies raises and catches an
    # AttributeError inside werkzeug (see app.sessions._before_request), nine on every POST.

    def _get_csrf_token(self):
        config, req = current_app._get_current_object().config, request._get_current_object()
        form = req.form
        field_name = config["WTF_CSRF_FIELD_NAME"]
        base_token = form.get(field_name)
        if base_token:
            return base_token
        for key in form:  # a form with a prefix names it {prefix}-csrf_token
            if key.endswith(field_name) and form[key]:
                return form[key]
        for header_name in config["WTF_CSRF_HEADERS"]:
            csrf_token = req.headers.get(header_name)
            if csrf_token:
                return csrf_token
        return None

    def _is_exempt(self):
        app, req = current_app._get_current_object(), request._get_current_object()
        if app.blueprints.get(req.blueprint) in self._exempt_blueprints:
            return True
        view = app.view_functions.get(req.endpoint)
        if view is None:
            return False
        return f"{view.__module__}.{view.__name__}" in self._exempt_views


class KeptTokenFormCSRF(_FlaskFormCSRF):
    """The CSRF field of a FlaskForm (app.forms.Form) shows the same signed token as the
    page (signed_token); it is checked as Flask-WTF checks it."""

    def generate_csrf_token(self, csrf_token_field):
        return signed_token()


def _settings():
    """(secret key, field name, time limit), as Flask-WTF reads them."""
    app = current_app._get_current_object()
    config = app.config
    return (config.get("WTF_CSRF_SECRET_KEY") or app.secret_key,
            config["WTF_CSRF_FIELD_NAME"], config["WTF_CSRF_TIME_LIMIT"])


def _store(name):
    return current_app._get_current_object().extensions.setdefault(name, OrderedDict())


def _remember(store, key, value):
    store[key] = value
    store.move_to_end(key)
    while len(store) > KEPT:
        store.popitem(last=False)


def signed_token():
    """csrf_token() in templates: the signed token of this request (generate_csrf's, in `g`),
    else the young one this worker made for the session's raw token, else a new one from
    Flask-WTF, kept for the next pages. Looked up when a page asks, so a request that cleared
    the session (a login) gets a token for the raw token it has now."""
    secret, field, _ = _settings()
    context = g._get_current_object()  # (see app.sessions._before_request)
    token = context.get(field)
    if token:
        return token
    sess = session._get_current_object()
    store, raw = _store("csrf_signed"), sess.get(field)
    hit = store.get((secret, raw)) if raw else None
    if hit is not None and 0 <= time.time() - hit[0] < REUSE_SECONDS:
        setattr(context, field, hit[1])
        return hit[1]
    token = generate_csrf()
    _remember(store, (secret, sess[field]), (time.time(), token))
    return token


def _verified_before(token):
    """True when this worker verified `token` before for the session's raw token, under
    the same secret key, and it is still within the time limit."""
    if not token:
        return False
    secret, field, limit = _settings()
    hit = _store("csrf_verified").get(token)
    raw = session._get_current_object().get(field)
    return (hit is not None and raw is not None and hit[0] == secret
            and hmac.compare_digest(hit[1], raw)
            and (limit is None or 0 <= time.time() - hit[2] <= limit))


def _keep_verified(token):
    """A token Flask-WTF has just verified: its raw token and signing time, kept."""
    secret, field, _ = _settings()
    raw, signed_at = URLSafeTimedSerializer(secret, salt="wtf-csrf-token").loads(
        token, return_timestamp=True)
    if hmac.compare_digest(raw, session.get(field, "")):
        _remember(_store("csrf_verified"), token, (secret, raw, signed_at.timestamp()))
