"""Request-level helpers shared by every blueprint: rendering, forms, headers."""
from flask import make_response, render_template, request
from flask_login import current_user

CSP = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")


def is_fragment_request():
    """An htmx request that wants a fragment (boosted navigation and history restore want
    the page)."""
    return (bool(request.htmx) and not request.htmx.boosted
            and not request.headers.get("HX-History-Restore-Request"))


def render_page(template, partial=None, status=200, **context):
    """Render the full page, or only `partial` (plus flashes, out of band) for htmx."""
    if partial and is_fragment_request():
        body = render_template(partial, **context)
        body += render_template("_flashes.html", oob=True)
        return make_response(body, status)
    return make_response(render_template(template, **context), status)


def apply_violation(form, exc):
    """Put a service's RuleViolation next to its field (or on the form as a whole)."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = list(field.errors) + [exc.message]
    else:
        form.form_errors.append(exc.message)


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    # same-origin keeps the Referer that CSRF checks need over HTTPS, and nothing leaves.
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.endpoint != "static" and current_user.is_authenticated:
        # Pages carry personal data: never cached by the browser or a proxy.
        headers["Cache-Control"] = "no-store"
    return response
