"""Event dates resolved against the publication date, with ACLED time precision codes.

1 = exact day, 2 = within a week, 3 = within a month (ANNOTATION.md §5).
"""
from __future__ import annotations

import datetime as dt
import re

from sitrep.prefilter import Prefilter, with_first_characters
from sitrep.text import fold

OLD_HISTORY_DAYS = 180  # a dated recollection older than this is background, not news (ANNOTATION.md §1)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = {m: i + 1 for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"])}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MONTH_RE = r"(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"

PATTERNS = [
    ("day_month", re.compile(rf"\b(?:on\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_RE}(?:,?\s+(\d{{4}}))?\b")),
    ("month_day", re.compile(rf"\b(?:on\s+)?{_MONTH_RE}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?")),
    ("month", re.compile(rf"\b(?:in|since|during|through|until|by|early|late|mid-?|end of|beginning of)\s+(?:early\s+|late\s+|mid-?)?{_MONTH_RE}(?:\s+(\d{{4}}))?\b(?!\s+\d)")),
    ("year", re.compile(r"\b(?:in|since|during|back in|throughout)\s+(?:early\s+|late\s+|mid-?)?((?:19|20)\d\d)\b")),
    ("days_ago", re.compile(r"\b(one|two|three|four|five|six|a|\d)\s+days?\s+(?:ago|earlier|before)\b")),
    ("yesterday", re.compile(r"\b(yesterday|last night)\b")),
    ("today", re.compile(r"\b(today|this morning|tonight|this evening|this afternoon)\b")),
    ("weekday", re.compile(r"\b(?:on|late|early|last|since|overnight)?\s*(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b")),
    ("last_week", re.compile(r"\b(last week|earlier this week|this week|past week|past few days)\b")),
    ("last_month", re.compile(r"\b(last month|earlier this month|this month|past month)\b")),
]

_SMALL_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_FILTER = Prefilter([pattern for _, pattern in PATTERNS])  # most sentences name no date: skip what cannot match
_PATTERNS = [(rule, with_first_characters(pattern)) for rule, pattern in PATTERNS]  # the same matches, faster


def resolve_event_date(sentence: str, published: dt.date | None,
                       folded: str | None = None) -> tuple[dt.date | None, int | None, str]:
    """(event_date, time_precision, rule) for a sentence; undated news is the publication date, precision 2.
    `folded` is fold(sentence) when the caller has it.

    A sentence dated only by an earlier year ("in 2013") is old history: rule "old_history", no date.
    """
    if published is None:
        return None, None, "no_publication_date"
    sentence = fold(sentence) if folded is None else folded  # lower-case patterns on folded text beat re.IGNORECASE
    maybe = _FILTER.candidates(sentence)
    for index, (rule, pattern) in enumerate(_PATTERNS):
        match = pattern.search(sentence) if index in maybe else None
        if not match:
            continue
        if rule == "day_month":
            resolved = _calendar_date(int(match.group(1)), match.group(2), match.group(3), published)
        elif rule == "month_day":
            resolved = _calendar_date(int(match.group(2)), match.group(1), match.group(3), published)
        elif rule == "month":
            month = _MONTHS.get(match.group(1).lower().rstrip("."))
            year = int(match.group(2)) if match.group(2) else published.year
            if month and not match.group(2) and month > published.month:
                year -= 1
            resolved = dt.date(year, month, 1) if month else None
            if resolved is not None and resolved <= published:
                if (published - resolved).days > OLD_HISTORY_DAYS:
                    return None, None, "old_history"
                return resolved, 3, rule
            continue
        elif rule == "year":
            if int(match.group(1)) < published.year:
                return None, None, "old_history"
            continue
        elif rule == "days_ago":  # "two days ago"
            word = match.group(1).lower()
            days = int(word) if word.isdigit() else _SMALL_NUMBERS[word]
            return published - dt.timedelta(days=days), 1, rule
        elif rule == "yesterday":
            return published - dt.timedelta(days=1), 1, rule
        elif rule == "today":
            return published, 1, rule
        elif rule == "weekday":
            target = _WEEKDAYS.index(match.group(1).lower())
            return published - dt.timedelta(days=(published.weekday() - target) % 7), 1, rule
        elif rule == "last_week":
            return published - dt.timedelta(days=7 if "last" in match.group(1).lower() else 0), 2, rule
        elif rule == "last_month":
            return published, 3, rule
        if resolved is not None:
            return resolved, 1, rule
    return published, 2, "publication_date"


def _calendar_date(day: int, month_name: str, year: str | None, published: dt.date) -> dt.date | None:
    month = _MONTHS.get(month_name.lower().rstrip("."))
    if month is None or not 1 <= day <= 31:
        return None
    candidate_year = int(year) if year else published.year
    try:
        candidate = dt.date(candidate_year, month, day)
    except ValueError:
        return None
    if not year and candidate > published:  # "December 30" read in January is last year
        try:
            candidate = dt.date(candidate_year - 1, month, day)
        except ValueError:
            return None
    if candidate > published:
        return None
    return candidate
