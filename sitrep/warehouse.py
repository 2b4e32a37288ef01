"""The DuckDB warehouse: connections that wait for the single writer, atomic table writes, SQL files.

DuckDB lets one process write a file at a time. A run that finds the file locked
(an analyst's shell, the UI, another run) waits with backoff and says so, rather
than failing with a bare lock error. Each table is replaced inside one
transaction, so a crash leaves the previous version in place.
"""
from __future__ import annotations

import logging
import re
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb
import polars as pl

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
log = logging.getLogger("sitrep.warehouse")


class WarehouseLocked(RuntimeError):
    """Another process holds the warehouse's write lock for longer than we are willing to wait."""


@contextmanager
def connect(path: str | Path, read_only: bool = False, wait_seconds: float = 60.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse, retrying with backoff while another process holds the lock."""
    path = str(path)
    if not read_only:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    delay = 0.1
    while True:
        try:
            con = duckdb.connect(path, read_only=read_only)
            break
        except duckdb.IOException as error:
            if "lock" not in str(error).lower() or time.monotonic() >= deadline:
                if "lock" in str(error).lower():
                    raise WarehouseLocked(
                        f"{path} is locked by another process (DuckDB allows one writer per file) and stayed "
                        f"locked for {wait_seconds:.0f}s. Close other DuckDB sessions on it and rerun. ({error})"
                    ) from error
                raise
            log.warning("warehouse %s is locked by another process; retrying in %.1fs", path, delay)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
    try:
        yield con
    finally:
        con.close()


def table_ddl(table: str) -> str:
    return (SQL_DIR / "tables" / f"{table}.sql").read_text(encoding="utf-8")


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Replace a table's contents with `frame` in one transaction; the DDL in sql/tables defines it."""
    return replace_tables(con, {table: frame})[table]


def replace_tables(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame]) -> dict[str, int]:
    """Replace several tables in one transaction: readers see all old or all new, never a mix."""
    con.execute("BEGIN TRANSACTION")
    try:
        for table, frame in frames.items():
            con.execute(f'DROP TABLE IF EXISTS "{table}"')
            con.execute(table_ddl(table))
            if frame.height:
                con.register("incoming_rows", frame.to_arrow())
                con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM incoming_rows')
                con.unregister("incoming_rows")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return {table: frame.height for table, frame in frames.items()}


def view_files() -> list[Path]:
    return sorted((SQL_DIR / "views").glob("*.sql"))


def view_name(path: Path) -> str:
    match = re.search(r"CREATE OR REPLACE VIEW (\w+)", path.read_text(encoding="utf-8"), re.I)
    return match.group(1) if match else path.stem


def create_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    names = []
    con.execute("BEGIN TRANSACTION")
    try:
        for path in view_files():
            con.execute(path.read_text(encoding="utf-8"))
            names.append(view_name(path))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return names


def read_table(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    return con.sql(f'SELECT * FROM "{table}"').pl()


def table_fingerprint(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """An order-independent content hash of a table, to prove reruns give identical tables."""
    row = con.sql(f'SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM "{table}" t').fetchone()
    return f"{row[0]}:{row[1]}"
