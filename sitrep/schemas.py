"""Pandera schemas of the warehouse tables: types, taxonomy and side vocabularies, ranges, keys.

Asset checks validate each table against its schema after it is written, and turn
pandera's failure cases into readable check results.
"""
from __future__ import annotations

from typing import Iterable, Optional

import pandera.polars as pa
import polars as pl

SIDES = ["government", "rebels", "kurdish", "us_coalition", "turkey", "civilians", "other", "unknown"]
EVENT_TAXONOMY = {
    "Battles": ["Armed clash", "Government regains territory", "Non-state actor overtakes territory"],
    "Explosions/Remote violence": ["Chemical weapon", "Air/drone strike", "Suicide bomb",
                                   "Shelling/artillery/missile attack", "Remote explosive/landmine/IED", "Grenade"],
    "Violence against civilians": ["Attack", "Abduction/forced disappearance", "Sexual violence"],
    "Protests": ["Peaceful protest", "Protest with intervention", "Excessive force against protesters"],
    "Riots": ["Violent demonstration", "Mob violence"],
    "Strategic developments": ["Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
                               "Headquarters or base established", "Looting/property destruction",
                               "Non-violent transfer of territory", "Other"],
}
SUB_EVENT_TYPES = [s for subs in EVENT_TAXONOMY.values() for s in subs]
VIOLENCE_TYPES = ["state-based", "non-state", "one-sided"]
VICTIM_GROUPS = ["civilians", "combatants", "children", "women", "unknown"]
ACTOR_TYPES = ["state_forces", "rebel_group", "political_militia", "identity_militia", "rioters", "protesters",
               "civilians", "external_forces"]


class TableSchema(pa.DataFrameModel):
    """Columns not named in a schema are allowed; DuckDB's integer widths are coerced to pandera's."""

    class Config:
        strict = False
        coerce = True


class FactEvents(TableSchema):
    event_id: str = pa.Field(unique=True)
    article_id: str
    event_date: Optional[pl.Date] = pa.Field(nullable=True)
    time_precision: Optional[int] = pa.Field(nullable=True, isin=[1, 2, 3])
    event_type: str = pa.Field(isin=list(EVENT_TAXONOMY))
    sub_event_type: str = pa.Field(isin=SUB_EVENT_TYPES)
    actor1_side: Optional[str] = pa.Field(nullable=True, isin=SIDES)
    actor2_side: Optional[str] = pa.Field(nullable=True, isin=SIDES)
    is_infighting: bool
    violence_type: Optional[str] = pa.Field(nullable=True, isin=VIOLENCE_TYPES)
    civilian_targeting: bool
    latitude: Optional[float] = pa.Field(nullable=True, ge=32.0, le=37.6)
    longitude: Optional[float] = pa.Field(nullable=True, ge=35.5, le=42.5)
    geo_precision: Optional[int] = pa.Field(nullable=True, isin=[1, 2, 3])
    fatalities_low: int = pa.Field(ge=0)
    fatalities_best: int = pa.Field(ge=0)
    fatalities_high: int = pa.Field(ge=0)
    injured_best: Optional[int] = pa.Field(nullable=True, ge=0)
    notes: str
    sentence_idx: int = pa.Field(ge=0)
    char_start: int = pa.Field(ge=0)
    char_end: int = pa.Field(ge=0)
    extractor: str

    @pa.dataframe_check(error="fatalities must satisfy low <= best <= high")
    def fatalities_ordered(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("fatalities_low") <= pl.col("fatalities_best")) & (pl.col("fatalities_best") <= pl.col("fatalities_high")))

    @pa.dataframe_check(error="char_start must be before char_end")
    def span_ordered(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("char_start") < pl.col("char_end"))

    @pa.dataframe_check(error="sub_event_type must belong to event_type")
    def sub_type_in_type(cls, data) -> pl.LazyFrame:
        pairs = [(t, s) for t, subs in EVENT_TAXONOMY.items() for s in subs]
        expr = pl.lit(False)
        for t, s in pairs:
            expr = expr | ((pl.col("event_type") == t) & (pl.col("sub_event_type") == s))
        return data.lazyframe.select(expr)

    @pa.dataframe_check(error="is_infighting requires both actors on the rebels side")
    def infighting_is_rebel_vs_rebel(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            ~pl.col("is_infighting") | ((pl.col("actor1_side") == "rebels") & (pl.col("actor2_side") == "rebels")))


class FactCasualtyClaims(TableSchema):
    claim_id: str = pa.Field(unique=True)
    event_id: str
    article_id: str
    source: str
    source_kind: str
    killed: Optional[int] = pa.Field(nullable=True, ge=0)
    injured: Optional[int] = pa.Field(nullable=True, ge=0)
    victim_group: str = pa.Field(isin=VICTIM_GROUPS)
    sentence_idx: int = pa.Field(ge=0)
    char_start: int = pa.Field(ge=0)
    char_end: int = pa.Field(ge=0)

    @pa.dataframe_check(error="a claim states killed or injured")
    def states_a_number(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("killed").is_not_null() | pl.col("injured").is_not_null())


class FactControlChanges(TableSchema):
    change_id: str = pa.Field(unique=True)
    event_id: str
    location: str
    from_side: Optional[str] = pa.Field(nullable=True, isin=SIDES)
    to_side: Optional[str] = pa.Field(nullable=True, isin=SIDES)
    extent: str = pa.Field(isin=["full", "partial"])
    time_precision: Optional[int] = pa.Field(nullable=True, isin=[1, 2, 3])


class FactControlObservations(TableSchema):
    observation_id: str = pa.Field(unique=True)
    location: str
    side: str = pa.Field(isin=SIDES)


class DimActor(TableSchema):
    actor_id: str
    name: str
    actor_type: str = pa.Field(isin=ACTOR_TYPES)
    inter_code: int = pa.Field(ge=1, le=8)
    side: str = pa.Field(isin=SIDES)


class DimLocation(TableSchema):
    place_id: str = pa.Field(unique=True)
    name: str
    latitude: Optional[float] = pa.Field(nullable=True, ge=32.0, le=37.6)
    longitude: Optional[float] = pa.Field(nullable=True, ge=35.5, le=42.5)


class DimSource(TableSchema):
    source_id: str = pa.Field(unique=True)
    name: str
    reliability_rank: int = pa.Field(ge=0)


class RawArticles(TableSchema):
    article_id: str = pa.Field(unique=True)
    external_id: str
    source_file: str
    body: str = pa.Field(str_length={"min_value": 1})
    content_hash: str = pa.Field(unique=True)
    published_date: Optional[pl.Date] = pa.Field(nullable=True)


class RejectedInputs(TableSchema):
    source_file: str
    row_ref: str = pa.Field(nullable=False)
    reason: str = pa.Field(str_matches=r"^[a-z_]+$")
    detail: str = pa.Field(str_length={"min_value": 1})


class EntityMentions(TableSchema):
    mention_id: str = pa.Field(unique=True)
    article_id: str
    sentence_idx: int = pa.Field(ge=0)
    char_start: int = pa.Field(ge=0)
    char_end: int = pa.Field(ge=0)
    surface: str = pa.Field(str_length={"min_value": 1})
    entity_type: str = pa.Field(isin=["actor", "source", "place", "admin1"])

    @pa.dataframe_check(error="char_start must be before char_end")
    def span_ordered(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("char_start") < pl.col("char_end"))


class UnresolvedMentions(TableSchema):
    surface: str
    kind: str = pa.Field(isin=["place", "actor"])
    mentions: int = pa.Field(ge=1)
    articles: int = pa.Field(ge=1)


SCHEMAS = {
    "raw_articles": RawArticles,
    "rejected_inputs": RejectedInputs,
    "entity_mentions": EntityMentions,
    "unresolved_mentions": UnresolvedMentions,
    "dim_actor": DimActor,
    "dim_location": DimLocation,
    "dim_source": DimSource,
    "fact_events": FactEvents,
    "fact_casualty_claims": FactCasualtyClaims,
    "fact_control_changes": FactControlChanges,
    "fact_control_observations": FactControlObservations,
}


def validation_failures(table: str, frame: pl.DataFrame) -> pl.DataFrame | None:
    """pandera's failure cases for a table (None when it passes)."""
    try:
        SCHEMAS[table].validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return errors.failure_cases
    return None


def unique_columns(table: str) -> list[str]:
    return [name for name, column in SCHEMAS[table].to_schema().columns.items() if column.unique]


def schema_columns(table: str) -> list[str]:
    """The columns a table's schema validates: the others (free text such as locations and actor names) pass
    whatever they hold, so a check need not read them."""
    return list(SCHEMAS[table].to_schema().columns)


def validation_failures_streamed(table: str, batches: Iterable[pl.DataFrame],
                                 duplicates: dict[str, list]) -> pl.DataFrame | None:
    """pandera's failure cases for a table read batch by batch, so a large table is never whole in memory.

    Uniqueness is a property of the whole table, so it is not taken from the batches: `duplicates` holds, per
    unique column, the values the warehouse found more than once (a GROUP BY), reported as pandera would."""
    parts, offset = [], 0
    for frame in batches:
        failures = validation_failures(table, frame)
        if failures is not None:
            failures = failures.filter(pl.col("check") != "field_uniqueness").with_columns(
                (pl.col("index") + offset).cast(pl.Int64).alias("index"))
            if failures.height:
                parts.append(failures)
        offset += frame.height
    for column, values in duplicates.items():
        if values:
            parts.append(pl.DataFrame({"failure_case": [str(v) for v in values], "schema_context": "Column",
                                       "column": column, "check": "field_uniqueness"}).with_columns(
                pl.lit(None, pl.Int32).alias("check_number"), pl.lit(None, pl.Int64).alias("index")))
    return pl.concat(parts, how="diagonal_relaxed") if parts else None
