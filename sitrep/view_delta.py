"""Incremental refresh of the deduplication tables: after a facts load of a few articles, recompute the rows of
materialized.event_mentions and events_deduplicated those articles reach instead of the whole corpus.

The facts load notes every event it adds, removes or changes (its governorate inferred anew) in
fact_event_changes; the views step recomputes the rows those reach with the very SQL of sql/materialized, run
over the changed part of the facts (sql/incremental/deduplication_scope.sql), then empties the table. The
other materialized tables are small aggregates in their views' order, recomputed whole. Anything that breaks
the chain makes the next refresh full: a full facts rebuild drops the table, and a refresh trusts it only if it
was started under the current sql/materialized (its comment holds their hash).
"""
from __future__ import annotations

import hashlib
import re

import duckdb

from sitrep import warehouse as wh

CHANGES = "fact_event_changes"
# materialized table -> (the relation its SQL reads that the incremental refresh narrows, the narrowed one)
SCOPED_INPUT = {"event_mentions": ("fact_events", "_scoped_events"),
                "events_deduplicated": (f"{wh.MATERIALIZED_SCHEMA}.event_mentions", "_scoped_mentions")}


def sql_version() -> str:
    """A hash of sql/materialized: rows computed by other SQL are never patched, the tables are rebuilt."""
    digest = hashlib.sha256()
    for path in wh.materialized_files():
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def record_event_changes(con: duckdb.DuckDBPyConnection, events: str) -> None:
    """Note the events of fact_events matching `events` (an SQL condition) as changed, if the views step keeps
    the log (else its next refresh is full anyway)."""
    if wh.matches_ddl(con, CHANGES):
        con.execute(f"INSERT INTO {CHANGES} SELECT event_id, event_type, coalesce(place_id, location), event_date "
                    f"FROM fact_events WHERE {events}")


def forget_event_changes(con: duckdb.DuckDBPyConnection) -> None:
    """After a full facts rebuild: the next refresh is full."""
    wh._drop_any(con, CHANGES)


def can_refresh_incrementally(con: duckdb.DuckDBPyConnection) -> bool:
    comment = con.execute("SELECT comment FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ? "
                          "AND database_name = current_database()", [CHANGES]).fetchone()
    present = {name for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = ? AND database_name = current_database()",
        [wh.MATERIALIZED_SCHEMA]).fetchall()}
    return (wh.matches_ddl(con, CHANGES) and comment is not None and comment[0] == sql_version()
            and {path.stem for path in wh.materialized_files()} <= present)


def start_log(con: duckdb.DuckDBPyConnection) -> None:
    """An empty change log stamped with the SQL version: the materialized tables now match the facts."""
    wh._drop_any(con, CHANGES)
    con.execute(wh.table_ddl(CHANGES))
    con.execute(f"COMMENT ON TABLE {CHANGES} IS '{sql_version()}'")


def _narrowed(sql: str, table: str) -> str:
    """The query of a materialized table's SQL, reading the narrowed relation instead of the whole one."""
    # the query follows "CREATE OR REPLACE TABLE <t> AS", or "INSERT INTO <t>" where the file declares the columns
    query = re.split(rf"CREATE OR REPLACE TABLE {wh.MATERIALIZED_SCHEMA}\.{table}\s+AS|"
                     rf"INSERT INTO {wh.MATERIALIZED_SCHEMA}\.{table}\s", sql, flags=re.I)[-1]
    whole, narrowed = SCOPED_INPUT[table]
    pattern = rf"(?<![\w.]){re.escape(whole)}\b"
    if not re.search(pattern, query):
        raise ValueError(f"sql/materialized/{table}.sql no longer reads {whole}")
    return re.sub(pattern, narrowed, query).strip().rstrip(";")


def categories_cover(con: duckdb.DuckDBPyConnection, sql: str) -> bool:
    """Whether the ENUM types a materialized table's SQL creates still hold exactly the values it would give them
    now. They list the values of fact_events at the last full refresh; when a load adds a new actor or place, or
    removes the last event of one, the table is refreshed whole, which rebuilds them as a full rebuild would."""
    types = {f'"{schema}".{name}' for schema, name in con.execute(
        "SELECT schema_name, type_name FROM duckdb_types() WHERE database_name = current_database()").fetchall()}
    for enum, values in _ENUM_TYPE.findall(sql):
        if enum not in types:
            return False
        same = con.execute(f"SELECT enum_range(NULL::{enum}) = (SELECT coalesce(list(v ORDER BY v), []) "
                           f"FROM ({values}) q(v))").fetchone()[0]
        if not same:
            return False
    return True


_ENUM_TYPE = re.compile(r"CREATE OR REPLACE TYPE (\S+) AS ENUM \((.*?)\);", re.S | re.I)


def scope_changes(con: duckdb.DuckDBPyConnection) -> None:
    con.execute((wh.SQL_DIR / "incremental" / "deduplication_scope.sql").read_text(encoding="utf-8"))


def refresh_rows(con: duckdb.DuckDBPyConnection, table: str, sql: str) -> None:
    """Recompute the rows of `table` the changes reach: the mention rows of _remapped events (their canonical
    events before and after noted in _clusters), then the rows of those clusters."""
    target = f"{wh.MATERIALIZED_SCHEMA}.{table}"
    if table == "event_mentions":
        con.execute(f"CREATE OR REPLACE TEMP TABLE _clusters AS SELECT canonical_event_id FROM {target} "
                    f"SEMI JOIN _remapped USING (event_id)")
        con.execute(f"CREATE OR REPLACE TEMP TABLE _new_rows AS SELECT * FROM ({_narrowed(sql, table)}) "
                    f"SEMI JOIN _remapped USING (event_id)")
        con.execute("INSERT INTO _clusters SELECT canonical_event_id FROM _new_rows")
        _replace_rows(con, target, "SELECT event_id FROM _remapped")
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _scoped_mentions AS SELECT * FROM {wh.MATERIALIZED_SCHEMA}.event_mentions "
                    f"WHERE canonical_event_id IN (SELECT canonical_event_id FROM _clusters)")
        con.execute(f"CREATE OR REPLACE TEMP TABLE _new_rows AS {_narrowed(sql, table)}")
        _replace_rows(con, target, "SELECT canonical_event_id FROM _clusters")


def _replace_rows(con: duckdb.DuckDBPyConnection, target: str, scope: str) -> None:
    """Make the rows of `target` whose event_id `scope` selects those of _new_rows, writing only what differs.
    A row that is no longer there is overwritten by a new one rather than deleted (the table has no order and no
    key but event_id): a checkpoint after a delete rewrites the table's row groups (0.7 s for events_deduplicated
    at 100,000 articles, where updating or appending costs 0.03 s). Only surplus old rows are deleted."""
    schema, table = target.split(".")
    columns = [f'"{name}"' for (name,) in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
        "AND database_name = current_database() ORDER BY column_index", [schema, table]).fetchall()]
    con.execute(f"MERGE INTO {target} t USING _new_rows n ON t.event_id = n.event_id "
                f"WHEN MATCHED AND t IS DISTINCT FROM n THEN UPDATE")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _vacated AS SELECT rowid AS slot, row_number() OVER (ORDER BY rowid) AS n "
                f"FROM {target} WHERE event_id IN ({scope}) AND event_id NOT IN (SELECT event_id FROM _new_rows)")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _added AS SELECT *, row_number() OVER (ORDER BY event_id) AS n "
                f"FROM _new_rows ANTI JOIN {target} USING (event_id)")
    con.execute(f"UPDATE {target} AS t SET {', '.join(f'{c} = a.{c}' for c in columns)} "
                f"FROM _vacated v JOIN _added a USING (n) WHERE t.rowid = v.slot")
    con.execute(f"DELETE FROM {target} WHERE rowid IN (SELECT slot FROM _vacated ANTI JOIN _added USING (n))")
    con.execute(f"INSERT INTO {target} SELECT {', '.join(columns)} FROM _added ANTI JOIN _vacated USING (n)")
