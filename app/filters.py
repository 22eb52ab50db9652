"""Jinja filters and globals: money, local times, masks, the policy."""
from flask import g, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from werkzeug.local import LocalProxy

from app.loaders import current_project, switchable_projects
from app.models.project import ROUNDING_CHOICES, UnitStatus
from app.models.user import ROLE_LABELS
from app.nav import NAV, NAV_BADGES, grouped
from app.policy import can, can_open, roles_of
from app.services.audit import ACTION_LABELS, OBJECT_LABELS
from app.services.clock import local
from app.services.customers.phones import mask_id_number, mask_phone
from app.services.money import format_money, to_chinese_capital
from app.web import kept


def _area(value):
    return "—" if value is None else f"{value:,.2f}"


def _datetime(value, fmt="%Y-%m-%d %H:%M"):
    return local(value).strftime(fmt) if value else ""


def _percent(value):
    """Decimal('80.00') → '80%', Decimal('33.33') → '33.33%'."""
    return "—" if value is None else f"{value.normalize():f}%"


def _roles_label(user):
    """销售经理 · 管理员: the user's role, then the admin rights a flag adds to it."""
    extra = sorted(roles_of(user) - {user.role})
    return " · ".join([user.role_label] + [ROLE_LABELS[role] for role in extra])


# Crumb words that name a page of the menu by another word.
CRUMB_ALIASES = {"开盘": "开盘选房", "销控": "销控表", "优惠": "优惠审批"}


def _crumbs(text):
    """"明细表 / 认购明细表" with each crumb that names a menu page or group as its link."""
    if "<a" in text:
        return text  # the page wrote its own links
    context = _context()
    pages = {label: endpoint for endpoint, label in context["nav"]}
    groups = {title: items[0][0] for title, items, _ in context["nav_groups"] if title}
    parts = [part.strip() for part in str(text).split(" / ")]
    out = []
    for index, part in enumerate(parts):
        label = Markup(part).unescape()
        endpoint = pages.get(label) or pages.get(CRUMB_ALIASES.get(label)) or groups.get(label)
        if endpoint and index < len(parts) - 1:  # the page on screen is the last crumb
            out.append(Markup('<a href="{}">{}</a>').format(url_for(endpoint), label))
        else:
            out.append(Markup(part))
    return Markup('<span class="sep">/</span>').join(out)


def _context():
    """What every template may use; worked out once per request and user (an htmx answer
    renders its fragment and its flashes: two templates, one navigation)."""
    if not current_user.is_authenticated:
        return {"nav": [], "nav_groups": [], "nav_badges": {}}
    user = current_user._get_current_object()  # resolve the proxy once per render, not per cell
    context = g.get("template_context")
    if context is None or context[0] != user.id:
        context = g.template_context = (user.id, _context_for(user))
    return context[1]


def _context_for(user):
    # The sidebar is worked out when a template shows it (full pages): an htmx fragment,
    # most of the answers on a busy board, never does.
    return {"nav": LocalProxy(lambda: _menu(user)[0]),
            "nav_groups": LocalProxy(lambda: _menu(user)[1]),
            "nav_badges": LocalProxy(lambda: _menu(user)[2]),
            # read when a template asks: most htmx fragments never show the project
            "current_project": LocalProxy(current_project),
            "switch_projects": switchable_projects,
            "sidebar": lambda: _sidebar(user),
            "can": lambda action, obj=None: can(user, action, obj)}


def _sidebar(user):
    """The menu's HTML, the same for every user whose roles show the same entries on the same
    page: each worker renders it once per (entries, page) and keeps it."""
    nav, groups, badges = _menu(user)
    key = (tuple(endpoint for endpoint, _ in nav), tuple(badges), request.endpoint,
           request.script_root)
    return kept("sidebar", key, lambda: Markup(render_template(
        "_sidebar_nav.html", nav_groups=groups, nav_badges=badges)), SIDEBARS_KEPT)


SIDEBARS_KEPT = 256  # menus of a few role sets on each of ~100 pages


def _menu(user):
    """(nav entries, sidebar groups, badge urls) of `user`, once per request."""
    menu = g.get("menu")
    if menu is None or menu[0] != user.id:
        nav = [(endpoint, label) for endpoint, label, action in NAV if can(user, action)]
        badges = {endpoint: url_for(badge) for endpoint, (badge, action) in NAV_BADGES.items()
                  if can(user, action)}
        menu = g.menu = (user.id, (nav, grouped(nav, request.endpoint, badges), badges))
    return menu[1]


def register(app):
    app.jinja_env.filters.update(
        money=format_money,
        area=_area,
        percent=_percent,
        rounding_label=lambda key: ROUNDING_CHOICES.get(key, key),
        action_label=lambda key: ACTION_LABELS.get(key, key),
        object_label=lambda key: OBJECT_LABELS.get(key, key),
        capital=to_chinese_capital,
        dt=_datetime,
        mask_phone=mask_phone,
        mask_id=mask_id_number,
        status_label=lambda status: UnitStatus.LABELS.get(status, status),
        roles_label=_roles_label,
        crumbs=_crumbs,
    )
    app.jinja_env.globals.update(
        can=lambda action, obj=None: can(current_user, action, obj),
        can_open=lambda endpoint, obj=None: can_open(current_user, endpoint, obj))
    app.context_processor(_context)
