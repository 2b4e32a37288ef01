"""Counts as news states them: digits, words and vague quantities, per ANNOTATION.md §6."""
from __future__ import annotations

import re

_UNITS = {"zero": 0, "no": 0, "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
          "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
          "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
          "ninety": 90, "hundred": 100, "a dozen": 12, "dozen": 12, "a hundred": 100, "a thousand": 1000}
_VAGUE = {"several": 3, "a few": 3, "few": 3, "some": 3, "a number of": 3, "dozens": 12, "dozens of": 12,
          "scores": 20, "scores of": 20, "hundreds": 100, "hundreds of": 100, "thousands": 1000, "thousands of": 1000}
_MODIFIERS = {"at least": 0, "about": 0, "around": 0, "approximately": 0, "roughly": 0, "some": 0, "up to": 0,
              "more than": 1, "over": 1, "upwards of": 1, "nearly": -1, "almost": -1, "close to": -1,
              "less than": -1, "fewer than": -1}

_WORD_NUMBER = r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|a dozen|dozen|a hundred|a thousand)"
_DIGITS = r"\d{1,3}(?:,\d{3})+|\d+"
_VAGUE_RE = r"(?:several|a few|a number of|dozens(?: of)?|scores(?: of)?|hundreds(?: of)?|thousands(?: of)?)"
_MODIFIER_RE = r"(?:at least|more than|upwards of|nearly|almost|close to|less than|fewer than|about|around|approximately|roughly|up to|over)"

COUNT = rf"(?:(?P<mod>{_MODIFIER_RE})\s+)?(?P<num>{_DIGITS}|{_WORD_NUMBER}|{_VAGUE_RE})(?:\s+(?:hundred|thousand))?"
COUNT_RE = re.compile(rf"\b{COUNT}\b", re.IGNORECASE)


def parse_count(text: str) -> int | None:
    """The number a phrase such as 'at least 45', 'three', 'dozens' or 'more than 350' stands for."""
    match = re.fullmatch(rf"\s*{COUNT}\s*", text, re.IGNORECASE)
    if not match:
        return None
    return count_from_match(match)


def count_from_match(match: re.Match) -> int | None:
    raw = match.group("num").lower()
    if raw.replace(",", "").isdigit():
        value = int(raw.replace(",", ""))
    elif raw in _VAGUE:
        value = _VAGUE[raw]
    elif raw in _UNITS:
        value = _UNITS[raw]
    else:
        parts = re.split(r"[- ]", raw)
        value = sum(_UNITS.get(p, 0) for p in parts)
    tail = match.group(0).lower()
    if tail.endswith(" hundred"):
        value *= 100
    elif tail.endswith(" thousand"):
        value *= 1000
    modifier = (match.group("mod") or "").lower()
    return max(0, value + _MODIFIERS.get(modifier, 0))
