"""Reference layer: the actor registry, reporting sources and gazetteer as dimension tables."""

import dagster as dg
import polars as pl

from assets.metadata import table_metadata
from orchestration.resources import WarehouseResource
from sitrep.reference import load_reference, reference_version
from sitrep.warehouse import replace_table


def _reference_version() -> str:
    return reference_version()


@dg.asset(group_name="reference", kinds={"duckdb", "polars", "pandera"}, code_version="1",
          tags={"layer": "reference"}, owners=["team:sitrep"])
def dim_actor(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The armed actors of the theater, one row per actor and side period, from seeds/reference/actors.yaml.

    Sides and blocs carry validity dates, so infighting is decided by the sides
    actors held on the event's day.
    """
    ref = load_reference()
    rows = [{"actor_id": a.actor_id, "name": a.name, "actor_type": a.actor_type, "inter_code": a.inter_code,
             "generic": a.generic, "side": p.side, "bloc": p.bloc, "side_valid_from": p.valid_from,
             "side_valid_to": p.valid_to, "valid_from": a.valid_from, "valid_to": a.valid_to,
             "successor": a.successor, "aliases": list(a.aliases) + list(a.case_sensitive_aliases),
             "registry_version": ref.version}
            for a in ref.actors.values() for p in a.periods]
    frame = pl.DataFrame(rows, infer_schema_length=None)
    with warehouse.connect() as con:
        replace_table(con, "dim_actor", frame)
        return dg.MaterializeResult(metadata=table_metadata(con, "dim_actor", extra={
            "actors": len(ref.actors), "aliases": sum(len(a.aliases) for a in ref.actors.values()),
            "reference_version": ref.version}), data_version=dg.DataVersion(ref.version))


@dg.asset(group_name="reference", kinds={"duckdb", "polars", "pandera"}, code_version="1",
          tags={"layer": "reference"}, owners=["team:sitrep"])
def dim_source(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Reporting bodies (SOHR, SANA, wire agencies...) with their kind and reliability rank.

    Sources say who reported a number; they are never actors.
    """
    ref = load_reference()
    frame = pl.DataFrame([{"source_id": s.source_id, "name": s.name, "kind": s.kind,
                           "reliability_rank": s.reliability_rank, "aliases": list(s.aliases)}
                          for s in ref.sources.values()], infer_schema_length=None)
    with warehouse.connect() as con:
        replace_table(con, "dim_source", frame)
        return dg.MaterializeResult(metadata=table_metadata(con, "dim_source"), data_version=dg.DataVersion(ref.version))


@dg.asset(group_name="reference", kinds={"duckdb", "polars", "pandera"}, code_version="1",
          tags={"layer": "reference"}, owners=["team:sitrep"])
def dim_location(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The gazetteer: OCHA COD-AB and GeoNames places plus curated additions, with governorate and point."""
    ref = load_reference()
    aliases: dict[str, list[str]] = {}
    for place_id, alias in ref.place_aliases:
        aliases.setdefault(place_id, []).append(alias)
    frame = pl.DataFrame([{"place_id": p.place_id, "name": p.name, "feature": p.feature, "admin1": p.admin1,
                           "admin2": p.admin2, "latitude": p.latitude, "longitude": p.longitude,
                           "population": p.population, "aliases": sorted(set(aliases.get(p.place_id, [])))}
                          for p in ref.places.values()], infer_schema_length=None)
    with warehouse.connect() as con:
        replace_table(con, "dim_location", frame)
        return dg.MaterializeResult(metadata=table_metadata(con, "dim_location", extra={
            "aliases": len(ref.place_aliases)}), data_version=dg.DataVersion(ref.version))
