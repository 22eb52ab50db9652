"""Login lockouts (登录锁定): the admin sees who is throttled from where, and clears it."""
from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.blueprints.admin import bp
from app.policy import require
from app.services import login_throttle
from app.web import perform, render_page


@bp.route("/lockouts")
@require("users.manage")
def lockouts():
    return render_page("admin/lockouts.html", lockouts=login_throttle.lockouts())


@bp.route("/lockouts/clear", methods=["POST"])
@require("users.manage")
def lockout_clear():
    username = request.form.get("username", "")[:64]
    ip = request.form.get("ip", "")[:64] or None
    if perform(login_throttle.clear, username, ip, current_user)[0]:
        flash(f"已解除 {username} 的登录锁定", "success")
    return redirect(url_for("admin.lockouts"))
