"""Ingest layer: every input file (and corpus row) becomes an article or a recorded rejection."""

from pathlib import Path

import dagster as dg
import polars as pl

from assets.metadata import markdown_table, table_metadata
from orchestration.resources import ArticlesFolderResource, WarehouseResource
from sitrep.corpus import ingest_frames
from sitrep.ingest import read_articles
from sitrep.warehouse import replace_tables


@dg.multi_asset(
    specs=[
        dg.AssetSpec("raw_articles", group_name="ingest", kinds={"duckdb", "polars"}, owners=["team:sitrep"],
                     tags={"layer": "ingest"},
                     description="Articles read from SITREP_ARTICLES: title, outlet, publication date, clean body "
                                 "(no page furniture or captions) and a content hash; one row per distinct article."),
        dg.AssetSpec("rejected_inputs", group_name="ingest", kinds={"duckdb", "polars"}, owners=["team:sitrep"],
                     tags={"layer": "ingest"},
                     description="Inputs that were quarantined instead of ingested (empty, binary, undecodable, "
                                 "malformed, duplicate, outside the folder...), each with a reason a person understands."),
    ],
    can_subset=False,
)
def ingested_articles(context: dg.AssetExecutionContext, articles: ArticlesFolderResource,
                      warehouse: WarehouseResource):
    """Read the articles folder; nothing is dropped silently: inputs seen = ingested + quarantined."""
    result = read_articles(Path(articles.path))
    raw, rejected = ingest_frames(result)
    assert result.inputs_seen == raw.height + rejected.height, "every input must be ingested or quarantined"
    context.log.info("ingest: %d inputs seen, %d ingested, %d quarantined from %s",
                     result.inputs_seen, raw.height, rejected.height, articles.path)
    summary = pl.DataFrame({"articles_dir": [articles.path], "inputs_seen": [result.inputs_seen],
                            "ingested": [raw.height], "quarantined": [rejected.height]})
    with warehouse.connect() as con:
        replace_tables(con, {"raw_articles": raw, "rejected_inputs": rejected, "ingest_summary": summary})
        reasons = rejected.group_by("reason").len().sort("len", descending=True)
        yield dg.MaterializeResult(asset_key="raw_articles", metadata=table_metadata(con, "raw_articles", extra={
            "inputs_seen": result.inputs_seen, "quarantined": rejected.height,
            "articles_dir": articles.path,
            "published_range": f"{raw['published_date'].min()} .. {raw['published_date'].max()}" if raw.height else "-"}))
        yield dg.MaterializeResult(asset_key="rejected_inputs", metadata=table_metadata(con, "rejected_inputs", extra={
            "by_reason": dg.MetadataValue.md(markdown_table(reasons))}))
