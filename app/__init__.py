"""Anchang 案场: the application factory."""
import logging
import shutil
import subprocess

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import INSTANCE_DIR, Config
from app.extensions import csrf, db, htmx, login_manager, migrate

log = logging.getLogger(__name__)


def create_app(config=None):
    """Build the app; `config` is a Config instance (Config() from the environment by default)."""
    app = Flask(__name__, instance_path=str(INSTANCE_DIR), instance_relative_config=False)
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
