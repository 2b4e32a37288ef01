"""Ingest layer: every input file (and corpus row) becomes an article or a recorded rejection."""

from pathlib import Path

import dagster as dg
import polars as pl

from assets.facts import workers_from_env
from assets.metadata import markdown_table, table_metadata
from orchestration.resources import ArticlesFolderResource, WarehouseResource
from sitrep import extraction_store
from sitrep.ingest_cache import ingest_into


@dg.multi_asset(
    specs=[
        dg.AssetSpec("raw_articles", group_name="ingest", kinds={"duckdb", "polars", "pandera"}, owners=["team:sitrep"],
                     tags={"layer": "ingest"},
                     description="Articles read from SITREP_ARTICLES: title, outlet, publication date, clean body "
                                 "(no page furniture or captions) and a content hash; one row per distinct article."),
        dg.AssetSpec("rejected_inputs", group_name="ingest", kinds={"duckdb", "polars", "pandera"}, owners=["team:sitrep"],
                     tags={"layer": "ingest"},
                     description="Inputs that were quarantined instead of ingested (empty, binary, undecodable, "
                                 "malformed, duplicate, outside the folder...), each with a reason a person understands."),
    ],
    can_subset=False,
)
def ingested_articles(context: dg.AssetExecutionContext, articles: ArticlesFolderResource,
                      warehouse: WarehouseResource):
    """Read the articles folder; nothing is dropped silently: inputs seen = ingested + quarantined.

    Files are streamed into the warehouse one at a time (memory does not grow with the corpus); the files
    before the first change since the last run keep their rows, and a file read again whose parse is cached is
    not parsed again (sitrep/ingest_cache.py); the files to parse are parsed in worker processes first (one per
    core, SITREP_EXTRACT_WORKERS). The tables equal a fresh read of the whole folder."""
    cache = extraction_store.store_dir(warehouse.path) / "ingest"
    with warehouse.connect() as con:
        stats = ingest_into(con, Path(articles.path), cache, articles_dir=articles.path, workers=workers_from_env())
        assert stats.inputs_seen == stats.ingested + stats.quarantined, "every input must be ingested or quarantined"
        context.log.info("ingest: %d inputs seen, %d ingested, %d quarantined from %s (of %d files, %d unchanged kept "
                         "their rows, %d read from the cache, %d parsed)", stats.inputs_seen, stats.ingested, stats.quarantined,
                         articles.path, stats.files, stats.files_kept, stats.files_cached, stats.files_parsed)
        reasons = pl.DataFrame({"reason": list(stats.reasons), "len": list(stats.reasons.values())},
                               schema={"reason": pl.Utf8, "len": pl.UInt32}).sort("len", descending=True)
        yield dg.MaterializeResult(asset_key="raw_articles", metadata=table_metadata(con, "raw_articles", extra={
            "inputs_seen": stats.inputs_seen, "quarantined": stats.quarantined,
            "articles_dir": articles.path, "files_kept": stats.files_kept,
            "files_parsed": stats.files_parsed, "files_from_cache": stats.files_cached,
            "published_range": f"{stats.published_min} .. {stats.published_max}" if stats.ingested else "-"}))
        yield dg.MaterializeResult(asset_key="rejected_inputs", metadata=table_metadata(con, "rejected_inputs", extra={
            "by_reason": dg.MetadataValue.md(markdown_table(reasons))}))
