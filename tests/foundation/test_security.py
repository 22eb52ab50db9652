"""CSRF, security headers, error pages."""
import pytest

from tests.helpers import Browser


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
