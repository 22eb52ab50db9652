"""The hall display 销控大屏: links a manager creates and revokes, and the read-only screen."""
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from app.blueprints.board import bp
from app.blueprints.board.forms import DisplayLinkForm
from app.loaders import load, project_or_404
from app.models import DisplayLink
from app.policy import require
from app.services.board import displays, grid
from app.services.board.cells import Cell, build_grids
from app.web import attempt, form_status, perform, render_page


@bp.route("/board/displays", methods=["GET", "POST"])
@require("display.manage")
def display_links():
    project = project_or_404()
    form = DisplayLinkForm()
    status = form_status(form)
    if form.validate_on_submit():
        ok, link = attempt(form, displays.create_link, project, form.name.data,
                           form.show_prices.data, form.rotate_seconds.data, current_user)
        if ok:
            flash(f"已创建大屏链接「{link.name}」:在大厅电视的浏览器中打开该链接即可", "success")
            return redirect(url_for("board.display_links"))
    return render_page("board/displays.html", status=status, project=project, form=form,
                       links=displays.links_of(project.id))


@bp.route("/board/displays/<int:link_id>/revoke", methods=["POST"])
@require("display.manage")
def revoke_display(link_id):
    link = load(DisplayLink, link_id)
    if perform(displays.revoke_link, link, current_user, refused="warning")[0]:
        flash(f"已撤销「{link.name}」:该屏幕将在几秒内停止显示", "success")
    return redirect(url_for("board.display_links"))


def _link_or_410(token):
    link = displays.active_link(token)
    if link is None:
        abort(make_response(render_template("board/display_gone.html"), 410))
    return link


@bp.route("/display/<token>")
def display(token):
    """The hall screen: no login, no customer data, prices only if the manager allowed it."""
    link = _link_or_410(token)
    context = grid.display_page(link.project_id)
    return render_template("board/display.html", link=link, project=link.project, **context)


@bp.route("/display/<token>/poll")
def display_poll(token):
    link = displays.active_link(token)
    if link is None:
        return make_response("该大屏链接已被撤销", 410,
                             {"Content-Type": "text/plain; charset=utf-8"})
    tag, changes = grid.board_changes(link.project_id, None,
                                       request.headers.get("If-None-Match"))
    if changes is None:
        response = make_response("", 304)
    else:
        if changes["full"]:
            changes["pages"] = grid.display_pages(build_grids(
                changes["buildings"], changes["rows"], grid.Filters()))
        else:
            changes["changed"] = [Cell(row, None) for row in changes["changed"]]
        response = make_response(render_template("board/_display_poll.html", link=link,
                                                 letters=grid.LETTERS, **changes))
    response.headers["ETag"] = tag or ""
    return response
