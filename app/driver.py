"""The hot path's Core statements, run on the driver's cursor (a board move, its answer).

SQLAlchemy's Connection.execute does the same bookkeeping for every execution of a
statement built once: an execution context, the compiled cache's lookup, its parameters
rebuilt, a result object and its metadata. For a board move's five statements that was
about 1.1 M instructions of a hold's 7.6 M (bench/instructions.py): a hold counts 6.5 M
through `run`. `run` keeps what SQLAlchemy worked out once per statement and dialect, as
`Prepared`: the SQL it compiled, the order of its parameters, its bind and result type
processors (money in fen, UTC times, booleans on SQLite); each execution then binds,
executes on the session connection's DBAPI cursor, in the session's transaction, and makes
plain rows. `run_sql` does the same for a statement of the app's own SQL with no parameters
(SQLite's BEGIN IMMEDIATE, which opens every write transaction: 0.06 M of a hold).

Nothing about the statement changes: the SQL, its parameters and the values it reads back
are SQLAlchemy's. What the shortcut cannot keep, it leaves to SQLAlchemy:

- a statement whose SQL depends on each execution (an IN list of ids given each time, a
  value rendered into the SQL), whose parameter is computed when executed, that computes
  defaults in Python, or that renames its parameters for the driver;
- a connection something listens to (statement counters, SQL logging): they see every
  statement exactly as before;
- an executemany of more than one row (SQLAlchemy batches those).

A driver error goes through SQLAlchemy's own handling (Connection._handle_dbapi_exception):
the same wrapped exception (the app answers a lock timeout or a lost server with 503), and
a lost connection invalidates the pool as any statement's would.

It reads what SQLAlchemy compiled through a few private names (_bind_processors,
_result_columns, _process_parameters_for_postcompile, _cached_result_processor,
_handle_dbapi_exception): SQLAlchemy is pinned in requirements.txt, and
tests/foundation/test_driver.py compares both paths' values and types on both engines.
"""
from collections import namedtuple

PREPARED_KEPT = 512  # statements kept per worker (the app builds a few dozen, once each)

_prepared = {}


class Rows(list):
    """A statement's rows: what the callers of `run` use of SQLAlchemy's Result."""

    def first(self):
        return self[0] if self else None

    def all(self):
        return self


class _RowBase(tuple):
    """A row's values by position, by name (attributes), `_asdict()` and `_mapping`."""

    __slots__ = ()

    @property
    def _mapping(self):
        return self._asdict()


class Prepared:
    """One statement as SQLAlchemy compiled it for one dialect, ready for the cursor."""

    __slots__ = ("sql", "names", "positional", "base", "processors", "row", "types",
                 "results")

    def __init__(self, compiled, state):
        self.sql = state.statement
        self.positional = compiled.positional
        self.names = tuple(state.positiontup if self.positional else state.parameters)
        self.base = dict(state.parameters)  # literal values; the caller's replace the rest
        processors = {**compiled._bind_processors, **state.processors}  # as SQLAlchemy does
        self.processors = tuple((name, processors[name]) for name in dict.fromkeys(self.names)
                                if processors.get(name) is not None)  # (a name used twice)
        columns = compiled._result_columns
        self.types = tuple(column.type for column in columns)
        self.row = None
        if columns:
            # (a name given twice, as the unit's building_id and its building's id labelled
            # so, is by position only, as SQLAlchemy's Row would refuse it by name)
            fields = namedtuple("Row", [column.keyname for column in columns], rename=True)
            self.row = type("Row", (_RowBase, fields), {"__slots__": ()})
        self.results = None  # per column, from the first cursor's description

    @classmethod
    def of(cls, statement, dialect, keys):
        """The statement prepared, or None when SQLAlchemy must run it (see the module)."""
        compiled = statement.compile(dialect=dialect, column_keys=keys)
        given = set(keys or ())
        if (any((bind.expanding or bind.literal_execute) and (bind.required or name in given)
                or bind.callable is not None for name, bind in compiled.binds.items())
                or compiled.insert_prefetch or compiled.update_prefetch
                or compiled.escaped_bind_names):
            return None
        state = compiled._process_parameters_for_postcompile(
            compiled.construct_params(_check=False))
        return cls(compiled, state)

    def parameters(self, given):
        values = {**self.base, **given}
        for name, process in self.processors:
            values[name] = process(values[name])
        if self.positional:
            return tuple([values[name] for name in self.names])
        return {name: values[name] for name in self.names}

    def rows(self, cursor, dialect):
        if self.row is None:
            return Rows()
        if self.results is None:  # (PostgreSQL's processors may depend on the type code)
            self.results = tuple(
                type_._cached_result_processor(dialect, description[1])
                for type_, description in zip(self.types, cursor.description, strict=True))
        make, results = self.row._make, self.results
        if not any(results):
            return Rows(map(make, cursor.fetchall()))
        return Rows(make([value if process is None else process(value)
                          for process, value in zip(results, row, strict=True)])
                    for row in cursor.fetchall())


def run(session, statement, params=None):
    """A Core statement (a Table's, no ORM entity) in the session's transaction: on the
    driver's cursor when it can be (see the module), else through the session's Connection.
    Returns rows with first() and all(), each row by position, attribute or `_asdict()`."""
    conn = session.connection()
    if isinstance(params, list):
        if len(params) != 1:
            return conn.execute(statement, params)
        params = params[0]
    if _watched(conn):
        return conn.execute(statement, params)
    dialect = conn.dialect
    keys = tuple(sorted(params)) if params else None  # as Connection.execute compiles it
    key = (statement, dialect, keys)  # (an engine's own: its server's version may matter)
    prepared = _prepared.get(key, False)
    if prepared is False:
        if len(_prepared) >= PREPARED_KEPT:
            _prepared.clear()
        prepared = _prepared[key] = Prepared.of(statement, dialect, keys and list(keys))
    if prepared is None:
        return conn.execute(statement, params)
    return _execute(conn, prepared.sql, prepared.parameters(params or {}),
                    lambda cursor: prepared.rows(cursor, dialect))


def run_sql(conn, sql):
    """A statement of the app's own SQL with no parameters and no rows (SQLite's BEGIN
    IMMEDIATE, which every write transaction opens with) on the connection's driver cursor,
    as Connection.exec_driver_sql would run it (a listener or echo: through it)."""
    if _watched(conn):
        conn.exec_driver_sql(sql)
    else:
        _execute(conn, sql, (), lambda cursor: None)


def _watched(conn):
    """Something listens to the connection's statements (a statement counter, echo)."""
    return bool(conn.dispatch.before_cursor_execute or conn.dispatch.after_cursor_execute
                or conn.engine.echo)


def _execute(conn, sql, values, read):
    """`read(cursor)` after executing `sql` on the driver connection's cursor; a driver
    error handled by SQLAlchemy as its own execution's would be.

    One cursor per driver connection, kept with the pooled connection (psycopg builds a
    cursor in Python: 0.09 M instructions a PostgreSQL move) and made again for a new driver
    connection (the pool's reconnect) or after an error. Every caller reads all its rows
    (`read`), so the cursor is idle between statements."""
    fairy = conn.connection
    dbapi_connection = fairy.dbapi_connection
    kept = fairy.info.get("driver_cursor")
    if kept is None or kept[0] is not dbapi_connection:
        kept = fairy.info["driver_cursor"] = (dbapi_connection, dbapi_connection.cursor())
    cursor = kept[1]
    try:
        cursor.execute(sql, values)
        return read(cursor)
    except conn.dialect.loaded_dbapi.Error as exc:
        fairy.info.pop("driver_cursor", None)
        conn._handle_dbapi_exception(exc, sql, values, cursor, None)
