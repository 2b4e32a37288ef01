"""Extraction rules pinned on sentences in the style of real wire copy (ANNOTATION.md)."""
import datetime as dt

import pytest

from sitrep.casualties import find_casualty_counts
from sitrep.dates import resolve_event_date
from sitrep.extract import ArticleExtractor
from sitrep.numbers import parse_count

PUBLISHED = dt.date(2018, 3, 14)  # a Wednesday


@pytest.fixture(scope="module")
def extract(reference):
    extractor = ArticleExtractor(reference)

    def run(text: str, published: dt.date | None = PUBLISHED):
        return extractor.extract("test-article", text, published, "Test Wire")
    return run


@pytest.mark.parametrize("phrase,value", [("three", 3), ("at least 45", 45), ("more than 350", 351),
                                          ("dozens", 12), ("nearly 20", 19), ("twenty-one", 21), ("1,200", 1200),
                                          ("a few", 3), ("scores", 20), ("hundreds", 100)])
def test_vague_and_written_numbers_follow_the_coding_guide(phrase, value):
    assert parse_count(phrase) == value


def test_killed_and_injured_counts_with_victim_groups(reference):
    counts = find_casualty_counts("Shelling killed at least 15 civilians and injured 20 others, among them four children.",
                                  reference.casualty_rules)
    assert [(c.kind, c.value, c.victim_group) for c in counts][:2] == [("killed", 15, "civilians"), ("injured", 20, "unknown")]


@pytest.mark.parametrize("text,expected,precision", [
    ("Clashes erupted on Monday.", dt.date(2018, 3, 12), 1),
    ("Yesterday, jets struck the town.", dt.date(2018, 3, 13), 1),
    ("Fighting raged last week.", dt.date(2018, 3, 7), 2),
    ("The town was shelled on 2 March.", dt.date(2018, 3, 2), 1),
    ("Two days ago, jets struck the town.", dt.date(2018, 3, 12), 1),
    ("Shelling continued.", PUBLISHED, 2),
])
def test_dates_resolve_against_the_publication_date(text, expected, precision):
    day, tp, _ = resolve_event_date(text, PUBLISHED)
    assert (day, tp) == (expected, precision)


def test_no_publication_date_means_no_event_date(extract):
    events = extract("Regime forces shelled the town of Douma, killing two civilians.", published=None).events
    assert events and all(e["event_date"] is None and e["time_precision"] is None for e in events)


def test_passive_capture_makes_the_agent_actor1(extract):
    [event] = extract("The town of Manbij was captured by the Syrian Democratic Forces from Islamic State fighters.").events
    assert (event["actor1_side"], event["sub_event_type"]) == ("kurdish", "Non-state actor overtakes territory")


def test_government_capture_is_government_regains_territory_with_a_control_change(extract):
    result = extract("Syrian government forces recaptured the town of Saraqeb from rebels on Tuesday.")
    [event] = result.events
    assert event["sub_event_type"] == "Government regains territory" and event["actor2_side"] == "rebels"
    [change] = result.control_changes
    assert (change["location"], change["from_side"], change["to_side"]) == (event["location"], "rebels", "government")


@pytest.mark.parametrize("text", [
    "The army vowed to retake the town of Saraqeb from rebels.",
    "No clashes were reported in Douma.",
    "Rebels threatened to shell the town of Douma if the siege continues.",
])
def test_threats_plans_and_negations_are_not_events(extract, text):
    assert extract(text).events == []


def test_several_places_in_one_sentence_split_the_deaths(extract):
    events = extract("Regime forces shelled the towns of Duma, Arbin and Harasta, killing 8 civilians.").events
    assert len(events) == 3
    assert sorted(e["fatalities_best"] for e in events) == [2, 2, 4]
    assert {e["actor2_side"] for e in events} == {"civilians"}


def test_two_rebel_factions_fighting_is_infighting(extract):
    [event] = extract("Hayat Tahrir al-Sham and Ahrar al-Sham fighters clashed near Saraqeb on Monday.").events
    assert event["is_infighting"] and event["violence_type"] == "non-state"


def test_kurds_fighting_rebels_is_not_infighting(extract):
    [event] = extract("YPG fighters clashed with Free Syrian Army rebels near Tal Rifaat on Monday.").events
    assert not event["is_infighting"]


def test_a_place_the_gazetteer_lacks_keeps_its_name_and_takes_the_named_governorate(extract):
    [event] = extract("Regime forces shelled Tir Maallah village in northern Homs, injuring two civilians.").events
    assert (event["location"], event["admin1"], event["place_id"], event["geo_precision"]) == ("Tir Maallah", "Homs", None, 3)
    assert [u["surface"] for u in extract("Regime forces shelled Tir Maallah village in northern Homs.").unresolved] == ["Tir Maallah"]


@pytest.mark.parametrize("text", [
    "Jets struck the town of Saraqeb in eastern Idleb on Monday.",
    "Saraqeb in the southern Idleb countryside was shelled by regime artillery on Monday.",
    "Regime forces targeted Saraqeb town in Idleb province using heavy artillery on Monday.",
])
def test_a_governorate_qualifying_a_place_is_not_the_event_place(extract, text):
    [event] = extract(text).events
    assert (event["location"], event["admin1"], event["geo_precision"]) == ("Saraqab", "Idleb", 1)


def test_a_governorate_after_a_direction_is_the_governorate_not_its_capital(extract):
    [event] = extract("Clashes broke out in northern Hama on Monday.").events
    assert (event["location"], event["place_id"], event["geo_precision"]) == ("Hama", "sy-SY05", 3)


def test_an_unknown_name_placed_in_a_governorate_is_kept_unresolved(extract):
    [event] = extract("Regime forces shelled areas of Tir Maallah in southern Homs on Monday.").events
    assert (event["location"], event["admin1"], event["place_id"]) == ("Tir Maallah", "Homs", None)


def test_a_known_name_inside_a_longer_unknown_one_is_not_that_place(extract):
    # "Dera" alone is a spelling of Dar'a; "Tir Dera" is another village
    [event] = extract("Turkish jets struck the village of Tir Dera in northern Aleppo on Monday.").events
    assert (event["location"], event["admin1"], event["place_id"]) == ("Tir Dera", "Aleppo", None)


def test_a_qualified_name_is_coded_at_its_base_place(extract):
    [event] = extract("Regime forces shelled Saraqeb al-Sharqi on Monday.").events
    assert (event["location"], event["admin1"]) == ("Saraqab", "Idleb")


def test_a_hedged_attribution_names_the_combined_actor(extract):
    [event] = extract("Warplanes, likely regime or Russian, carried out strikes on Saraqeb on Monday.").events
    assert (event["sub_event_type"], event["actor1_id"], event["actor1_side"]) == \
        ("Air/drone strike", "allied_syrian_russian_forces", "government")


def test_factions_exchanging_fire_are_both_actors_and_infighting(extract):
    [event] = extract("Ahrar al-Sham and Hayat Tahrir al-Sham fighters exchanged shelling near Saraqeb on Monday.").events
    assert {event["actor1_id"], event["actor2_id"]} == {"ahrar_al_sham", "hayat_tahrir_al_sham"}
    assert event["is_infighting"]


def test_a_group_named_without_its_group_noun_is_still_that_group(reference):
    from sitrep.matching import fold_for_matching
    text = "Khalid Ibn Al Walid fighters clashed with Nour al-Din al-Zinki militants."
    assert [h.key for h in reference.actor_matcher.find(text, fold_for_matching(text))] == \
        ["khalid_ibn_al_walid_army", "nour_al_din_al_zinki"]


def test_a_town_named_late_in_a_long_sentence_is_the_event_place(extract):
    [event] = extract("A car bomb claimed by the Islamic State killed at least 12 people and wounded dozens of others "
                      "on Wednesday morning in the crowded market of the city of Qamishli.").events
    assert (event["location"], event["admin1"], event["geo_precision"]) == ("Quamishli", "Al-Hasakeh", 1)


def test_an_unnamed_town_takes_the_name_a_later_sentence_gives_it(extract):
    [event] = extract("Air strikes on a rebel-held town in Idlib province killed five civilians on Monday. "
                      "The monitor said the strikes on the town of Ariha were carried out by regime jets.").events
    assert (event["location"], event["admin1"]) == ("Ariha", "Idleb")


def test_a_toll_in_the_next_sentence_belongs_to_the_event_just_told(extract):
    [event] = extract("Regime helicopters dropped barrel bombs on the town of Saraqeb on Monday. "
                      "Five civilians died of their wounds.").events
    assert event["fatalities_best"] == 5


def test_executions_count_their_dead(extract):
    [event] = extract("Regime forces executed 4 civilians in the town of Saraqeb on Monday.").events
    assert (event["sub_event_type"], event["fatalities_best"]) == ("Attack", 4)


def test_strikes_on_the_town_just_taken_are_part_of_that_battle(extract):
    events = extract("Regime forces captured Tir Maallah village in northern Homs on Monday after clashes with rebels. "
                     "Warplanes also carried out strikes on the town.").events
    assert [(e["location"], e["sub_event_type"]) for e in events] == [("Tir Maallah", "Government regains territory")]


def test_a_capture_without_a_fight_is_a_non_violent_transfer(extract):
    [event] = extract("Regime forces entered Saraqeb on Monday after a reconciliation agreement with the local council.").events
    assert (event["event_type"], event["sub_event_type"]) == ("Strategic developments", "Non-violent transfer of territory")


def test_villages_named_after_including_are_the_places_taken(extract):
    events = extract("Regime forces took control of a number of villages in southern Idleb on Monday, "
                     "including Tir Maallah and Saraqeb.").events
    assert [(e["location"], e["admin1"]) for e in events] == [("Tir Maallah", "Idleb"), ("Saraqab", "Idleb")]


def test_a_namesake_outside_the_governorate_that_qualifies_the_name_is_not_that_place(extract):
    # the gazetteer's Ras al-Ain is in Al-Hasakeh; this one is "in southeast Idleb"
    [event] = extract("Regime forces gained control of Ras al-Ain town in southeast Idleb on Monday.").events
    assert (event["location"], event["admin1"], event["place_id"]) == ("Ras al-Ain", "Idleb", None)


def test_a_group_spelled_another_way_is_still_that_group(extract):
    [event] = extract("Hayat Tahrir al-Sham and Soqur Al Sham fighters exchanged shelling near Saraqeb on Monday.").events
    assert {event["actor1_id"], event["actor2_id"]} == {"hayat_tahrir_al_sham", "suqour_al_sham"}


def test_a_withdrawal_with_an_aside_is_a_transfer_between_the_factions(extract):
    [event] = extract("HTS fighters withdrew, under unclear circumstances, from Saraqeb on Monday, "
                      "where Ahrar al-Sham took control.").events
    assert (event["sub_event_type"], event["actor1_id"], event["actor2_id"], event["is_infighting"]) == \
        ("Non-violent transfer of territory", "hayat_tahrir_al_sham", "ahrar_al_sham", True)


def test_the_main_clause_after_following_clashes_with_x_names_the_actor(extract):
    [event] = extract("Following clashes with HTS fighters, Ahrar al-Sham advanced in areas near Saraqeb on Monday.").events
    assert (event["actor1_id"], event["actor2_id"], event["is_infighting"]) == ("ahrar_al_sham", "hayat_tahrir_al_sham", True)


def test_a_comma_list_after_with_is_the_opponents_not_the_subject(extract):
    events = extract("Following clashes with Hayat Tahrir al-Sham , Turkistan Islamic Party, and rebel fighters, "
                     "regime forces advanced to establish control over Saraqeb on Monday.").events
    assert [(e["sub_event_type"], e["actor1_side"], e["is_infighting"]) for e in events] == \
        [("Government regains territory", "government", False)]


def test_strikes_killing_armed_group_members_are_not_by_that_group(extract):
    [event] = extract("About 70 terrorists were killed in the airstrikes on Saraqeb on Monday.").events
    assert event["actor1_side"] in (None, "unknown") and event["actor2_side"] == "rebels"


def test_people_and_known_places_are_not_listed_as_unresolved(extract):
    result = extract("President Bashar al-Assad said barrel bombs hit the town of al-Bab on Monday, killing five civilians.")
    assert [u["surface"] for u in result.unresolved] == []
    assert [(e["location"], e["admin1"]) for e in result.events] == [("Al Bab", "Aleppo")]


def test_a_place_after_in_is_not_a_government_speaking(extract):
    [event] = extract("An official in Homs said about 10 rockets slammed into the city on Monday.").events
    assert (event["location"], event["place_id"]) == ("Homs", "sy-SY040100")


def test_a_bystander_adjective_does_not_name_the_bomber(extract):
    [event] = extract("An opposition minister was among 12 people killed in a car bomb attack in Saraqeb on Monday.").events
    assert event["actor1_side"] in (None, "unknown")


def test_a_region_level_attack_takes_the_town_a_restatement_names(extract):
    [event] = extract("At least 12 people were killed in a car bomb attack in the south of the country on Monday. "
                      "The attack targeted a ceremony in Inkhil in the southern province of Daraa.").events
    assert (event["location"], event["admin1"], event["fatalities_best"]) == ("Inkhil", "Dar'a", 12)


def test_where_evacuees_came_from_is_not_where_the_blast_was(extract):
    [event] = extract("A blast hit a convoy carrying residents from the towns of Saraqeb and Ariha as they waited "
                      "at a transit point in Atareb on Saturday.").events
    assert (event["location"], event["admin1"]) == ("Atareb", "Aleppo")


def test_two_sources_in_one_sentence_are_two_claims_on_the_capture_they_describe(extract):
    result = extract('Government forces captured the town of Saraqeb on Tuesday after heavy fighting with rebels. '
                     'The Syrian Observatory for Human Rights said at least 14 fighters were killed in the clashes, '
                     'while state news agency SANA said 30 "terrorists" were killed.')
    [event] = result.events
    assert sorted((c["source_id"], c["killed"]) for c in result.claims) == [("sana", 30), ("sohr", 14)]
    assert (event["sub_event_type"], event["fatalities_low"], event["fatalities_best"], event["fatalities_high"]) == \
        ("Government regains territory", 14, 14, 30)


def test_most_of_a_town_captured_in_the_passive_is_a_partial_change(extract):
    result = extract("Most of the town of Saraqeb was captured by the army on Sunday, state media reported.")
    assert [(c["location"], c["to_side"], c["extent"]) for c in result.control_changes] == [("Saraqab", "government", "partial")]


def test_a_toll_for_the_raids_on_named_quarters_joins_the_raids_already_told(extract):
    result = extract("Russian warplanes pounded rebel-held areas of Aleppo city on Friday, killing at least 25 people, "
                     "the Syrian Observatory for Human Rights said. The civil defence said 31 people were killed "
                     "in the raids on the neighbourhoods of al-Shaar and Tariq al-Bab.")
    [event] = result.events
    assert (event["fatalities_low"], event["fatalities_best"], event["fatalities_high"]) == (25, 25, 31)


def test_a_place_between_two_cues_of_one_kind_is_their_place(extract):
    [event] = extract("Protesters in Saraqeb rallied against Hayat Tahrir al-Sham on Friday.").events
    assert (event["sub_event_type"], event["location"]) == ("Peaceful protest", "Saraqab")


def test_a_restatement_adds_evidence_not_an_event(extract):
    result = extract("A car bomb exploded in the city of Azaz on Sunday, killing five people. "
                     "The blast also wounded 20 people, the Observatory said.")
    [event] = result.events
    assert (event["fatalities_best"], event["injured_best"]) == (5, 20)


def test_the_same_source_repeating_a_figure_is_one_claim(extract):
    result = extract("Air strikes killed 12 civilians in Saraqeb on Monday, the Observatory said. "
                     "The Observatory said the strikes killed 12 civilians.")
    assert len(result.claims) == 1 and result.claims[0]["source"] == "Syrian Observatory for Human Rights"


def test_sides_come_from_the_registry_at_the_event_date(reference):
    thuwar = next(a for a in reference.actors.values() if a.actor_id == "jaysh_al_thuwar")
    assert thuwar.side_at(dt.date(2014, 6, 1)) == "rebels"
    assert thuwar.side_at(dt.date(2017, 6, 1)) == "kurdish"


def test_spans_point_into_the_body(extract):
    text = "Turkish warplanes struck the village of Jandairis. Three civilians were killed, the monitor said."
    result = extract(text)
    for row in result.events:
        assert text[row["char_start"]:row["char_end"]] == row["notes"]
    for claim in result.claims:
        assert text[claim["char_start"]:claim["char_end"]].lower() == "three"


def test_a_source_known_by_its_capitals_alone_is_the_claim_source(extract):
    """sources.yaml lists acronyms that are also English words ("WHO", "UN") as case-sensitive aliases."""
    result = extract("Air strikes killed 12 civilians in Saraqeb on Monday, WHO said. "
                     "Who carried out the strikes was not known, the UN said.")
    assert [(c["source_id"], c["killed"]) for c in result.claims] == [("who", 12)]
    sources = [(m[5], m[7]) for m in result.mentions if m[6] == "source"]  # (surface, resolved_id)
    assert sources == [("WHO", "who"), ("UN", "un")]
