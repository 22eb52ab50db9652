"""The unit panel (房源详情): what it shows, and its HTML from parts each worker keeps.

Most of a panel is the same for every viewer who may do the same things to the unit in the
same state: its facts, its buttons, its forms. PanelView holds exactly what that part shows,
as plain values; a worker renders board/_panel.html once per PanelView and keeps it. Each
answer then fills the kept HTML's slots with what is its own: the session's CSRF token, the
board version, the hold note and the history lines (each line kept too). A move's answer,
several a second on launch day, renders a hold note, not a template.
"""
from typing import NamedTuple, Optional

from flask import current_app, request
from flask_login import current_user
from markupsafe import Markup

from app.blueprints.board.forms import BlockForm, ExtendHoldForm, ReasonForm
from app.csrf_tokens import signed_token
from app.policy import can
from app.services import clock
from app.services.board import grid, unit_status
from app.web import kept, kept_each, macro

MOVE_FORMS = {"cancel_hold": ReasonForm, "extend_hold": ExtendHoldForm, "withhold": ReasonForm,
              "block": BlockForm}


class MoveForms(dict):
    """One form per move, each with its own prefix so their fields never clash. A form is
    built when the panel first shows it: most panels show one or two of the four."""

    def __missing__(self, name):
        form = self[name] = MOVE_FORMS[name](prefix=name, formdata=None)
        return form


class PanelView(NamedTuple):
    """Everything board/_panel.html shows, as plain values: the key its HTML is kept by. A
    value the template shows that is missing here would be shown to the wrong viewer."""

    unit_id: int
    building_id: int
    building: str
    label: str
    floor: int
    layout: str
    building_area: object
    inner_area: object
    orientation: Optional[str]
    unit_price: object
    total_price: object
    floor_price: object  # None unless the viewer may see it
    show_floor_price: bool
    state: str
    moves: tuple
    cancel_needs_reason: bool  # cancelling another's hold asks why
    hold_minutes: int
    receipt: Optional[tuple]  # (id, number) of the live deposit's receipt to print
    discount: Optional["DiscountLink"]  # 申请特殊优惠, made into a link when rendered
    change_link: bool
    release_block: bool
    withhold_block: bool
    has_history: bool
    more_history: bool


class Slots(NamedTuple):
    """Markers in the kept HTML for what each answer fills in. Each opens with a raw `<`,
    which autoescaping never lets a value through: only the template can write them."""

    csrf: Markup = Markup("<!--slot:csrf-->")
    version: Markup = Markup("<!--slot:version-->")
    hold_note: Markup = Markup("<!--slot:hold-note-->")
    history: Markup = Markup("<!--slot:history-->")


SLOTS = Slots()
PANELS_KEPT = 4_000  # kept panels per worker (1-4 KB each): a 2,000-unit project, two states each
PANEL_HISTORY = grid.PANEL_HISTORY  # the latest moves; 显示全部记录 asks for the rest
HISTORY_LINES_KEPT = 20_000  # rendered history lines per worker: ten for each of 2,000 units
DEPOSIT_STATES = ("deposit_pending", "deposit_confirmed", "subscribed", "contracted")


def panel_context(unit, forms=None, now=None, full_history=False):
    """The unit's panel as HTML (`panel_html`), and the unit (the full page's title).
    `forms`: submitted forms to show again with their errors (a 422)."""
    now = now or clock.now()
    user = current_user._get_current_object()
    state = unit_status.effective(unit, now)
    rows = grid.unit_history(unit.id, None if full_history else PANEL_HISTORY + 1)
    more = len(rows) > PANEL_HISTORY and not full_history
    lines = history_lines(rows[:PANEL_HISTORY] if more else rows)
    floor_price = can(user, "floor_price.view")
    view = PanelView(
        unit_id=unit.id, building_id=unit.building_id, building=unit.building.name,
        label=unit.label, floor=unit.floor, layout=unit.layout,
        building_area=unit.building_area, inner_area=unit.inner_area,
        orientation=unit.orientation, unit_price=unit.unit_price, total_price=unit.total_price,
        floor_price=unit.floor_price if floor_price else None,
        show_floor_price=floor_price, state=state,
        moves=tuple(unit_status.allowed_moves(unit, user, now)),
        cancel_needs_reason=unit.held_by_id != user.id,
        hold_minutes=unit.building.project.hold_minutes,
        receipt=deposit_receipt(unit, state, user),
        discount=discount_link(unit, state, user),
        change_link=state in ("deposit_confirmed", "subscribed", "contracted")
        and can(user, "change.request"),
        release_block=can(user, "unit.release"), withhold_block=can(user, "unit.withhold"),
        has_history=bool(lines), more_history=more)
    note = hold_note(unit) if state == "held" else ""
    return {"unit": unit, "panel_html": panel_html(view, forms, unit.board_version, note, lines)}


def panel_html(view, forms, version, note, lines):
    """board/_panel.html for `view`, kept per view while its forms are blank, with this
    answer's slots filled."""
    def render():
        return current_app.jinja_env.get_template("board/_panel.html").render(
            p=view, forms=MoveForms(forms or {}), slot=SLOTS)

    # (the script root too: the links in the HTML start with it)
    script_root = request._get_current_object().script_root
    html = render() if forms else kept("board_panels", (script_root, view), render, PANELS_KEPT)
    return Markup(html.replace(SLOTS.csrf, signed_token()).replace(SLOTS.version, str(version))
                  .replace(SLOTS.hold_note, note).replace(SLOTS.history, "\n".join(lines)))


def hold_note(unit):
    """由 王芳 保留 · 到期 15:30 (· 已延长一次)."""
    return macro("board/_hold_note.html", "note")(
        unit.held_by.display_name, unit.hold_expires_at, unit.hold_extended)


def history_lines(rows):
    """The unit_history rows as HTML lines. An audit row never changes, so a line is
    rendered once per worker and kept, by the row's id, time and action and the name of who
    made it (a user renamed shows under the new name). The time and action are in the key
    for a row read inside a move whose commit then failed: SQLite may give its id again."""
    by_key = {(row.id, row.at, row.action, row.name): row for row in rows}
    return kept_each("board_history_lines", by_key, lambda key: macro(
        "board/_history.html", "line")(grid.history_entry(by_key[key])), HISTORY_LINES_KEPT)


def deposit_receipt(unit, state, user):
    """(id, number) of the receipt of the unit's live deposit, to print when the money is
    taken (打印收据)."""
    from app.services.deals.deposits import open_deposit
    if not can(user, "receipt.print") or state not in DEPOSIT_STATES:
        return None
    deposit = open_deposit(unit.id)
    receipt = deposit and deposit.receipt
    return (receipt.id, receipt.number) if receipt else None


class DiscountLink(NamedTuple):
    """特殊优惠申请 from the panel: for the unit, with the customer of its deposit (if any)."""

    customer_id: Optional[int]


def discount_link(unit, state, user):
    """特殊优惠申请 for this unit (and the customer of its deposit, if there is one): the
    template makes the link, once per kept panel."""
    from app.services.deals.deposits import open_deposit
    from app.services.discounts.requests import OPEN_UNIT_STATUSES
    if state not in OPEN_UNIT_STATUSES or not can(user, "discount.request"):
        return None
    deposit = open_deposit(unit.id) if state.startswith("deposit") else None
    return DiscountLink(deposit and deposit.customer_id)
