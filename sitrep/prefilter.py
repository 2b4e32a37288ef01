"""Which of several regexes can match a text, from the literal strings each one needs, in one scan.

Most sentences hold none of the words a given rule looks for, yet running the rule's regex still
costs a full scan. `required_literals` reads a compiled regex and returns strings one of which every
match contains ("captur", "seiz", "took over" ...); `Prefilter` puts those of many regexes into one
Aho-Corasick automaton, so a text is scanned once and only the regexes whose strings occur in it run.
The strings come from the regexes themselves, so they cannot drift from the rules.

Where a regex does run, `with_first_characters` leads it with a lookahead for the characters its matches can
start with (also read from the regex), so the engine skips every other position at once. Better still, when
every match starts with one of a few strings ("killed", "at least", a digit: `first_literals`), the same scan
finds where those occur, and the regex is tried there alone (`matches`).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from re import _compiler  # type: ignore[attr-defined]
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Generic, TypeVar

import ahocorasick_rs

_EXACT_LIMIT = 64  # most alternatives an exact set may hold before it is reduced to a required set


class _Info:
    """What a part of a regex matches: `exact`, every string it can match (None: too many or unknown),
    and `need`, strings one of which every match contains (None: no such set)."""
    __slots__ = ("exact", "need")

    def __init__(self, exact: frozenset[str] | None, need: frozenset[str] | None):
        self.exact = exact
        self.need = need


def _score(strings: frozenset[str] | None) -> tuple[int, int]:
    """A required set is better the longer its shortest string (fewer false hits), then the smaller."""
    if not strings or "" in strings:
        return (0, 0)
    return (min(map(len, strings)), -len(strings))


def _better(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    return b if _score(b) > _score(a) else a


def _as_need(exact: frozenset[str] | None) -> frozenset[str] | None:
    return exact if exact and "" not in exact else None


def _sequence(items) -> _Info:
    exact: frozenset[str] | None = frozenset({""})
    complete = True  # `exact` covers every item so far
    need = None
    for item in items:
        info = _node(item)
        if exact is not None and info.exact is not None and len(exact) * len(info.exact) <= _EXACT_LIMIT:
            exact = frozenset(a + b for a in exact for b in info.exact)
            continue
        need = _better(need, _as_need(exact))
        need = _better(need, info.need)
        complete = False
        exact = info.exact
    need = _better(need, _as_need(exact))
    return _Info(exact if complete else None, need)


def _alternatives(infos: list[_Info]) -> _Info:
    exact: frozenset[str] | None = None
    exacts = [i.exact for i in infos if i.exact is not None]
    if len(exacts) == len(infos):
        union = frozenset[str]().union(*exacts)
        exact = union if len(union) <= _EXACT_LIMIT else None
    needs = [n for n in (_better(i.need, _as_need(i.exact)) for i in infos) if n is not None]
    need = frozenset[str]().union(*needs) if len(needs) == len(infos) else None
    return _Info(exact, _better(need, _as_need(exact)))


def _node(item) -> _Info:
    op, av = item
    if op is C.LITERAL:
        return _Info(frozenset({chr(av)}), frozenset({chr(av)}))
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):  # zero width: \b, ^, $, lookarounds
        return _Info(frozenset({""}), None)
    if op is C.SUBPATTERN:
        return _sequence(av[-1])
    if op is C.ATOMIC_GROUP:
        return _sequence(av)
    if op is C.BRANCH:
        return _alternatives([_sequence(branch) for branch in av[1]])
    if op is C.IN:
        chars = []
        for sub_op, sub_av in av:
            if sub_op is C.LITERAL:
                chars.append(chr(sub_av))
            elif sub_op is C.RANGE and sub_av[1] - sub_av[0] < 16:
                chars.extend(chr(c) for c in range(sub_av[0], sub_av[1] + 1))
            else:  # a category (\w, \s), a negation, a wide range
                return _Info(None, None)
        return _Info(frozenset(chars), frozenset(chars)) if len(chars) <= 16 else _Info(None, None)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        low, high, body = av
        inner = _sequence(body)
        if high == 1 and inner.exact is not None:  # x? or x
            return _Info(inner.exact | ({""} if low == 0 else set()), None if low == 0 else inner.need)
        if low == 0:
            return _Info(None, None)
        return _Info(None, _better(inner.need, _as_need(inner.exact)))
    return _Info(None, None)  # any character, back references, conditionals


def lowercase_pattern(pattern: str) -> str:
    """A regex for lower-cased text: literal letters lowered, escapes (\\b, \\W ...) kept.

    Matching folded text without re.IGNORECASE is about three times faster.
    """
    out, escaped = [], False
    for ch in pattern:
        out.append(ch if escaped else ch.lower())
        escaped = ch == "\\" and not escaped
    return "".join(out)


def required_literals(pattern: re.Pattern) -> frozenset[str] | None:
    """Strings one of which every match of `pattern` contains; None when the pattern needs none
    (or could match an empty string)."""
    info = _sequence(_parser.parse(pattern.pattern, pattern.flags))
    return _better(info.need, _as_need(info.exact))


def _first_of_sequence(items) -> tuple[set[str] | None, bool]:
    """(the characters a match of these items can start with, whether they can match the empty string);
    None for the characters when unknown. "\\d" stands for every decimal digit."""
    chars: set[str] = set()
    for item in items:
        first, empty = _first_of_node(item)
        if first is None:
            return None, False
        chars |= first
        if not empty:
            return chars, False
    return chars, True


def _first_of_node(item) -> tuple[set[str] | None, bool]:
    op, av = item
    if op is C.LITERAL:
        return {chr(av)}, False
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):  # zero width
        return set(), True
    if op is C.SUBPATTERN:  # flags set or cleared inside: the lookahead, under the pattern's flags, might differ
        return (None, False) if (av[1] | av[2]) & re.IGNORECASE else _first_of_sequence(av[-1])
    if op is C.ATOMIC_GROUP:
        return _first_of_sequence(av)
    if op is C.BRANCH:
        chars, empty = set(), False
        for branch in av[1]:
            first, branch_empty = _first_of_sequence(branch)
            if first is None:
                return None, False
            chars |= first
            empty = empty or branch_empty
        return chars, empty
    if op is C.IN:
        chars = set()
        for sub_op, sub_av in av:
            if sub_op is C.LITERAL:
                chars.add(chr(sub_av))
            elif sub_op is C.RANGE and sub_av[1] - sub_av[0] < 64:
                chars.update(chr(c) for c in range(sub_av[0], sub_av[1] + 1))
            elif sub_op is C.CATEGORY and sub_av is C.CATEGORY_DIGIT:
                chars.add("\\d")
            else:  # a negation, another category, a wide range
                return None, False
        return chars, False
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        first, empty = _first_of_sequence(av[2])
        return first, empty or av[0] == 0
    return None, False  # any character, back references, conditionals


_START_LIMIT = 256  # most strings a first_literals set may hold
# What \d matches: every decimal digit, not only 0-9 (unless the pattern is re.ASCII).
_DECIMALS = frozenset(c for c in map(chr, range(0x110000)) if c.isdecimal())
_ASCII_DECIMALS = frozenset("0123456789")


def _starts_of_sequence(items, flags: int) -> frozenset[str] | None:
    """Strings every match of the items begins with; "" among them means a match may begin with anything
    that follows; None when not known."""
    if not items:
        return frozenset({""})
    item, rest = items[0], items[1:]
    op, av = item
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):  # zero width: the next item starts the match
        return _starts_of_sequence(rest, flags)
    if op is C.SUBPATTERN and (av[1] | av[2]) & re.IGNORECASE:  # "(?i:...)": its strings would be other cases too
        return None
    exact = _exact_for_start(item, flags)
    if exact is not None:
        tail = _starts_of_sequence(rest, flags)
        if tail is None or len(exact) * len(tail) > _START_LIMIT:
            return None if "" in exact else exact  # the item's own strings still begin every match
        return frozenset(a + b for a in exact for b in tail)
    if op is C.SUBPATTERN:
        starts = _starts_of_sequence(av[-1], flags)
    elif op is C.BRANCH:
        branches = [_starts_of_sequence(branch, flags) for branch in av[1]]
        starts = None if any(b is None for b in branches) else frozenset[str]().union(*branches)  # type: ignore[arg-type]
    elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        body = _starts_of_sequence(av[2], flags)
        starts = None if body is None else (body | {""} if av[0] == 0 else body)
    else:
        return None
    if starts is None or "" not in starts:
        return starts
    tail = _starts_of_sequence(rest, flags)  # the item may match nothing: the match may begin with what follows
    return None if tail is None else (starts - {""}) | tail


def _exact_for_start(item, flags: int) -> frozenset[str] | None:
    op, av = item
    if op is C.IN and av == [(C.CATEGORY, C.CATEGORY_DIGIT)]:
        return _ASCII_DECIMALS if flags & re.ASCII else _DECIMALS
    return _node(item).exact


def first_literals(pattern: re.Pattern) -> frozenset[str] | None:
    """Strings one of which every match of `pattern` begins with (none the prefix of another); None when that
    is not known, or the pattern may match an empty string. A case-sensitive reading: for patterns run on text
    as they spell it (None for a case-insensitive one)."""
    if pattern.flags & re.IGNORECASE:
        return None
    starts = _starts_of_sequence(list(_parser.parse(pattern.pattern, pattern.flags)), pattern.flags)
    if not starts or "" in starts:
        return None
    return frozenset(s for s in starts if not any(t != s and s.startswith(t) for t in starts))


def matches(pattern: re.Pattern, text: str, starts: list[int] | None) -> list[re.Match]:
    """pattern.finditer(text), as a list; `starts`, when given, holds (in order) every position a match may begin
    at, and the pattern is tried there alone instead of at every position."""
    if starts is None:
        return list(pattern.finditer(text))
    found: list[re.Match] = []
    reached = 0
    for start in starts:
        if start >= reached:
            match = pattern.match(text, start)
            if match is not None:
                found.append(match)
                reached = match.end()  # never empty: a match begins with one of its first literals
    return found


def _engine_skips_ahead(pattern: re.Pattern) -> bool:
    """Whether re's compiler gives the pattern a literal prefix or a first-character set to scan for."""
    parsed = _parser.parse(pattern.pattern, pattern.flags)
    return bool(_compiler._get_literal_prefix(parsed, pattern.flags)[0]
                or _compiler._get_charset_prefix(parsed, pattern.flags))


def first_characters(pattern: re.Pattern) -> set[str] | None:
    """The characters every match of `pattern` starts with, as the pattern spells them ("\\d": any decimal
    digit; under IGNORECASE each also stands for what it matches then); None when that is not known or a match
    may be empty."""
    chars, empty = _first_of_sequence(_parser.parse(pattern.pattern, pattern.flags))
    return None if empty or not chars else chars


def with_first_characters(pattern: re.Pattern) -> re.Pattern:
    """`pattern`, led by a lookahead for the characters its matches start with: the same matches, found faster,
    as the regex engine then skips every other position at once instead of trying the pattern there. A pattern
    the engine already scans for by its literal or character-class start is returned as it is (the lookahead
    would hide that start from it)."""
    if _engine_skips_ahead(pattern):
        return pattern
    chars = first_characters(pattern)
    if chars is None:
        return pattern
    digits = "\\d" if "\\d" in chars else ""
    lookahead = "(?=[" + digits + "".join(re.escape(c) for c in sorted(chars - {"\\d"})) + "])"
    return re.compile(f"{lookahead}(?:{pattern.pattern})", pattern.flags)


V = TypeVar("V")


class Dictionary(Generic[V]):
    """Strings with a value each, found in a text by one Aho-Corasick scan (the Rust aho-corasick crate):
    every occurrence, overlapping ones included, as (start, end, value) in order of their ends."""

    def __init__(self, entries: dict[str, V]):
        self._values = list(entries.values())
        self._automaton = ahocorasick_rs.AhoCorasick(list(entries), implementation=ahocorasick_rs.Implementation.DFA) \
            if entries else None

    def __len__(self) -> int:
        return len(self._values)

    def hits(self, text: str) -> list[tuple[int, int, V]]:
        values = self._values
        return [(start, end, values[index]) for index, start, end in self.indexed_hits(text)]

    def indexed_hits(self, text: str) -> list[tuple[int, int, int]]:
        """hits(text) as (index of the string in `entries`, start, end): no tuple built per hit (see `values`)."""
        if self._automaton is None:
            return []
        return self._automaton.find_matches_as_indexes(text, overlapping=True)

    @property
    def values(self) -> list[V]:
        return self._values

    def occurs_in(self, text: str) -> bool:
        return self._automaton is not None and bool(self._automaton.find_matches_as_indexes(text))


def hits_by_span(dictionary: Dictionary[V], text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int, int, V]]:
    """(span index, start, end, value) of each of the dictionary's hits in `text` that lies wholly inside one of
    `spans` (sorted, not overlapping). Hits come in order of their ends, so the span is found by walking forward."""
    found: list[tuple[int, int, int, V]] = []
    values = dictionary.values
    n, count = 0, len(spans)
    for index, start, end in dictionary.indexed_hits(text):
        while n < count and spans[n][1] < end:
            n += 1
        if n == count:
            break
        if start >= spans[n][0]:
            found.append((n, start, end, values[index]))
    return found


def compile_fast(pattern: str, flags: int = 0) -> re.Pattern:
    """re.compile(pattern, flags) led by the lookahead for its first characters (with_first_characters)."""
    return with_first_characters(re.compile(pattern, flags))


def _selective(literals: frozenset[str]) -> bool:
    """Whether scanning for these first literals is worth it: a one-letter start ("a") occurs all over a text,
    and trying the regex at each costs more than letting the engine scan; a digit is rare enough."""
    return all(len(literal) > 1 or literal.isdecimal() for literal in literals)


class Prefilter:
    """The patterns (by index) that may match a text: those whose required strings occur in it, and
    those with none. Case-sensitive patterns only: the strings are looked for verbatim in the same
    text the patterns are then run on (callers fold the text and lower-case the patterns).

    `scan_by_span` also says, for a pattern whose matches begin with a few strings (`first_literals`), where in
    the text those occur: the only places the pattern need be tried (`matches`).

    `blanked`: characters the scanned text may hold as spaces where the patterns' text has them (a pattern
    needing a string with one of them always runs); other strings occur in both texts alike."""

    def __init__(self, patterns: Sequence[re.Pattern], blanked: str = ""):
        self.always: set[int] = set()
        self.anchored: set[int] = set()  # patterns whose first literals the scan looks for too
        owners: dict[str, set[int]] = {}
        starters: dict[str, set[int]] = {}
        for index, pattern in enumerate(patterns):
            if pattern.flags & re.IGNORECASE:
                raise ValueError(f"case-insensitive pattern: {pattern.pattern[:60]}")
            firsts = first_literals(pattern)
            if firsts is not None and _selective(firsts) and not any(c in s for s in firsts for c in blanked):
                self.anchored.add(index)
                for literal in firsts:
                    starters.setdefault(literal, set()).add(index)
            literals = required_literals(pattern)
            if literals is None or any(c in literal for literal in literals for c in blanked):
                self.always.add(index)
                continue
            for literal in literals:
                owners.setdefault(literal, set()).add(index)
        # `candidates` (a sentence at a time, for the dates) scans for the required strings alone: the first
        # literals would only add hits it does not use
        self._literals = Dictionary({literal: frozenset(indices) for literal, indices in owners.items()})
        # one scan of an article for both: a string's required-by and begins patterns
        self._scan = Dictionary({literal: (frozenset(owners.get(literal, ())), frozenset(starters.get(literal, ())))
                                 for literal in {*owners, *starters}})

    def candidates(self, text: str) -> set[int]:
        """Indices of the patterns that may match `text`."""
        found = set(self.always)
        found.update(*[indices for _, _, indices in self._literals.hits(text)])
        return found

    def scan_by_span(self, text: str, spans: list[tuple[int, int]]) -> list[dict[int, list[int] | None]]:
        """Per span (an article's sentences: sorted, not overlapping), from one scan of `text`, the patterns that
        may match it (`candidates` of the span's text) with where: for an anchored pattern the positions (in the
        span, in order) where one of its first literals occurs, for the others None."""
        count = len(spans)
        required: list[set[int] | None] = [None] * count  # most sentences need none of the patterns
        starts: list[dict[int, list[int]] | None] = [None] * count
        n = 0
        values = self._scan.values
        # hits_by_span's walk, inlined: its tuple per hit cost 5 us an article here (0.5% of extraction)
        for value, start, end in self._scan.indexed_hits(text):  # in order of their ends
            needed_by, begins = values[value]
            while n < count and spans[n][1] < end:
                n += 1
            if n == count:
                break
            low = spans[n][0]
            if start < low:
                continue
            if needed_by:
                if (needed := required[n]) is None:
                    required[n] = set(needed_by)
                else:
                    needed.update(needed_by)
            if begins:
                if (positions := starts[n]) is None:
                    positions = starts[n] = {}
                for index in begins:
                    if index in positions:
                        positions[index].append(start - low)
                    else:
                        positions[index] = [start - low]
        result: list[dict[int, list[int] | None]] = []
        for needed, positions in zip(required, starts):
            if needed is None and not self.always:
                result.append({})
                continue
            candidates = self.always if needed is None else needed | self.always
            scan: dict[int, list[int] | None] = {}
            for index in candidates:
                if index not in self.anchored:
                    scan[index] = None
                elif positions is None or index not in positions:
                    scan[index] = []
                else:  # one pattern's first literals are none the prefix of another: no position comes twice
                    scan[index] = sorted(positions[index])
            result.append(scan)
        return result


@lru_cache(maxsize=64)
def prefilter(patterns: tuple[re.Pattern, ...], blanked: str = "") -> Prefilter:
    """The Prefilter of these patterns, built once per process (reading the regexes takes ~70 ms)."""
    return Prefilter(list(patterns), blanked)


class Gate:
    """A case-insensitive regex that need not run on a text whose fold (sitrep.text.fold) holds none of the
    strings every match needs: `may_match(folded)` answers from one Aho-Corasick scan.

    Sound where the fold is ASCII: a character that IGNORECASE matches to an ASCII letter folds to that
    letter (Kelvin sign, long s and dotted I included). Elsewhere (a dotless i, say) the regex runs."""

    def __init__(self, pattern: re.Pattern):
        if not pattern.flags & re.IGNORECASE:
            raise ValueError(f"case-sensitive pattern: {pattern.pattern[:60]}")
        self.pattern = with_first_characters(pattern)
        literals = required_literals(re.compile(lowercase_pattern(pattern.pattern), pattern.flags & ~re.IGNORECASE))
        self._literals = Dictionary(dict.fromkeys(literals)) if literals else None

    def may_match(self, folded: str) -> bool:
        if self._literals is None or not folded.isascii():
            return True
        return self._literals.occurs_in(folded)

    def search(self, text: str, folded: str) -> re.Match | None:
        """pattern.search(text), where `folded` is fold(text)."""
        return self.pattern.search(text) if self.may_match(folded) else None
