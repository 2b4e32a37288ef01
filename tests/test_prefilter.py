"""The regex prefilter only ever skips a regex that could not have matched."""
import csv
import io
import re
from pathlib import Path

import pytest

from sitrep import casualties, dates
from sitrep.prefilter import Prefilter, required_literals
from sitrep.text import fold, split_sentences

FAKES = Path(__file__).resolve().parent.parent / "seeds" / "articles" / "fakes.csv"


@pytest.fixture(scope="module")
def fakes_sentences() -> list[str]:
    rows = csv.DictReader(io.StringIO(FAKES.read_text(encoding="utf-8")))
    return [fold(s.text) for row in rows for s in split_sentences(row["article_content"])]


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
    assert _misses([casualties._BEFORE, casualties._AFTER, casualties._ONE_VICTIM], fakes_sentences) == []
    assert _misses([pattern for _, pattern in dates._PATTERNS], fakes_sentences) == []
