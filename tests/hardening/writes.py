"""Which tables a block of requests wrote and committed, seen where every writer passes: the
engine. A refusal must leave the data as it was; a write that was rolled back is fine."""
import re
from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db

WRITE_RE = re.compile(r'\b(?:INSERT\s+INTO\s+"?(\w+)|DELETE\s+FROM\s+"?(\w+)'
                      r'|UPDATE\s+"?(\w+)"?\s+SET\b)', re.I)
# Written on refusals by design: who tried to log in, who looked, and the audit trail of reads.
LOG_TABLES = frozenset({"audit_log", "login_attempt", "access_log"})


@contextmanager
def committed_writes(app, ignore=LOG_TABLES):
    """Yields a set that fills with the names of tables whose writes were committed."""
    committed, pending = set(), {}

    def key(conn):
        return id(conn.connection.dbapi_connection)

    def seen(conn, _cursor, statement, _params, _context, _many):
        tables = {name for match in WRITE_RE.findall(statement) for name in match if name}
        if tables - ignore:
            pending.setdefault(key(conn), set()).update(tables - ignore)

    def commit(conn):
        committed.update(pending.pop(key(conn), ()))

    def rollback(conn):
        pending.pop(key(conn), None)

    def reset(dbapi_connection, _record, _state):  # returned to the pool: rolled back
        pending.pop(id(dbapi_connection), None)

    with app.app_context():
        engine = db.engine
    listeners = [(engine, "before_cursor_execute", seen), (engine, "commit", commit),
                 (engine, "rollback", rollback), (engine.pool, "reset", reset)]
    for target, name, listener in listeners:
        event.listen(target, name, listener)
    try:
        yield committed
    finally:
        for target, name, listener in listeners:
            event.remove(target, name, listener)
