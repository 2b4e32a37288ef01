"""Extraction over a whole corpus: articles in, one polars frame per warehouse table out."""
from __future__ import annotations

import duckdb
import polars as pl

from sitrep.extract import ArticleExtractor
from sitrep.ingest import Article, IngestResult
from sitrep.reference import Reference
from sitrep.text import place_name_key

FACT_TABLES = ("fact_events", "fact_casualty_claims", "fact_control_changes", "fact_control_observations",
               "entity_mentions", "unresolved_mentions")

_SCHEMAS = {
    "fact_events": {"event_id": pl.Utf8, "article_id": pl.Utf8, "event_date": pl.Date, "time_precision": pl.Int32,
                    "event_type": pl.Utf8, "sub_event_type": pl.Utf8, "actor1": pl.Utf8, "actor1_id": pl.Utf8,
                    "actor1_side": pl.Utf8, "assoc_actor_1": pl.Utf8, "actor2": pl.Utf8, "actor2_id": pl.Utf8,
                    "actor2_side": pl.Utf8, "assoc_actor_2": pl.Utf8, "is_infighting": pl.Boolean,
                    "violence_type": pl.Utf8, "civilian_targeting": pl.Boolean, "location": pl.Utf8,
                    "place_id": pl.Utf8, "admin1": pl.Utf8, "admin2": pl.Utf8, "latitude": pl.Float64,
                    "longitude": pl.Float64, "geo_precision": pl.Int32, "fatalities_low": pl.Int32,
                    "fatalities_best": pl.Int32, "fatalities_high": pl.Int32, "injured_best": pl.Int32,
                    "sources": pl.Utf8, "notes": pl.Utf8, "sentence_idx": pl.Int32, "char_start": pl.Int32,
                    "char_end": pl.Int32, "extractor": pl.Utf8},
    "fact_casualty_claims": {"claim_id": pl.Utf8, "event_id": pl.Utf8, "article_id": pl.Utf8, "source": pl.Utf8,
                             "source_id": pl.Utf8, "source_kind": pl.Utf8, "killed": pl.Int32, "injured": pl.Int32,
                             "victim_group": pl.Utf8, "sentence_idx": pl.Int32, "char_start": pl.Int32,
                             "char_end": pl.Int32, "evidence": pl.Utf8, "extractor": pl.Utf8},
    "fact_control_changes": {"change_id": pl.Utf8, "event_id": pl.Utf8, "article_id": pl.Utf8, "location": pl.Utf8,
                             "place_id": pl.Utf8, "admin1": pl.Utf8, "from_actor": pl.Utf8, "from_side": pl.Utf8,
                             "to_actor": pl.Utf8, "to_side": pl.Utf8, "extent": pl.Utf8, "change_date": pl.Date,
                             "time_precision": pl.Int32, "sentence_idx": pl.Int32, "char_start": pl.Int32,
                             "char_end": pl.Int32, "extractor": pl.Utf8},
    "fact_control_observations": {"observation_id": pl.Utf8, "article_id": pl.Utf8, "location": pl.Utf8,
                                  "place_id": pl.Utf8, "admin1": pl.Utf8, "side": pl.Utf8, "observed_date": pl.Date,
                                  "sentence_idx": pl.Int32, "char_start": pl.Int32, "char_end": pl.Int32,
                                  "evidence": pl.Utf8, "extractor": pl.Utf8},
    "entity_mentions": {"mention_id": pl.Utf8, "article_id": pl.Utf8, "sentence_idx": pl.Int32,
                        "char_start": pl.Int32, "char_end": pl.Int32, "surface": pl.Utf8, "entity_type": pl.Utf8,
                        "resolved_id": pl.Utf8},
    "unresolved_raw": {"article_id": pl.Utf8, "sentence_idx": pl.Int32, "char_start": pl.Int32,
                       "char_end": pl.Int32, "surface": pl.Utf8, "kind": pl.Utf8, "sentence": pl.Utf8},
}


def frame(table: str, rows: list[dict]) -> pl.DataFrame:
    schema = _SCHEMAS[table]
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def extract_corpus(articles: list[Article], ref: Reference) -> dict[str, pl.DataFrame]:
    """Run the extractor over every article; rows keep their article and sentence provenance."""
    return finish_corpus(extract_articles(articles, ref), ref)


def extract_articles(articles, ref: Reference, extractor: ArticleExtractor | None = None) -> dict[str, pl.DataFrame]:
    """Per-article extraction only, no corpus-level pass: fact_events (governorates not yet inferred across
    articles), claims, control rows, mentions and `unresolved_raw`. Each article's rows depend on that article
    alone, so frames of article batches extracted apart (in other processes or machines) concatenate to the
    frames of the whole corpus; `finish_corpus` then applies the passes that need every article."""
    extractor = extractor or ArticleExtractor(ref)
    collected: dict[str, list[dict]] = {t: [] for t in _SCHEMAS}
    for article in articles:
        result = extractor.extract(article.article_id, article.body, article.published_date, article.outlet)
        collected["fact_events"] += result.events
        collected["fact_casualty_claims"] += result.claims
        collected["fact_control_changes"] += result.control_changes
        collected["fact_control_observations"] += result.control_observations
        collected["entity_mentions"] += result.mentions
        collected["unresolved_raw"] += result.unresolved
    return {table: frame(table, rows) for table, rows in collected.items()}


RAW_TABLES = tuple(_SCHEMAS)  # what extract_articles returns: the fact tables' rows plus unresolved_raw


def finish_corpus(raw: dict[str, pl.DataFrame], ref: Reference) -> dict[str, pl.DataFrame]:
    """The corpus-level passes over per-article frames (of the whole corpus, never of a batch alone)."""
    frames = dict(raw)
    frames["fact_events"] = infer_unresolved_admin1(frames["fact_events"], ref)
    frames["unresolved_mentions"] = summarize_unresolved(frames.pop("unresolved_raw"))
    return frames


def infer_unresolved_admin1(events: pl.DataFrame, ref: Reference) -> pl.DataFrame:
    """infer_unresolved_admin1_in on a frame (the in-memory path: extract_corpus)."""
    if events.height == 0:
        return events
    con = duckdb.connect()
    con.register("_events_in", events.to_arrow())
    con.execute("CREATE TABLE events AS SELECT * FROM _events_in")
    infer_unresolved_admin1_in(con, "events", ref)
    return con.sql("SELECT * FROM events").pl().cast(events.schema)


def infer_unresolved_admin1_in(con: duckdb.DuckDBPyConnection, table: str, ref: Reference) -> None:
    """A place the gazetteer lacks, named without a governorate, takes the governorate other
    articles give it ("Tir Maallah in northern Homs"): the majority among same-spelled places
    (ties: the first governorate by name), placed at its centroid (geo_precision 3).

    In SQL on the table itself, so the warehouse's load never holds the corpus's events in Python."""
    names = [name for (name,) in con.execute(
        f'SELECT DISTINCT location FROM "{table}" WHERE place_id IS NULL AND location IS NOT NULL').fetchall()]
    if not names:
        return
    keys = pl.DataFrame({"location": names, "_key": [place_name_key(name) for name in names]},
                        schema={"location": pl.Utf8, "_key": pl.Utf8})
    points = pl.DataFrame({"admin1": list(ref.admin1), "_lat": [row["latitude"] for row in ref.admin1.values()],
                           "_lon": [row["longitude"] for row in ref.admin1.values()]},
                          schema={"admin1": pl.Utf8, "_lat": pl.Float64, "_lon": pl.Float64})
    con.register("_place_keys", keys.to_arrow())
    con.register("_admin1_points", points.to_arrow())
    try:
        con.execute(f"""
            UPDATE "{table}" AS e
            SET admin1 = v.admin1, latitude = p._lat, longitude = p._lon, geo_precision = 3
            FROM _place_keys k
            JOIN (SELECT _key, admin1 FROM (
                    SELECT k._key, e.admin1,
                           row_number() OVER (PARTITION BY k._key ORDER BY count(*) DESC, e.admin1) AS rank
                    FROM "{table}" e JOIN _place_keys k USING (location)
                    WHERE e.place_id IS NULL AND e.admin1 IS NOT NULL
                    GROUP BY k._key, e.admin1)
                  WHERE rank = 1) v USING (_key)
            JOIN _admin1_points p ON p.admin1 = v.admin1
            WHERE e.location = k.location AND e.place_id IS NULL AND e.admin1 IS NULL""")
    finally:
        con.unregister("_place_keys")
        con.unregister("_admin1_points")


def summarize_unresolved(raw: pl.DataFrame) -> pl.DataFrame:
    """Group unresolved names so the most frequent gaps in the reference data come first."""
    if raw.height == 0:
        return pl.DataFrame(schema={"surface": pl.Utf8, "kind": pl.Utf8, "mentions": pl.Int64, "articles": pl.Int64,
                                    "example_article_id": pl.Utf8, "example_sentence": pl.Utf8})
    return (raw.sort("article_id", "sentence_idx", "char_start")
            .group_by("surface", "kind")
            .agg(pl.len().cast(pl.Int64).alias("mentions"),
                 pl.col("article_id").n_unique().cast(pl.Int64).alias("articles"),
                 pl.col("article_id").first().alias("example_article_id"),
                 pl.col("sentence").first().alias("example_sentence"))
            .sort(["mentions", "surface"], descending=[True, False]))


def ingest_frames(result: IngestResult) -> tuple[pl.DataFrame, pl.DataFrame]:
    """raw_articles and rejected_inputs rows of one ingest."""
    articles = pl.DataFrame(
        [{"article_id": a.article_id, "external_id": a.external_id, "source_file": a.source_file,
          "row_ref": a.row_ref, "outlet": a.outlet, "title": a.title, "published_date": a.published_date,
          "date_source": a.date_source, "date_note": a.date_note, "url": a.url, "body": a.body,
          "content_hash": a.content_hash} for a in result.articles],
        schema={"article_id": pl.Utf8, "external_id": pl.Utf8, "source_file": pl.Utf8, "row_ref": pl.Utf8,
                "outlet": pl.Utf8, "title": pl.Utf8, "published_date": pl.Date, "date_source": pl.Utf8,
                "date_note": pl.Utf8, "url": pl.Utf8, "body": pl.Utf8, "content_hash": pl.Utf8}, orient="row")
    rejected = pl.DataFrame(
        [{"source_file": r.source_file, "row_ref": r.row_ref, "reason": r.reason, "detail": r.detail}
         for r in result.rejections],
        schema={"source_file": pl.Utf8, "row_ref": pl.Utf8, "reason": pl.Utf8, "detail": pl.Utf8}, orient="row")
    return articles, rejected
