"""Dictionary matching over text: longest, word-bounded, non-overlapping alias hits.

One Aho-Corasick automaton over all the dictionaries (MatcherSet) scans an article once, whatever the number of
aliases, and shares the hits out by sentence, so matching stays linear in the text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from sitrep.prefilter import Dictionary, hits_by_span
from sitrep.text import fold


@dataclass(slots=True)
class Hit:
    """One alias found: a class, not a NamedTuple, as a compiled class is the cheaper to build (sitrep.native)."""
    start: int
    end: int
    surface: str
    key: str  # the id the alias belongs to

    def __init__(self, start: int, end: int, surface: str, key: str) -> None:  # compiled: faster than dataclass's
        self.start = start
        self.end = end
        self.surface = surface
        self.key = key


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class AliasMatcher:
    """The aliases of ids, folded for matching; case-insensitive unless an alias is listed as case-sensitive.
    The pipeline scans several dictionaries at once (MatcherSet); `find` scans this one alone."""

    def __init__(self, aliases: Iterable[tuple[str, str]], case_sensitive: Iterable[tuple[str, str]] = ()):
        self.folded_aliases: dict[str, str] = {}  # folded alias -> key (a later alias replaces an earlier one)
        for alias, key in aliases:
            folded = re.sub(r"\s+", " ", fold(alias).strip())
            if len(folded) >= 2:
                self.folded_aliases[folded] = key
        # the verbatim aliases ("IS", "HTS"), found in the unfolded text as whole words
        self.case_sensitive: dict[str, str] = {alias: key for alias, key in case_sensitive}
        for alias in self.case_sensitive:
            if not (_is_word_char(alias[0]) and _is_word_char(alias[-1])):
                raise ValueError(f"a case-sensitive alias must begin and end with a letter or digit: {alias!r}")
        self._alone: MatcherSet | None = None

    def find(self, text: str, folded: str | None = None) -> list[Hit]:
        """Hits in `text`; `folded` is fold_for_matching(text) when the caller has it."""
        folded = folded if folded is not None else fold_for_matching(text)
        if self._alone is None:  # built on first use (not a cached_property: compiled classes have no __dict__)
            self._alone = MatcherSet((self,))
        return self._alone.find_each(text, folded)[0]


class MatcherSet:
    """Several AliasMatchers scanning one text in one pass: `find_each(text, folded)` is
    [m.find(text, folded) for m in matchers], with one automaton over all their aliases."""

    def __init__(self, matchers: Iterable[AliasMatcher]):
        self.matchers = tuple(matchers)
        owners: dict[str, list[tuple[int, str]]] = {}
        for index, matcher in enumerate(self.matchers):
            for folded, key in matcher.folded_aliases.items():
                owners.setdefault(folded, []).append((index, key))
        self._aliases = Dictionary({folded: (_is_word_char(folded[0]), _is_word_char(folded[-1]), tuple(keys))
                                    for folded, keys in owners.items()})
        verbatim: dict[str, list[tuple[int, str]]] = {}
        for index, matcher in enumerate(self.matchers):
            for alias, key in matcher.case_sensitive.items():
                verbatim.setdefault(alias, []).append((index, key))
        self._verbatim = Dictionary({alias: tuple(keys) for alias, keys in verbatim.items()})  # one scan for all

    def find_each(self, text: str, folded: str) -> list[list[Hit]]:
        return self.find_each_by_span(text, folded, [(0, len(text))])[0]

    def find_each_by_span(self, text: str, folded: str, spans: list[tuple[int, int]]) -> list[list[list[Hit]]]:
        """[self.find_each(text[a:b], folded[a:b]) for a, b in spans] from one scan of an article: a hit counts
        for the span (sorted, not overlapping) that holds it whole, its edges word boundaries as the text's are."""
        found: list[list[list[Hit]]] = [[[] for _ in self.matchers] for _ in spans]
        for n, start, end, (word_first, word_last, keys) in hits_by_span(self._aliases, folded, spans):
            low, high = spans[n]
            if word_first and start > low and ((c := folded[start - 1]).isalnum() or c == "_"):
                continue
            if word_last and end < high and ((c := folded[end]).isalnum() or c == "_"):
                continue
            hit_start, hit_end, surface = start - low, end - low, text[start:end]
            for index, key in keys:
                found[n][index].append(Hit(hit_start, hit_end, surface, key))
        if len(self._verbatim):
            for n, per_matcher in _whole_words_leftmost_by_span(self._verbatim, text, spans, len(self.matchers)).items():
                for index, hits in enumerate(per_matcher):
                    found[n][index] += hits
        for per_matcher in found:
            for index, hits in enumerate(per_matcher):
                if len(hits) > 1:
                    per_matcher[index] = longest_non_overlapping(hits)
        return found


def _whole_words_leftmost_by_span(aliases: Dictionary[tuple[tuple[int, str], ...]], text: str,
                                  spans: list[tuple[int, int]], matchers: int) -> dict[int, list[list[Hit]]]:
    """For each span with any, per matcher, the whole-word matches of its verbatim aliases (`aliases`: alias ->
    (matcher, key) pairs), scanned as a regex \\b(alias|...)\\b with the longest alias first would: at each
    position the longest whole word, then on after its end. One scan of `text` for every span and matcher."""
    found: dict[int, list[list[tuple[int, int, str]]]] = {}
    for n, start, end, owners in hits_by_span(aliases, text, spans):
        low, high = spans[n]
        if (start == low or not _is_word_char(text[start - 1])) and (end == high or not _is_word_char(text[end])):
            if (per_matcher := found.get(n)) is None:
                per_matcher = found[n] = [[] for _ in range(matchers)]
            for index, key in owners:
                per_matcher[index].append((start - low, start - end, key))
    result: dict[int, list[list[Hit]]] = {}
    for n, per_matcher in found.items():
        low = spans[n][0]
        chosen = []
        for candidates in per_matcher:
            hits, reached = [], 0
            for start, negative_length, key in sorted(candidates):
                if start >= reached:
                    reached = start - negative_length
                    hits.append(Hit(start, reached, text[low + start:low + reached], key))
            chosen.append(hits)
        result[n] = chosen
    return result


def fold_for_matching(text: str) -> str:
    return matching_form(fold(text))


def matching_form(folded: str) -> str:
    """fold_for_matching of a text already folded: every whitespace character (what \\s matches) a space."""
    return folded.translate(_AS_SPACE)


# What \s matches in a str, less the space itself (a test pins the list); a table: faster than re.sub
WHITESPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + \
    "\u2028\u2029\u202f\u205f\u3000"
_AS_SPACE = str.maketrans(dict.fromkeys(WHITESPACE, " "))


def longest_non_overlapping(hits: list[Hit]) -> list[Hit]:
    """Keep the longest hits, earliest first on ties, with no two overlapping."""
    chosen: list[Hit] = []
    taken: list[tuple[int, int]] = []
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):
        if all(hit.end <= s or hit.start >= e for s, e in taken):
            chosen.append(hit)
            taken.append((hit.start, hit.end))
    return sorted(chosen, key=lambda h: h.start)
