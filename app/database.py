"""Engine set-up: SQLite tuned for many concurrent writers, PostgreSQL as is."""
import time
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.base import instance_state

from app.driver import run_sql

# Safe-method requests read only; everything else (POSTs, CLI, services) may write.
read_only = ContextVar("read_only", default=False)


def reads_from_here():
    """The rest of this request only reads: a POST rendering its answer after its commit (or
    rollback). On SQLite its next transaction begins deferred, so rendering does not hold the
    write lock and queue every other writer behind it. Reset when the request ends."""
    read_only.set(True)


def commit_for_answer(session):
    """Commit, keeping what the request loaded (the user, the unit's building): its answer is
    rendered from them next. What a service changed behind the ORM (Core UPDATEs) the service
    brings up to date itself, as unit_status.transition does for the unit (from RETURNING)."""
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def key_of(model, object_id):
    """The session's identity key of `model` row `object_id` (orm.util.identity_key, without
    its argument parsing and mapper lookup: 0.09 us against 0.8, several times a request)."""
    return model.__mapper__.identity_key_from_primary_key((object_id,))


def as_loaded(session, model, columns, refresh=False):
    """The session's `model` row with these column values (every column of the table), as
    if a query had just loaded it, from a Core row or a kept copy: the ORM's loading costs a
    hot path several times the statement. The object already in the session, if any, is
    returned as it is, or with `refresh` brought up to these values (populate_existing)."""
    identity = key_of(model, columns["id"])
    obj = session.identity_map.get(identity)
    if obj is None:  # attached as the ORM's loading attaches a row it has not seen
        # (orm/loading.py); session.add also walks every relationship's cascade: about
        # 0.12 M instructions an object, two of them on every logged-in request
        obj = model.__mapper__.class_manager.new_instance()
        state = instance_state(obj)
        state.key, state.identity_token, state.session_id = identity, None, session.hash_key
        session.identity_map._add_unpresent(state, identity)
        obj.__dict__.update(columns)
        state._commit_all(state.dict, session.identity_map)
    elif refresh:
        for key, value in columns.items():
            set_committed_value(obj, key, value)
        loaded = [key for key in model.__mapper__.relationships.keys() if key in obj.__dict__]
        if loaded:  # a relationship may point elsewhere now: loaded again when next read
            session.expire(obj, loaded)
    return obj


def attach_loaded(session, obj, key, model, object_id):
    """Point `obj`'s many-to-one `key` at the session's `model` row `object_id` (None: at
    nothing), as its lazy load would find it, without the lazy load's machinery (0.06 M a
    read on a move's answer). False, and nothing set, when that row is not in the session."""
    target = None
    if object_id is not None:
        target = session.identity_map.get(key_of(model, object_id))
        if target is None:
            return False
    set_committed_value(obj, key, target)
    return True


def configure_engine(engine, config):
    if engine.dialect.name != "sqlite":
        _ping_when_idle(engine, config.get("DB_PING_AFTER_IDLE_SECONDS", 10))
        return
    busy_ms = int(config.get("DB_LOCK_TIMEOUT_MS", 5000))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not pysqlite, decide when a transaction begins (see _on_begin).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on a power cut,
        # and a hold or deposit the office was told is saved must survive one.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A write transaction takes the write lock up front: a read-then-write under a
        # deferred BEGIN lets two writers both read "available" (double sale).
        run_sql(conn, "BEGIN" if read_only.get() else "BEGIN IMMEDIATE")


def _ping_when_idle(engine, idle_seconds):
    """Pessimistic disconnect handling for connections that sat idle in the pool.

    A connection idle longer than `idle_seconds` is pinged at checkout; a dead one is
    replaced before the request sees it (a restarted PostgreSQL overnight costs nothing).
    A busy connection is not pinged: if the server goes away under load, the statement that
    finds out fails (503 系统繁忙,请重试, nothing half-saved) and SQLAlchemy invalidates the
    whole pool, so the next request connects afresh.
    """
    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn, record):
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn, record, _proxy):
        since = record.info.get("checked_in_at")
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("idle connection is gone") from exc
