"""Property tests: arbitrary text and bytes through the parser (sitrep.ingest) and the extractor.

Whatever comes in, no exception escapes, and every span a fact row points at lies inside the
article body it came from (mentions' spans hold exactly their surface text).
"""
import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from sitrep.extract import MENTION_COLUMNS, ArticleExtractor
from sitrep.ingest import read_articles
from sitrep.reference import load_reference
from sitrep.text import split_sentences

REF = load_reference()
EXTRACTOR = ArticleExtractor(REF)
TODAY = dt.date(2024, 1, 1)

_ACTOR_WORDS = sorted({alias for a in REF.actors.values() for alias in (a.name, *a.aliases)})[:400]
_PLACE_WORDS = sorted({p.name for p in REF.places.values()})[:400]
_SOURCE_WORDS = sorted({alias for s in REF.sources.values() for alias in (s.name, *s.aliases)})
_CUE_WORDS = ["shelled", "captured", "seized control of", "recaptured", "killed", "were killed", "wounded",
              "clashes", "clashed with", "air strike on", "airstrikes hit", "bombed", "an explosion in",
              "car bomb", "protest in", "besieged", "retook", "withdrew from", "ambushed", "executed",
              "at least", "dozens of", "three", "45", "2,000", "civilians", "fighters", "soldiers", "rebels",
              "said", "reported", "It said", "according to", "government-held", "rebel-held", "stronghold",
              "yesterday", "on Monday", "last week", "in", "near", "the village of", "town of", "between",
              "and", "by", "against", "vowed to retake", "did not", "the same attack", "\u201c", "\u201d", '"']
_PUNCT = [". ", ", ", "; ", ".\n\n", " - ", "? ", "! ", "\n", " (", ") ", "'s ", "\u2019s "]

_TEMPLATES = ["{a} {cue} {p} on Monday, killing {n} civilians, {s} said",
              "{a} captured {p} from {a2} yesterday",
              "{s} said {n} people were killed and {n} wounded when {a} shelled {p}",
              "Clashes between {a} and {a2} in {p} killed {n} fighters, according to {s}",
              "{p} is held by {a}; the {a2} stronghold of {p} fell",
              "{a} withdrew from {p}. It said {n} died"]
_NUMBERS = ["three", "at least 45", "dozens of", "2,000", "12", "one", "no", "1.5", "-4", "99999999999999999999"]
templated = st.builds(lambda template, a, a2, p, s, n, cue: template.format(a=a, a2=a2, p=p, s=s, n=n, cue=cue),
                      st.sampled_from(_TEMPLATES), st.sampled_from(_ACTOR_WORDS), st.sampled_from(_ACTOR_WORDS),
                      st.sampled_from(_PLACE_WORDS), st.sampled_from(_SOURCE_WORDS), st.sampled_from(_NUMBERS),
                      st.sampled_from(_CUE_WORDS))
conflict_text = st.lists(
    st.one_of(templated, st.sampled_from(_ACTOR_WORDS), st.sampled_from(_PLACE_WORDS),
              st.sampled_from(_SOURCE_WORDS), st.sampled_from(_CUE_WORDS), st.sampled_from(_PUNCT),
              st.text(max_size=12)),
    max_size=60).map(" ".join)
any_text = st.one_of(st.text(max_size=600), conflict_text, st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
published = st.one_of(st.none(), st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
outlet = st.one_of(st.none(), st.sampled_from(_SOURCE_WORDS), st.text(max_size=20))

SPAN_TABLES = ("events", "claims", "control_changes", "control_observations", "mentions", "unresolved")


def assert_spans_inside(body: str, extraction) -> None:
    sentences = split_sentences(body)
    for sentence in sentences:
        assert 0 <= sentence.start <= sentence.end <= len(body)
        assert body[sentence.start:sentence.end] == sentence.text
    for table in SPAN_TABLES:
        for row in getattr(extraction, table):
            if table == "mentions":
                row = dict(zip(MENTION_COLUMNS, row))
            start, end = row["char_start"], row["char_end"]
            assert 0 <= start <= end <= len(body), (table, row)
            assert 0 <= row["sentence_idx"] < len(sentences), (table, row)
            sentence = sentences[row["sentence_idx"]]
            assert sentence.start <= start <= end <= sentence.end, (table, row, sentence)
            if table in ("mentions", "unresolved"):
                assert body[start:end] == row["surface"], (table, row)
    for row in extraction.events:
        low, best, high = row["fatalities_low"], row["fatalities_best"], row["fatalities_high"]
        if None not in (low, best, high):
            assert low <= best <= high, row


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=any_text, date=published, source=outlet)
def test_extractor_never_raises_and_spans_stay_inside_the_body(body, date, source):
    extraction = EXTRACTOR.extract("a" * 16, body, date, source)
    assert_spans_inside(body, extraction)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=800), conflict_text.map(lambda t: t.encode("utf-8")),
                      conflict_text.map(lambda t: t.encode("utf-16"))),
       ext=st.sampled_from([".txt", ".html", ".json", ".jsonl", ".csv"]))
def test_parser_then_extractor_never_raise_on_arbitrary_bytes(data, ext):
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "input" + ext).write_bytes(data)
        result = read_articles(Path(tmp), TODAY)
    assert result.inputs_seen == len(result.articles) + len(result.rejections) >= 1
    for rejection in result.rejections:
        assert rejection.reason and rejection.detail
    for article in result.articles:
        assert article.body.strip()
        extraction = EXTRACTOR.extract(article.article_id, article.body, article.published_date, article.outlet)
        assert_spans_inside(article.body, extraction)


@pytest.mark.parametrize("body", [
    "",
    " ",
    "\n\n\n",
    ".",
    "\u201c" * 50,
    "Rebels " * 3000 + "shelled Aleppo.",  # a 3,000-word run-on sentence
    "\ufb01ghters captured Homs. \u0130dlib was shelled, SOHR said.",  # characters whose case-fold changes length
    "Al-Nusra Front captured Aleppo on Monday, killing at least 45, the Syrian Observatory said. It said 3 died.",
])
def test_extractor_edge_cases(body):
    assert_spans_inside(body, EXTRACTOR.extract("b" * 16, body, dt.date(2016, 5, 2), None))
