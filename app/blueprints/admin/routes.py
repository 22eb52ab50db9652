from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.blueprints.admin import bp
from app.blueprints.admin.forms import (
    AuditFilterForm,
    ResetPasswordForm,
    UserEditForm,
    UserForm,
)
from app.forms import choices
from app.loaders import db_id, load
from app.models import User
from app.policy import require
from app.services import admin, users
from app.web import attempt, filter_args, form_status, perform, render_page

PAGE_SIZE = 50



@bp.route("/users")
@require("users.manage")
def users_list():
    return render_page("admin/users.html", users=admin.users())


@bp.route("/users/new", methods=["GET", "POST"])
@require("users.manage")
def user_new():
    form = UserForm()
    if form.validate_on_submit():
        ok, user = attempt(form, users.create_user, form.username.data, form.display_name.data,
                           form.role.data, form.password.data, form.is_admin.data)
        if ok:
            flash(f"已创建用户 {user.display_name}", "success")
            return redirect(url_for("admin.users_list"))
    return render_page("admin/user_new.html", status=form_status(form), form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@require("users.manage")
def user_edit(user_id):
    user = load(User, user_id)
    form = UserEditForm(obj=user)
    if form.validate_on_submit():
        ok, _ = attempt(form, users.update_user, user, form.display_name.data, form.role.data,
                        form.is_admin.data, current_user)
        if ok:
            flash("已保存", "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_page("admin/user_edit.html", status=form_status(form), form=form, user=user,
                       reset_form=ResetPasswordForm(formdata=None))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@require("users.manage")
def user_reset_password(user_id):
    user = load(User, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit() and attempt(form, users.set_password, user, form.password.data)[0]:
        flash(f"已重置 {user.display_name} 的密码,其所有登录已失效", "success")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_page("admin/user_edit.html", status=422, user=user, reset_form=form,
                       form=UserEditForm(obj=user))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@require("users.manage")
def user_set_active(user_id):
    user = load(User, user_id)
    active = request.form.get("active") == "1"
    if perform(users.set_active, user, active, current_user)[0]:
        flash(f"已{'启用' if active else '停用'} {user.display_name}", "success")
    return redirect(url_for("admin.users_list"))


@bp.route("/audit")
@require("audit.view")
def audit_log():
    form = AuditFilterForm(request.args)
    form.actor.choices = choices([("", "全部")] + admin.people())
    filters = ({"actor": form.actor.data, "action": form.action.data,
                "object_type": form.object_type.data} if form.validate() else {})
    rows, more = admin.audit_page(**filters, before_id=request.args.get("before", type=db_id),
                                  size=PAGE_SIZE)
    older = url_for("admin.audit_log", **filter_args(form.data), before=rows[-1].row.id
                    ) if more else None  # 更早的记录: the same filters, the next page
    return render_page("admin/audit.html", partial="admin/_audit_rows.html", form=form,
                       rows=rows, older=older)
