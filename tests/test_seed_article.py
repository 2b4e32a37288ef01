"""The seed article comes out as its gold coding says (tests/seed_article.gold.yaml, ANNOTATION.md)."""
import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import yaml

from sitrep.text import fold

GOLD = yaml.safe_load((Path(__file__).parent / "seed_article.gold.yaml").read_text())
PLACE_ALIASES = {p["name"]: {p["name"], *p.get("aliases", [])} for p in GOLD["entities"]["places"]}
ADMIN1_ALIASES = {k: {k, *v} for k, v in GOLD["admin1_aliases"].items()}
REQUIRED = [e for e in GOLD["events"] if e.get("required")]


def _same_admin1(extracted: str | None, gold: str | None) -> bool:
    if gold is None:
        return True
    names = {fold(n) for n in ADMIN1_ALIASES.get(gold, {gold})}
    return extracted is not None and fold(extracted) in names


def _same_place(event: dict, gold: dict) -> bool:
    names = set()
    for key in ("location", "also_location"):
        if gold.get(key):
            names |= PLACE_ALIASES.get(gold[key], {gold[key]})
    if event["location"] and fold(event["location"]) in {fold(n) for n in names}:
        return True
    if gold.get("geo_precision") == 3 and gold.get("admin1"):
        return _same_admin1(event["admin1"], gold["admin1"])
    return gold.get("location") is None and gold.get("admin1") is None


def _candidates(events: pl.DataFrame, gold: dict) -> list[dict]:
    return [e for e in events.iter_rows(named=True)
            if e["event_type"] == gold["event_type"] and _same_place(e, gold)
            and (gold.get("actor1", {}).get("side") in (None, e["actor1_side"]))]


def _match(events: pl.DataFrame, gold: dict) -> dict:
    """The extracted event for a gold event: same type and place, best sub-type and evidence agreement."""
    candidates = _candidates(events, gold)
    assert candidates, f"no extracted event matches gold event {gold['id']}"
    return max(candidates, key=lambda e: (e["sub_event_type"] == gold["sub_event_type"],
                                          fold(gold["evidence"][:40]) in fold(e["notes"])))


@pytest.mark.parametrize("gold", REQUIRED, ids=[e["id"] for e in REQUIRED])
def test_required_gold_event_is_extracted_with_every_field_right(seed_facts, gold):
    _, facts = seed_facts
    event = _match(facts["fact_events"], gold)
    assert event["sub_event_type"] == gold["sub_event_type"]
    if "side" in gold.get("actor1", {}):
        assert event["actor1_side"] == gold["actor1"]["side"]
    if gold.get("actor1", {}).get("unknown"):
        assert event["actor1_side"] in (None, "unknown")
    if "actor2" in gold:
        assert event["actor2_side"] == gold["actor2"]["side"]
    assert _same_admin1(event["admin1"], gold.get("admin1"))
    assert event["is_infighting"] == gold.get("is_infighting", False)
    assert event["violence_type"] == gold.get("violence_type", event["violence_type"])
    if "event_date" in gold:
        assert event["event_date"] == gold["event_date"]
    if "time_precision" in gold:
        assert event["time_precision"] == gold["time_precision"]


def test_each_required_gold_event_matches_a_distinct_extracted_event(seed_facts):
    _, facts = seed_facts
    used = set()
    for gold in REQUIRED:
        free = [e for e in _candidates(facts["fact_events"], gold) if e["event_id"] not in used]
        assert free, f"{gold['id']} has no extracted event left to match"
        best = max(free, key=lambda e: (e["sub_event_type"] == gold["sub_event_type"],
                                        fold(gold["evidence"][:40]) in fold(e["notes"])))
        used.add(best["event_id"])


def test_bab_touma_attack_has_two_claims_sohr_three_and_sana_two(seed_facts):
    _, facts = seed_facts
    gold = next(e for e in GOLD["events"] if e["id"] == "bab_touma_mortars")
    event = _match(facts["fact_events"], gold)
    claims = facts["fact_casualty_claims"].filter(pl.col("event_id") == event["event_id"])
    by_source = {row["source"]: row for row in claims.iter_rows(named=True)}
    assert set(by_source) == {"Syrian Observatory for Human Rights", "SANA"}
    assert by_source["Syrian Observatory for Human Rights"]["killed"] == 3
    assert (by_source["SANA"]["killed"], by_source["SANA"]["injured"]) == (2, 20)
    assert (event["fatalities_low"], event["fatalities_best"], event["fatalities_high"]) == (2, 3, 3)
    assert event["civilian_targeting"] is True


def test_claims_point_at_the_sentence_that_states_them(seed_facts):
    article, facts = seed_facts
    for claim in facts["fact_casualty_claims"].iter_rows(named=True):
        stated = article.body[claim["char_start"]:claim["char_end"]].lower()
        assert stated in {"three", "two", "2", "3", "20"}, stated
        assert claim["evidence"] in article.body


@pytest.mark.parametrize("place,extent", [("Hejeira", "partial"), ("Sabina", "full"), ("Base 80", "full"),
                                          ("Aleppo", "partial")])
def test_control_passes_to_the_government_side(seed_facts, place, extent):
    _, facts = seed_facts
    rows = facts["fact_control_changes"].filter(pl.col("location") == place).to_dicts()
    assert rows, f"no control change at {place}"
    assert rows[0]["to_side"] == "government" and rows[0]["from_side"] == "rebels"
    assert rows[0]["extent"] == extent


def test_one_rebel_infighting_incident_in_aleppo_november_2013(seed_facts):
    _, facts = seed_facts
    infighting = facts["fact_events"].filter(pl.col("is_infighting"))
    assert infighting.height == 1
    row = infighting.row(0, named=True)
    assert row["admin1"] == "Aleppo" and row["event_date"].replace(day=1) == dt.date(2013, 11, 1)


def test_kurdish_fight_with_rebels_is_not_infighting(seed_facts):
    _, facts = seed_facts
    kurdish = facts["fact_events"].filter((pl.col("actor1_side") == "kurdish") & (pl.col("actor2_side") == "rebels"))
    assert kurdish.height >= 1
    assert not any(kurdish["is_infighting"])
    assert set(kurdish["violence_type"]) == {"non-state"}


def test_standing_control_is_observed_not_coded_as_an_event(seed_facts):
    _, facts = seed_facts
    observed = {(r["location"], r["side"]) for r in facts["fact_control_observations"].iter_rows(named=True)}
    assert {("Bab Touma", "government"), ("Zablatani", "government"), ("Tel Hasel", "rebels")} <= observed


def test_page_furniture_and_caption_are_not_body(seed_facts):
    article, _ = seed_facts
    for line in GOLD["boilerplate_not_body"]:
        assert line not in article.body
    assert article.published_date == dt.date(2013, 11, 13)


def test_reporting_bodies_are_sources_never_actors(seed_facts, reference):
    _, facts = seed_facts
    mentions = facts["entity_mentions"]
    for surface in ("Syrian Observatory for Human Rights", "SANA", "Al Mayadeen TV", "the BBC"):
        kinds = set(mentions.filter(pl.col("surface") == surface)["entity_type"])
        assert kinds == {"source"}, (surface, kinds)
    actor_names = set(facts["fact_events"]["actor1"].drop_nulls()) | set(facts["fact_events"]["actor2"].drop_nulls())
    assert not actor_names & {s.name for s in reference.sources.values()}


def test_every_event_span_lies_inside_the_body_and_holds_its_notes(seed_facts):
    article, facts = seed_facts
    for event in facts["fact_events"].iter_rows(named=True):
        assert 0 <= event["char_start"] < event["char_end"] <= len(article.body)
        assert article.body[event["char_start"]:event["char_end"]] == event["notes"]
