"""Password hashing (argon2id) and the password policy."""
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

from app.services.errors import RuleViolation

MIN_LENGTH = 8
# argon2id at OWASP/ASVS L2 strength: 64 MiB, 3 passes, 4 lanes (RFC 9106 low-memory).
# The app's PASSWORD_HASH setting picks the parameters; only the tests lower them.
PRODUCTION = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}


@lru_cache(maxsize=4)
def _hasher(time_cost, memory_cost, parallelism):
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hasher():
    """The hasher for the app's PASSWORD_HASH parameters (production outside an app)."""
    params = current_app.config.get("PASSWORD_HASH") if has_app_context() else None
    return _hasher(**(params or PRODUCTION))


@lru_cache(maxsize=4)
def _dummy_hash(hasher):
    """A fixed hash to verify against when the username is unknown: same cost, no timing
    oracle. Made on first use, not at import."""
    return hasher.hash("anchang-dummy-password")


@lru_cache(maxsize=1)
def _common_passwords():
    path = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line.strip())


def hash_password(password):
    return hasher().hash(password)


def verify_password(password_hash, password):
    """True when the password matches; never raises on a bad or empty hash."""
    current = hasher()
    try:
        return current.verify(password_hash or _dummy_hash(current), password) and \
            bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return hasher().check_needs_rehash(password_hash)


def check_password_policy(password, username="", field="password"):
    """Refuse short, common or guessable passwords, with a Chinese reason."""
    if len(password or "") < MIN_LENGTH:
        raise RuleViolation(f"密码至少 {MIN_LENGTH} 位", field)
    if len(password) > 128:
        raise RuleViolation("密码不能超过 128 位", field)
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(password)) <= 2:
        raise RuleViolation("密码过于常见,请换一个更难猜的密码", field)
    if username and username.lower() in lowered:
        raise RuleViolation("密码不能包含用户名", field)
