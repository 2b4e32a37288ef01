"""Facts layer: events, casualty claims, control changes and observations, entity mentions."""

import dagster as dg

from assets.metadata import markdown_table, table_metadata
from orchestration.resources import WarehouseResource
from sitrep.corpus import FACT_TABLES, extract_corpus
from sitrep.ingest import Article
from sitrep.reference import load_reference
from sitrep.warehouse import replace_tables

_DESCRIPTIONS = {
    "fact_events": "One row per event (ACLED-compatible columns): type and sub-type, actors with their time-valid "
                   "sides, infighting flag, place resolved to the gazetteer, fatalities low/best/high reconciled "
                   "from the claims, and the evidence sentence with its character span.",
    "fact_casualty_claims": "One row per source claim about an event's dead and injured: who said it, the numbers, "
                            "the victim group and the sentence it came from.",
    "fact_control_changes": "Territory changing hands: place, from/to actor and side, full or partial, date, event.",
    "fact_control_observations": "Statements of standing control ('government-held Bab Touma'): no event, a point "
                                 "on the control timeline.",
    "entity_mentions": "Every actor, source, place and governorate mention with its article, sentence and span, "
                       "and what it resolved to.",
    "unresolved_mentions": "Place and actor names near event cues that the reference data does not know, counted, "
                           "with an example sentence: the to-do list for the gazetteer and actor registry.",
}
_GROUPS = {"entity_mentions": "entities", "unresolved_mentions": "entities"}


@dg.multi_asset(
    specs=[dg.AssetSpec(table, group_name=_GROUPS.get(table, "facts"), kinds={"duckdb", "polars"},
                        owners=["team:sitrep"], tags={"layer": _GROUPS.get(table, "facts")},
                        description=_DESCRIPTIONS[table],
                        deps=["raw_articles", "dim_actor", "dim_location", "dim_source"])
           for table in FACT_TABLES],
    can_subset=False,
)
def extracted_facts(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Run the rule-based extractor over raw_articles and replace the fact tables."""
    ref = load_reference()
    with warehouse.connect() as con:
        rows = con.execute("SELECT article_id, external_id, source_file, row_ref, outlet, title, published_date, "
                           "date_source, date_note, url, body, content_hash FROM raw_articles ORDER BY article_id").fetchall()
    articles = [Article(*row) for row in rows]
    context.log.info("extracting from %d articles with reference data %s", len(articles), ref.version)
    frames = extract_corpus(articles, ref)
    with warehouse.connect() as con:
        replace_tables(con, {table: frames[table] for table in FACT_TABLES})
        for table in FACT_TABLES:
            extra = {"reference_version": ref.version}
            if table == "fact_events" and frames[table].height:
                by_type = frames[table].group_by("event_type").len().sort("len", descending=True)
                extra["events_by_type"] = dg.MetadataValue.md(markdown_table(by_type))
            yield dg.MaterializeResult(asset_key=table, metadata=table_metadata(con, table, extra=extra))
