"""Projects: create, edit, archive, and who works in each with which role (admin only)."""
from flask import flash, redirect, request, session, url_for
from flask_login import current_user

from app.blueprints.admin import bp
from app.blueprints.admin.forms import MemberForm, ProjectForm, ProjectSettingsForm
from app.forms import choices
from app.loaders import find, load
from app.models import Project, User
from app.policy import require
from app.services import admin, projects
from app.web import attempt, form_status, perform, render_page


@bp.route("/projects")
@require("settings.manage")
def projects_list():
    return render_page("admin/projects.html", projects=admin.projects())


@bp.route("/projects/new", methods=["GET", "POST"])
@require("settings.manage")
def project_new():
    form = ProjectForm(data={
        "hold_minutes": 30, "hold_cap": 3, "reveal_limit": 30, "transfer_fee": "0",
        "rounding": "yuan", "approval_valid_days": 7})
    if form.validate_on_submit():
        ok, project = attempt(form, projects.create_project, form.name.data, form.code.data,
                              form.address.data, current_user, **_settings(form))
        if ok:
            session["project_id"] = project.id  # the admin goes on with the new project
            flash(f"已创建项目 {project.name},请导入房源表", "success")
            return redirect(url_for("main.home"))
    return render_page("admin/project_new.html", status=form_status(form), form=form)


@bp.route("/projects/<int:project_id>", methods=["GET", "POST"])
@require("settings.manage")
def project_settings(project_id):
    project = load(Project, project_id)
    form = ProjectSettingsForm(obj=project)
    if form.validate_on_submit():
        ok, _ = attempt(form, projects.update_settings, project, form.name.data,
                        address=form.address.data, **_settings(form))
        if ok:
            flash("项目设置已保存", "success")
            return redirect(url_for("admin.project_settings", project_id=project.id))
    return _project_page(project, form, MemberForm(formdata=None), form_status(form))


@bp.route("/projects/<int:project_id>/archive", methods=["POST"])
@require("settings.manage")
def project_archive(project_id):
    project = load(Project, project_id)
    archived = request.form.get("archived") == "1"
    if perform(projects.set_archived, project, archived, current_user)[0]:
        flash(f"已{'归档' if archived else '恢复'}项目 {project.name}", "success")
    return redirect(url_for("admin.projects_list"))


@bp.route("/projects/<int:project_id>/members", methods=["POST"])
@require("settings.manage")
def project_member_set(project_id):
    project = load(Project, project_id)
    form = _member_form(MemberForm())
    if form.validate_on_submit():
        ok, _ = attempt(form, projects.add_member, project, find(User, form.user_id.data),
                        form.role.data, current_user)
        if ok:
            flash("已保存项目成员", "success")
            return redirect(url_for("admin.project_settings", project_id=project.id))
    return _project_page(project, ProjectSettingsForm(obj=project), form, 422)


@bp.route("/projects/<int:project_id>/members/<int:user_id>/remove", methods=["POST"])
@require("settings.manage")
def project_member_remove(project_id, user_id):
    project, user = load(Project, project_id), load(User, user_id)
    if perform(projects.remove_member, project, user, current_user)[0]:
        flash(f"已将 {user.display_name} 移出项目", "success")
    return redirect(url_for("admin.project_settings", project_id=project.id))


def _project_page(project, form, member_form, status):
    return render_page("admin/project.html", status=status, form=form, project=project,
                       member_form=_member_form(member_form), members=projects.members(project))


def _member_form(form):
    form.user_id.choices = choices([(user.id, f"{user.display_name}({user.username})")
                                     for user in admin.users() if user.active])
    return form


def _settings(form):
    return {"hold_minutes": form.hold_minutes.data, "hold_cap": form.hold_cap.data,
            "reveal_limit": form.reveal_limit.data,
            "transfer_fee": form.transfer_fee.data,
            "rounding": form.rounding.data, "approval_valid_days": form.approval_valid_days.data,
            "retention_months": form.retention_months.data}
