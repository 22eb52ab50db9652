"""Anchang 案场: the application factory."""
import logging
import shutil
import subprocess

from flask import Flask, has_request_context, request
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import INSTANCE_DIR, Config
from app.extensions import csrf, db, htmx, login_manager, migrate

log = logging.getLogger(__name__)


class Anchang(Flask):
    """Flask, keeping each worker's built URLs: a page builds a URL per link and button (a
    unit panel about ten, a board more), each costing about as much as rendering a small
    template, and the same ones again on every request."""

    URLS_KEPT = 20_000

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls = {}
        self._synced = {}

    def ensure_sync(self, func):
        """Flask's answer, kept per function: Flask asks it of the view and of every
        before-request, after-request and teardown function on every request (seven times
        a request here), each time inspecting the function for `async def`. The app's
        functions are registered once and never change kind."""
        synced = self._synced.get(func)
        if synced is None:
            synced = self._synced[func] = super().ensure_sync(func)
        return synced

    def url_for(self, endpoint, /, *, _anchor=None, _method=None, _scheme=None,
                _external=None, **values):
        """A path the app built before with the same endpoint and values (in the same
        order, of the same types) under the same script root, else app.url_for, kept.
        Only paths inside a request: an external URL, an anchor, a method or a relative
        endpoint is built each time, as is anything unhashable. (The app registers no
        url_defaults: values one added would not be in the key.)"""
        if (_external or _anchor is not None or _method is not None or _scheme is not None
                or endpoint[:1] == "." or not has_request_context()):
            return super().url_for(endpoint, _anchor=_anchor, _method=_method,
                                   _scheme=_scheme, _external=_external, **values)
        key = (request.environ.get("SCRIPT_NAME", ""), endpoint,
               *((name, type(value), value) for name, value in values.items()))
        try:
            return self._urls[key]
        except KeyError:
            pass
        except TypeError:  # a list of values, say
            return super().url_for(endpoint, **values)
        url = super().url_for(endpoint, **values)
        if len(self._urls) >= self.URLS_KEPT:
            self._urls.clear()
        self._urls[key] = url
        return url


def create_app(config=None):
    """Build the app; `config` is a Config instance (Config() from the environment by default)."""
    app = Anchang(__name__, instance_path=str(INSTANCE_DIR), instance_relative_config=False)
    app.config.from_object(config or Config())
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    register_extensions(app)
    from app.loaders import IdConverter
    app.url_map.converters["int"] = IdConverter  # before any route is added
    register_blueprints(app)
    from app import errors, filters, sessions
    errors.register(app)
    filters.register(app)
    sessions.register(app)
    from app.cli import register as register_cli
    register_cli(app)
    from app import logs
    logs.install(app)
    warn_if_no_cjk_font(app)
    return app


def register_extensions(app):
    from app import database
    db.init_app(app)
    migrate.init_app(app, db, directory=str(migrations_dir()))
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.session_protection = "basic"
    from app.loaders import enter_project
    from app.services.auth import load_user

    @login_manager.user_loader
    def load_user_in_project(session_id):
        user = load_user(session_id)
        if user is not None:
            enter_project(user)  # the user's current project and their role in it
        return user

    with app.app_context():
        database.configure_engine(db.engine, app.config)


def register_blueprints(app):
    from app.blueprints.admin import bp as admin_bp
    from app.blueprints.auth import bp as auth_bp
    from app.blueprints.board import bp as board_bp
    from app.blueprints.deals import bp as deals_bp
    from app.blueprints.discounts import bp as discounts_bp
    from app.blueprints.main import bp as main_bp
    from app.blueprints.verify import bp as verify_bp
    for bp in (auth_bp, main_bp, admin_bp, verify_bp, board_bp, discounts_bp, deals_bp):
        app.register_blueprint(bp)
    from app.blueprints.channels import bp as channels_bp
    from app.blueprints.customers import bp as customers_bp
    from app.blueprints.launch import bp as launch_bp
    from app.blueprints.reports import bp as reports_bp
    from app.blueprints.rotation import bp as rotation_bp
    from app.blueprints.visits import bp as visits_bp
    for bp in (customers_bp, visits_bp, channels_bp, rotation_bp, reports_bp, launch_bp):
        app.register_blueprint(bp)
    from app.blueprints.changes import bp as changes_bp
    from app.blueprints.commissions import bp as commissions_bp
    from app.blueprints.opening import bp as opening_bp
    app.register_blueprint(changes_bp)
    app.register_blueprint(commissions_bp)
    app.register_blueprint(opening_bp)


def migrations_dir():
    from app.config import BASE_DIR
    return BASE_DIR / "migrations"


def warn_if_no_cjk_font(app):
    """PDFs need a CJK font; say so at start rather than print empty boxes."""
    if app.config.get("TESTING") or not shutil.which("fc-list"):
        return
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    if not out.stdout.strip():
        log.warning("No CJK font found (fc-list :lang=zh): PDFs will not show Chinese. "
                    "Install fonts-noto-cjk.")
