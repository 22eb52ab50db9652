"""The board: grid page, polling, the unit panel and the export."""

from flask import abort, make_response, render_template, request
from flask_login import current_user
from markupsafe import Markup

from app.blueprints.board import bp
from app.blueprints.board.panel import panel_context
from app.loaders import db_id, project_or_404
from app.policy import authorize, require, roles_of
from app.services import clock
from app.services.board import grid, unit_sheet, unit_status
from app.services.board.cells import Cell, build_grids
from app.sessions import fresh_when
from app.web import kept, macro, render_page
from app.xlsx import xlsx_response


def unit_or_404(unit_id, action=None):
    """load()'s checks for a unit of the current project (404, then 403 unless the user may
    `action` to it), with its building, from one Core read (unit_with_building), as a move
    reads its unit: a panel is opened at every click on the board."""
    unit = unit_status.unit_with_building(project_or_404().id, unit_id)[0] if unit_id else None
    if unit is None:
        abort(404)
    if action:
        authorize(action, unit)
    return unit


def board_args():
    """Building and filters from the query string, as the board's templates need them."""
    return request.args.get("building", type=db_id), grid.Filters.from_args(request.args)


def board_html(project, building_id, filters):
    """The grids, tabs, filters and figures as HTML, rendered once per board version.

    A 300-unit building costs ~10 ms to shape and render; every browser on the same version,
    building and filters gets the same HTML (the role only decides which links show), so
    each worker renders it once.
    """
    data = grid.board_data(project.id, building_id)
    roles = tuple(sorted(roles_of(current_user)))
    return kept("board_html", (project.id, roles, *grid.view_key(data, filters)),
                lambda: Markup(render_template("board/_board.html", project=project,
                                               **grid.board_view(data, filters))), 32)


@bp.route("/board")
@require("board.view")
def index():
    project = project_or_404()
    building_id, filters = board_args()
    context = {"board_html": board_html(project, building_id, filters)}
    unit_id = request.args.get("unit", type=db_id)
    unit = unit_status.unit_with_building(project.id, unit_id)[0] if unit_id else None
    if unit is not None:
        context["panel"] = panel_context(unit)
    return render_page("board/index.html", partial="board/_board_html.html", project=project,
                       **context)


def current_tag(args):
    """The project's board ETag, for polls answered before the user is loaded."""
    project_id = args.get("project", type=db_id)
    return grid.polled_etag(project_id) if project_id else None


def poll_answer(args, client_tag, tag):
    """What a board shows that is behind: the same for every user (see grid.board_changes),
    so it is built from HTML each worker keeps per cell and per board version."""
    project_id = args.get("project", type=db_id)
    building_id, filters = args.get("building", type=db_id), grid.Filters.from_args(args)
    tag, changes = grid.board_changes(project_id, building_id, client_tag, tag)
    if tag is None:
        abort(404)
    if changes is None:
        response = make_response("", 304)
    else:
        compact = not changes["building_id"]
        if changes["full"]:
            body = kept("board_full_polls", (tag, changes["building_id"], filters), lambda: (
                render_template("board/_poll_grids.html", compact=compact, grids=build_grids(
                    changes["buildings"], changes["rows"], filters))), 8)
        else:
            body = "".join(cell_html(row, compact, filters) for row in changes["changed"])
        body += kept("board_summary_html", (tag, changes["building_id"]), lambda: (
            render_template("board/_summary.html", oob=True, summary=changes["summary"],
                            letters=grid.LETTERS)), 16)
        response = make_response(body)
        response.headers["HX-Trigger"] = grid.changed_trigger(changes)
    response.headers["ETag"] = tag
    return response


CELLS_KEPT = 20_000  # rendered cells per worker: every unit of a large project, twice


def cell_html(row, compact, filters):
    """One changed cell, out of band, rendered once per state, layout and filters."""
    return kept("board_cells", (row, compact, filters), lambda: str(macro(
        "board/_cell_runs.jinja", "cells")([Cell(row, filters.matcher())], compact, oob=True,
                                           td=False)), CELLS_KEPT)


@bp.route("/board/poll")
@require("board.view")
@fresh_when(current_tag, poll_answer)
def poll():
    """304 while nothing changed; else the changed cells (or grids) and figures, out of band."""
    if request.args.get("project", type=int) != project_or_404().id:
        abort(404)  # another project's board
    tag = current_tag(request.args) or abort(404)
    return poll_answer(request.args, request.headers.get("If-None-Match"), tag)


@bp.route("/board/unit")
@require("board.view")
def unit_panel():
    unit = unit_or_404(request.args.get("unit", type=db_id))
    context = panel_context(unit, full_history=request.args.get("history") == "all")
    return render_page("board/unit.html", fragment=context["panel_html"], **context)


@bp.route("/board/export")
@require("board.export")
def export():
    project = project_or_404()
    data = unit_sheet.export_workbook(grid.export_rows(project.id), f"{project.name} 房源表")
    return xlsx_response(data, f"{project.name}-房源表-{clock.today():%Y%m%d}.xlsx")
