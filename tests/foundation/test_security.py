"""CSRF, security headers, error pages."""
import re
from datetime import datetime, timezone

import pytest
import time_machine

from app.csrf_tokens import REUSE_SECONDS
from tests.conftest import PASSWORD
from tests.helpers import Browser

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)


def _token(html):
    return re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)


def test_post_without_csrf_token_gets_400_in_chinese(app, login_as):
    browser = login_as("admin")
    response = browser.post("/admin/users/new", {"username": "x"}, csrf=False)
    assert response.status_code == 400
    assert "安全令牌" in response.text and "Traceback" not in response.text


def test_login_form_needs_csrf_too(app, make_user):
    make_user("manager", username="liuqiang")
    browser = Browser(app.test_client())
    response = browser.post("/login", {"username": "liuqiang", "password": "x"}, csrf=False)
    assert response.status_code == 400


def test_htmx_requests_send_the_token_in_the_header(app, login_as):
    browser = login_as("admin")
    browser.get("/admin/users/new")
    no_token = browser.client.post("/admin/users/new", headers={"HX-Request": "true"})
    assert no_token.status_code == 400 and "CSRF" in no_token.text
    with_token = browser.post("/admin/users/new", {"username": ""}, htmx=True)
    assert with_token.status_code == 422


def test_the_token_is_found_where_flask_wtf_looks_and_only_a_good_one_passes(app, login_as):
    """The form field, a prefixed form's field ({prefix}-csrf_token) and the X-CSRFToken
    header, as Flask-WTF looks (the app's own lookup, app.csrf_tokens)."""
    browser = login_as("admin")
    token = _token(browser.get("/admin/users/new").text)
    for data, headers in (({"csrf_token": token}, {}), ({"user-csrf_token": token}, {}),
                          ({}, {"X-CSRFToken": token})):
        response = browser.client.post("/admin/users/new", data={**data, "username": ""},
                                       headers=headers)
        assert response.status_code == 422, data  # past the CSRF check: the form's own errors
    for data, headers in (({"csrf_token": token + "x"}, {}), ({"user-csrf_token": ""}, {}),
                          ({}, {"X-CSRFToken": "x" + token})):
        response = browser.client.post("/admin/users/new", data={**data, "username": ""},
                                       headers=headers)
        assert response.status_code == 400 and "安全令牌" in response.text, data


def test_pages_reuse_a_young_signed_token_and_sign_a_new_one_after(app, login_as):
    """A worker signs the session's token once per REUSE_SECONDS, not once per page; every
    token a page showed is accepted while it is within the time limit."""
    with time_machine.travel(T0, tick=False) as clock:
        browser = login_as("admin")
        first = _token(browser.get("/admin/users/new").text)
        clock.shift(2)  # signed now, the token would carry another timestamp
        assert _token(browser.get("/").text) == first  # the same signed token
        clock.shift(REUSE_SECONDS)
        second = _token(browser.get("/").text)
        assert second != first
        for token in (first, second):
            response = browser.client.post("/admin/users/new", data={"username": ""},
                                           headers={"HX-Request": "true", "X-CSRFToken": token})
            assert response.status_code == 422  # past the CSRF check: the form's own errors


def test_a_token_verified_before_is_still_bound_to_its_session(app, login_as):
    """A worker keeps the tokens it verified, but a kept token passes only for the session
    whose raw token it carries, as a token verified afresh would: not in another session,
    nor in the same browser's session after it was rotated by logging in again."""
    owner, other = login_as("admin"), login_as("manager", username="liu")
    token = _token(owner.get("/admin/users/new").text)
    post = {"data": {"username": ""}, "headers": {"HX-Request": "true", "X-CSRFToken": token}}
    assert owner.client.post("/admin/users/new", **post).status_code == 422  # verified
    assert owner.client.post("/admin/users/new", **post).status_code == 422  # kept
    other.get("/")
    stolen = other.client.post("/admin/users/new", **post)
    assert stolen.status_code == 400 and "安全令牌" in stolen.text
    assert owner.post("/logout").status_code == 302
    assert owner.login("admin_user", PASSWORD).status_code == 302  # a new session
    owner.get("/")
    assert owner.client.post("/admin/users/new", **post).status_code == 400


def test_a_kept_token_still_expires_when_a_time_limit_is_set(app, login_as):
    app.config["WTF_CSRF_TIME_LIMIT"] = 3600
    with time_machine.travel(T0, tick=False) as clock:
        browser = login_as("admin")
        token = _token(browser.get("/admin/users/new").text)
        post = {"data": {"username": ""}, "headers": {"HX-Request": "true", "X-CSRFToken": token}}
        assert browser.client.post("/admin/users/new", **post).status_code == 422
        clock.shift(3601)
        browser.get("/")
        assert browser.client.post("/admin/users/new", **post).status_code == 400


def test_over_https_a_kept_token_still_needs_a_same_origin_referrer(app, login_as):
    browser = login_as("admin")
    https = {"base_url": "https://localhost"}
    token = _token(browser.client.get("/admin/users/new", **https).text)
    headers = {"HX-Request": "true", "X-CSRFToken": token}
    ok = browser.client.post("/admin/users/new", data={"username": ""}, **https,
                             headers={**headers, "Referer": "https://localhost/admin/users/new"})
    assert ok.status_code == 422  # verified and kept
    for referrer in ({}, {"Referer": "https://evil.example/"}):
        refused = browser.client.post("/admin/users/new", data={"username": ""}, **https,
                                      headers={**headers, **referrer})
        assert refused.status_code == 400


def test_pages_carry_csp_and_security_headers(app, login_as):
    browser = login_as("manager")
    response = browser.get("/")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'",
                      "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    cookie = browser.client.get_cookie("anchang_session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_session_cookie_is_secure_over_https(app, make_user):
    make_user("manager", username="liuqiang")
    client = app.test_client()
    response = client.get("/login", base_url="https://anchang.example")
    set_cookie = response.headers["Set-Cookie"]
    assert "Secure" in set_cookie and "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_pages_use_no_inline_script_or_cdn(app, login_as):
    html = login_as("manager").get("/").text
    assert "<script>" not in html and "onclick=" not in html and "style=" not in html
    assert "unpkg" not in html and "cdn" not in html
    assert "/static/vendor/htmx-2.0.11.min.js" in html


@pytest.mark.parametrize("path, code, text", [
    ("/no-such-page", 404, "页面不存在"), ("/logout", 405, "操作方式不正确"),
])
def test_error_pages_are_chinese(app, login_as, path, code, text):
    response = login_as("manager").get(path)
    assert response.status_code == code and text in response.text


@pytest.mark.fresh_app
def test_a_crash_shows_a_chinese_500_without_traceback(app, login_as):
    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = login_as("manager").get("/boom")
    assert response.status_code == 500
    assert "系统错误" in response.text
    assert "secret internals" not in response.text and "Traceback" not in response.text


def test_htmx_errors_come_back_as_short_text_for_the_toast(app, login_as):
    response = login_as("consultant").get("/admin/users", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response.mimetype == "text/plain" and response.text.startswith("没有权限")
