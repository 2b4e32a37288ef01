"""Extraction over a whole corpus: articles in, one polars frame per warehouse table out."""
from __future__ import annotations

import polars as pl

from sitrep.corpus_passes import finish_corpus
from sitrep.extract import MENTION_COLUMNS, ArticleExtractor
from sitrep.ingest import Article, IngestResult
from sitrep.reference import Reference

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
    "entity_mentions": dict(zip(MENTION_COLUMNS, (pl.Utf8, pl.Utf8, pl.Int32, pl.Int32, pl.Int32, pl.Utf8, pl.Utf8,
                                                  pl.Utf8))),  # the extractor's mention tuples, in this order
    "unresolved_raw": {"article_id": pl.Utf8, "sentence_idx": pl.Int32, "char_start": pl.Int32,
                       "char_end": pl.Int32, "surface": pl.Utf8, "kind": pl.Utf8, "sentence": pl.Utf8},
}


def frame(table: str, rows: list[dict] | list[tuple]) -> pl.DataFrame:
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
    collected: dict[str, list] = {t: [] for t in _SCHEMAS}
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
