"""Materialized views: the tables the views step computes give exactly what the views computed before.

The reference is the original definition of event_mentions (a self-join of fact_events on type and place
with a day either side) and of events_deduplicated over it, run here on the real events of the pipeline's
FA-KES slice, and on the same events crowded onto four days so that most of them meet a neighbour. An
incremental refresh (only the rows that changed events reach) gives the tables a full one gives.
"""
from pathlib import Path

import duckdb
import pytest

from sitrep.view_delta import CHANGES, can_refresh_incrementally, forget_event_changes, record_event_changes
from sitrep.warehouse import MATERIALIZED_SCHEMA, refresh_order, refresh_views, table_fingerprint, view_name, \
    view_files

FACTS = ("fact_events", "fact_casualty_claims", "fact_control_changes", "fact_control_observations")

# The definition the materialized SQL replaces: quadratic in the events of one (type, place), kept as the oracle.
REFERENCE_MENTIONS = """
WITH candidates AS (
    SELECT e.event_id, c.event_id AS candidate_id, c.event_date AS candidate_date
    FROM fact_events e
    JOIN fact_events c
      ON e.event_type = c.event_type
     AND coalesce(e.place_id, e.location) = coalesce(c.place_id, c.location)
     AND c.event_date BETWEEN e.event_date - 1 AND e.event_date + 1
     AND (e.actor1_side = c.actor1_side
          OR coalesce(e.actor1_side, 'unknown') = 'unknown'
          OR coalesce(c.actor1_side, 'unknown') = 'unknown')
    WHERE e.event_date IS NOT NULL AND coalesce(e.place_id, e.location) IS NOT NULL
)
SELECT event_id, arg_min(candidate_id, (candidate_date, candidate_id)) AS canonical_event_id
FROM candidates GROUP BY event_id
UNION ALL
SELECT event_id, event_id FROM fact_events WHERE event_date IS NULL OR coalesce(place_id, location) IS NULL
"""

REFERENCE_DEDUPLICATED = """
WITH m AS ({mentions}),
claims AS (
    SELECT m.canonical_event_id, min(c.killed) AS low, max(c.killed) AS high
    FROM m JOIN fact_casualty_claims c USING (event_id) WHERE c.killed IS NOT NULL GROUP BY ALL
),
clusters AS (
    SELECT m.canonical_event_id, count(*) AS mentions, count(DISTINCT e.article_id) AS articles,
           max(e.fatalities_best) AS fatalities_best_max, string_agg(DISTINCT e.sources, '; ' ORDER BY e.sources) AS sources
    FROM m JOIN fact_events e USING (event_id) GROUP BY ALL
)
SELECT e.event_id, e.event_date, e.time_precision, e.event_type, e.sub_event_type,
       e.actor1, e.actor1_side, e.actor2, e.actor2_side, e.is_infighting, e.violence_type,
       e.location, e.admin1, e.admin2, e.latitude, e.longitude, e.geo_precision,
       coalesce(claims.low, 0) AS fatalities_low,
       least(greatest(c.fatalities_best_max, coalesce(claims.low, 0)), coalesce(claims.high, 0)) AS fatalities_best,
       coalesce(claims.high, 0) AS fatalities_high, c.mentions, c.articles, c.sources
FROM clusters c JOIN fact_events e ON e.event_id = c.canonical_event_id
LEFT JOIN claims ON claims.canonical_event_id = c.canonical_event_id
"""

# The real events moved onto 2014-01-01 .. 2014-01-04 and a fifth of the sides blanked: same-day and next-day
# neighbours of every side combination.
CROWDED = ("* REPLACE (DATE '2014-01-01' + CAST(hash(event_id) % 4 AS INTEGER) AS event_date, "
           "CASE WHEN hash(event_id || 'side') % 5 = 0 THEN NULL ELSE actor1_side END AS actor1_side)")


def facts_copy(warehouse: Path, events_select: str = "*") -> duckdb.DuckDBPyConnection:
    """An in-memory database holding the fact tables of `warehouse`, fact_events projected by `events_select`."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{warehouse}' AS built (READ_ONLY)")
    for table in FACTS:
        select = events_select if table == "fact_events" else "*"
        con.execute(f"CREATE TABLE {table} AS SELECT {select} FROM built.{table}")
    con.execute("DETACH built")
    return con


def differences(con, left: str, right: str) -> tuple[int, int]:
    return tuple(con.execute(f"SELECT count(*) FROM (({a}) EXCEPT ALL ({b}))").fetchone()[0]
                 for a, b in ((left, right), (right, left)))


@pytest.fixture(scope="module", params=["as_extracted", "crowded"])
def facts(request, bundled_slice_build):
    con = facts_copy(bundled_slice_build.warehouse, CROWDED if request.param == "crowded" else "*")
    refresh_views(con)
    yield con
    con.close()


def test_event_mentions_equal_the_self_join_definition(facts):
    merged = facts.execute("SELECT count(*) FROM event_mentions WHERE event_id <> canonical_event_id").fetchone()[0]
    assert merged > 10  # the comparison is about events that do merge
    assert facts.execute("SELECT count(*), count(DISTINCT event_id) FROM event_mentions").fetchone() == \
        facts.execute("SELECT count(*), count(*) FROM fact_events").fetchone()
    assert differences(facts, "SELECT * FROM event_mentions", REFERENCE_MENTIONS) == (0, 0)


def test_events_deduplicated_equal_the_definition_over_the_self_join(facts):
    assert differences(facts, "SELECT * FROM events_deduplicated",
                       REFERENCE_DEDUPLICATED.format(mentions=REFERENCE_MENTIONS)) == (0, 0)
    assert facts.execute("SELECT sum(mentions) FROM events_deduplicated").fetchone()[0] == \
        facts.execute("SELECT count(*) FROM fact_events").fetchone()[0]


def test_the_pipeline_built_the_same_views(bundled_slice_build):
    """The warehouse the Dagster job published holds the materialized tables, and views reading them."""
    with duckdb.connect(str(bundled_slice_build.warehouse), read_only=True) as con:
        kinds = dict(con.execute("SELECT table_schema || '.' || table_name, table_type FROM information_schema.tables"
                                 ).fetchall())
        for name in (view_name(path) for path in view_files()):
            assert kinds[f"main.{name}"] == "VIEW", name
        for table, _ in refresh_order():
            assert kinds[f"{MATERIALIZED_SCHEMA}.{table}"] == "BASE TABLE", table
        assert differences(con, "SELECT * FROM event_mentions", REFERENCE_MENTIONS) == (0, 0)


def test_materialized_views_keep_their_order(facts):
    rows = facts.execute("SELECT location, valid_from, kind FROM control_timeline").fetchall()
    assert len(rows) > 50
    key = [tuple((value is None, value) for value in row) for row in rows]  # ORDER BY's NULLS LAST
    assert key == sorted(key)
    events = [row[0] for row in facts.execute("SELECT events FROM actor_dyads").fetchall()]
    assert events == sorted(events, reverse=True)


def test_a_table_is_refreshed_after_the_tables_it_reads():
    order = [table for table, _ in refresh_order()]
    assert order.index("event_mentions") < order.index("events_deduplicated")


def test_refresh_is_idempotent_and_follows_the_facts(bundled_slice_build):
    con = facts_copy(bundled_slice_build.warehouse)
    refreshed = refresh_views(con)
    assert refreshed["events_deduplicated"] is not None and refreshed["infighting_incidents_monthly"] is None
    names = list(refreshed)
    before = {name: table_fingerprint(con, name) for name in names}
    refresh_views(con)
    assert {name: table_fingerprint(con, name) for name in names} == before
    con.execute("DELETE FROM fact_events WHERE event_type = 'Battles'")
    refresh_views(con)
    assert con.execute("SELECT count(*) FROM events_deduplicated WHERE event_type = 'Battles'").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM event_mentions").fetchone()[0] == \
        con.execute("SELECT count(*) FROM fact_events").fetchone()[0]


def test_an_incremental_refresh_equals_a_full_one(bundled_slice_build):
    """Events of some articles removed, put back, and moved to another governorate, each change noted as the
    facts load notes it: recomputing only the rows they reach gives the tables a full refresh gives."""
    con = facts_copy(bundled_slice_build.warehouse, CROWDED)  # four days: most events have neighbours
    refresh_views(con)
    names = [view_name(path) for path in view_files()]
    con.execute("CREATE TABLE kept_events AS SELECT * FROM fact_events")
    con.execute("CREATE TABLE some_articles AS SELECT DISTINCT article_id FROM fact_events ORDER BY 1 LIMIT 25")
    touched = "article_id IN (SELECT article_id FROM some_articles)"
    changes = [
        lambda: con.execute(f"DELETE FROM fact_events WHERE {touched}"),
        lambda: con.execute(f"INSERT INTO fact_events SELECT * FROM kept_events WHERE {touched}"),
        lambda: con.execute(f"UPDATE fact_events SET admin1 = 'Hama', latitude = 35.1 WHERE {touched} AND place_id IS NULL"),
    ]
    for step, change in enumerate(changes):
        record_event_changes(con, touched)  # before the change: the rows as they were (gone ones too)
        change()
        record_event_changes(con, touched)  # after: the rows as they are
        assert can_refresh_incrementally(con)
        refresh_views(con, incremental=True)
        incremental = {name: table_fingerprint(con, name) for name in names}
        refresh_views(con)
        assert incremental == {name: table_fingerprint(con, name) for name in names}, step


def test_a_full_facts_rebuild_or_other_materialized_sql_makes_the_next_refresh_full(bundled_slice_build):
    con = facts_copy(bundled_slice_build.warehouse)
    assert not can_refresh_incrementally(con)  # never refreshed
    refresh_views(con)
    assert can_refresh_incrementally(con)
    con.execute(f"COMMENT ON TABLE {CHANGES} IS 'other sql'")
    assert not can_refresh_incrementally(con)
    refresh_views(con)
    forget_event_changes(con)
    assert not can_refresh_incrementally(con)


def test_enum_columns_are_stale_when_a_load_brings_or_removes_a_value():
    """events_deduplicated stores categories as ENUMs of fact_events' values: an incremental refresh may keep
    them only while they are exactly what a full refresh would build (else the table is refreshed whole)."""
    from sitrep.view_delta import categories_cover
    from sitrep.warehouse import SQL_DIR
    sql = (SQL_DIR / "materialized" / "events_deduplicated.sql").read_text(encoding="utf-8")
    types = ";".join(part for part in sql.split(";") if "CREATE OR REPLACE TYPE" in part) + ";"
    con = duckdb.connect()
    con.execute(f"CREATE SCHEMA {MATERIALIZED_SCHEMA}")
    con.execute("CREATE TABLE fact_events (event_id VARCHAR, event_type VARCHAR, sub_event_type VARCHAR, actor1 VARCHAR, "
                "actor1_side VARCHAR, actor2 VARCHAR, actor2_side VARCHAR, violence_type VARCHAR, location VARCHAR, "
                "admin1 VARCHAR, admin2 VARCHAR)")
    insert = "INSERT INTO fact_events (event_id, event_type, actor1, location) VALUES (?, 'Battles', ?, ?)"
    con.execute(insert, ["e1", "Syrian Army", "Harasta"])
    con.execute(insert, ["e2", "HTS", "Douma"])
    con.execute(types)
    assert categories_cover(con, sql)
    con.execute(insert, ["e3", "HTS", "Douma"])  # values already listed
    assert categories_cover(con, sql)
    con.execute(insert, ["e4", "Jaysh al-Islam", "Douma"])  # a new actor
    assert not categories_cover(con, sql)
    con.execute(types)
    con.execute("DELETE FROM fact_events WHERE event_id = 'e1'")  # the last event at Harasta
    assert not categories_cover(con, sql)
