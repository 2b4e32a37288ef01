"""Bad input through the real pipeline: one folder with a file per case of issue 4 plus a good article,
the whole Dagster job run in-process on temp paths, then every case looked up in the warehouse.

Every input (file, corpus row, manifest row) must end as a raw_articles row or a rejected_inputs row
with a reason, the run must succeed with every check passing, and the good article must give events.
"""
import builtins
import codecs
import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration import run as headless
from orchestration.definitions import build_defs
from sitrep.warehouse import table_fingerprint

PROJECT = Path(__file__).resolve().parent.parent
SEED = PROJECT / "seeds" / "articles" / "000_af55ad7c63556384.txt"
SQL = "x'); DROP TABLE fact_events; --"
SQL_FILE = f"{SQL}.txt"
HUGE = "huge.txt"
HUGE_BYTES = 50_000_001
ARTICLE = "{title}\n\n{city} was shelled on Monday, a monitor said.\n\nTwo people were killed in {city}.\n"

# file (row_ref) -> what must become of it: ("ingested", None) or ("quarantined", reason)
EXPECTED = {
    ("000_af55ad7c63556384.txt", ""): ("ingested", None),
    ("manifest.csv", "manifest row 2"): ("quarantined", "path_outside_folder"),
    ("empty.txt", ""): ("quarantined", "empty_file"),
    ("whitespace.txt", ""): ("quarantined", "whitespace_only"),
    ("photo.txt", ""): ("quarantined", "binary_file"),
    ("invalid_utf8.txt", ""): ("quarantined", "undecodable_text"),
    ("cp1252.txt", ""): ("ingested", None),
    ("utf16_bom.txt", ""): ("ingested", None),
    ("arabic.txt", ""): ("ingested", None),
    (HUGE, ""): ("quarantined", "too_large"),
    ("page.html", ""): ("ingested", None),
    ("broken.json", ""): ("quarantined", "malformed_json"),
    ("feed.jsonl", "line 1"): ("ingested", None),
    ("feed.jsonl", "line 2"): ("quarantined", "malformed_json"),
    ("feed.jsonl", "line 3"): ("ingested", None),
    ("corpus.csv", "row 1"): ("ingested", None),
    ("corpus.csv", "row 2"): ("quarantined", "empty_body"),
    ("corpus.csv", "row 3"): ("ingested", None),
    ("no_body_column.csv", ""): ("quarantined", "missing_columns"),
    ("dup_a.txt", ""): ("ingested", None),
    ("dup_b.txt", ""): ("quarantined", "duplicate_content"),
    ("no_date.txt", ""): ("ingested", None),
    ("future.txt", ""): ("ingested", None),
    ("long_sentence.txt", ""): ("ingested", None),
    (SQL_FILE, ""): ("ingested", None),
}


def build_folder(folder: Path) -> None:
    shutil.copy(SEED, folder / SEED.name)
    (folder / "manifest.csv").write_text(
        "file,published,outlet,url\n"
        f"{SEED.name},2013-11-13,Arutz Sheva,\n"
        "../../etc/passwd,2016-01-01,x,\n"
        "future.txt,2099-05-01,SANA,\n", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "whitespace.txt").write_text("   \n\t\n  \n")
    (folder / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (folder / "invalid_utf8.txt").write_bytes(b"Title line\n\nSome text \x81\x8d\x8f\x90\x9d more text.\n")
    (folder / "cp1252.txt").write_bytes(
        "Caf\u00e9 shelled in Homs\n\nThe caf\u00e9\u2019s owner said \u201cenough\u201d after Homs was shelled.\n"
        .encode("cp1252"))
    (folder / "utf16_bom.txt").write_bytes(codecs.BOM_UTF16_LE + ARTICLE.format(
        title="Shelling in Daraa", city="Daraa").encode("utf-16-le"))
    (folder / "arabic.txt").write_text("قصف على حلب\n\nقتل شخصان في قصف على المدينة القديمة يوم الاثنين.\n",
                                       encoding="utf-8")
    with (folder / HUGE).open("wb") as fh:  # sparse: 50 MB + 1 byte of zeros, on disk in no time
        fh.truncate(HUGE_BYTES)
    (folder / "page.html").write_text(
        "<!doctype html><html><head><title>Site | Strike on Idlib</title>"
        "<style>p { color: red }</style><script>alert('pwned'); fetch('http://example.invalid/x')</script></head>"
        "<body><nav><a href='/'>Home</a> Navigation menu</nav>"
        "<article><h1>Strike on Idlib kills five</h1>"
        "<p>Five people were killed in an air strike on Idlib city, a monitor said.</p>"
        "<script>document.write('injected')</script></article><footer>Copyright</footer></body></html>")
    (folder / "broken.json").write_text('{"title": "x", "body": "y",,}')
    (folder / "feed.jsonl").write_text("\n".join([
        json.dumps({"id": "j1", "title": "Clashes in Hama", "body": "Clashes erupted in Hama on Sunday.",
                    "published": "2016-07-01"}),
        '{"id": "j2", "title": "Cut off", "body": ',
        json.dumps({"id": "j3", "title": "Raid in Deir ez-Zor", "text": "Jets raided Deir ez-Zor.", "source": "SANA"}),
    ]) + "\n")
    (folder / "corpus.csv").write_text(
        "id,title,text,published,source\n"
        'c1,Siege of Madaya,"Government forces besieged Madaya.\n\nA second paragraph, with a comma.",2015-02-03,Reuters\n'
        'c2,Nothing here,"   ",2015-02-04,AFP\n'
        f'c3,"{SQL}","Rebels shelled Latakia, {SQL} said nobody.",2015-02-05,AFP\n', encoding="utf-8")
    (folder / "no_body_column.csv").write_text("id,title,published\n1,a,2016-01-01\n2,b,2016-01-02\n")
    twin = ARTICLE.format(title="Shelling in Idlib", city="Saraqib")
    (folder / "dup_a.txt").write_text(twin)
    (folder / "dup_b.txt").write_text(twin)
    (folder / "no_date.txt").write_text(ARTICLE.format(title="Shelling in Raqqa", city="Raqqa"))
    (folder / "future.txt").write_text(ARTICLE.format(title="Shelling in Palmyra", city="Palmyra"))
    sentence = " ".join(f"word{i % 97}" for i in range(20_000)) + " rebels shelled Aleppo."
    (folder / "long_sentence.txt").write_text("A very long one\n\n" + sentence + "\n")
    (folder / SQL_FILE).write_text(f"{SQL}\n\nThe body says {SQL} and rebels shelled Homs.\n")


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad_inputs")
    build_folder(folder)
    warehouse = tmp_path_factory.mktemp("bad_inputs_wh") / "warehouse.duckdb"
    real_path_open, real_open = Path.open, builtins.open
    opened_huge = []

    def guard_path_open(self, *args, **kwargs):
        if self.name == HUGE:
            opened_huge.append(self)
        return real_path_open(self, *args, **kwargs)

    def guard_open(file, *args, **kwargs):
        if isinstance(file, (str, Path)) and Path(file).name == HUGE:
            opened_huge.append(file)
        return real_open(file, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Path, "open", guard_path_open)
        mp.setattr(builtins, "open", guard_open)
        defs = build_defs(str(warehouse), str(folder))
        result = defs.resolve_job_def("sitrep_job").execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        raw = {(r[0], r[1]): r for r in con.execute(
            "SELECT source_file, row_ref, article_id, title, body, published_date, date_note, outlet "
            "FROM raw_articles").fetchall()}
        rejected = {(r[0], r[1]): (r[2], r[3]) for r in con.execute(
            "SELECT source_file, row_ref, reason, detail FROM rejected_inputs").fetchall()}
        summary = con.execute("SELECT inputs_seen, ingested, quarantined FROM ingest_summary").fetchone()
        events = dict(con.execute("SELECT article_id, count(*) FROM fact_events GROUP BY 1").fetchall())
        tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    return dict(result=result, warehouse=warehouse, folder=folder, raw=raw, rejected=rejected, summary=summary,
                events=events, tables=tables, opened_huge=opened_huge)


def test_the_run_finishes_and_every_check_passes(outcome):
    result = outcome["result"]
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert evaluations and all(e.passed for e in evaluations), [e.check_name for e in evaluations if not e.passed]


def test_inputs_seen_equals_ingested_plus_quarantined(outcome):
    seen, ingested, quarantined = outcome["summary"]
    assert seen == ingested + quarantined == len(EXPECTED)
    assert (ingested, quarantined) == (len(outcome["raw"]), len(outcome["rejected"]))


@pytest.mark.parametrize("key", list(EXPECTED), ids=[f"{f}:{r}" if r else f for f, r in EXPECTED])
def test_each_case_is_ingested_or_quarantined_with_its_reason(outcome, key):
    fate, reason = EXPECTED[key]
    if fate == "ingested":
        assert key in outcome["raw"], outcome["rejected"].get(key)
        assert key not in outcome["rejected"]
    else:
        assert key not in outcome["raw"]
        got_reason, detail = outcome["rejected"][key]
        assert got_reason == reason, detail
        assert len(detail) > 15 and "Traceback" not in detail  # a sentence, not an exception dump


def test_nothing_else_appears(outcome):
    assert set(outcome["raw"]) | set(outcome["rejected"]) == set(EXPECTED)


def test_good_files_are_fully_processed(outcome):
    raw, events = outcome["raw"], outcome["events"]
    seed = raw[(SEED.name, "")]
    assert str(seed[5]) == "2013-11-13" and seed[7] == "Arutz Sheva"
    assert events.get(seed[2], 0) >= 5  # the seed article's events made it to fact_events
    assert sum(events.values()) > events[seed[2]]  # and some of the small articles gave events too
    assert "caf\u00e9\u2019s owner" in raw[("cp1252.txt", "")][4]
    assert raw[("utf16_bom.txt", "")][3] == "Shelling in Daraa"
    assert raw[("arabic.txt", "")][4].startswith("قتل شخصان")
    assert "\n\nA second paragraph, with a comma." in raw[("corpus.csv", "row 1")][4]


def test_html_is_parsed_not_executed(outcome):
    _, _, _, title, body, *_ = outcome["raw"][("page.html", "")]
    assert title == "Strike on Idlib kills five"
    assert body == "Five people were killed in an air strike on Idlib city, a monitor said."


def test_dates_missing_or_in_the_future_are_kept_as_unknown(outcome):
    raw = outcome["raw"]
    assert raw[("no_date.txt", "")][5] is None and raw[("no_date.txt", "")][6] is None
    future = raw[("future.txt", "")]
    assert future[5] is None and "2099-05-01 is after the ingest day; not used" in future[6]
    assert future[7] == "SANA"


def test_duplicates_name_the_copy_that_was_kept(outcome):
    assert "dup_a.txt" in outcome["rejected"][("dup_b.txt", "")][1]


def test_oversized_file_is_quarantined_unread(outcome):
    assert (outcome["folder"] / HUGE).stat().st_size == HUGE_BYTES
    assert "50,000,001 bytes" in outcome["rejected"][(HUGE, "")][1]
    assert not outcome["opened_huge"]
    ingest_step = [e for e in outcome["result"].all_events
                   if e.step_key == "ingested_articles" and e.event_type_value == "STEP_SUCCESS"]
    assert ingest_step and ingest_step[0].event_specific_data.duration_ms < 15_000


def test_manifest_path_outside_the_folder_is_refused(outcome):
    assert "../../etc/passwd" in outcome["rejected"][("manifest.csv", "manifest row 2")][1]


def test_sql_text_is_stored_as_text_and_drops_nothing(outcome):
    assert "fact_events" in outcome["tables"]
    _, _, _, title, body, *_ = outcome["raw"][(SQL_FILE, "")]
    assert title == SQL and SQL in body
    assert outcome["raw"][("corpus.csv", "row 3")][3] == SQL
    with duckdb.connect(str(outcome["warehouse"]), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM fact_events").fetchone()[0] > 0
        assert table_fingerprint(con, "fact_events").split(":")[0] != "0"


def test_end_of_run_summary_accounts_for_every_input(outcome, capsys, monkeypatch):
    monkeypatch.setenv("SITREP_WAREHOUSE", str(outcome["warehouse"]))
    monkeypatch.setenv("SITREP_ARTICLES", str(outcome["folder"]))
    headless.print_summary(outcome["result"], 0.0)
    printed = capsys.readouterr().out
    seen, ingested, quarantined = outcome["summary"]
    assert f"inputs      {seen} seen = {ingested} ingested + {quarantined} quarantined" in printed
    assert "NOT ACCOUNTED FOR" not in printed and "unavailable" not in printed
    reasons = {}
    for fate, reason in EXPECTED.values():
        if fate == "quarantined":
            reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in reasons.items():
        assert f"quarantined {count:>5}  {reason}" in printed
    assert "0 failed" in printed
