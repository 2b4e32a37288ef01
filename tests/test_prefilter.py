"""The regex prefilter only ever skips a regex that could not have matched."""
import csv
import io
import re
from pathlib import Path

import pytest

from sitrep import casualties, dates
from sitrep import extract
from sitrep import text as text_module
from sitrep.matching import AliasMatcher, fold_for_matching
from sitrep.prefilter import (Gate, Prefilter, first_characters, first_literals, lowercase_pattern, matches,
                              required_literals, with_first_characters)
from sitrep.text import fold, split_sentences

FAKES = Path(__file__).resolve().parent.parent / "seeds" / "articles" / "fakes.csv"


@pytest.fixture(scope="module")
def fakes_texts() -> list[str]:
    rows = csv.DictReader(io.StringIO(FAKES.read_text(encoding="utf-8")))
    return [s.text for row in rows for s in split_sentences(row["article_content"])]


@pytest.fixture(scope="module")
def fakes_sentences(fakes_texts) -> list[str]:
    return [fold(text) for text in fakes_texts]


@pytest.mark.parametrize("pattern,expected", [
    (r"\bgrenades?\b", {"grenade", "grenades"}),
    (r"\b(?:re)?captur(?:ed|e)\b", {"captured", "capture", "recaptured", "recapture"}),
    (r"\bkilled (?:\w+ )?civilians\b", {"civilians"}),
    (r"\b(?:car|truck) ?bombs?\b", {"car bomb", "carbomb", "truck bomb", "truckbomb",
                                      "car bombs", "carbombs", "truck bombs", "truckbombs"}),
    (r"\w+", None),  # nothing literal to look for: always run
    (r"(?:a|\d+) dead|b?", None),  # can match the empty string
])
def test_required_literals(pattern, expected):
    assert required_literals(re.compile(pattern)) == (None if expected is None else frozenset(expected))


@pytest.mark.parametrize("pattern,expected", [
    (r"\b(?:re)?captur(?:ed|e)\b", {"r", "c"}),
    (r"(?:at least\s+)?\d+ (?:killed|dead)", {"a", "\\d"}),
    (r"\b(?:on\s+)?[a-c]x", {"o", "a", "b", "c"}),
    (r"(?<!-)controlled", {"c"}),
    (r"\s*monday", None),      # a category other than \d: unknown
    (r"\w+ dead", None),
    (r"(?:a|b)?", None),        # may match the empty string
    (r"(?i)killed", {"k"}),     # under IGNORECASE the lookahead matches what the literal matches
    (r"(?i:killed) x", None),   # flags changed inside: not hinted
])
def test_first_characters(pattern, expected):
    assert first_characters(re.compile(pattern)) == expected


@pytest.mark.parametrize("pattern,expected", [
    (r"\bgrenades?\b", {"grenade"}),
    (r"\b(?:re)?captur(?:ed|e)\b", {"recapture", "capture"}),  # none the prefix of another
    (r"(?:at least\s+)?\d+ (?:killed|dead)", {"at least", *"0123456789"}),
    (r"(?:a|an) (?:man|woman)", {"a man", "a woman", "an man", "an woman"}),
    (r"(?=[kx])(?:\bkill(?:ed|ing)?\b)", {"kill"}),   # zero width items begin nothing
    (r"(?:the )?death of|killing", {"the death of", "death of", "killing"}),
    (r"\w+ killed", None),
    (r"(?:a|b)?", None),                               # may match the empty string
    (r"(?i)killed", None),                             # case-insensitive: other strings begin its matches
    (r"x?(?i:killed)", None),
])
def test_first_literals(pattern, expected):
    assert first_literals(re.compile(pattern, re.ASCII)) == (None if expected is None else frozenset(expected))


def test_a_digit_begins_with_any_decimal_digit_unless_ascii():
    assert {"\u0663", "\u09e7", "7"} <= first_literals(re.compile(r"\d+ killed"))
    assert first_literals(re.compile(r"\d+ killed", re.ASCII)) == frozenset("0123456789")


_LEAD = re.compile(r"\(\?=\[(?:[^\]\\]|\\.)*\]\)\(\?:(.*)\)", re.DOTALL)


def _led_patterns(reference) -> list[re.Pattern]:
    """Every pattern the extraction runs led by a first-character lookahead: the modules' own, the cues', the gates'."""
    patterns = [value for module in (extract, text_module, casualties, dates) for value in vars(module).values()
                if isinstance(value, re.Pattern)]
    patterns += [cue["regex"] for cue in reference.cues["cues"]]
    patterns += [value.pattern for value in vars(extract).values() if isinstance(value, Gate)]
    patterns += [pattern for _, pattern in dates._PATTERNS]
    return [p for p in patterns if _LEAD.fullmatch(p.pattern)]


def test_a_first_character_lookahead_changes_no_match(reference, fakes_texts, fakes_sentences):
    """Regexes run led by a lookahead for the characters their matches start with (read from the regex): on
    every FA-KES sentence, as written and folded, each finds exactly what the plain regex finds."""
    led = _led_patterns(reference)
    assert len(led) >= 60
    texts = sorted(set(fakes_texts) | set(fakes_sentences))  # as written and folded
    texts += ["\u0663 killed in \u0661\u0662 march", "At least 3 were KILLED on 5th of May, 2016 in Al-Bab"]
    matched = 0
    for hinted in led:
        plain = re.compile(_LEAD.fullmatch(hinted.pattern).group(1), hinted.flags)
        for text in texts:
            found = [(m.span(), m.groups()) for m in plain.finditer(text)]
            assert [(m.span(), m.groups()) for m in hinted.finditer(text)] == found, (plain.pattern[:60], text)
            matched += len(found)
    assert matched > 100_000


def test_case_insensitive_patterns_are_refused():
    with pytest.raises(ValueError):
        Prefilter([re.compile("killed", re.IGNORECASE)])


def _misses(patterns: list[re.Pattern], sentences: list[str]) -> list[tuple[int, str]]:
    prefilter = Prefilter(patterns)
    return [(index, sentence) for sentence in sentences
            for index in set(range(len(patterns))) - prefilter.candidates(sentence)
            if patterns[index].search(sentence)]


def test_no_cue_regex_is_skipped_on_a_sentence_it_matches(reference, fakes_sentences):
    patterns = [cue["regex"] for cue in reference.cues["cues"]]
    assert _misses(patterns, fakes_sentences) == []
    prefilter = Prefilter(patterns)
    skipped = sum(len(patterns) - len(prefilter.candidates(s)) for s in fakes_sentences)
    assert skipped > len(fakes_sentences)  # and it does skip regexes


def test_no_casualty_or_date_pattern_is_skipped_on_a_sentence_it_matches(fakes_sentences):
    assert _misses(list(casualties.COUNT_PATTERNS), fakes_sentences) == []
    assert _misses([pattern for _, pattern in dates.PATTERNS], fakes_sentences) == []


def test_a_gate_never_stops_a_case_insensitive_regex_where_it_matches(reference, fakes_texts):
    patterns = [reference.cues[key] for key in reference.cues if key.endswith("_re")] + \
        [extract._CIVILIAN_TARGET, extract._BACKED_BY]
    texts = fakes_texts + [text[i:i + 60] for text in fakes_texts for i in range(0, len(text), 40)]  # leads too
    for pattern in patterns:
        gate = Gate(pattern)
        closed = [text for text in texts if not gate.may_match(fold(text))]
        assert [text for text in closed if pattern.search(text)] == [], pattern.pattern[:60]
        assert len(closed) > len(texts) // 4, pattern.pattern[:60]  # and it does stop it on most texts


def test_a_gate_reads_the_text_case_insensitively_and_lets_non_ascii_folds_through():
    gate = Gate(re.compile(r"\b(?:shelled|shelling)\b", re.IGNORECASE))
    assert gate.search("Regime forces SHELLED the town", fold("Regime forces SHELLED the town"))
    assert not gate.may_match(fold("Protesters gathered in the square"))
    # a dotless i folds to itself, yet IGNORECASE matches it to "i": the regex must run
    assert Gate(re.compile(r"killed", re.IGNORECASE)).may_match(fold("two were k\u0131lled"))
    with pytest.raises(ValueError):
        Gate(re.compile("killed"))


def test_verbatim_aliases_are_found_where_the_whole_word_regex_finds_them(reference, fakes_texts):
    """The actor registry's case-sensitive aliases ("IS", "HTS") are scanned with Aho-Corasick; the hits
    must be those of the regex \\b(longest|...|shortest)\\b they replaced."""
    aliases = reference.actor_matcher.case_sensitive
    verbatim_only = AliasMatcher((), aliases.items())
    regex = re.compile(r"\b(" + "|".join(sorted(map(re.escape, aliases), key=len, reverse=True)) + r")\b")
    texts = fakes_texts + ["IS fighters and HTS, ISIS and IS-held areas: IS group IS_ HTSIS", "IS"]
    found = 0
    for text in texts:
        hits = verbatim_only.find(text)
        expected = [(m.start(), m.end(), aliases[m.group()]) for m in regex.finditer(text)]
        assert [(h.start, h.end, h.key) for h in hits] == expected, text
        found += len(hits)
    assert found > 100


def test_the_matching_form_turns_exactly_what_backslash_s_matches_into_spaces():
    from sitrep.matching import WHITESPACE, matching_form
    spaces = {chr(c) for c in range(0x110000) if re.fullmatch(r"\s", chr(c))}
    assert set(WHITESPACE) | {" "} == spaces
    text = "Raqqa,\u00a0the\tcity\u2009of\n\nHoms"
    assert matching_form(fold(text)) == re.sub(r"\s", " ", fold(text)) == "raqqa, the city of  homs"


def test_one_scan_finds_what_each_alias_matcher_finds_alone(reference, fakes_texts):
    """Sources, actors and governorates come from one automaton over all three dictionaries: per sentence,
    the hits must be each matcher's own, in order (an alias in two dictionaries counts in both)."""
    matchers = reference.entity_matchers.matchers
    texts = fakes_texts + ["SOHR said IS and Aleppo's Free Syrian Army clashed in Idlib; Syrian Observatory, HTS"]
    found = [0, 0, 0]
    for text in texts:
        folded = fold_for_matching(text)
        each = reference.entity_matchers.find_each(text, folded)
        assert each == [m.find(text, folded) for m in matchers], text
        found = [n + len(hits) for n, hits in zip(found, each)]
    assert min(found) > 100, found


def test_one_scan_of_an_article_gives_each_sentence_its_own_candidates(reference):
    """The cue and count prefilters scan an article once and share the hits out by sentence: per sentence, the
    candidates must be those of scanning that sentence alone."""
    cue_filter = Prefilter([cue["regex"] for cue in reference.cues["cues"]])
    rows = csv.DictReader(io.StringIO(FAKES.read_text(encoding="utf-8")))
    sentences = 0
    for row in rows:
        body = row["article_content"]
        spans = [(s.start, s.end) for s in split_sentences(body)]
        for prefilter_, text in ((cue_filter, fold(body)), (casualties.COUNT_FILTER, casualties.count_text(fold(body)))):
            assert [set(scan) for scan in prefilter_.scan_by_span(text, spans)] == \
                [prefilter_.candidates(text[a:b]) for a, b in spans]
        sentences += len(spans)
    assert sentences > 9_000
    assert [set(scan) for scan in cue_filter.scan_by_span("shelling. clashes", [(0, 9), (10, 17)])] == \
        [cue_filter.candidates("shelling."), cue_filter.candidates("clashes")]


def test_patterns_tried_only_where_their_first_literals_occur_find_what_finditer_finds(reference):
    """The cue and count patterns whose matches begin with a few strings are tried only where the article scan
    found those: on every FA-KES sentence (and a few with other digits and quotes) the matches are finditer's."""
    patterns = [cue["regex"] for cue in reference.cues["cues"]] + list(casualties.COUNT_PATTERNS)
    scanner = Prefilter(patterns, casualties.QUOTES)
    assert len(scanner.anchored) >= 20
    bodies = [row["article_content"] for row in csv.DictReader(io.StringIO(FAKES.read_text(encoding="utf-8")))]
    bodies += ["\u0663 civilians were killed. At least 12\u00a0were killed and \u0661\u0662 wounded in clashes.",
               'Rebels "captured" the town; 30 "terrorists" were killed.', "killed", "shelling killed 3 and 4"]
    tried = found = 0
    for body in bodies:
        folded = fold(body)
        count_text = casualties.count_text(folded)
        spans = [(s.start, s.end) for s in split_sentences(body)]
        for (a, b), scan in zip(spans, scanner.scan_by_span(count_text, spans)):
            assert set(scan) == scanner.candidates(count_text[a:b])
            for index, starts in scan.items():
                if starts is None:
                    continue
                text = (folded if index < len(patterns) - 3 else count_text)[a:b]
                expected = [(m.span(), m.groups()) for m in patterns[index].finditer(text)]
                assert [(m.span(), m.groups()) for m in matches(patterns[index], text, starts)] == expected, text
                tried += 1
                found += len(expected)
    assert tried > 5_000 and found > 2_000, (tried, found)


def test_one_scan_of_an_article_gives_each_sentence_its_own_entity_hits(reference):
    """The alias dictionaries scan an article once and share the hits out by sentence: per sentence, the hits
    (spans relative to the sentence, word edges at the sentence's ends) must be those of scanning it alone."""
    matchers = reference.entity_matchers
    bodies = [row["article_content"] for row in csv.DictReader(io.StringIO(FAKES.read_text(encoding="utf-8")))]
    bodies.append("Fighters of HTS\n\nIS attacked.SOHR said Aleppo\u00a0city was hit.IS")
    hits = 0
    for body in bodies:
        sentences = split_sentences(body)
        folded = fold_for_matching(body)
        each = matchers.find_each_by_span(body, folded, [(s.start, s.end) for s in sentences])
        assert each == [matchers.find_each(s.text, folded[s.start:s.end]) for s in sentences]
        hits += sum(len(h) for per_sentence in each for h in per_sentence)
    assert hits > 15_000


_EDGE_TEXTS = ["forces entered al-Bab and ash-Shaddadi", "Abu al-Bab, as-Saan", "x al-bab al-", "Homs,al-Bab",
               "the al-Nusra Front", "Sham’al-Bab", "Tal-Rifaat", "an-Nabk\n\nAl-Qusayr.", "1.5 km. The army",
               "He said: \"Stop.\" Then (Reuters) left!\n\n\nNext", "end?\"’) Next", "no end here", "A. B. C"]


def test_runs_found_by_their_capital_are_the_place_candidate_matches(fakes_texts):
    texts = fakes_texts + _EDGE_TEXTS
    spans = [[m.span() for m in extract.capitalised_runs(t)] for t in texts]
    assert spans == [[m.span() for m in extract._PLACE_CANDIDATE.finditer(t)] for t in texts]
    assert sum(map(len, spans)) > 30_000
    assert [m.group() for m in extract.capitalised_runs(_EDGE_TEXTS[0])] == ["al-Bab", "ash-Shaddadi"]


def test_sentence_ends_spelled_for_the_engine_match_as_the_plain_pattern(fakes_texts):
    plain = re.compile(r"""[.!?]["'”’)]*(?=\s+["'“‘(]?[A-Z0-9])|\n{2,}""")
    bodies = [row["article_content"] for row in csv.DictReader(io.StringIO(FAKES.read_text(encoding="utf-8")))]
    texts = bodies + _EDGE_TEXTS
    found = [[m.span() for m in text_module._SENTENCE_END.finditer(t)] for t in texts]
    assert found == [[m.span() for m in plain.finditer(t)] for t in texts]
    assert sum(map(len, found)) > 8_000


def test_patterns_the_engine_already_scans_for_are_not_led():
    quoted = re.compile(r"[\"“”]([^\"“”]{1,600})[\"“”]")
    assert with_first_characters(quoted) is quoted
    assert with_first_characters(re.compile(r"-(?:held|led)\b")).pattern == r"-(?:held|led)\b"
    assert with_first_characters(re.compile(r"\b(?:held|led)\b")).pattern.startswith("(?=[")
