"""Evaluation logic: gold matching and metrics on the real seed extraction, and the ACLED / FA-KES
label mappings on small hand-made rows. Tests that need ../shared skip when it is absent."""
from __future__ import annotations

import datetime as dt
import importlib.util
import os
import shutil
from pathlib import Path

import polars as pl
import pytest

from sitrep import evaluation as ev
from sitrep.corpus import extract_corpus
from sitrep.ingest import read_articles
from sitrep.reference import load_reference

PROJECT = Path(__file__).resolve().parents[1]
GOLD_FILE = PROJECT / "tests" / "seed_article.gold.yaml"
SHARED = Path(os.environ.get("SITREP_SHARED") or PROJECT.parent / "shared")
ACLED_CSV = SHARED / "corpus" / "acled_syria_2018" / "acled_syria_2018jan-apr.csv"
FAKES_CSV = SHARED / "corpus" / "fakes" / "fakes.csv"


@pytest.fixture(scope="module")
def ref():
    return load_reference()


@pytest.fixture(scope="module")
def gold():
    return ev.load_gold(GOLD_FILE)


@pytest.fixture(scope="module")
def seed_frames(ref, gold, tmp_path_factory):
    """The real extractor's tables for the seed article, published on the gold's date."""
    folder = tmp_path_factory.mktemp("seed_eval")
    article = PROJECT / "seeds" / "articles" / gold["article"]
    shutil.copy(article, folder / article.name)
    (folder / "manifest.csv").write_text(f"file,published\n{article.name},{gold['published']}\n")
    articles = read_articles(folder).articles
    assert len(articles) == 1
    return extract_corpus(articles, ref)


@pytest.fixture(scope="module")
def coding(gold, ref):
    return ev.GoldCoding(gold, ref)


def gold_event(coding, event_id: str) -> dict:
    return next(e for e in coding.events if e["id"] == event_id)


def row(**fields) -> dict:
    """An extracted event row with only the fields a test cares about."""
    base = {"event_id": "x", "event_type": "Battles", "sub_event_type": "Armed clash", "actor1_side": "government",
            "actor2_side": "rebels", "location": None, "admin1": None, "notes": "", "is_infighting": False,
            "fatalities_best": 0, "event_date": None}
    return base | fields


def score(gold, frames, ref, events=None, claims=None, changes=None) -> dict:
    return ev.score_seed(gold, frames["fact_events"] if events is None else events,
                         frames["fact_casualty_claims"] if claims is None else claims,
                         frames["fact_control_changes"] if changes is None else changes, ref)


def metric(rows: list[dict], name: str) -> dict:
    return next(r for r in rows if r["metric"] == name)


# ---------------------------------------------------------------- seed: matching rules

def test_event_matching_accepts_gold_place_alias(coding):
    event = gold_event(coding, "hejeira_falls")
    extracted = row(sub_event_type="Government regains territory", location="Hujayrah", admin1="Rural Damascus")
    assert ev.seed_event_matches(extracted, event, coding)


def test_event_matching_rejects_another_place_in_the_same_governorate(coding):
    event = gold_event(coding, "hejeira_falls")
    assert not ev.seed_event_matches(row(location="Sabina", admin1="Rural Damascus"), event, coding)


def test_event_matching_requires_the_same_event_type(coding):
    event = gold_event(coding, "hejeira_falls")
    assert not ev.seed_event_matches(row(event_type="Explosions/Remote violence", location="Hejeira"), event, coding)


def test_event_matching_accepts_also_location(coding):
    event = gold_event(coding, "bab_touma_mortars")
    extracted = row(event_type="Explosions/Remote violence", location="Al-Zablatani", admin1="Damascus")
    assert ev.seed_event_matches(extracted, event, coding)


def test_governorate_level_gold_event_matches_on_admin1_alias(coding):
    event = gold_event(coding, "highway_towns_seized")  # geo_precision 3, admin1 Aleppo
    assert ev.seed_event_matches(row(location="Tel Hasel", admin1="Halab"), event, coding)


def test_gold_event_without_place_matches_on_type_and_actor1_side(coding):
    event = gold_event(coding, "pyd_autonomy")
    declaration = row(event_type="Strategic developments", sub_event_type="Other", actor1_side="kurdish")
    assert ev.seed_event_matches(declaration, event, coding)
    assert not ev.seed_event_matches(declaration | {"actor1_side": "rebels"}, event, coding)


def test_unknown_gold_actor1_accepts_unknown_or_missing_side():
    assert ev.side_agrees("unknown", {"unknown": True})
    assert ev.side_agrees(None, {"unknown": True})
    assert not ev.side_agrees("government", {"unknown": True})
    assert ev.side_agrees("rebels", None) is None


def test_matching_prefers_sub_event_type_agreement(coding):
    clash = row(location="Hejeira", admin1="Rural Damascus")  # Armed clash at Hejeira
    pairs = ev.match_seed_events([clash], coding)
    assert [coding.events[g]["id"] for g, _ in pairs] == ["hejeira_outskirts_clashes"]


def synthetic_coding(ref, *events: dict) -> ev.GoldCoding:
    """A gold coding of hand-made events at Sabina (Battles), for the greedy preferences."""
    base = {"event_type": "Battles", "location": "Sabina", "admin1": "Rif Dimashq"}
    return ev.GoldCoding({"article": "a.txt", "events": [base | e for e in events],
                          "entities": {"places": [{"name": "Sabina", "aliases": ["Sbeineh"]}]}}, ref)


def test_matching_prefers_required_gold_events_over_sub_type_agreement(ref):
    coding = synthetic_coding(ref, {"id": "optional_clash", "required": False, "sub_event_type": "Armed clash"},
                              {"id": "required_capture", "required": True, "sub_event_type": "Government regains territory"})
    pairs = ev.match_seed_events([row(location="Sbeineh")], coding)
    assert [coding.events[g]["id"] for g, _ in pairs] == ["required_capture"]


def test_matching_prefers_the_same_sentence_when_sub_types_tie(ref):
    coding = synthetic_coding(ref, {"id": "first", "required": True, "sub_event_type": "Armed clash", "evidence": "fighting raged"},
                              {"id": "second", "required": True, "sub_event_type": "Armed clash", "evidence": "clashes resumed"})
    pairs = ev.match_seed_events([row(location="Sabina", notes="Later, clashes resumed in Sabina.")], coding)
    assert [coding.events[g]["id"] for g, _ in pairs] == ["second"]


def test_matching_is_one_to_one(coding):
    twins = [row(sub_event_type="Government regains territory", location="Sabina", event_id=str(i)) for i in range(2)]
    assert len(ev.match_seed_events(twins, coding)) == 1


# ---------------------------------------------------------------- seed: metrics on the real extraction

def test_seed_recall_counts_required_gold_events_with_a_match(gold, seed_frames, ref, coding):
    result = score(gold, seed_frames, ref)
    rows = seed_frames["fact_events"].to_dicts()
    expected = sum(1 for e in coding.events if e.get("required") and any(ev.seed_event_matches(r, e, coding) for r in rows))
    assert result["required_gold"] == sum(1 for e in coding.events if e.get("required")) == 11
    matched_required = {gid for gid, _ in result["pairs"] if gold_event(coding, gid).get("required")}
    assert result["required_found"] == len(matched_required) <= expected
    assert result["extracted"] == seed_frames["fact_events"].height


def test_unmatched_extracted_event_counts_as_false_positive(gold, seed_frames, ref):
    before = score(gold, seed_frames, ref)
    extra = seed_frames["fact_events"].head(1).with_columns(
        pl.lit("extra").alias("event_id"), pl.lit("Homs").alias("location"), pl.lit("Homs").alias("admin1"))
    after = score(gold, seed_frames, ref, events=pl.concat([seed_frames["fact_events"], extra]))
    assert after["extracted"] == before["extracted"] + 1
    assert after["extracted_matched"] == before["extracted_matched"]
    assert after["required_found"] == before["required_found"]
    assert any(e["class"].startswith("extra event") for e in after["errors"])


def test_no_extracted_events_gives_zero_recall_and_no_precision(gold, seed_frames, ref):
    empty = seed_frames["fact_events"].clear()
    metrics = ev.seed_metrics([score(gold, seed_frames, ref, events=empty)])
    assert metric(metrics, "event recall (required)")["value"] == 0.0
    assert metric(metrics, "event precision")["value"] is None


def test_claims_check_requires_same_source_and_killed_count(gold, seed_frames, ref):
    claims = seed_frames["fact_casualty_claims"]
    found, total = score(gold, seed_frames, ref)["claims"]
    assert total == 2
    changed = claims.with_columns(pl.when(pl.col("killed") == 3).then(4).otherwise(pl.col("killed")).alias("killed"))
    assert score(gold, seed_frames, ref, claims=changed)["claims"][0] == found - (3 in claims["killed"].to_list())


def test_claim_source_matches_through_gold_mentions(coding):
    claim = {"source": "the Observatory", "source_id": None, "killed": 3}
    assert ev.claim_found({"source": "Syrian Observatory for Human Rights", "killed": 3}, [claim], coding)
    assert not ev.claim_found({"source": "SANA", "killed": 3}, [claim], coding)


def test_control_change_check_requires_same_extent_and_side(coding):
    gold_change = gold_event(coding, "hejeira_falls")["control_change"]  # partial, to government
    at_hejeira = {"location": "Hajira", "to_side": "government", "extent": "partial"}
    assert ev.control_change_found(gold_change, [at_hejeira], coding) is None
    assert ev.control_change_found(gold_change, [at_hejeira | {"extent": "full"}], coding) == "control change: extent wrong"
    assert ev.control_change_found(gold_change, [at_hejeira | {"to_side": "rebels"}], coding) == "control change: to_side wrong"
    assert ev.control_change_found(gold_change, [], coding) == "control change: no row at the place"


def test_field_checks_skip_fields_the_gold_does_not_give(coding):
    event = gold_event(coding, "army_of_islam_formed")  # no actor2, place, admin1 or date
    checks = ev.seed_field_checks(row(event_type="Strategic developments", actor1_side="rebels"), event, coding)
    assert set(checks) == {"sub_event_type", "actor1 side"}


def test_fatalities_check_uses_gold_range(coding):
    event = gold_event(coding, "bab_touma_mortars")  # low 2, high 3
    assert ev.seed_field_checks(row(fatalities_best=3), event, coding)["fatalities"]
    assert not ev.seed_field_checks(row(fatalities_best=5), event, coding)["fatalities"]


# ---------------------------------------------------------------- names and helpers

def test_admin1_names_normalize_through_reference_and_gold_aliases(ref, coding):
    lookup = ev.admin1_lookup(ref)
    assert ev.canonical_admin1("Al?Hasakeh", lookup) == "Al-Hasakeh"
    assert ev.canonical_admin1("deir ezzor", lookup) == "Deir-ez-Zor"
    assert ev.canonical_admin1("idlib", lookup) == ev.canonical_admin1("Idleb", lookup)
    assert coding.same_admin1("Rural Damascus", "Rif Dimashq")
    assert not coding.same_admin1("Damascus", "Rif Dimashq")


def test_place_names_compare_across_transliterations():
    assert ev.same_place_name("Tell Hasel", "Tall Hasil")
    assert ev.same_place_name("Yarmuk", "Yarmouk")
    assert not ev.same_place_name("Saqba", "Shahba")


def test_haversine_distance_damascus_to_aleppo():
    assert 300 < ev.haversine_km(33.5138, 36.2765, 36.2021, 37.1343) < 320


def test_error_sample_covers_every_class_first():
    errors = [ev.error("big", "d", None)] * 10 + [ev.error("small", "d", None)]
    assert {e["class"] for e in ev.sample_errors(errors, 2)} == {"big", "small"}
    assert len(ev.sample_errors(errors, 50)) == 11


# ---------------------------------------------------------------- acled label logic

def acled_row(**fields) -> dict:
    base = {"notes": "Regime forces shelled Kafr Batna.", "event_date": "1-Jan-18", "event_date_iso": "2018-01-01",
            "event_type": "Remote violence", "actor1": "Military Forces of Syria (2000-)", "inter1": "1",
            "actor2": "", "inter2": "0", "interaction": "10", "admin1": "Rural Damascus", "location": "Kafr Batna",
            "latitude": "33.5126", "longitude": "36.3721", "fatalities": "0"}
    return base | fields


def test_acled_rows_sharing_notes_and_date_form_one_document():
    rows = [acled_row(), acled_row(location="Duma"), acled_row(event_date="2-Jan-18", event_date_iso="2018-01-02")]
    docs = ev.acled_documents(rows)
    assert [len(d["rows"]) for d in docs] == [2, 1]
    assert docs[0]["published"] == "2018-01-01" and docs[0]["outlet"] == "ACLED notes"
    assert docs[0]["id"] == ev.acled_documents(rows)[0]["id"] != docs[1]["id"]


def test_acled_date_reads_both_text_forms_and_flags_disagreement():
    assert ev.acled_date(acled_row(event_date="30 April 2018", event_date_iso="2018-04-30")) == (dt.date(2018, 4, 30), True)
    assert ev.acled_date(acled_row(event_date="2-Jan-18"))[1] is False


def test_acled_event_type_mapping():
    assert ev.acled_type_ok("Remote violence", "Explosions/Remote violence", "Air/drone strike") == (True, None)
    assert ev.acled_type_ok("Riots/Protests", "Riots", "Mob violence")[0]
    assert ev.acled_type_ok("Riots/Protests", "Protests", "Peaceful protest")[0]
    assert ev.acled_type_ok("Battle-Government regains territory", "Battles", "Armed clash") == (True, False)
    assert ev.acled_type_ok("Remote violence", "Battles", "Armed clash") == (False, None)


def test_acled_actor_side_from_registry_then_inter_code(ref):
    sides = ev.ActorSides(ref)
    day = dt.date(2018, 2, 1)
    assert sides.side("QSD: Syrian Democratic Forces", "2", day) == "kurdish"
    assert sides.side("Unidentified Armed Group (Syria)", "3", day) == "unknown"
    assert sides.side("Some Brand New Brigade", "2", day) == "rebels"
    assert sides.side("Kurdish Falcons Brigade", "3", day) == "kurdish"
    assert sides.side("Military Forces of Nowhere (Syria)", "1", day) == "government"
    assert sides.side("Some Turkish Operation", "8", day) == "turkey"
    assert sides.side("UN: United Nations", "7", day) == "civilians"
    assert sides.side("", "0", day) is None


def test_acled_infighting_excludes_kurdish_actors():
    assert ev.acled_is_infighting(acled_row(interaction="22", actor1="HTS: Hayat Tahrir al-Sham", actor2="AAS: Ahrar al-Sham"))
    assert not ev.acled_is_infighting(acled_row(interaction="22", actor1="Islamic State (Syria)", actor2="QSD: Syrian Democratic Forces"))
    assert not ev.acled_is_infighting(acled_row(interaction="12"))


def test_acled_matching_pairs_same_place_first(ref):
    lookup = ev.admin1_lookup(ref)
    gold = [acled_row(location="Duma"), acled_row(location="Kafr Batna")]
    events = [{"location": "Kafr Batna", "admin1": "Rural Damascus", "event_type": "Explosions/Remote violence"},
              {"location": "Douma", "admin1": "Rural Damascus", "event_type": "Explosions/Remote violence"}]
    assert ev.match_acled_document(gold, events, lookup) == [(0, 1), (1, 0)]


def test_acled_unmatched_gold_rows_count_against_recall(ref):
    docs = ev.acled_documents([acled_row(), acled_row(location="Duma")])
    event = {"event_type": "Explosions/Remote violence", "sub_event_type": "Shelling/artillery/missile attack",
             "location": "Kafr Batna", "place_id": "p", "geo_precision": 1, "admin1": "Rural Damascus", "latitude": 33.5126,
             "longitude": 36.3721, "actor1_side": "government", "fatalities_best": 0, "is_infighting": False}
    result = ev.score_acled(docs, {docs[0]["id"]: [event]}, ref)
    assert metric(result["metrics"], "event recall (doc-level)")["value"] == 0.5
    assert metric(result["metrics"], "event precision (doc-level)")["value"] == 1.0
    assert metric(result["metrics"], "point within 10 km accuracy (matched)")["value"] == 1.0


# ---------------------------------------------------------------- fakes label logic

def test_main_governorate_prefers_most_events_then_fatalities_then_earliest():
    events = [{"admin1": "Idleb", "fatalities_best": 1, "sentence_idx": 0, "char_start": 0},
              {"admin1": "Aleppo", "fatalities_best": 9, "sentence_idx": 3, "char_start": 50},
              {"admin1": "Idleb", "fatalities_best": 0, "sentence_idx": 5, "char_start": 90}]
    assert ev.main_governorate(events) == "Idleb"
    assert ev.main_governorate(events[:2]) == "Aleppo"
    assert ev.main_governorate([e | {"fatalities_best": 0} for e in events[:2]]) == "Idleb"
    assert ev.main_governorate([{"admin1": None}]) is None


def test_fakes_cause_mapping_covers_every_scored_label():
    assert ev.FAKES_CAUSES["shelling"] & {"Air/drone strike"}
    assert "Chemical weapon" in ev.FAKES_CAUSES["chemical and toxic gases"]
    assert "unknown" not in ev.FAKES_CAUSES


def test_civilians_killed_within_twenty_percent():
    assert ev.within_share(12, 10) and not ev.within_share(13, 10)
    assert ev.within_share(0, 0) and not ev.within_share(1, 0)


def test_civilian_claims_take_the_largest_claim_per_event():
    claims = [{"event_id": "a", "victim_group": "civilians", "killed": 3},
              {"event_id": "a", "victim_group": "civilians", "killed": 2},
              {"event_id": "b", "victim_group": "children", "killed": 4},
              {"event_id": "b", "victim_group": "combatants", "killed": 9}]
    assert ev.civilians_killed_from_claims(claims) == 7


# ---------------------------------------------------------------- with ../shared

needs_acled = pytest.mark.skipif(not ACLED_CSV.is_file(), reason=f"ACLED file absent ({ACLED_CSV}); a fresh clone has no ../shared")
needs_fakes = pytest.mark.skipif(not FAKES_CSV.is_file(), reason=f"FA-KES file absent ({FAKES_CSV}); a fresh clone has no ../shared")


@needs_acled
def test_acled_file_has_the_columns_the_evaluation_reads():
    rows = ev.read_csv_rows(ACLED_CSV)
    assert len(rows) == 8398
    assert set(rows[0]) >= {"notes", "event_date", "event_date_iso", "event_type", "actor1", "inter1", "actor2",
                            "inter2", "interaction", "admin1", "location", "latitude", "longitude", "fatalities"}
    assert set(r["event_type"] for r in rows) <= set(ev.ACLED_EVENT_TYPES)


@needs_fakes
def test_fakes_labels_normalize_to_governorates(ref):
    lookup = ev.admin1_lookup(ref)
    labels = {r["location"] for r in ev.read_csv_rows(FAKES_CSV)}
    assert all(ev.canonical_admin1(label, lookup) in ref.admin1 for label in labels)


def test_eval_script_skips_sets_whose_files_are_absent(tmp_path, monkeypatch, capsys):
    spec = importlib.util.spec_from_file_location("eval_script", PROJECT / "scripts" / "eval.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    monkeypatch.setenv("SITREP_SHARED", str(tmp_path / "no_shared"))
    assert script.main(["--sets", "acled,fakes", "--out", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().out.count("skipped") == 2
    assert (tmp_path / "out" / "eval.json").is_file()


def test_acled_neighbourhood_and_facility_names_accept_the_specific_place():
    assert ev.same_acled_place("Midan", "Damascus - Al-Midan")
    assert ev.same_acled_place("Yarmuk", "Yarmouk Camp")
    assert not ev.same_acled_place("Damascus", "Damascus - Al-Midan")
    assert ev.names_place("Shells fell on the al-Midan neighbourhood.", "Damascus - Al-Midan")
    assert not ev.names_place("Warplanes struck Zan village.", "Saraqab")


def test_eval_reads_the_tables_in_a_fixed_order(tmp_path):
    """Scoring pairs events greedily in the order it gets them: two events of one cue share article, sentence and
    offset, so the scan's order would change the scores from run to run; the event id breaks the tie."""
    import duckdb
    spec = importlib.util.spec_from_file_location("eval_script", PROJECT / "scripts" / "eval.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE raw_articles AS SELECT 'a' AS article_id")
        con.execute("CREATE TABLE rejected_inputs AS SELECT 'f' AS source_file, 'row 1' AS row_ref, 'x' AS reason")
        for table, key in (("fact_events", "event_id"), ("fact_casualty_claims", "claim_id"),
                           ("fact_control_changes", "change_id")):
            con.execute(f"CREATE TABLE {table} (article_id VARCHAR, sentence_idx INT, char_start INT, {key} VARCHAR)")
            con.execute(f"INSERT INTO {table} VALUES ('b', 0, 5, 'z'), ('a', 2, 1, 'y'), ('b', 0, 5, 'c'), ('a', 0, 9, 'q')")
    tables = script.read_tables(path)
    assert tables["fact_events"]["event_id"].to_list() == ["q", "y", "c", "z"]
    assert tables["fact_control_changes"]["change_id"].to_list() == ["q", "y", "c", "z"]
