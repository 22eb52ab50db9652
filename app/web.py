"""Request-level helpers shared by every blueprint: rendering, forms, transactions, headers."""
from collections import OrderedDict

from flask import (
    current_app,
    flash,
    get_flashed_messages,
    make_response,
    render_template,
    request,
    session,
)
from sqlalchemy.exc import IntegrityError

from app.database import commit_for_answer
from app.errors import error_response
from app.extensions import db
from app.services import duplicates
from app.services.errors import RuleViolation

CSP = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")


def is_fragment_request():
    """An htmx request that wants a fragment (boosted navigation and history restore want
    the page)."""
    req = request._get_current_object()  # (a read through the proxy costs ten of these)
    return (bool(req.htmx) and not req.htmx.boosted
            and not req.headers.get("HX-History-Restore-Request"))


def render_page(template, partial=None, status=200, fragment=None, messages=(), **context):
    """Render the full page, or only `partial` (plus flashes, out of band) for htmx.
    `fragment`: the htmx answer as HTML already made (a kept panel), instead of a partial.
    `messages`: this answer's own (category, message) flashes, shown after any waiting in
    the session: an htmx answer shows them without passing them through the session (a
    board move's answer, several a second on launch day), a full page flashes them."""
    if (partial or fragment is not None) and is_fragment_request():
        body = render_template(partial, **context) if fragment is None else str(fragment)
        # The flashes read only the session's messages: rendered without the context
        # processors (the user, the menu, CSRF) that the partial has just run.
        flashes = macro("_flashes.html", "flashes")
        shown = get_flashed_messages(with_categories=True)
        # str(): the macro gives Markup, and str + Markup would escape the body
        body += str(flashes([*shown, *messages] if messages else shown, oob=True))
        return current_app._get_current_object().make_response((body, status))
    for category, message in messages:
        flash(message, category)
    return make_response(render_template(template, **context), status)


def macro(template, name):
    """A template's macro, to call: Flask's get_template_attribute with the app looked
    through once (see app.sessions._before_request); a move's answer calls three."""
    return getattr(current_app._get_current_object().jinja_env.get_template(template).module,
                   name)


def form_status(form):
    """A form page answers 200 when first shown and 422 when a submitted form comes back with
    errors."""
    return 422 if form.is_submitted() else 200


def filter_args(names):
    """The request's query parameters among `names`: a link that keeps the page's filters
    (an export, the next page) passes these, never a URL's `endpoint` or `_external`."""
    return {name: request.args[name] for name in names if request.args.get(name)}


def kept(name, key, make, limit):
    """`make()` once per key, each worker keeping the newest `limit` results under `name`."""
    return kept_each(name, (key,), lambda _key: make(), limit)[0]


def kept_each(name, keys, make, limit):
    """kept() for several keys at once, `make(key)` for each one not kept: a list of values."""
    cache = current_app._get_current_object().extensions.setdefault(name, OrderedDict())
    values = []
    for key in keys:
        value = cache.get(key)
        if value is None:
            value = cache[key] = make(key)
            while len(cache) > limit:
                cache.popitem(last=False)
        else:
            cache.move_to_end(key)
        values.append(value)
    return values


def transact(call, /, *args, keep_loaded=False, keep_refused=False, **kwargs):
    """Run one service call as the request's transaction: commit it, or roll back its refusal.

    Returns (True, result) or (False, the RuleViolation). The one place views commit and roll
    back; `attempt` and `perform` below are its two usual shapes. `keep_loaded` keeps what the
    request loaded for its answer (app.database.commit_for_answer); `keep_refused` commits a
    refusal too (a failed login counts toward throttling).
    """
    try:
        result = call(*args, **kwargs)
        if keep_loaded:
            commit_for_answer(db.session())
        else:
            db.session.commit()
    except RuleViolation as exc:
        if keep_refused:
            db.session.commit()
        else:
            db.session.rollback()
        return False, exc
    except IntegrityError as exc:  # a duplicate that got past the service's check (a race)
        db.session.rollback()
        message = duplicates.refusal(exc)
        if message is None:
            raise
        return False, RuleViolation(message)
    return True, result


def attempt(form, call, /, *args, **kwargs):
    """Run one service call for a submitted form: commit it, or roll back and put the
    RuleViolation next to its field. Returns (True, result) or (False, the RuleViolation)."""
    ok, result = transact(call, *args, **kwargs)
    if not ok:
        apply_violation(form, result)
    return ok, result


def outside_transaction(form, call, /, *args):
    """Run a slow step that reads no database (parsing an upload) with no transaction open:
    the request's is ended first, so on SQLite no writer waits behind the parse. Its
    RuleViolation goes next to its field. Returns (True, result) or (False, the violation)."""
    db.session.rollback()
    try:
        return True, call(*args)
    except RuleViolation as exc:
        apply_violation(form, exc)
        return False, exc


def perform(call, /, *args, refused="error", **kwargs):
    """Run one service call for a button-only post: commit it, or roll back and flash the
    refusal (category `refused`). Returns (True, result) or (False, the RuleViolation)."""
    ok, result = transact(call, *args, **kwargs)
    if not ok:
        flash(result.message, refused)
    return ok, result


def commit(call, /, *args, fresh=False, **kwargs):
    """Run a service call that refuses nothing (an export's audit row, a release run) and
    commit it; returns its result. `fresh` first ends the request's read transaction, so a
    page that read a lot writes in a transaction of its own (SQLite: no lock upgrade)."""
    if fresh:
        db.session.rollback()
    result = call(*args, **kwargs)
    db.session.commit()
    return result


def not_allowed(_exc):
    """Error handler: a service refused this user the object (NotAllowed), a plain 403."""
    db.session.rollback()
    return error_response(403)


def not_allowed_saying_why(exc):
    """Error handler: a separation-of-duties refusal (e.g. the recorder confirming), a 403
    with the service's reason."""
    db.session.rollback()
    return error_response(403, str(exc))


def apply_violation(form, exc):
    """Put a service's RuleViolation next to its field (or on the form as a whole)."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = list(field.errors) + [exc.message]
    else:
        form.form_errors.append(exc.message)


SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    # same-origin keeps the Referer that CSRF checks need over HTTPS, and nothing leaves.
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000")


def set_security_headers(response):
    """Every header of SECURITY_HEADERS (and HSTS over HTTPS) that the view did not set:
    the response's headers are read once, not once per header."""
    headers, req = response.headers, request._get_current_object()
    present = {key.lower() for key, _ in headers.items()}
    wanted = SECURITY_HEADERS + (HSTS,) if req.is_secure else SECURITY_HEADERS
    headers.extend([(key, value) for key, value in wanted if key.lower() not in present])
    # The session key, not current_user: this runs after database errors too.
    if req.endpoint != "static" and session._get_current_object().get("_user_id"):
        # Pages carry personal data: never cached by the browser or a proxy.
        headers["Cache-Control"] = "no-store"
    return response
