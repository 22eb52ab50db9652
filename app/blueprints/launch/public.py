"""Pages without a login: the lottery's verification page and the hall screen 叫号屏.

The verification page needs the launch's unguessable token; the hall screen uses a hall
display link (销控大屏) a manager created and can revoke. Neither shows a phone or a price.
"""
from flask import abort, make_response, render_template, request

from app.blueprints.launch import bp
from app.services.board import displays
from app.services.launch import launches, lookups, lottery, selection


@bp.route("/lottery/<token>")
def lottery_page(token):
    launch = lookups.by_token(token)
    if launch is None:
        abort(404)
    claimed = request.args.get("seed")
    if claimed is not None:
        claimed = claimed[:200]
    return render_template("launch/lottery.html", launch=launch,
                           check=lottery.verify(launch, claimed), claimed=claimed)


def _hall_launch(token):
    link = displays.active_link(token)
    if link is None:
        return None, None
    return link, lookups.on_hall(link.project_id)


@bp.route("/launch-hall/<token>")
def hall(token):
    """The 叫号屏 on the hall TV: who is picking now, who is next; no names in full."""
    link, launch = _hall_launch(token)
    if link is None:
        abort(make_response(render_template("board/display_gone.html"), 410))
    context = {"state": selection.board_state(launch)} if launch else {}
    return render_template("launch/hall.html", link=link, launch=launch,
                           etag=launches.hall_tag(launch.id) if launch else "", **context)


@bp.route("/launch-hall/<token>/poll")
def hall_poll(token):
    link, launch = _hall_launch(token)
    if link is None:
        return make_response("该大屏链接已被撤销", 410,
                             {"Content-Type": "text/plain; charset=utf-8"})
    tag = launches.hall_tag(launch.id) if launch else '"none"'
    if request.headers.get("If-None-Match") == tag:
        response = make_response("", 304)
    else:
        state = selection.board_state(launch) if launch else None
        response = make_response(render_template("launch/_hall.html", launch=launch,
                                                 state=state))
    response.headers["ETag"] = tag
    return response
