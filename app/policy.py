"""Who may do what: the one place role and object checks live.

Views call `require`/`authorize`, templates call `can` to hide what the user may not use,
and tests/test_route_matrix.py proves every route against tests/route_table/.
"""
from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user
from flask_login.config import EXEMPT_METHODS
from sqlalchemy import or_

from app.models import User

ALL_STAFF = frozenset({"consultant", "secretary", "finance", "manager", "admin"})
OFFICE = frozenset({"secretary", "manager"})
SALES = frozenset({"consultant", "secretary", "manager"})

# action -> roles allowed. Areas add their actions here, grouped by area.
ROLE_RULES = {
    # foundation
    "home.view": ALL_STAFF,
    "home.deposits": OFFICE | {"finance"},  # the home page lists deposits waiting for finance
    # lists and pickers hold the user's own customers, deals and 认筹 only (the object rules
    # below still check each object)
    "records.own_only": frozenset({"consultant"}),
    "project.switch": ALL_STAFF,
    "users.manage": frozenset({"admin"}),
    "settings.manage": frozenset({"admin"}),
    "opening.import": frozenset({"admin"}),  # 期初数据: a new project's customers and staff
    "audit.view": frozenset({"manager", "admin"}),
    "phone.reveal": frozenset({"manager", "secretary"}),
    "data.export": frozenset({"secretary", "finance", "manager", "admin"}),  # masked numbers
    # full numbers in bulk (客户一览 with every phone): the manager, with a typed reason, each
    # customer logged. Not the admin: running accounts and settings needs no customer's number
    "data.export_full": frozenset({"manager"}),
    "floor_price.view": frozenset({"manager", "admin"}),
    # discounts (特殊优惠审批)
    "discount.request": frozenset({"consultant", "manager"}),
    "discount.view": ALL_STAFF,
    "discount.queue": frozenset({"secretary", "manager", "admin"}),
    "discount.decide": frozenset({"manager", "admin"}),
    "discount.verbal": frozenset({"secretary", "admin"}),
    "discount.confirm": frozenset({"manager", "admin"}),
    "discount.attach": ALL_STAFF - {"finance"},
    "discount.log": frozenset({"secretary", "finance", "manager", "admin"}),
    "discount.limits": frozenset({"admin"}),
    "discount.unlimited": frozenset({"admin"}),  # approves any amount unless a limit is set
    # sales control board 销控 (moves: app/services/board/unit_status.py)
    "board.view": ALL_STAFF,
    "board.import": OFFICE | {"admin"},  # the admin sets up a new project's board
    "board.export": frozenset({"secretary", "finance", "manager", "admin"}),
    "display.manage": frozenset({"manager"}),
    "unit.hold": frozenset({"consultant", "manager"}),
    "unit.hold_over_cap": frozenset({"manager"}),  # beyond the project's hold cap
    "unit.cancel_hold": frozenset({"consultant", "manager"}),
    "unit.extend_hold": frozenset({"manager"}),
    "unit.withhold": frozenset({"manager"}),
    "unit.release": frozenset({"manager"}),
    # customers, visits, channels, rotation
    "customers.view": SALES,  # lists and search (masked); a card: own customers for consultants
    "customers.register": SALES,
    "customers.edit": frozenset({"consultant", "manager"}),
    "customers.follow_up": frozenset({"consultant", "manager"}),
    "customers.assign": frozenset({"manager"}),  # pool, reassign, disputes, monthly recycling
    "customers.anonymise": frozenset({"manager"}),
    "customers.review": frozenset({"manager"}),  # effective follow-ups, retention (seed 004)
    "customers.options": frozenset({"manager"}),
    "customers.stats": OFFICE,  # 来人来电统计表, analysis charts, the Saturday check
    "customers.today": frozenset({"consultant"}),
    # may own customers: a contact, deposit or 认筹 they record is theirs; pickers list them
    "customers.own": frozenset({"consultant"}),
    "phone.full": frozenset({"consultant"}),  # own customers' full numbers (object rule)
    "access_log.view": frozenset({"manager", "admin"}),
    "visits.view": SALES,
    "visits.record": SALES,
    "visits.late_entry": frozenset({"manager"}),  # 补录 after the end of the next day
    "channels.view": SALES,
    "channels.report": SALES,  # consultants record 全民经纪人 reports for them (代录)
    "channels.report_agency": OFFICE,  # seed 001: agencies and distributors via the secretary
    "channels.manage": OFFICE,  # companies, agents, visit confirmations
    "rotation.view": SALES,
    "rotation.desk": OFFICE,
    "rotation.order": frozenset({"manager"}),
    # deals 定金 / 认购 / 签约 / 回款 (moves: app/services/board/unit_status.py)
    "deposit.record": frozenset({"consultant", "secretary"}),
    "deposit.confirm": frozenset({"finance"}),
    "deposit.queue": frozenset({"finance", "manager"}),
    # a complaint split (seed 002 准则(4)) counts once the manager has looked into it
    "deposit.complaint": frozenset({"manager"}),
    "subscription.sign": OFFICE,
    "subscription.void": OFFICE,
    "contract.sign": OFFICE,
    "payment.record": frozenset({"secretary"}),
    "payment.confirm": frozenset({"finance"}),
    "receipt.books": frozenset({"finance"}),
    "receipt.print": frozenset({"secretary", "finance", "manager"}),
    "deals.view": frozenset({"secretary", "finance", "manager", "admin"}),
    # exchange / refund / name change 换房 退房 换名 (moves: app/services/board/unit_status.py)
    "change.request": SALES,
    "change.view": ALL_STAFF,  # a request's page: consultants their own
    "change.register": frozenset({"secretary", "finance", "manager", "admin"}),
    "change.decide": frozenset({"manager"}),
    "change.execute": frozenset({"secretary"}),
    "change.cancel": SALES,
    "payout.pay": frozenset({"finance"}),
    "fee.confirm": frozenset({"finance"}),
    "receipt.void": frozenset({"finance"}),
    "price_policy.view": ALL_STAFF,
    "price_policy.manage": frozenset({"manager", "admin"}),
    # reports: the manager's dashboard, 销售日报, consultant performance
    "reports.dashboard": frozenset({"manager"}),
    "reports.sales": frozenset({"secretary", "finance", "manager", "admin"}),
    "reports.consultants": frozenset({"manager", "admin"}),
    # commissions 佣金/提成: consultants see their own lines only (records.own_only)
    "commission.view": ALL_STAFF,
    "commission.rules": frozenset({"secretary", "finance", "manager", "admin"}),
    "commission.manage": frozenset({"manager", "admin"}),
    "commission.referrer": OFFICE,  # the group employee who introduced the buyer
    "commission.approve": frozenset({"manager"}),
    "commission.pay": frozenset({"finance"}),
    "commission.registers": frozenset({"secretary", "finance", "manager", "admin"}),
    # launch day 开盘: 认筹, 排号/摇号, 选房 (the pick is a move in unit_status)
    "launch.view": ALL_STAFF,  # consultants see their own registrations only
    "launch.manage": OFFICE,  # create, fix the queue, commit and draw, run the session
    "launch.register": frozenset({"consultant", "secretary"}),
    "launch.confirm": frozenset({"finance"}),  # confirm / reject / refund the 诚意金
    "launch.pick": OFFICE,  # recorded at the console with the buyer and their consultant
}


def roles_of(user):
    """The user's roles: their role, plus admin when they carry the admin flag."""
    roles = {user.role}
    if user.is_admin:
        roles.add("admin")
    return roles


def roles_allow(subject, action):
    """True when the roles of `subject` (a user, or any row with role and is_admin) allow
    `action`; object rules aside."""
    allowed = ROLE_RULES.get(action)
    if allowed is None:
        raise KeyError(f"unknown action {action!r}: add it to app.policy.ROLE_RULES")
    # roles_of(subject) & allowed, without making the set (a panel asks a dozen times)
    return subject.role in allowed or bool(subject.is_admin and "admin" in allowed)


def holders(action):
    """SQL condition on User: the users whose roles allow `action` (object rules aside)."""
    allowed = ROLE_RULES[action]
    condition = User.role.in_(sorted(allowed))
    return or_(condition, User.is_admin.is_(True)) if "admin" in allowed else condition


def can(user, action, obj=None):
    """True when `user` may do `action` (to `obj`, when object rules apply)."""
    resolve = getattr(user, "_get_current_object", None)
    if resolve is not None:  # current_user: look through the proxy once, not per attribute
        user = resolve()
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not roles_allow(user, action):
        return False
    check = OBJECT_RULES.get(action)
    return obj is None or check is None or check(user, obj)


def can_open(user, endpoint, obj=None):
    """True when `user` may open the page at `endpoint`: the action its view requires (see
    `require`), asked of `can`. Templates hide links to pages the user would get 403 on."""
    from flask import current_app
    action = getattr(current_app.view_functions.get(endpoint), "action", None)
    return action is None or can(user, action, obj)


def authorize(action, obj=None, user=None):
    """Abort with 403 unless the current user (or `user`) may do `action` to `obj`."""
    if not can(current_user if user is None else user, action, obj):
        abort(403)


def require(action):
    """View decorator: logged in, and the role allows `action`."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            # flask_login.login_required's check (Flask-Login 0.6.3), then the role, with the
            # user, the request and the app each looked through once for both (see
            # app.sessions._before_request): every protected page and move passes here
            user, app = current_user._get_current_object(), current_app._get_current_object()
            if not (request._get_current_object().method in EXEMPT_METHODS
                    or app.config.get("LOGIN_DISABLED")) and not user.is_authenticated:
                return app.login_manager.unauthorized()
            authorize(action, user=user)
            return view(*args, **kwargs)

        wrapped.action = action  # for polls answered before the user is loaded (app.sessions)
        return wrapped

    return decorator


def owns_customer(user, customer):
    """Consultants act on their own customers only; office roles on all."""
    return user.role != "consultant" or customer.owner_id == user.id


def sees_discount(user, request):
    """Consultants see the requests they made, or those for their own customers."""
    return user.role != "consultant" or request.requested_by_id == user.id or \
        owns_customer(user, request.customer)


def holds_unit(user, unit):
    """Consultants cancel their own holds only; a manager may cancel anyone's."""
    return user.role != "consultant" or unit.held_by_id == user.id


def deposit_unit_open_to(user, unit):
    """A consultant takes a deposit on an available unit or on a hold of their own."""
    return user.role != "consultant" or unit.held_by_id in (None, user.id)


def not_the_recorder(user, entry):
    """Separation of duties: whoever recorded money never confirms it (a unit has no
    recorder: the panel asks only whether finance may act at all)."""
    return getattr(entry, "recorded_by_id", None) != user.id


def sees_change(user, change):
    """Consultants see the changes they asked for or those of their own deals."""
    return user.role != "consultant" or user.id in (change.requested_by_id,
                                                     change.consultant_id)


def cancels_change(user, change):
    """The requester withdraws their own request; a manager may withdraw any."""
    return user.role == "manager" or change.requested_by_id == user.id


# action -> object check(user, obj); run after the role check when an object is given.
OBJECT_RULES = {
    # discounts: the request's customer for discount.request, the request otherwise
    "discount.request": owns_customer,
    "discount.view": sees_discount,
    "discount.attach": sees_discount,
    "discount.decide": lambda user, request: request.requested_by_id != user.id,
    "discount.confirm": lambda user, request: request.decided_by_id == user.id or (
        user.admin_rights),
    # sales control board 销控
    "unit.cancel_hold": holds_unit,
    # customers: consultants act on their own customers only
    "customers.view": owns_customer,
    "customers.edit": owns_customer,
    "customers.follow_up": owns_customer,
    "phone.full": owns_customer,
    # deals
    "deposit.record": deposit_unit_open_to,
    "deposit.confirm": not_the_recorder,
    "payment.confirm": not_the_recorder,
    # changes: the deal's customer for change.request, the request otherwise
    "change.request": owns_customer,
    "change.view": sees_change,
    "change.decide": lambda user, change: change.requested_by_id != user.id,
    "change.cancel": cancels_change,
    "fee.confirm": not_the_recorder,
    # commissions: no one approves their own 提成
    "commission.approve": lambda user, line: line.user_id != user.id,
    # launch day
    "launch.register": owns_customer,
    "launch.confirm": not_the_recorder,
}
