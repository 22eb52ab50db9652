"""Configuration read from the environment.

Every setting has a safe default for a single-machine intranet install; production
overrides them through environment variables (see README, "Configuration").
"""
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("ANCHANG_INSTANCE", BASE_DIR / "instance"))


def _env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url(url=None):
    """Normalise a DATABASE_URL: default SQLite file, psycopg 3 driver for PostgreSQL."""
    url = url or os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'anchang.db'}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def load_secret_key():
    """SECRET_KEY from the environment, else one generated once into instance/."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        # Written aside then linked into place: concurrent workers never read half a key.
        tmp = INSTANCE_DIR / f".secret_key.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process won; use its key
        finally:
            tmp.unlink()
    return path.read_text().strip()


def engine_options(url, lock_timeout_ms):
    """On PostgreSQL a lock wait is bounded like SQLite's busy timeout. Connections are
    checked before use only after they sat idle (app.database.configure_engine), not on
    every checkout: a ping per request was a round trip per request."""
    options = {}
    if url.startswith("postgresql"):
        options["connect_args"] = {
            "options": f"-c lock_timeout={lock_timeout_ms} -c statement_timeout=60000"}
    return options


class Config:
    SQLALCHEMY_DATABASE_URI = None  # filled in by __init__ from DATABASE_URL
    # How long a writer waits for a lock before the user sees "系统繁忙,请重试" (503).
    DB_LOCK_TIMEOUT_MS = int(os.environ.get("DB_LOCK_TIMEOUT_MS", "5000"))
    # PostgreSQL: a pooled connection idle this long is pinged before use (app.database).
    DB_PING_AFTER_IDLE_SECONDS = float(os.environ.get("DB_PING_AFTER_IDLE_SECONDS", "10"))

    TIMEZONE = os.environ.get("ANCHANG_TIMEZONE", "Asia/Shanghai")

    # Sessions: signed cookie with a per-user session version (see services.auth).
    SESSION_COOKIE_NAME = "anchang_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # None = Secure whenever the request came over HTTPS (ProxyFix trusts nginx's header).
    SESSION_COOKIE_SECURE = None
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
    SESSION_ABSOLUTE_HOURS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12"))
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    # argon2id parameters (app.services.passwords.PRODUCTION); tests lower them.
    PASSWORD_HASH = None

    LOGIN_MAX_FAILURES = 5  # per username from one source address: slows that address
    LOGIN_ACCOUNT_MAX_FAILURES = 50  # per username from anywhere: only a sustained attack
    LOGIN_WINDOW_MINUTES = 15

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # Uploaded files (photos of signed forms) live here, served only through checked views.
    UPLOAD_DIR = Path(os.environ.get("ANCHANG_UPLOADS", INSTANCE_DIR / "uploads"))
    DISCOUNT_ATTACHMENT_MAX_BYTES = 8 * 1024 * 1024
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL")  # printed in QR codes
    # A PDF render longer than this is abandoned with 503 "文档生成超时" (app/pdf.py);
    # gunicorn's --timeout 60 stays the last resort.
    PDF_TIMEOUT_SECONDS = float(os.environ.get("PDF_TIMEOUT_SECONDS", "30"))
    # A worker re-reads the board's ETag for polls at most this often: 100 open boards polling
    # every 2 s then cost a few reads a second, and a change still shows within 2.5 s.
    POLL_TAG_SECONDS = float(os.environ.get("POLL_TAG_SECONDS", "0.5"))

    def __init__(self, database_uri=None):
        self.SQLALCHEMY_DATABASE_URI = database_url(database_uri)
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options(self.SQLALCHEMY_DATABASE_URI,
                                                        self.DB_LOCK_TIMEOUT_MS)
        self.SECRET_KEY = load_secret_key()
        secure = os.environ.get("SESSION_COOKIE_SECURE")
        if secure is not None:
            self.SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)


class TestConfig(Config):
    __test__ = False  # not a pytest test class
    TESTING = True
    POLL_TAG_SECONDS = 0.0  # tests poll right after a change and expect to see it
    # A login at production cost takes ~0.2 s of CPU; the suite logs in hundreds of times.
    # tests/test_auth.py checks the production parameters on an app that keeps them.
    PASSWORD_HASH = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}

    def __init__(self, database_uri, **overrides):
        for key, value in overrides.items():
            setattr(self, key, value)
        super().__init__(database_uri)
        self.SECRET_KEY = secrets.token_hex(16)
        # Created on first upload only; tests that upload point it at their tmp_path.
        self.UPLOAD_DIR = Path(tempfile.gettempdir()) / f"anchang-test-uploads-{os.getpid()}"
