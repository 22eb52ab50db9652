from urllib.parse import urlsplit

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.blueprints.auth import bp
from app.blueprints.auth.forms import ChangePasswordForm, LoginForm
from app.errors import error_response
from app.extensions import db
from app.services import users
from app.services.audit import client_ip
from app.services.auth import Throttled, authenticate, logout_everywhere
from app.services.passwords import verify_password
from app.sessions import start_session
from app.web import attempt, commit, form_status, render_page


def _safe_next(target):
    """Only same-site relative paths: no open redirect through ?next=."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        # a failed attempt is kept (committed): it counts toward throttling
        ok, user = attempt(form, authenticate, form.username.data, form.password.data,
                           ip=client_ip(), keep_refused=True)
        if ok:
            start_session(user)
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
    status = form_status(form)
    return render_page("auth/login.html", status=status, form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    commit(logout_everywhere, current_user)
    logout_user()
    flash("您已退出登录", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current.data):
            form.current.errors.append("当前密码不正确")
        elif attempt(form, users.set_password, current_user, form.password.data,
                     action="password_changed")[0]:
            logout_user()
            flash("密码已修改,请用新密码重新登录", "success")
            return redirect(url_for("auth.login"))
    status = form_status(form)
    return render_page("auth/password.html", status=status, form=form)


@bp.errorhandler(Throttled)
def throttled(_exc):
    """Too many failed logins: 429, and the throttled attempt is kept like any other."""
    db.session.commit()
    return error_response(429)
