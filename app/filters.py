"""Jinja filters and globals: money, local times, masks, the policy."""
from flask import g, request, url_for
from flask_login import current_user
from werkzeug.local import LocalProxy

from app.loaders import current_project, switchable_projects
from app.models.project import ROUNDING_CHOICES, UnitStatus
from app.models.user import ROLE_LABELS
from app.nav import NAV, NAV_BADGES, grouped
from app.policy import can, roles_of
from app.services.audit import ACTION_LABELS, OBJECT_LABELS
from app.services.clock import local
from app.services.customers.phones import mask_id_number, mask_phone
from app.services.money import format_money, to_chinese_capital


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


def _context():
    """What every template may use; worked out once per request and user (an htmx answer
    renders its fragment and its flashes: two templates, one navigation)."""
    if not current_user.is_authenticated:
        return {"nav": [], "nav_groups": [], "nav_badges": {}}
    user = current_user._get_current_object()  # resolve the proxy once per render, not per cell
    kept = g.get("template_context")
    if kept is None or kept[0] != user.id:
        kept = g.template_context = (user.id, _context_for(user))
    return kept[1]


def _context_for(user):
    nav = [(endpoint, label) for endpoint, label, action in NAV if can(user, action)]
    badges = {endpoint: url_for(badge) for endpoint, (badge, action) in NAV_BADGES.items()
              if can(user, action)}
    return {"nav": nav, "nav_groups": grouped(nav, request.endpoint, badges),
            # read when a template asks: most htmx fragments never show the project
            "nav_badges": badges, "current_project": LocalProxy(current_project),
            "switch_projects": switchable_projects,
            "can": lambda action, obj=None: can(user, action, obj)}


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
    )
    app.jinja_env.globals.update(can=lambda action, obj=None: can(current_user, action, obj))
    app.context_processor(_context)
