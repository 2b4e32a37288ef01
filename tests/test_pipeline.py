"""The whole Dagster graph materialized for real into a temp warehouse, then queried with SQL."""
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.definitions import build_defs
from sitrep.warehouse import table_fingerprint

PROJECT = Path(__file__).resolve().parent.parent
FAKES = PROJECT / "seeds" / "articles" / "fakes.csv"
TABLES = {"raw_articles": "article_id", "rejected_inputs": "source_file", "fact_events": "event_id",
          "fact_casualty_claims": "claim_id", "fact_control_changes": "change_id",
          "fact_control_observations": "observation_id", "entity_mentions": "mention_id",
          "dim_actor": "actor_id", "dim_location": "place_id", "dim_source": "source_id"}


def run_job(warehouse: Path, articles: Path) -> dg.ExecuteInProcessResult:
    defs = build_defs(str(warehouse), str(articles))
    return defs.resolve_job_def("sitrep_job").execute_in_process(instance=dg.DagsterInstance.ephemeral(),
                                                                  raise_on_error=False)


@pytest.fixture(scope="module")
def articles(tmp_path_factory, seed_folder) -> Path:
    """The seed article plus the first 120 FA-KES rows (header kept), with one broken file."""
    folder = tmp_path_factory.mktemp("articles")
    for path in seed_folder.iterdir():
        shutil.copy(path, folder / path.name)
    lines = FAKES.read_text(encoding="utf-8").splitlines(keepends=True)
    import csv, io
    rows = list(csv.reader(io.StringIO("".join(lines))))
    out = io.StringIO()
    csv.writer(out).writerows(rows[:121])
    (folder / "fakes_slice.csv").write_text(out.getvalue(), encoding="utf-8")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, articles) -> tuple[Path, dg.ExecuteInProcessResult]:
    path = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    result = run_job(path, articles)
    return path, result


def test_whole_graph_materializes_and_every_check_passes(warehouse):
    _, result = warehouse
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) >= 13
    assert all(e.passed for e in evaluations), [e.check_name for e in evaluations if not e.passed]


def test_every_input_is_ingested_or_quarantined_with_a_reason(warehouse):
    path, _ = warehouse
    with duckdb.connect(str(path), read_only=True) as con:
        seen, ingested, quarantined = con.execute("SELECT inputs_seen, ingested, quarantined FROM ingest_summary").fetchone()
        reasons = dict(con.execute("SELECT source_file, reason FROM rejected_inputs").fetchall())
    assert seen == 1 + 120 + 1 == ingested + quarantined
    assert reasons["broken.json"] == "malformed_json"


def test_views_answer_sql_over_the_facts(warehouse):
    path, _ = warehouse
    with duckdb.connect(str(path), read_only=True) as con:
        infighting = con.execute("SELECT month, admin1, incidents FROM infighting_incidents_monthly "
                                 "WHERE month = DATE '2013-11-01' AND admin1 = 'Aleppo'").fetchall()
        casualties = con.execute("SELECT sum(fatalities_low), sum(fatalities_high) FROM casualties_monthly_by_admin1").fetchone()
        timeline = con.execute("SELECT side FROM control_timeline WHERE location = 'Sabina'").fetchall()
        dyads = con.execute("SELECT events FROM actor_dyads WHERE actor1_side = 'government' AND actor2_side = 'rebels'").fetchall()
    assert infighting and infighting[0][2] >= 1
    assert casualties[0] <= casualties[1] and casualties[1] > 0
    assert ("government",) in timeline
    assert sum(row[0] for row in dyads) >= 5


def test_rerun_gives_identical_tables(warehouse, articles, tmp_path):
    path, _ = warehouse
    second = tmp_path / "second.duckdb"
    assert run_job(second, articles).success
    assert run_job(second, articles).success  # a rerun over its own output
    with duckdb.connect(str(path), read_only=True) as a, duckdb.connect(str(second), read_only=True) as b:
        for table, key in TABLES.items():
            assert table_fingerprint(a, table) == table_fingerprint(b, table), table
            duplicates = b.execute(f"SELECT count(*) - count(DISTINCT {key}) FROM {table}").fetchone()[0]
            assert duplicates == 0 or table in ("rejected_inputs", "dim_actor"), table
