"""Incremental runs give exactly the tables of a full rebuild, and redo only what changed.

- The streamed, cached ingest equals sitrep.ingest.read_articles row for row (cold and from its cache),
  bad inputs and duplicates included, and on a later day: a file is read again only when a date it holds
  changes its parse between the two days (a date after today is set aside).
- A warehouse built, then given one more file by the articles sensor's run (facts_and_views_job), and later
  one file fewer, is identical table for table and view for view to one built from scratch on the final
  folder (an order-independent hash of every row: the tables sorted by all columns compare equal); the rerun
  extracts only the new file's articles. The new file gives a governorate to a place an older article names
  without one, so the corpus-level inference changes a reused article's row, and back when it leaves.
- Changing the reference data (or the extraction code) re-extracts every article.
"""
import csv
import datetime as dt
import io
import json
import os
import shutil
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.definitions import build_defs
from sitrep import extraction_store
from sitrep import ingest as ingest_module
from sitrep import reference as reference_module
from sitrep.corpus import FACT_TABLES, ingest_frames
from sitrep.ingest import read_articles
from sitrep.ingest_cache import ingest_into
from sitrep.warehouse import replace_tables, table_fingerprint, view_files, view_name

PROJECT = Path(__file__).resolve().parent.parent
FAKES = PROJECT / "seeds" / "articles" / "fakes.csv"
TABLES = ("raw_articles", "rejected_inputs", "ingest_summary", "unresolved_raw", "unresolved_event_places") + FACT_TABLES
VIEWS = tuple(view_name(path) for path in view_files())
GOLAN_TARGET = (260, 261)  # FA-KES row naming "the Golan" without a governorate
GOLAN_VOTE = (284, 285)    # a later row placing the Golan in Quneitra


def fakes_rows(start: int, stop: int) -> str:
    rows = list(csv.reader(io.StringIO(FAKES.read_text(encoding="utf-8"))))
    out = io.StringIO()
    csv.writer(out).writerows([rows[0]] + rows[1 + start:1 + stop])
    return out.getvalue()


def make_folder(folder: Path, seed_folder: Path, with_new: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in seed_folder.iterdir():
        shutil.copy(path, folder / path.name)
    (folder / "fakes_a.csv").write_text(fakes_rows(0, 30), encoding="utf-8")
    (folder / "fakes_b.csv").write_text(fakes_rows(30, 45), encoding="utf-8")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    (folder / "golan.csv").write_text(fakes_rows(*GOLAN_TARGET), encoding="utf-8")
    if with_new:  # a later file: new articles (one placing the Golan), one repeating an ingested text (a duplicate)
        (folder / "zz_new.csv").write_text(fakes_rows(45, 52) + fakes_rows(3, 4).split("\n", 1)[1]
                                           + fakes_rows(*GOLAN_VOTE).split("\n", 1)[1], encoding="utf-8")
    return folder


# The layers these tests are about (the report and exports read the same tables; test_pipeline runs them).
LAYERS = ["dim_actor", "dim_source", "dim_location", "raw_articles", "rejected_inputs", *FACT_TABLES]


def run(warehouse: Path, articles: Path, job: str = "sitrep_job") -> dg.ExecuteInProcessResult:
    """sitrep_job's ingest, reference and facts layers; or a whole job (facts_and_views_job: the sensor's run)."""
    selection = [dg.AssetKey(key) for key in LAYERS] if job == "sitrep_job" else None
    result = build_defs(str(warehouse), str(articles)).resolve_job_def(job).execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, asset_selection=selection)
    assert result.success
    return result


def extracted(result) -> int:
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        if materialization.asset_key.to_user_string() == "fact_events":
            return materialization.metadata["articles_extracted"].value
    raise AssertionError("no fact_events materialization")


def fingerprints(path: Path, names=TABLES) -> dict[str, str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {name: table_fingerprint(con, name) for name in names}


def golan(path: Path) -> list[tuple]:
    """Governorate, point and precision of the Golan event of the older article."""
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT e.admin1, e.latitude, e.longitude, e.geo_precision FROM fact_events e "
                           "JOIN raw_articles a USING (article_id) WHERE a.source_file = 'golan.csv' "
                           "AND e.location = 'Golan'").fetchall()


def expected_ingest(folder: Path, today: dt.date | None = None) -> duckdb.DuckDBPyConnection:
    """read_articles (the whole folder in one pass) written to an in-memory warehouse."""
    raw, rejected = ingest_frames(read_articles(folder, today))
    expected = duckdb.connect()
    replace_tables(expected, {"raw_articles": raw, "rejected_inputs": rejected})
    return expected


def assert_same_ingest(con, expected, label: str) -> None:
    for table in ("raw_articles", "rejected_inputs"):
        assert table_fingerprint(con, table) == table_fingerprint(expected, table), (label, table)
    seen, ingested, quarantined = con.execute("SELECT inputs_seen, ingested, quarantined FROM ingest_summary").fetchone()
    counts = expected.execute("SELECT (SELECT count(*) FROM raw_articles), (SELECT count(*) FROM rejected_inputs)").fetchone()
    assert (ingested, quarantined) == counts and seen == ingested + quarantined, label


def test_cached_ingest_equals_read_articles_cold_and_warm(tmp_path, seed_folder):
    from test_bad_inputs_pipeline import build_folder
    folder = tmp_path / "bad"
    folder.mkdir()
    build_folder(folder)
    (folder / "fakes.csv").write_text(fakes_rows(0, 40), encoding="utf-8")
    expected = expected_ingest(folder)
    cache = tmp_path / "cache"
    for attempt in ("cold", "warm"):
        con = duckdb.connect()
        stats = ingest_into(con, folder, cache)
        assert stats.files_cached == (0 if attempt == "cold" else stats.files), attempt
        assert_same_ingest(con, expected, attempt)


def test_ingest_parsing_in_worker_processes_equals_read_articles(tmp_path, seed_folder, monkeypatch):
    """Files parsed ahead in two worker processes (bad inputs among them) give the same tables as a one-pass
    read, are counted as parsed, not cached, and the next ingest reads them back from the cache."""
    from test_bad_inputs_pipeline import build_folder
    from sitrep import workers
    calls = []
    real_run_jobs = workers.run_jobs
    monkeypatch.setattr(workers, "run_jobs", lambda function, jobs, n: calls.append(len(jobs)) or
                        real_run_jobs(function, jobs, n))
    folder = tmp_path / "bad"
    folder.mkdir()
    build_folder(folder)
    for n in range(4):
        (folder / f"fakes_{n}.csv").write_text(fakes_rows(20 * n, 20 * n + 25), encoding="utf-8")  # overlapping
    expected, cache = expected_ingest(folder), tmp_path / "cache"
    con = duckdb.connect()
    stats = ingest_into(con, folder, cache, workers=2)
    assert (stats.files_parsed, stats.files_cached) == (stats.files, 0)
    assert calls and calls[0] >= 4  # the worker processes parsed them
    assert_same_ingest(con, expected, "parsed in workers")
    stats = ingest_into(duckdb.connect(), folder, cache, workers=2)
    assert (stats.files_parsed, stats.files_cached) == (0, stats.files) and len(calls) == 1


def test_reingest_reads_only_files_from_the_first_change_and_equals_read_articles(tmp_path):
    """Files before the first change keep their rows; a file sorting first that repeats a later file's text
    moves that text's duplicate_content rejection, so every later file is read again."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for n, (start, stop) in enumerate(((0, 20), (20, 40), (40, 60))):
        (folder / f"feed_{n}.csv").write_text(fakes_rows(start, stop), encoding="utf-8")
    con, cache = duckdb.connect(), tmp_path / "cache"
    ingest_into(con, folder, cache)
    steps = [("added last", lambda: (folder / "zz_new.csv").write_text(fakes_rows(60, 70) + fakes_rows(5, 6).split("\n", 1)[1]), 3),
             ("unchanged", lambda: None, 4),
             ("added first, repeating a later text", lambda: (folder / "aa_first.csv").write_text(fakes_rows(25, 26)), 0),
             ("removed from the middle", lambda: (folder / "feed_1.csv").unlink(), 2)]
    for label, change, kept in steps:
        change()
        stats = ingest_into(con, folder, cache)
        assert stats.files_kept == kept, label
        assert_same_ingest(con, expected_ingest(folder), label)


DAY = dt.date(2024, 1, 1)  # after every FA-KES date
NEXT_DAY = DAY + dt.timedelta(days=1)
UNDATED_ROW = 69  # FA-KES row 70: no dateline, so its corpus date column decides its date


def fakes_row_dated(index: int, date: dt.date) -> str:
    """FA-KES row `index` (header kept) with its date column set to `date`."""
    header, row = csv.reader(io.StringIO(fakes_rows(index, index + 1)))
    row[header.index("date")] = date.isoformat()
    out = io.StringIO()
    csv.writer(out).writerows([header, row])
    return out.getvalue()


def files_parsed(monkeypatch) -> list[str]:
    """The files opened and parsed from now on (read_articles too: clear it before each ingest_into)."""
    parsed, load = [], ingest_module._load_input
    monkeypatch.setattr(ingest_module, "_load_input", lambda root, rel, *a: parsed.append(rel) or load(root, rel, *a))
    return parsed


def day_ranges(con) -> dict[str, tuple]:
    return {name: (start, end) for name, start, end in
            con.execute("SELECT source_file, valid_from, valid_until FROM ingest_files").fetchall()}


def test_ingest_on_the_next_day_keeps_every_file_when_no_date_falls_between(tmp_path, seed_folder, monkeypatch):
    """Today is no longer part of a file's key: a file whose dates all lie on or before the first day parses
    the same on the next, so a run after midnight keeps every file's rows and opens none."""
    folder = tmp_path / "articles"
    shutil.copytree(seed_folder, folder)  # a .txt article dated by the manifest (2013-11-13)
    (folder / "feed_0.csv").write_text(fakes_rows(0, 20), encoding="utf-8")
    (folder / "feed_1.csv").write_text(fakes_rows(20, 40), encoding="utf-8")
    header, row = csv.reader(io.StringIO(fakes_rows(UNDATED_ROW, UNDATED_ROW + 1)))
    title, body = row[header.index("article_title")], row[header.index("article_content")]
    (folder / "today.json").write_text(json.dumps({"title": title, "body": body, "date": DAY.isoformat()}))
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    con, cache = duckdb.connect(), tmp_path / "cache"
    first = ingest_into(con, folder, cache, today=DAY)
    assert first.files == 5 and first.files_kept == first.files_cached == 0
    ranges = day_ranges(con)
    assert ranges["today.json"] == (DAY, None)  # dated today: usable from today on, with no end
    assert ranges["000_af55ad7c63556384.txt"] == (dt.date(2013, 11, 13), None)
    assert ranges["broken.json"] == (None, None)  # no date: any day
    assert_same_ingest(con, expected_ingest(folder, DAY), "first day")
    parsed = files_parsed(monkeypatch)
    stats = ingest_into(con, folder, cache, today=NEXT_DAY)
    assert stats.files_kept == stats.files == 5 and stats.files_cached == 0 and parsed == []
    assert_same_ingest(con, expected_ingest(folder, NEXT_DAY), "next day")
    assert con.execute("SELECT published_date FROM raw_articles WHERE source_file = 'today.json'").fetchone() == (DAY,)


def three_feeds(tmp_path: Path, middle_date: dt.date) -> Path:
    """Three files of FA-KES rows; the middle one holds one row dated `middle_date`."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "feed_0.csv").write_text(fakes_rows(0, 20), encoding="utf-8")
    (folder / "feed_1.csv").write_text(fakes_row_dated(UNDATED_ROW, middle_date), encoding="utf-8")
    (folder / "feed_2.csv").write_text(fakes_rows(40, 60), encoding="utf-8")
    return folder


def test_a_date_after_today_is_used_from_its_day_on_and_each_day_range_has_its_cache_entry(tmp_path, monkeypatch):
    """A row dated tomorrow is set aside until its day (its note does not name today, so that parse holds on
    every day before it); from tomorrow on it is used, and its file and the later ones are read again. Going
    back to a day before reads that parse from the cache, or keeps it where it is; entries no ingest uses are
    still collected."""
    folder = three_feeds(tmp_path, NEXT_DAY)
    con, cache = duckdb.connect(), tmp_path / "cache"
    dated = "SELECT published_date, date_source, date_note FROM raw_articles WHERE source_file = 'feed_1.csv'"
    set_aside = f"{NEXT_DAY} is after the ingest day; not used"

    ingest_into(con, folder, cache, today=DAY)
    assert_same_ingest(con, expected_ingest(folder, DAY), "day")
    date, source, note = con.execute(dated).fetchone()
    assert date is None and source is None and set_aside in note and str(DAY) not in note
    assert day_ranges(con)["feed_1.csv"] == (None, NEXT_DAY)  # every day before the row's

    parsed = files_parsed(monkeypatch)
    stats = ingest_into(con, folder, cache, today=NEXT_DAY)  # the row's day: its file and those after it
    assert (stats.files_kept, stats.files_cached, parsed) == (1, 1, ["feed_1.csv"])  # feed_2 from the cache
    assert con.execute(dated).fetchone() == (NEXT_DAY, "metadata", None)
    assert day_ranges(con)["feed_1.csv"] == (NEXT_DAY, None)
    assert_same_ingest(con, expected_ingest(folder, NEXT_DAY), "next day")

    for today, label in ((NEXT_DAY + dt.timedelta(days=1), "day after"), (NEXT_DAY, "next day again")):
        parsed.clear()
        stats = ingest_into(con, folder, cache, today=today)  # NEXT_DAY itself opens the range
        assert (stats.files_kept, stats.files_cached, parsed) == (3, 0, []), label
        assert_same_ingest(con, expected_ingest(folder, today), label)

    parsed.clear()
    stats = ingest_into(con, folder, cache, today=DAY)  # back: before the range; the first day's parse is cached
    assert (stats.files_kept, stats.files_cached, parsed) == (1, 2, [])
    assert set_aside in con.execute(dated).fetchone()[2]
    assert day_ranges(con)["feed_1.csv"] == (None, NEXT_DAY)
    assert_same_ingest(con, expected_ingest(folder, DAY), "day again")

    day_before = DAY - dt.timedelta(days=1)  # in the first day's range too: every file kept, none parsed
    parsed.clear()
    stats = ingest_into(con, folder, cache, today=day_before)
    assert (stats.files_kept, stats.files_cached, parsed) == (3, 0, [])
    assert set_aside in con.execute(dated).fetchone()[2]
    assert_same_ingest(con, expected_ingest(folder, day_before), "day before")

    entries = sorted(path.name for path in cache.iterdir())  # feed_1 has two: before its day, and from it on
    assert len(entries) == 4 and sum(name.endswith(f".min.{NEXT_DAY}.parquet") for name in entries) == 1
    old = time.time() - 3 * 86400
    for name in entries:
        os.utime(cache / name, (old, old))
    parsed.clear()
    stats = ingest_into(con, folder, cache, today=NEXT_DAY)  # uses feed_1's open range: the other is garbage
    assert (stats.files_kept, stats.files_cached, parsed) == (1, 2, [])
    left = sorted(path.name for path in cache.iterdir())
    assert len(left) == 3 and set(left) < set(entries) and not any(f".min.{NEXT_DAY}." in name for name in left)


def test_a_far_future_date_does_not_make_its_file_and_the_later_ones_read_every_day(tmp_path, monkeypatch):
    """A typo dating a row in 2099 sets that date aside on every day before it with the same note, so the
    file and those after it are kept day after day, until that day comes."""
    typo = dt.date(2099, 1, 1)
    folder = three_feeds(tmp_path, typo)
    con, cache = duckdb.connect(), tmp_path / "cache"
    ingest_into(con, folder, cache, today=DAY)
    assert day_ranges(con)["feed_1.csv"] == (None, typo)

    parsed = files_parsed(monkeypatch)
    for today in (NEXT_DAY, typo - dt.timedelta(days=1)):
        parsed.clear()
        stats = ingest_into(con, folder, cache, today=today)
        assert stats.files_kept == stats.files == 3 and stats.files_cached == 0 and parsed == [], today
        assert_same_ingest(con, expected_ingest(folder, today), str(today))

    parsed.clear()
    stats = ingest_into(con, folder, cache, today=typo)  # its day: the row is dated, its file and the later ones read
    assert (stats.files_kept, stats.files_cached, parsed) == (1, 1, ["feed_1.csv"])
    assert_same_ingest(con, expected_ingest(folder, typo), "the typo's day")


def test_an_ingest_files_table_without_day_ranges_is_rebuilt(tmp_path):
    """A warehouse an older version wrote (ingest_files without valid_from / valid_until) is rebuilt, not misread."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "feed_0.csv").write_text(fakes_rows(0, 20), encoding="utf-8")
    con, cache = duckdb.connect(), tmp_path / "cache"
    ingest_into(con, folder, cache, today=DAY)
    con.execute("ALTER TABLE ingest_files DROP COLUMN valid_from")
    con.execute("ALTER TABLE ingest_files DROP COLUMN valid_until")
    stats = ingest_into(con, folder, cache, today=DAY)
    assert (stats.files_kept, stats.files_cached) == (0, 1)
    [(start, end)] = day_ranges(con).values()
    assert start <= DAY and end is None
    assert_same_ingest(con, expected_ingest(folder, DAY), "rebuilt")


@pytest.fixture(scope="module")
def incremental(tmp_path_factory, seed_folder):
    """One warehouse built on the first folder, then on the folder with one more file, then without it."""
    tmp = tmp_path_factory.mktemp("incremental")
    before = make_folder(tmp / "before", seed_folder, with_new=False)
    after = make_folder(tmp / "after", seed_folder, with_new=True)
    warehouse = tmp / "inc" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    first = run(warehouse, before, "facts_and_views_job")
    golan_before = golan(warehouse)
    second = run(warehouse, after, "facts_and_views_job")
    added, golan_added = fingerprints(warehouse, TABLES + VIEWS), golan(warehouse)
    third = run(warehouse, before, "facts_and_views_job")
    removed, golan_removed = fingerprints(warehouse, TABLES + VIEWS), golan(warehouse)
    return {"tmp": tmp, "before": before, "after": after, "warehouse": warehouse, "runs": (first, second, third),
            "added": added, "removed": removed, "golan": (golan_before, golan_added, golan_removed)}


def test_adding_a_file_extracts_only_its_articles_and_equals_a_full_rebuild(incremental):
    first, second, _ = incremental["runs"]
    assert extracted(first) == 1 + 30 + 15 + 1
    assert extracted(second) == 7 + 1  # the new file's articles; its duplicate row is quarantined, not extracted
    fresh = incremental["tmp"] / "fresh_after" / "warehouse.duckdb"
    fresh.parent.mkdir()
    run(fresh, incremental["after"], "facts_and_views_job")
    assert incremental["added"] == fingerprints(fresh, TABLES + VIEWS)
    with duckdb.connect(str(fresh), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM rejected_inputs WHERE source_file = 'zz_new.csv' "
                           "AND reason = 'duplicate_content'").fetchone()[0] == 1


def test_removing_a_file_deletes_its_facts_and_equals_a_full_rebuild(incremental):
    _, _, third = incremental["runs"]
    assert extracted(third) == 0  # every remaining article was extracted before
    fresh = incremental["tmp"] / "fresh_before" / "warehouse.duckdb"
    fresh.parent.mkdir()
    run(fresh, incremental["before"], "facts_and_views_job")
    assert incremental["removed"] == fingerprints(fresh, TABLES + VIEWS)
    with duckdb.connect(str(incremental["warehouse"]), read_only=True) as con:
        log = con.execute("SELECT count(*), count(DISTINCT article_id) FROM extraction_log").fetchone()
        articles = con.execute("SELECT count(*) FROM raw_articles").fetchone()[0]
        orphans = con.execute("SELECT count(*) FROM fact_events ANTI JOIN raw_articles USING (article_id)").fetchone()[0]
    assert log == (articles, articles) and orphans == 0


def test_a_new_article_placing_a_name_changes_the_inferred_governorate_of_an_older_one(incremental):
    before, added, removed = incremental["golan"]
    assert before == removed == [(None, None, None, 3)]  # no article places the Golan: left unplaced
    assert [row[0] for row in added] == ["Quneitra"] and added[0][3] == 3  # the new article's vote, at the centroid


def test_changing_the_reference_data_re_extracts_every_article(incremental, tmp_path, monkeypatch):
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(incremental["warehouse"], warehouse)
    shutil.copytree(extraction_store.store_dir(incremental["warehouse"]), extraction_store.store_dir(warehouse))
    assert extracted(run(warehouse, incremental["before"])) == 0  # the copied log and chunks are reused
    reference = tmp_path / "reference"
    shutil.copytree(reference_module.REFERENCE_DIR, reference)
    with (reference / "actors.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\n# an edit of the registry\n")
    monkeypatch.setattr(reference_module, "REFERENCE_DIR", reference)
    result = run(warehouse, incremental["before"])
    assert extracted(result) == 1 + 30 + 15 + 1
    with duckdb.connect(str(warehouse), read_only=True) as con:
        versions = con.execute("SELECT DISTINCT reference_version FROM extraction_log").fetchall()
    assert versions == [(reference_module.reference_version(reference),)]
    assert fingerprints(warehouse) == {table: incremental["removed"][table] for table in TABLES}  # a comment changes no fact
