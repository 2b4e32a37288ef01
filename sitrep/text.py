"""Sentences, quotations and name normalisation: the text primitives extraction stands on."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from dataclasses import dataclass

from sitrep.prefilter import compile_fast

# A sentence ends at . ! ? (optionally followed by a closing quote) before whitespace
# and an upper-case letter, digit or opening quote. Abbreviations that end in a period
# and are followed by a capitalised word are protected below.
# [.!?]["'”’)]*(?=\s+["'“‘(]?[A-Z0-9])|\n{2,}, spelled to open with the one character class both branches start
# with, which the regex engine then scans for (a test pins the two spellings to the same matches)
_SENTENCE_END = re.compile(r"""[.!?\n](?:(?<=[.!?])["'”’)]*(?=\s+["'“‘(]?[A-Z0-9])|(?<=\n)\n+)""")
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "gen", "lt", "col", "maj", "capt", "sgt", "st", "u.s", "u.n", "u.k", "no", "jan", "feb", "mar", "apr", "aug", "sept", "sep", "oct", "nov", "dec", "vs", "etc", "al", "brig", "rev", "sen", "gov", "prof", "inc", "co", "corp", "jr", "sr"}
_LAST_WORD = compile_fast(r"([\w.]+)\.$")
_MAX_SENTENCE = 2000  # hard cap: a 20,000-word run-on "sentence" is cut into pieces


@dataclass(slots=True, unsafe_hash=True)
class Sentence:
    """A value, never changed once built (not frozen: a frozen class cannot have its own __init__, which compiled
    builds an object 6x faster than the one dataclass generates)."""
    idx: int
    start: int
    end: int
    text: str

    def __init__(self, idx: int, start: int, end: int, text: str) -> None:
        self.idx = idx
        self.start = start
        self.end = end
        self.text = text


def split_sentences(body: str) -> list[Sentence]:
    """Split a body into sentences with character offsets into the body."""
    sentences: list[Sentence] = []
    start = 0
    for match in _SENTENCE_END.finditer(body):
        end = match.start() + 1 if match.group().strip() else match.start()
        word = _LAST_WORD.search(body, max(start, end - 12), end)
        if word and word.group(1).lower() in _ABBREVIATIONS:
            continue
        _append(sentences, body, start, match.end() if match.group().strip() else match.start())
        start = match.end()
    _append(sentences, body, start, len(body))
    return sentences


def _append(sentences: list[Sentence], body: str, start: int, end: int) -> None:
    while start < end:
        stop = min(end, start + _MAX_SENTENCE)
        if stop < end:  # cut at the last space before the cap
            space = body.rfind(" ", start, stop)
            stop = space if space > start else stop
        chunk = body[start:stop]
        lead = len(chunk) - len(chunk.lstrip())
        text = chunk.strip()
        if text:
            s = start + lead
            sentences.append(Sentence(len(sentences), s, s + len(text), text))
        start = stop


_QUOTED = compile_fast(r"[\"“”]([^\"“”]{1,600})[\"“”]")
_SPEAKER_VOICE = compile_fast(r"\b(?:we|our|us|you|your|i|my)\b", re.I)


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Quotations that are rhetoric, where event cues do not count: slogans and calls ("face up to
    regime attacks") and speakers' own voice ("we will retake"). A long quote of a monitor
    reporting what happened ("At least 11 civilians were killed ..." the monitor said) counts."""
    spans: list[tuple[int, int]] = []
    if '"' not in text and "“" not in text and "”" not in text:
        return spans  # most sentences: three substring checks are cheaper than the regex's scan
    for m in _QUOTED.finditer(text):
        quote = m.group(1)
        if len(quote) < 100 or _SPEAKER_VOICE.search(quote):
            spans.append((m.start(), m.end()))
    return spans


def inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= position < e for s, e in spans)


class _FoldTable(dict):
    """str.translate table filled on first sight of each character."""

    def __missing__(self, code: int) -> int:
        ch = chr(code)
        if ch in "’‘`´ʼʻ":
            folded = "'"
        elif ch in "‐‑‒–—":
            folded = "-"
        else:
            base = unicodedata.normalize("NFKD", ch)[:1] or ch
            low = base.lower()
            folded = low if len(low) == 1 else ch
        self[code] = ord(folded)
        return self[code]


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower-case, strip diacritics and unify apostrophes and dashes, keeping length.

    Keeping one character per input character lets matches found in the folded text
    be reported as spans of the original.
    """
    return text.translate(_FOLD)


_ARTICLE_PREFIX = compile_fast(r"\b(?:al|el|al|as|ash|ad|ar|az|at|an|ath|adh|es|ed|er|ez|et|en)[- ](?=\w)")
_SPELLING = {
    "tal": ("tell", "tall", "tal", "tel", "til"),
    "kafr": ("kfar", "kafar", "kefr", "kafr", "kfr"),
    "deir": ("dayr", "deir", "dair", "der"),
    "jabal": ("jabal", "jebel", "jabel", "jbel"),
    "ain": ("ain", "ayn", "ein", "aine"),
    "abu": ("abou", "abu"),
    "beit": ("beit", "bait", "bayt", "bet"),
    "khirbat": ("khirbet", "khirbat", "khirbit"),
    "sheikh": ("sheikh", "shaykh", "shaikh", "sheik", "cheikh"),
    "qasr": ("qasr", "kasr"),
}
# One pass for all pairs: a match is a whole word, and no spelling a word is turned into is another's variant.
_SPELLING_OF = {variant: spelling for spelling, variants in _SPELLING.items() for variant in variants}
_SPELLING_WORD = compile_fast(r"\b(?:" + "|".join(_SPELLING_OF) + r")\b")
_NOT_NAME_CHAR = compile_fast(r"[^\w\s-]")
_SEPARATORS = compile_fast(r"[\s-]+")


@lru_cache(maxsize=200_000)
def starts_with_article(name: str) -> bool:
    """'Al-Bab', 'as-Saan': the name opens with the Arabic article (folded, any transliteration)."""
    return _ARTICLE_PREFIX.match(fold(name).strip()) is not None


def strip_article(word: str) -> str:
    """'al-aswad' -> 'aswad': a folded word without its leading article."""
    match = _ARTICLE_PREFIX.match(word)
    return word[match.end():] if match else word


@lru_cache(maxsize=200_000)
def place_name_key(name: str) -> str:
    """The exact-match key of a place name: case, diacritics, al-/el- prefixes and
    the common spelling pairs (Tal/Tell/Tall, Kafr/Kfar, Deir/Dayr ...) folded."""
    text = fold(name)
    text = _NOT_NAME_CHAR.sub("", text.replace("'", ""))
    text = _ARTICLE_PREFIX.sub("", text)
    text = _SPELLING_WORD.sub(lambda m: _SPELLING_OF[m.group()], text)
    return _SEPARATORS.sub(" ", text).strip()


_DOUBLED = compile_fast(r"(\w)\1+")
_VOWEL = compile_fast(r"[aeiou]")
_TRANSLITERATION = [("ou", "u"), ("oo", "u"), ("ee", "i"), ("kh", "k"), ("q", "k"), ("dh", "d"),
                    ("th", "t"), ("sh", "s"), ("gh", "g"), ("w", "u"), ("y", "i"), ("e", "i")]


@lru_cache(maxsize=200_000)
def place_skeleton(name: str) -> str:
    """A looser key for transliteration variants: Hejeira, Hajira and Hujayrah meet.

    Unifies transliteration pairs, drops a final -h (ta marbuta), collapses doubled
    letters and keeps each word's first letter and consonants. Used only when the exact key misses.
    """
    text = place_name_key(name)
    for a, b in _TRANSLITERATION:
        text = text.replace(a, b)
    words = []
    for word in text.split():
        if len(word) > 3 and word.endswith("h"):
            word = word[:-1]
        word = _DOUBLED.sub(r"\1", word)
        words.append(word[0] + _VOWEL.sub("", word[1:]))
    return " ".join(words)
