"""Password hashing (argon2id) and the password policy."""
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.services.errors import RuleViolation

MIN_LENGTH = 8
# argon2id at OWASP/ASVS L2 strength: 64 MiB, 3 passes, 4 lanes (RFC 9106 low-memory).
HASHER = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)
# A fixed hash to verify against when the username is unknown: same cost, no timing oracle.
_DUMMY_HASH = HASHER.hash("anchang-dummy-password")


@lru_cache(maxsize=1)
def _common_passwords():
    path = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line.strip())


def hash_password(password):
    return HASHER.hash(password)


def verify_password(password_hash, password):
    """True when the password matches; never raises on a bad or empty hash."""
    try:
        return HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return HASHER.check_needs_rehash(password_hash)


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
