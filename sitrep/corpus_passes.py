"""The passes over a whole corpus that follow per-article extraction: governorates of unresolved places
inferred across articles, unresolved names counted. Plain SQL (sql/corpus/) on fact_events and unresolved_raw,
so the warehouse load never holds the corpus in Python and an incremental load redoes only what it touches.

Not part of the extraction code version (sitrep/extraction_store.py): chunks hold per-article output only, and
these passes run on every load.
"""
from __future__ import annotations

import duckdb
import polars as pl

from sitrep.reference import Reference
from sitrep.text import place_name_key
from sitrep.warehouse import SQL_DIR, table_ddl

# Tables the passes write, beside fact_events (whose inferred columns they update).
CORPUS_TABLES = ("unresolved_event_places", "unresolved_mentions")


def finish_corpus(raw: dict[str, pl.DataFrame], ref: Reference) -> dict[str, pl.DataFrame]:
    """The corpus-level passes over per-article frames (of the whole corpus, never of a batch alone), run by
    the same SQL as the warehouse load (apply_corpus_passes) on an in-memory database."""
    con = duckdb.connect()
    for table in ("fact_events", "unresolved_raw"):
        con.register("_frame", raw[table].to_arrow())
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM _frame")
        con.unregister("_frame")
    for table in ("unresolved_event_places", "unresolved_mentions"):
        con.execute(table_ddl(table))
    apply_corpus_passes(con, ref)
    frames = {table: frame for table, frame in raw.items() if table != "unresolved_raw"}
    frames["fact_events"] = con.sql("SELECT * FROM fact_events").pl().cast(raw["fact_events"].schema)
    frames["unresolved_mentions"] = con.sql("SELECT * FROM unresolved_mentions").pl()
    con.close()
    return frames


def apply_corpus_passes(con: duckdb.DuckDBPyConnection, ref: Reference, kept: str | None = None) -> None:
    """The passes that read the whole corpus, once fact_events and unresolved_raw hold every current article's
    rows as extracted: governorates of unresolved places inferred across articles, unresolved names counted.

    `kept` names a table of the article ids whose rows were already there at the last pass (an incremental
    load): only the place names that added or removed events share are inferred again, so the cost follows
    the change, not the corpus. Either way the tables equal those of a pass over everything."""
    changed = f"ANTI JOIN {kept} USING (article_id)" if kept else ""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _affected_keys AS "
                f"SELECT DISTINCT place_key FROM unresolved_event_places {changed}")
    con.execute(f"DELETE FROM unresolved_event_places WHERE article_id NOT IN (SELECT article_id FROM {kept})"
                if kept else "DELETE FROM unresolved_event_places")
    record_unresolved_places(con, changed)
    infer_unresolved_admin1(con, ref)
    con.execute("DELETE FROM unresolved_mentions")
    con.execute(corpus_sql("unresolved_mentions"))


def corpus_sql(name: str) -> str:
    return (SQL_DIR / "corpus" / f"{name}.sql").read_text(encoding="utf-8")


def record_unresolved_places(con: duckdb.DuckDBPyConnection, changed: str = "") -> None:
    """Copy the events whose place the gazetteer lacks (of the articles the `changed` join keeps) into
    unresolved_event_places, as extracted, with the key that folds spellings of a name (place_name_key, in
    Python: one call per distinct name); their keys join _affected_keys."""
    names = [name for (name,) in con.execute(
        f"SELECT DISTINCT location FROM fact_events {changed} WHERE place_id IS NULL AND location IS NOT NULL").fetchall()]
    if not names:
        return
    keys = pl.DataFrame({"location": names, "place_key": [place_name_key(name) for name in names]},
                        schema={"location": pl.Utf8, "place_key": pl.Utf8})
    con.register("_place_keys", keys.to_arrow())
    try:
        con.execute(f"""INSERT INTO unresolved_event_places
            SELECT e.event_id, e.article_id, k.place_key, e.admin1, e.latitude, e.longitude, e.geo_precision
            FROM fact_events e {changed} JOIN _place_keys k ON k.location = e.location
            WHERE e.place_id IS NULL""")
        con.execute("INSERT INTO _affected_keys SELECT DISTINCT place_key FROM _place_keys")
    finally:
        con.unregister("_place_keys")


def infer_unresolved_admin1(con: duckdb.DuckDBPyConnection, ref: Reference) -> None:
    """sql/corpus/infer_admin1.sql over the keys in _affected_keys, with the governorates' centroids."""
    points = pl.DataFrame({"admin1": list(ref.admin1), "latitude": [row["latitude"] for row in ref.admin1.values()],
                           "longitude": [row["longitude"] for row in ref.admin1.values()]},
                          schema={"admin1": pl.Utf8, "latitude": pl.Float64, "longitude": pl.Float64})
    con.register("_admin1_points", points.to_arrow())
    try:
        con.execute(corpus_sql("infer_admin1"))
    finally:
        con.unregister("_admin1_points")
