"""Session hardening: Secure cookie over HTTPS, idle and absolute timeouts."""
import time
from datetime import datetime, timedelta, timezone

from flask import current_app, flash, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, logout_user
from itsdangerous import BadSignature

from app.database import read_only
from app.services.auth import session_allows
from app.web import set_security_headers

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# The idle clock (seen_at) moves in steps of this many seconds: a request within a step of the
# last one changes nothing in the session, so its cookie is not signed and sent again. A user
# idle for SESSION_IDLE_MINUTES is logged out up to this much sooner.
SEEN_AT_STEP = 30
VERIFIED_KEPT = 4096  # session cookies each worker keeps verified: one per open page, and more


class AutoSecureSessionInterface(SecureCookieSessionInterface):
    """Secure cookie whenever the request came over HTTPS, unless configured explicitly.

    The cookie is signed and sent again only when the session's content changed: an htmx
    move flashes its message into the session and the same response takes it out again
    (render_page), which marks the session modified though it ends as it began.
    """

    def get_cookie_secure(self, app):
        forced = app.config.get("SESSION_COOKIE_SECURE")
        if forced is not None:
            return bool(forced)
        return request.is_secure

    def get_signing_serializer(self, app):
        """Flask's serializer, built once per worker and secret keys: Flask builds one for
        every request, and the constructor signs an empty dict to test it."""
        return self._kept(app)[1]

    def open_session(self, app, request):
        """Flask's session, but a cookie this worker has already verified is neither
        verified nor decoded again while its signature's age allows: every page polls with
        the same cookie every few seconds, and verifying and decoding it cost as much as
        loading the user. Kept by the whole cookie, signature included, per secret keys."""
        cookie = request.cookies.get(self.get_cookie_name(app))
        _, serializer, verified = self._kept(app)
        if serializer is None:  # no secret key: no session, as Flask
            return None
        content = self._verified(app, serializer, verified, cookie) if cookie else {}
        session = self.session_class(_copied(content))
        session.as_opened = content  # only compared with (should_set_cookie), never changed
        return session

    def _kept(self, app):
        """(secret keys, their serializer, {cookie: (signed at, content)}) of this worker."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = app.extensions.get("session_signing")
        if kept is None or kept[0] != keys:
            kept = app.extensions["session_signing"] = (
                keys, super().get_signing_serializer(app), {})
        return kept

    def _verified(self, app, serializer, verified, cookie):
        """The content of a cookie signed with these keys, not older than the session's
        lifetime (as Flask checks it); {} for any other."""
        max_age = int(app.permanent_session_lifetime.total_seconds())
        hit = verified.get(cookie)
        if hit is not None and 0 <= time.time() - hit[0] <= max_age:
            return hit[1]
        try:
            content, signed_at = serializer.loads(cookie, max_age=max_age,
                                                  return_timestamp=True)
        except BadSignature:
            return {}
        if len(verified) >= VERIFIED_KEPT:
            verified.clear()
        verified[cookie] = (signed_at.timestamp(), content)
        return content

    def should_set_cookie(self, app, session):
        if session.modified and not session.permanent \
                and dict(session) == getattr(session, "as_opened", None):
            return False
        return super().should_set_cookie(app, session)


def _copied(value):
    """A decoded session's lists and dicts copied, all the way down (a flash appends to the
    session's list), its other values shared: the kept content is never changed. What
    copy.deepcopy gives for JSON's types, at a fraction of its cost (it memoises every value
    it meets)."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value


def background(view):
    """Mark a view as polled by the page: it does not count as user activity."""
    view.background = True
    return view


def fresh_when(current_tag, answer=None):
    """Polls answered before the user is loaded.

    `current_tag(args)` reads the tag cheaply (one statement, kept briefly per worker). Polls
    run several times a second per open page, and loading the user costs more than the tag:
    a signed, unexpired session cookie is enough to say "nothing changed" (304), which
    reveals no data.

    `answer(args, client_tag, tag)`, for views whose answer is the same for every user their
    role check admits, answers a client that is behind: after the session's user is checked
    as the full view would check it (active, session version, role; see
    auth.session_allows), still without loading the user. It returns a response, or None to
    leave the request to the full view. Any client without a tag goes through the full view.
    """
    def mark(view):
        view.background = True
        view.current_tag = current_tag
        view.answer = answer
        return view
    return mark


def _early_poll():
    """A poll's answer from a logged-in session without loading the user, else None."""
    req, sess = request._get_current_object(), session._get_current_object()
    view = current_app._get_current_object().view_functions.get(req.endpoint)
    current_tag = getattr(view, "current_tag", None)
    client_tag = req.headers.get("If-None-Match")
    if (current_tag is None or not client_tag or req.method != "GET"
            or "_user_id" not in sess or _expired()):
        return None
    tag = current_tag(req.args)
    if tag is None:
        return None
    if tag == client_tag:
        response = current_app.response_class(status=304)
        response.headers["ETag"] = tag
        return response
    answer, action = getattr(view, "answer", None), getattr(view, "action", None)
    if answer is None or action is None or not session_allows(
            sess["_user_id"], action, req.args.get("project", type=int)):
        return None
    return answer(req.args, client_tag, tag)


def start_session(user):
    """Rotate the session at login: nothing from before login survives."""
    session.clear()
    stamp = datetime.now(timezone.utc).timestamp()
    session["login_at"] = stamp
    session["seen_at"] = stamp


def _expired():
    now = datetime.now(timezone.utc).timestamp()
    config, sess = current_app._get_current_object().config, session._get_current_object()
    idle = timedelta(minutes=config["SESSION_IDLE_MINUTES"]).total_seconds()
    absolute = timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]).total_seconds()
    return (now - sess.get("seen_at", 0) > idle
            or now - sess.get("login_at", 0) > absolute)


def _carries_nul(req):
    """A NUL byte anywhere a view reads text from: path, query, form."""
    values = [req.path, *req.args.values()]
    if req.method not in SAFE_METHODS:
        values += req.form.values()
    return any("\x00" in value for value in values)


def _before_request():
    # Flask's globals (request, session, g, current_app) are looked through once per
    # function on every request's path: an attribute read through werkzeug's proxy first
    # fails on the proxy itself (an AttributeError raised and caught) before its __getattr__
    # finds it, about six times the cost of reading it on the object.
    req = request._get_current_object()
    g._get_current_object().read_only_token = read_only.set(req.method in SAFE_METHODS)
    if _carries_nul(req):
        # PostgreSQL refuses NUL in text; no person types one: refuse the request cleanly.
        from app.errors import error_response
        return error_response(400, "提交的内容包含无效字符,请检查后重新填写。")
    early = _early_poll()
    if early is not None:
        return early
    if req.endpoint == "static" or not current_user._get_current_object().is_authenticated:
        return None
    if _expired():
        logout_user()
        session.clear()
        flash("登录已超时,请重新登录", "warning")
        return redirect(url_for("auth.login", next=req.full_path))
    view = current_app._get_current_object().view_functions.get(req.endpoint)
    stamp = datetime.now(timezone.utc).timestamp()
    sess = session._get_current_object()
    if not getattr(view, "background", False) and stamp - sess.get("seen_at", 0) >= SEEN_AT_STEP:
        sess["seen_at"] = stamp
    return None


def _teardown(_exc):
    token = g._get_current_object().pop("read_only_token", None)
    if token is not None:
        read_only.reset(token)


def register(app):
    app.session_interface = AutoSecureSessionInterface()
    app.before_request(_before_request)
    app.after_request(set_security_headers)
    app.teardown_request(_teardown)
