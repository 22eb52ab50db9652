"""排号 and 摇号: fixing the queue, by registration order or by a lottery anyone can re-check.

The lottery, step by step (also printed on the public verification page):

1. Commit. Registration closes. The office draws a secret seed: 32 random bytes written as
   64 lowercase hex characters. It publishes SHA-256(seed) (of those 64 ASCII characters)
   and the sorted list of registration numbers 认筹号 taking part, before the draw.
2. Draw. The seed is revealed. For each registration number n, its key is
   HMAC-SHA256(key = the seed's 64 ASCII characters, message = n in decimal ASCII), in hex.
   The queue is the numbers sorted by key (then by n); queue number 1 is the first.
3. Verify. Anyone checks SHA-256(seed) against the committed hash, then recomputes step 2.
   A seed chosen after the numbers were known would not match the hash committed before.
"""
import hashlib
import hmac
import json
import secrets

from sqlalchemy import select, update

from app.extensions import db
from app.models import CallStatus, LaunchRegistration, LaunchStatus, RegistrationStatus
from app.services import audit, clock
from app.services.errors import RuleViolation
from app.services.launch import launches

SEED_CHARS = frozenset("0123456789abcdef")


def seed_hash(seed):
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def draw_key(seed, number):
    return hmac.new(seed.encode("ascii"), str(number).encode("ascii"), hashlib.sha256).hexdigest()


def order(seed, numbers):
    """The registration numbers in queue order for this seed (the documented algorithm)."""
    return sorted(numbers, key=lambda n: (draw_key(seed, n), n))


def valid_seed(seed):
    return isinstance(seed, str) and len(seed) == 64 and set(seed) <= SEED_CHARS


def _queued(launch):
    return db.session.scalars(select(LaunchRegistration).where(
        LaunchRegistration.launch_id == launch.id,
        LaunchRegistration.status.in_(RegistrationStatus.IN_QUEUE))
        .order_by(LaunchRegistration.number)).all()


def fix_order(launch, actor, now=None):
    """排号: queue numbers by registration order (launches in 'order' mode)."""
    launches.lock(launch)
    launches.expect(launch, LaunchStatus.REGISTERING)
    if launch.mode != "order":
        raise RuleViolation("该活动采用公开摇号,请先公示种子哈希再摇号")
    entries = _queued(launch)
    if not entries:
        raise RuleViolation("还没有有效的认筹,不能排号")
    _place(launch, [entry.number for entry in entries], entries)
    launch.participants = json.dumps([entry.number for entry in entries])
    launch.status, launch.drawn_at = LaunchStatus.DRAWN, now or clock.now()
    audit.record("launch_queue_fixed", "launch", launch.id, project_id=launch.project_id,
                 user=actor, after={"count": len(entries)})
    return launch


def commit(launch, actor, now=None):
    """Close registration, pick the secret seed and publish its hash and the participants."""
    launches.lock(launch)
    launches.expect(launch, LaunchStatus.REGISTERING)
    if launch.mode != "lottery":
        raise RuleViolation("该活动按认筹顺序排号,不需要摇号")
    numbers = [entry.number for entry in _queued(launch)]
    if not numbers:
        raise RuleViolation("还没有有效的认筹,不能摇号")
    seed = secrets.token_hex(32)
    launch.seed, launch.seed_hash = seed, seed_hash(seed)
    launch.participants = json.dumps(numbers)
    launch.status, launch.committed_at = LaunchStatus.COMMITTED, now or clock.now()
    audit.record("launch_seed_committed", "launch", launch.id, project_id=launch.project_id,
                 user=actor, after={"seed_hash": launch.seed_hash, "participants": len(numbers)})
    return launch


def draw(launch, actor, now=None):
    """Reveal the committed seed and place every participant by the documented order."""
    launches.lock(launch)
    launches.expect(launch, LaunchStatus.COMMITTED, message="请先公示种子哈希")
    numbers = launches.participants(launch)
    ranked = order(launch.seed, numbers)
    entries = db.session.scalars(select(LaunchRegistration).where(
        LaunchRegistration.launch_id == launch.id,
        LaunchRegistration.number.in_(numbers))).all()
    _place(launch, ranked, entries)
    launch.status, launch.drawn_at = LaunchStatus.DRAWN, now or clock.now()
    audit.record("launch_drawn", "launch", launch.id, project_id=launch.project_id, user=actor,
                 after={"seed": launch.seed, "seed_hash": launch.seed_hash,
                        "first": ranked[:10]})
    return ranked


def _place(launch, ranked, entries):
    by_number = {entry.number: entry for entry in entries}
    for queue_no, number in enumerate(ranked, start=1):
        entry = by_number[number]
        waiting = entry.status in RegistrationStatus.IN_QUEUE
        db.session.execute(update(LaunchRegistration).where(LaunchRegistration.id == entry.id)
                           .values(queue_no=queue_no, position=queue_no,
                                   call_status=CallStatus.WAITING if waiting else CallStatus.OUT))
    db.session.expire_all()


def verify(launch, claimed_seed=None):
    """What the public page shows: the commitment, and whether the order re-computes.

    A claimed seed (typed by whoever checks) is refused unless it matches the hash.
    """
    numbers = launches.participants(launch)
    result = {"hash": launch.seed_hash, "numbers": numbers, "seed": None, "hash_ok": None,
              "order_ok": None, "ranked": [], "refused": None}
    hidden = (LaunchStatus.REGISTERING, LaunchStatus.COMMITTED)  # the seed is still secret
    seed = launch.seed if launch.status not in hidden else None
    if claimed_seed is not None:
        claimed = claimed_seed.strip().lower()
        if not valid_seed(claimed) or launch.seed_hash is None or \
                seed_hash(claimed) != launch.seed_hash:
            result["refused"] = "该种子的 SHA-256 与摇号前公示的哈希不符:不是本次摇号的种子"
            return result
        seed = claimed if seed is not None else None  # never confirm a seed before the draw
    if seed is None or launch.mode != "lottery":
        return result
    ranked = order(seed, numbers)
    stored = dict(db.session.execute(select(LaunchRegistration.number, LaunchRegistration.queue_no)
                                     .where(LaunchRegistration.launch_id == launch.id)).all())
    result.update(seed=seed, hash_ok=seed_hash(seed) == launch.seed_hash, ranked=[
        (queue_no, number, stored.get(number)) for queue_no, number in enumerate(ranked, 1)])
    result["order_ok"] = all(stored_no == queue_no for queue_no, _, stored_no in result["ranked"])
    return result
