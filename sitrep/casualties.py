"""Casualty claims: counts of dead and injured in a sentence, and their reconciliation per event.

One claim = what one source said about one event (ANNOTATION.md §6). Reconciliation
turns several claims into low / best / high, with the rule read from casualty_rules.yaml.
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from sitrep.numbers import COUNT, count_from_match
from sitrep.prefilter import Prefilter, matches, with_first_characters
from sitrep.text import fold

_KILLED = r"(?:killed|dead|died|deaths|slain|lost their lives|perished|massacred|executed|fatalities|martyred|shot dead)"
_INJURED = r"(?:injured|wounded|hurt|injuries|casualties)"
_INJURED_RE = re.compile(_INJURED)
_AFTER = re.compile(
    rf"\b{COUNT}(?P<noun>(?:\s+(?!and\b|or\b|were\b|was\b)[\w-]+){{0,3}}?)\s+(?:(?:were|was|have been|had been|are|is|being|got)\s+)?(?:reportedly\s+|also\s+)?(?P<verb>{_KILLED}|{_INJURED})\b",
    )
_BEFORE = re.compile(
    rf"\b(?P<verb>(?:the )?(?:killing|death|deaths|injury|injuries|wounding|martyrdom) of|resulted in|killing|killed|kill|kills|martyring|executed|executing|assassinated|massacred|shot dead|claimed the lives of|left|leaving|wounding|injuring|injured|wounded|death toll (?:\w+ ){{0,3}}?(?:to|at|of|reached|is|was))\s+(?:at least\s+)?{COUNT}(?P<noun>(?:\s+[\w-]+){{0,2}})",
    )


# Values, never changed once built; not frozen only because a frozen class cannot have its own __init__, which
# compiled (sitrep.native) builds an object 6x faster than the one dataclass generates.
@dataclass(slots=True, unsafe_hash=True)
class Count:
    kind: str  # killed | injured
    value: int
    victim_group: str
    start: int
    end: int

    def __init__(self, kind: str, value: int, victim_group: str, start: int, end: int) -> None:
        self.kind = kind
        self.value = value
        self.victim_group = victim_group
        self.start = start
        self.end = end


@dataclass(slots=True, unsafe_hash=True)
class Claim:
    source_id: str | None
    source_name: str
    source_kind: str
    source_rank: int
    killed: int | None
    injured: int | None
    victim_group: str
    sentence_idx: int
    char_start: int
    char_end: int

    def __init__(self, source_id: str | None, source_name: str, source_kind: str, source_rank: int,
                 killed: int | None, injured: int | None, victim_group: str, sentence_idx: int, char_start: int,
                 char_end: int) -> None:
        self.source_id = source_id
        self.source_name = source_name
        self.source_kind = source_kind
        self.source_rank = source_rank
        self.killed = killed
        self.injured = injured
        self.victim_group = victim_group
        self.sentence_idx = sentence_idx
        self.char_start = char_start
        self.char_end = char_end

    def split(self, position: int, share: int) -> "Claim":
        """This claim's part for one of `share` places: even split, remainder to the first (ACLED)."""
        if share <= 1:
            return self
        def part(value):
            if value is None:
                return None
            return value // share + (value % share if position == 0 else 0)
        return Claim(self.source_id, self.source_name, self.source_kind, self.source_rank, part(self.killed),
                     part(self.injured), self.victim_group, self.sentence_idx, self.char_start, self.char_end)


def _victim_group(noun: str, rules: dict) -> str:
    words = noun.lower().split()
    for group, nouns in rules["victim_groups"].items():
        if any(w.strip(",.") in nouns for w in words):
            return group
    return "unknown"


_ONE_VICTIM = re.compile(
    rf"\b(?:(?P<before>(?:the )?death of|killing of|killing|killed|wounding|injuring|injured|wounded)\s+(?:a|an|one)\s+(?P<noun_b>\w+(?:\s+\w+){{0,2}})"
    rf"|(?:a|an|one)\s+(?:\w+\s+){{0,2}}?(?P<noun_a>\w+)\s+(?:was\s+|has been\s+|had been\s+)?(?:reportedly\s+)?(?P<after>{_KILLED}|{_INJURED}))\b",
    )


def _single_victims(sentence: str, rules: dict, starts: list[int] | None = None) -> list[Count]:
    """'killing an ambulance driver', 'a man died': one victim, when the noun is a person; `starts` as for
    prefilter.matches."""
    found = matches(_ONE_VICTIM, sentence, starts)
    if not found:
        return []
    people = {w for nouns in rules["victim_groups"].values() for w in nouns} | set(rules.get("single_victim_nouns", []))
    counts = []
    for match in found:
        words = (match.group("noun_a") or match.group("noun_b")).lower().split()
        noun = next((w for w in words if w in people), None)
        if noun is None:
            continue
        verb = (match.group("before") or match.group("after")).lower()
        kind = "injured" if _INJURED_RE.fullmatch(verb) or verb in ("wounding", "injuring") else "killed"
        counts.append(Count(kind, 1, _victim_group(noun, rules), match.start(), match.end()))
    return counts


# Every count needs a casualty word ("killed", "wounding of" ...): a sentence without one skips the patterns.
COUNT_PATTERNS = (_BEFORE, _AFTER, _ONE_VICTIM)
COUNT_FILTER = Prefilter(COUNT_PATTERNS)
_BEFORE, _AFTER, _ONE_VICTIM = map(with_first_characters, COUNT_PATTERNS)  # the same matches, found faster


QUOTES = "\"“”«»"
_QUOTES_AS_SPACE = str.maketrans({q: " " for q in QUOTES})  # '30 "terrorists" were killed' counts 30


def find_casualty_counts(sentence: str, rules: dict, folded: str | None = None) -> list[Count]:
    """Killed and injured counts stated in a sentence, in order of appearance; `folded` is fold(sentence)."""
    text = count_text(fold(sentence) if folded is None else folded)
    return counts_in(text, COUNT_FILTER.scan_by_span(text, [(0, len(text))])[0], rules)


def count_text(folded: str) -> str:
    """What the count patterns read: the folded text (lower-case patterns on it; spans are unchanged), quotes as
    spaces. Of a whole article too: a sentence's count text is then a slice of it."""
    return folded.translate(_QUOTES_AS_SPACE)


def counts_in(sentence: str, maybe: dict[int, list[int] | None], rules: dict) -> list[Count]:
    """find_casualty_counts of a sentence's count_text, `maybe` being COUNT_FILTER's scan of it (the patterns
    that may match, with where)."""
    counts: list[Count] = []
    for index, pattern in enumerate((_BEFORE, _AFTER)):
        if index not in maybe:
            continue
        for match in matches(pattern, sentence, maybe[index]):
            value = count_from_match(match)
            if value is None or value > 100000:
                continue
            raw = match.group("num")
            if raw.isdigit() and len(raw) == 4 and 1900 <= int(raw) <= 2100:
                continue
            verb = match.group("verb").lower()
            kind = "injured" if _INJURED_RE.fullmatch(verb) or verb.split()[-2:-1] in (["injury"], ["injuries"], ["wounding"]) \
                or verb in ("wounding", "injuring") else "killed"
            if verb == "resulted in" and not re.match(rf"\s*(?:\w+\s+){{0,2}}?{_KILLED}", match.group("noun") + sentence[match.end():match.end() + 20], re.I):
                if re.match(rf"\s*(?:\w+\s+){{0,2}}?{_INJURED}", match.group("noun") + sentence[match.end():match.end() + 20], re.I):
                    kind = "injured"
                else:
                    continue
            if verb in ("left", "leaving") and not re.search(rf"\b{_KILLED}|{_INJURED}", match.group("noun") + sentence[match.end():match.end() + 12], re.I):
                continue
            if verb in ("left", "leaving") and re.search(_INJURED, sentence[match.end():match.end() + 12], re.I):
                kind = "injured"
            if any(c.start <= match.start("num") < c.end for c in counts):
                continue
            counts.append(Count(kind, value, _victim_group(match.group("noun"), rules), match.start("num"), match.end("num")))
    for single in (_single_victims(sentence, rules, maybe[2]) if 2 in maybe else []):
        if not any(c.kind == single.kind and abs(c.start - single.start) < 60 for c in counts):
            counts.append(single)
    return sorted(counts, key=lambda c: c.start)


def reconcile(claims: list[Claim], rules: dict) -> tuple[int, int, int, int | None]:
    """(fatalities_low, fatalities_best, fatalities_high, injured_best) of one event's claims."""
    killed = [(c, c.killed) for c in claims if c.killed is not None]
    injured = [c.injured for c in claims if c.injured is not None]
    if not killed:
        return 0, 0, 0, (max(injured) if injured else None)
    values = [value for _, value in killed]
    trusted = sorted(((c, value) for c, value in killed if c.source_kind in rules["best_from_kinds"]),
                     key=lambda pair: pair[0].source_rank)
    best = trusted[0][1] if trusted else int(statistics.median_low(values))
    return min(values), best, max(values), (max(injured) if injured else None)
