"""The DuckDB warehouse: copy-on-write writes, read-only readers, atomic table writes, SQL files.

DuckDB lets one process write a file at a time, and even a read-only reader in
another process takes a lock that stops a writer from opening the file. So a
write never opens the warehouse itself. It is staged:

1. ``<warehouse>.writelock`` (an fcntl lock) serializes sitrep writers; a writer
   that finds it held waits with backoff and a log line, then gives up with
   WarehouseLocked.
2. The writer takes a shared lock on the current warehouse file, the same lock a
   DuckDB read-only connection takes: readers (``duckdb -readonly``, asset checks,
   the run summary) are never blocked, and a read-write DuckDB session elsewhere
   cannot start while the copy is taken. A read-write session that is already
   open makes the writer wait, then give up with WarehouseLocked: swapping the
   file under it would lose its work and let its WAL replay into the new file.
3. The file (and a WAL left by a crashed process) is copied to
   ``.<name>.staging-<pid>-<random>.duckdb`` in the same folder; all writes go there.
4. Publish: CHECKPOINT, close, fsync, remove any stale WAL, ``os.replace`` over
   the warehouse (atomic on POSIX), fsync the folder. Readers that have the old
   file open keep reading the old inode; new readers see the new file. Nobody
   ever sees a half-written table, and a crash or SIGKILL before the swap leaves
   the warehouse exactly as it was. Staging files of killed writers are removed
   by the next writer.

A file that DuckDB cannot open (not a database, damaged, from an unsupported
version) is never overwritten or moved: WarehouseUnreadable says what it is
and what to do.

Test hook: ``SITREP_TEST_PAUSE_BEFORE_COMMIT=<table>`` makes replace_tables print
``sitrep-test-pause <table> <staging file>`` to stderr and sleep
(``SITREP_TEST_PAUSE_SECONDS``, default 60) just before committing a transaction
that writes <table>, so a test can SIGKILL a run in the middle of writing facts.
"""
from __future__ import annotations

import errno
import fcntl
import logging
import os
import re
import secrets
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb
import polars as pl

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
log = logging.getLogger("sitrep.warehouse")

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MAX_DELAY = 5.0


class WarehouseError(RuntimeError):
    """The warehouse cannot be used right now; the message says why and what to do."""


class WarehouseLocked(WarehouseError):
    """Another process holds the warehouse's write lock for longer than we are willing to wait."""


class WarehouseUnreadable(WarehouseError):
    """The warehouse path holds a file DuckDB cannot open: not a database, damaged, or an unsupported version."""


# ---------------------------------------------------------------- paths
def writelock_path(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".writelock")


def wal_path(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".wal")


def staging_files(path: str | Path) -> list[Path]:
    """Staging copies (and their WALs) in the warehouse's folder, e.g. left by a killed run."""
    path = Path(path)
    prefix = f".{path.name}.staging-"
    try:
        return sorted(path.parent / name for name in os.listdir(path.parent) if name.startswith(prefix))
    except FileNotFoundError:
        return []


def _is_lock_error(error: Exception) -> bool:
    return "lock on file" in str(error).lower() or "conflicting lock" in str(error).lower()


def _unreadable(path: Path, error: Exception, shown: str | None = None) -> WarehouseUnreadable:
    reason = str(error).replace(shown, str(path)) if shown else str(error)
    return WarehouseUnreadable(
        f"{path} is not a DuckDB database this version of sitrep can open ({reason}). sitrep never overwrites "
        f"a file it cannot read: if it is damaged or not a warehouse, move it aside (e.g. mv '{path}' "
        f"'{path}.bad') and rerun; every table is rebuilt from the articles and the reference data.")


class _Backoff:
    """Sleeps 0.1, 0.2, 0.4 ... 5 s until a deadline."""

    def __init__(self, wait_seconds: float):
        self.wait_seconds = wait_seconds
        self.deadline = time.monotonic() + wait_seconds
        self.delay = 0.1

    def expired(self) -> bool:
        return time.monotonic() >= self.deadline

    def sleep(self, message: str, *args) -> None:
        delay = max(0.0, min(self.delay, self.deadline - time.monotonic()))
        log.warning(message + "; retrying in %.1fs (gives up after %.0fs)", *args, delay, self.wait_seconds)
        time.sleep(delay)
        self.delay = min(self.delay * 2, _MAX_DELAY)


def limit_memory(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Cap DuckDB's memory for a warehouse connection. Its buffer pool may otherwise grow to 80% of the machine's
    memory, and a pipeline process keeps what it grew to; SITREP_DUCKDB_MEMORY sets the cap (default 1GB;
    DuckDB spills larger work to disk)."""
    con.execute("SET memory_limit = ?", [os.environ.get("SITREP_DUCKDB_MEMORY", "1GB")])
    return con


# ---------------------------------------------------------------- readers
def open_read_only(path: str | Path, wait_seconds: float = 60.0) -> duckdb.DuckDBPyConnection:
    """A read-only connection. Only a read-write DuckDB session in another process can make it wait."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}; run the pipeline (make run) first")
    backoff = _Backoff(wait_seconds)
    while True:
        try:
            return limit_memory(duckdb.connect(str(path), read_only=True))
        except duckdb.Error as error:
            if not _is_lock_error(error):
                raise _unreadable(path, error) from error
            if backoff.expired():
                raise WarehouseLocked(
                    f"{path} is open read-write in another process and stayed so for {wait_seconds:.0f}s "
                    f"(DuckDB then lets nobody else open it). Close that session, or open it read-only "
                    f"(duckdb -readonly {path.name}). ({error})") from error
            backoff.sleep("warehouse %s is open read-write in another process", path)


@contextmanager
def connect(path: str | Path, read_only: bool = False, wait_seconds: float = 60.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the warehouse, or (read_only=False) a copy-on-write write_session."""
    if not read_only:
        with write_session(path, wait_seconds=wait_seconds) as con:
            yield con
        return
    con = open_read_only(path, wait_seconds)
    try:
        yield con
    finally:
        con.close()


def check_openable(path: str | Path, wait_seconds: float = 60.0) -> bool:
    """Before a run: False if there is no warehouse yet, True if it opens; WarehouseUnreadable / WarehouseLocked else."""
    if not Path(path).exists():
        return False
    con = open_read_only(path, wait_seconds)
    try:
        con.execute("SELECT count(*) FROM duckdb_tables()").fetchone()
    except duckdb.Error as error:
        raise _unreadable(Path(path), error) from error
    finally:
        con.close()
    return True


# ---------------------------------------------------------------- writers
def _copy_locked(fd: int, target: Path) -> None:
    """Copy the open (and share-locked) file to target without closing fd: closing any descriptor of
    a file drops the process's fcntl locks on it."""
    size = os.fstat(fd).st_size
    out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        offset, fast = 0, hasattr(os, "copy_file_range")
        while offset < size:
            copied = 0
            if fast:
                try:  # in-kernel copy (a reflink on filesystems that have them)
                    copied = os.copy_file_range(fd, out, size - offset, offset, offset)
                except OSError:
                    fast = False
            if not fast:
                chunk = os.pread(fd, min(size - offset, 8 << 20), offset)
                copied = os.pwrite(out, chunk, offset) if chunk else 0
            if copied == 0:
                raise OSError(f"could not copy {size} bytes of the warehouse (stopped at {offset})")
            offset += copied
    finally:
        os.close(out)
    try:
        os.chmod(target, os.fstat(fd).st_mode & 0o777)
    except OSError:
        pass


def _fsync(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    except OSError:  # some filesystems refuse fsync on folders
        if not directory:
            raise
    finally:
        os.close(fd)


class StagedWrite:
    """One copy-on-write write of the warehouse: begin() locks and copies, publish() swaps, discard() drops."""

    def __init__(self, path: str | Path, wait_seconds: float = 120.0):
        self.path = Path(path).resolve()  # a symlinked warehouse: replace the file it points to, not the link
        self.wait_seconds = wait_seconds
        self.staging: Path | None = None
        self.con: duckdb.DuckDBPyConnection | None = None
        self._writer_fd: int | None = None
        self._shared_fd: int | None = None
        self._cursors: list[duckdb.DuckDBPyConnection] = []

    # -- locks
    def _lock_writers(self, backoff: _Backoff) -> None:
        lock = writelock_path(self.path)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise
                holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another sitrep writer"
                if backoff.expired():
                    os.close(fd)
                    raise WarehouseLocked(
                        f"{self.path} is being written by {holder} and stayed so for {self.wait_seconds:.0f}s "
                        f"(runs are serialized by {lock.name}). Wait for that run to finish, then rerun.") from None
                backoff.sleep("warehouse %s is being written by %s", self.path, holder)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"sitrep pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode(), 0)
        self._writer_fd = fd

    def _share_lock_current(self, backoff: _Backoff) -> None:
        """Hold the shared lock a DuckDB reader holds: readers go on, read-write sessions cannot start."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return
        while True:
            try:
                fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                self._shared_fd = fd
                return
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise
                if backoff.expired():
                    os.close(fd)
                    raise WarehouseLocked(self._read_write_holder_message()) from None
                backoff.sleep("warehouse %s is open read-write in another process (a DuckDB shell or "
                              "client without -readonly); sitrep cannot replace it under that session", self.path)

    def _read_write_holder_message(self) -> str:
        detail = ""
        try:  # DuckDB names the process that holds the lock
            duckdb.connect(str(self.path), read_only=True).close()
        except duckdb.Error as error:
            detail = f" ({error})"
        return (f"{self.path} is open read-write in another process and stayed so for {self.wait_seconds:.0f}s. "
                f"sitrep writes a new copy and swaps it in, which would silently drop that session's changes, "
                f"so it waits instead. Close that session or reopen it read-only (duckdb -readonly "
                f"{self.path.name}); read-only sessions never block a run.{detail}")

    def _release(self) -> None:
        for attr in ("_shared_fd", "_writer_fd"):
            fd = getattr(self, attr)
            if fd is not None:
                os.close(fd)  # closing drops the fcntl / flock lock
                setattr(self, attr, None)

    # -- lifecycle
    def begin(self) -> "StagedWrite":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        backoff = _Backoff(self.wait_seconds)
        self._lock_writers(backoff)
        try:
            for stale in staging_files(self.path):  # we hold the writer lock: nobody else is staging
                log.warning("removing %s, left by a writer that did not finish", stale.name)
                stale.unlink(missing_ok=True)
            self._share_lock_current(backoff)
            self.staging = self.path.with_name(f".{self.path.name}.staging-{os.getpid()}-{secrets.token_hex(4)}.duckdb")
            if self._shared_fd is not None:
                started = time.perf_counter()
                _copy_locked(self._shared_fd, self.staging)
                if wal_path(self.path).exists():  # committed work of a crashed read-write session
                    _copy_wal(wal_path(self.path), wal_path(self.staging))
                log.info("staged %s (%.1f MB) in %.0f ms", self.path.name, self.staging.stat().st_size / 1e6,
                         (time.perf_counter() - started) * 1000)
            try:
                self.con = limit_memory(duckdb.connect(str(self.staging)))
                self.con.execute("SELECT count(*) FROM duckdb_tables()").fetchone()
            except duckdb.Error as error:
                raise _unreadable(self.path, error, shown=str(self.staging)) from error
        except BaseException:
            self.discard()
            raise
        return self

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A connection to the staged copy (one per user, so transactions stay separate)."""
        cursor = self.con.cursor()
        self._cursors.append(cursor)
        return cursor

    def _close(self) -> None:
        for cursor in self._cursors:
            try:
                cursor.close()
            except duckdb.Error:
                pass
        self._cursors.clear()
        if self.con is not None:
            con, self.con = self.con, None
            con.close()

    def publish(self) -> None:
        """Make the staged copy the warehouse, atomically; on any failure the warehouse is left as it was."""
        try:
            self.con.execute("CHECKPOINT")
            self._close()
            if wal_path(self.staging).exists():
                raise WarehouseError(f"{self.staging} kept a WAL after its checkpoint; not published")
            _fsync(self.staging)
            if self._shared_fd is None and self.path.exists():  # created by someone else meanwhile
                self._share_lock_current(_Backoff(self.wait_seconds))
            # A WAL left at the warehouse path would be replayed into the new file: it was copied in begin().
            wal_path(self.path).unlink(missing_ok=True)
            os.replace(self.staging, self.path)
            self.staging = None
            _fsync(self.path.parent, directory=True)
        except BaseException:
            self.discard()
            raise
        self._release()

    def discard(self) -> None:
        """Drop the staged copy; the warehouse is untouched."""
        try:
            self._close()
        except duckdb.Error:
            pass
        if self.staging is not None:
            for leftover in (self.staging, wal_path(self.staging)):
                leftover.unlink(missing_ok=True)
            self.staging = None
        self._release()


def _copy_wal(source: Path, target: Path) -> None:
    with open(source, "rb") as src, open(target, "wb") as out:
        while chunk := src.read(8 << 20):
            out.write(chunk)


@contextmanager
def write_session(path: str | Path, wait_seconds: float = 120.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a staged copy of the warehouse, swapped in atomically when the block succeeds."""
    staged = StagedWrite(path, wait_seconds).begin()
    try:
        yield staged.cursor()
    except BaseException:
        staged.discard()
        raise
    staged.publish()


# ---------------------------------------------------------------- tables and views
def _identifier(name: str) -> str:
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"not a table or view name: {name!r}")
    return f'"{name}"'


def table_ddl(table: str) -> str:
    return (SQL_DIR / "tables" / f"{table}.sql").read_text(encoding="utf-8")


def object_kind(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    """'table', 'view' or None: what the main schema holds under this name (an old version may differ)."""
    row = con.execute("SELECT CASE WHEN table_type = 'VIEW' THEN 'view' ELSE 'table' END FROM information_schema.tables "
                      "WHERE table_schema = 'main' AND table_catalog = current_database() AND lower(table_name) = lower(?)",
                      [name]).fetchone()
    return row[0] if row else None


_DDL_SHAPES: dict[str, tuple] = {}


def _shapes(con, tables: tuple[str, ...]) -> dict[str, tuple]:
    """Each of `tables` that exists as a table: its columns (name, type, nullable) and constraints (kind,
    columns), read in one query each (the catalog functions cost milliseconds a call)."""
    params = [list(tables)]
    where = "schema_name = 'main' AND database_name = current_database() AND list_contains(?, table_name)"
    present = {name for (name,) in con.execute(f"SELECT table_name FROM duckdb_tables() WHERE {where}", params).fetchall()}
    shapes = {table: ([], []) for table in tables if table in present}
    for table, *column in con.execute(f"SELECT table_name, column_name, data_type, is_nullable FROM duckdb_columns() "
                                      f"WHERE {where} ORDER BY table_name, column_index", params).fetchall():
        if table in shapes:
            shapes[table][0].append(tuple(column))
    for table, *constraint in con.execute(f"SELECT table_name, constraint_type, constraint_column_names "
                                          f"FROM duckdb_constraints() WHERE {where} ORDER BY ALL", params).fetchall():
        if table in shapes:
            shapes[table][1].append(tuple(constraint))
    return shapes


def matches_ddl(con, *tables: str) -> bool:
    """Every one of `tables` exists, as a table, with exactly the columns and constraints sql/tables defines: an
    incremental write may then update them in place (else they are rebuilt)."""
    missing = tuple(table for table in tables if table not in _DDL_SHAPES)
    if missing:
        scratch = duckdb.connect()
        for table in missing:
            scratch.execute(table_ddl(table))
        _DDL_SHAPES.update(_shapes(scratch, missing))
        scratch.close()
    shapes = _shapes(con, tables)
    return all(shapes.get(table) == _DDL_SHAPES[table] for table in tables)


class DuplicateKey(RuntimeError):
    """A table's key column holds a value twice."""


def require_unique(con: duckdb.DuckDBPyConnection, table: str, column: str) -> None:
    """Fail the write (inside its transaction) when `column` holds a value twice, as a PRIMARY KEY would. The
    per-article tables keep none: DuckDB rewrites a table's whole index at every checkpoint after a change to it
    (0.7 s for 76,000 events, growing with the table), which an incremental run of 100 articles would pay on
    every key column; one GROUP BY costs milliseconds."""
    duplicates = con.execute(f'SELECT "{column}" FROM {_identifier(table)} GROUP BY 1 HAVING count(*) > 1 '
                             f'ORDER BY 1 LIMIT 3').fetchall()
    if duplicates:
        raise DuplicateKey(f"{table}.{column} would hold {', '.join(repr(v) for (v,) in duplicates)} more than once")


def _drop_any(con: duckdb.DuckDBPyConnection, name: str) -> None:
    kind = object_kind(con, name)
    if kind:
        con.execute(f"DROP {kind.upper()} {_identifier(name)}")


def _pause_for_tests(tables, con) -> None:
    table = os.environ.get("SITREP_TEST_PAUSE_BEFORE_COMMIT")
    if table and table in tables:
        database = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
        print(f"sitrep-test-pause {table} {database[0] if database else '?'}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get("SITREP_TEST_PAUSE_SECONDS", "60")))


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection, tables=()) -> Iterator[None]:
    """One all-or-nothing transaction; `tables` names what the crash test may pause before COMMIT."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        _pause_for_tests(tables, con)
        con.execute("COMMIT")
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass
        raise


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Replace a table's contents with `frame` in one transaction; the DDL in sql/tables defines it."""
    return replace_tables(con, {table: frame})[table]


def replace_tables(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame]) -> dict[str, int]:
    """Replace several tables in one transaction: readers see all old or all new, never a mix.

    Whatever an older version left under a table's name (other columns, a view) is dropped and the
    table recreated from sql/tables, so schema changes between versions need no migration.
    Rows arrive as Arrow data, never as SQL text.
    """
    with transaction(con, frames):
        for table, frame in frames.items():
            _drop_any(con, table)
            con.execute(table_ddl(table))
            if frame.height:
                con.register("incoming_rows", frame.to_arrow())
                con.execute(f"INSERT INTO {_identifier(table)} BY NAME SELECT * FROM incoming_rows")
                con.unregister("incoming_rows")
    return {table: frame.height for table, frame in frames.items()}


def view_files() -> list[Path]:
    return sorted((SQL_DIR / "views").glob("*.sql"))


def view_name(path: Path) -> str:
    match = re.search(r"CREATE OR REPLACE VIEW (\w+)", path.read_text(encoding="utf-8"), re.I)
    return match.group(1) if match else path.stem


MATERIALIZED_SCHEMA = "materialized"
_MATERIALIZED_REF = re.compile(rf"\b{MATERIALIZED_SCHEMA}\.(\w+)", re.I)


def materialized_files() -> list[Path]:
    """sql/materialized: the tables behind the views too slow to compute on every read, each named like its view."""
    return sorted((SQL_DIR / "materialized").glob("*.sql"))


def refresh_order() -> list[tuple[str, str]]:
    """(table, SQL) of every materialized table, each after the materialized tables its SQL reads."""
    pending = {}
    for path in materialized_files():
        sql = path.read_text(encoding="utf-8")
        if not re.search(rf"CREATE OR REPLACE TABLE {MATERIALIZED_SCHEMA}\.{path.stem}\b", sql, re.I):
            raise ValueError(f"{path} does not create the table {MATERIALIZED_SCHEMA}.{path.stem}")
        pending[path.stem] = sql
    ordered = []
    while pending:
        ready = [name for name, sql in pending.items()
                 if not ({ref for ref in _MATERIALIZED_REF.findall(sql)} - {name}) & set(pending)]
        if not ready:
            raise ValueError(f"materialized tables read each other in a cycle: {sorted(pending)}")
        for name in sorted(ready):
            ordered.append((name, pending.pop(name)))
    return ordered


def refresh_views(con: duckdb.DuckDBPyConnection, incremental: bool = False) -> dict[str, float | None]:
    """Recompute the materialized tables, then (re)create every view of sql/views, in one transaction.

    Returns each view's name with the seconds its materialized table took to refresh (None: a plain view,
    computed when read). A refresh recomputes every table from the fact tables, so reruns are idempotent; with
    `incremental` (the views step after a facts load), the deduplication tables recompute only the rows of the
    events the loads since the last refresh changed (sitrep/view_delta.py), when that log is complete.
    """
    from sitrep import view_delta
    refreshed = {}
    with transaction(con):
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {MATERIALIZED_SCHEMA}")
        delta = incremental and view_delta.can_refresh_incrementally(con)
        if delta:
            view_delta.scope_changes(con)
        for table, sql in refresh_order():
            started = time.perf_counter()
            if delta and table in view_delta.SCOPED_INPUT and view_delta.categories_cover(con, sql):
                view_delta.refresh_rows(con, table, sql)
            else:
                con.execute(sql)
            refreshed[table] = time.perf_counter() - started
        view_delta.start_log(con)
        names = {}
        for path in view_files():
            name = view_name(path)
            if object_kind(con, name) == "table":  # an older version stored it as a table
                con.execute(f"DROP TABLE {_identifier(name)}")
            con.execute(path.read_text(encoding="utf-8"))
            names[name] = refreshed.get(name)
    return names


def table_fingerprint(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """An order-independent content hash of a table, to prove reruns give identical tables."""
    row = con.sql(f"SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM {_identifier(table)} t").fetchone()
    return f"{row[0]}:{row[1]}"
