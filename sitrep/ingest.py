"""Ingest layer of sitrep: read a folder of mixed-format news files.

Every input (a file, or one row / line / item of a corpus file) ends as exactly
one Article or one Rejection, so ``inputs_seen == len(articles) + len(rejections)``
holds by construction.  Standard library only; no pipeline framework imports.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import itertools
import json
import os
import re
import stat
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

MAX_BYTES = 50_000_000
MANIFEST_NAMES = ("manifest.csv", "manifest.json")
FURNITURE = ("Contact Editor", "Share", "Share this article", "Share on Facebook", "Share on Twitter",
             "Tweet", "Print", "Email", "Advertisement", "Read more", "Related articles", "Related",
             "Comments", "Follow us", "Subscribe", "Click here", "Back to top", "Font size")
LEADING_FURNITURE = (  # share widgets glued to the start of corpus bodies (after the dateline)
    r"(?:\(updated \d{3,4} [\d.]+\)|\))?\s*Get short URL(?: Topic [^()]{1,100}\(\d+\))?(?: 0)*(?: \d+)?",  # Sputnik
    r"(?:(?:AFP|AP|Reuters) )?Print Tweet Views \d+",  # Ahram Online
    r"SEND http\S*",  # Daily Sabah short link
)
MAGIC = ((b"\x89PNG\r\n\x1a\n", "PNG image"), (b"\xff\xd8\xff", "JPEG image"), (b"GIF87a", "GIF image"),
         (b"GIF89a", "GIF image"), (b"%PDF-", "PDF document"), (b"PK\x03\x04", "ZIP archive"),
         (b"PK\x05\x06", "ZIP archive"), (b"\x1f\x8b", "gzip archive"))
FIELDS = {  # article field -> accepted column / key names, in priority order
    "external_id": ("unit_id", "id"),
    "title": ("article_title", "title", "headline"),
    "body": ("article_content", "body", "text", "content"),
    "published": ("published", "published_date", "date"),
    "outlet": ("outlet", "source"),
    "url": ("url", "link"),
}
CAPTION_MAX = 120   # a repeated line shorter than this, without a final period, is a caption
TITLE_MAX = 300     # a first line longer than this is text, not a headline
HEAD_LINES = 6      # bylines are only looked for this near the top
ENCODING_NAMES = {"utf-8-sig": "UTF-8", "utf-16": "UTF-16", "utf-8": "UTF-8", "cp1252": "Windows-1252"}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True)
class Article:
    article_id: str
    external_id: str
    source_file: str
    row_ref: str
    outlet: str | None
    title: str | None
    published_date: dt.date | None
    date_source: str | None
    date_note: str | None
    url: str | None
    body: str
    content_hash: str


@dataclass(frozen=True)
class Rejection:
    source_file: str
    row_ref: str
    reason: str
    detail: str


@dataclass
class IngestResult:
    articles: list[Article]
    rejections: list[Rejection]
    inputs_seen: int


@dataclass
class _Draft:
    """What a format parser found, before dateline, date choice, cleanup and dedupe."""
    source_file: str
    row_ref: str
    external_id: str
    title: str | None
    body: str
    outlet: str | None = None
    url: str | None = None
    date_text: str | None = None
    date_label: str = "metadata"  # "corpus" for rows of a corpus file


# ---------------------------------------------------------------- dates
def _month(group: str) -> str:
    return (r"(?P<%s>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
            r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])\.?" % group)


DATE_RE = re.compile(  # numbered groups: d/m/y 1 "5 Apr 2017", 2 "April 5, 2017", 3 "05.04.2017", 4 ISO, 5 m/d/yy
    r"(?:(?:posted|published|updated|last\s+updated)(?:\s+(?:on|at))?\s+)?"
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    r"(?:(?P<d1>\d{1,2})\s+" + _month("m1") + r",?\s+(?P<y1>\d{4})"
    r"|" + _month("m2") + r"\s+(?P<d2>\d{1,2}),?\s*(?P<y2>\d{4})"
    r"|(?P<d3>\d{1,2})\.(?P<m3>\d{1,2})\.(?P<y3>\d{4})"
    r"|(?P<y4>\d{4})-(?P<m4>\d{1,2})-(?P<d4>\d{1,2})"
    r"|(?P<m5>\d{1,2})/(?P<d5>\d{1,2})/(?P<y5>\d{4}|\d{2}))(?!\d)"
    r"(?:\s+at\s+\d{3,4}\b|\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:UTC|GMT)[+-]?\d{0,2})?"
    r"|\s+\d{4}\s*(?:UTC|GMT)[+-]?\d{0,2})?", re.IGNORECASE)
WIRE_RE = re.compile(  # "DAMASCUS, April 5 (Reuters) -": the year must come from metadata
    r"[A-Z][A-Z .'-]{1,40}(?:,\s*(?i:" + _month("mw") + r")\s+(?P<dw>\d{1,2}))?"
    r"\s*\((?:Reuters|AFP|AP|SANA|Xinhua|dpa|UPI)\)\s*[-–—:]+\s*")
FURNITURE_RE = re.compile("|".join(LEADING_FURNITURE))
BYLINE_RE = re.compile(r"[A-Z][^\s,]*(?:\s+[A-Z][^\s,]*){1,3},|By\s+[A-Z].{0,60}(?<!\.)")


def _make_date(year: str | int, month: str | int, day: str | int) -> dt.date | None:
    """A date from parts (month may be a name; two-digit years are 20xx below 70); None if impossible."""
    month = int(month) if str(month).isdigit() else MONTHS.index(month[:3].lower()) + 1
    year = int(year) + (0 if int(year) >= 100 else 2000 if int(year) < 70 else 1900)
    try:
        return dt.date(year, month, int(day))
    except ValueError:
        return None


def _date_from(m: re.Match) -> dt.date | None:
    i = next(i for i in "12345" if m["y" + i])
    return _make_date(m["y" + i], m["m" + i], m["d" + i])


def parse_date(text: str | None) -> dt.date | None:
    """Parse ISO, m/d/yy, 'd Mon YYYY' and 'Mon d, YYYY' (optionally with weekday and time)."""
    m = DATE_RE.match(text.strip()[:100]) if text else None
    return _date_from(m) if m else None


def _take_dateline(body: str, year_hint: int | None) -> tuple[str, dt.date | None, str | None]:
    """Strip a dateline from the start of the body; return (rest, its date, note)."""
    head = body[:200]  # a bounded slice: no regex ever scans a huge body
    if m := DATE_RE.match(head):
        date = _date_from(m)
        return (body[m.end():].lstrip(" \t\n-–—|:.,"), date,
                None if date else f"dateline {m.group().strip()!r} is not a real date")
    if not (m := WIRE_RE.match(head)):
        return body, None, None
    if m["mw"] and year_hint:
        return body[m.end():], _make_date(year_hint, m["mw"], m["dw"]), None
    return body[m.end():], None, "dateline gives no year and no other date supplies one" if m["mw"] else None


def _choose_date(found: list, today: dt.date, notes: list[str],
                 holds: list | None = None) -> tuple[dt.date | None, str | None]:
    """First usable of (source, label, date) wins; future dates are set aside, disagreements noted.

    `holds`, when given, gets for each date compared the days [from, until) (None: unbounded) of `today` on
    which that comparison and its note come out the same: a usable date stays usable from its own day on; a
    date set aside stays set aside until its day (its note does not name today, so it is the same on each)."""
    usable = []
    for source, label, date in found:
        if date and date > today:
            notes.append(f"{label} {date} is after the ingest day; not used")
            if holds is not None:
                holds.append((None, date))
        elif date:
            usable.append((source, label, date))
            if holds is not None:
                holds.append((date, None))
    if not usable:
        return None, None
    source, label, date = usable[0]
    notes += [f"{other} {d} disagrees with {label} {date}; {label} kept" for _, other, d in usable[1:] if d != date]
    return date, source


# ---------------------------------------------------------------- text cleanup
def _normalize(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")


def _boilerplate(lines: list[str]) -> set[int]:
    """Indices of furniture lines, bylines near the top, and captions (short lines printed twice)."""
    counts = Counter(ln for ln in lines if ln and len(ln) < CAPTION_MAX and not ln.endswith("."))
    furniture = {f.casefold() for f in FURNITURE}
    dropped, seen = set(), 0
    for i, line in enumerate(lines):
        seen += bool(line)
        byline = seen <= HEAD_LINES and len(line) <= 70 and BYLINE_RE.fullmatch(line)
        if line and (line.casefold() in furniture or counts[line] > 1 or byline):
            dropped.add(i)
    return dropped


def _paragraphs(lines: list[str], dropped: set[int] = frozenset()) -> list[str]:
    """Blank-line separated blocks become paragraphs; text without blank lines is one per line."""
    lines = [" ".join(ln.split()) for ln in lines]
    filled = [i for i, ln in enumerate(lines) if ln]
    blocky = bool(filled) and any(not lines[i] for i in range(filled[0], filled[-1]))
    paras, cur = [], []
    for i, line in enumerate(lines):
        if line and i not in dropped:
            cur.append(line)
        if cur and (not blocky or not line):
            paras.append(" ".join(cur))
            cur = []
    return paras + ([" ".join(cur)] if cur else [])


def _word(w: str) -> str:
    return w.strip(".,:;!?\"'“”‘’()[]-–—|").lower()


def _drop_title_prefix(body: str, title: str | None) -> str:
    """Corpora like FA-KES repeat the headline (maybe after "by <author>") at the body start."""
    want = [_word(w) for w in title.split()] if title and len(title) <= TITLE_MAX else []
    if len(want) < 3:
        return body
    spans = list(itertools.islice(re.finditer(r"\S+", body), len(want) + 12))
    words = [_word(m.group()) for m in spans]
    for start in range(13 if words[:1] == ["by"] else 1):
        if words[start:start + len(want)] == want:
            rest = body[spans[start + len(want) - 1].end():].lstrip(" \t\n-–—|:.,")
            return rest if rest.strip() else body
    return body


# ---------------------------------------------------------------- bytes to text
def _decode(data: bytes) -> str | tuple[str, str]:
    """Bytes to normalized text, or (reason, detail) when they are not text."""
    if kind := next((k for magic, k in MAGIC if data.startswith(magic)), None):
        return "binary_file", f"file is a {kind}, not text"
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16 and (nul := data.find(b"\0")) >= 0:
        return "binary_file", f"file contains NUL bytes (first at byte {nul}), so it is binary data, not text"
    encodings = ["utf-16"] if utf16 else ["utf-8-sig"] if data.startswith(codecs.BOM_UTF8) else ["utf-8", "cp1252"]
    for enc in encodings:
        try:
            text = _normalize(data.decode(enc))
            break
        except UnicodeDecodeError as err:
            bad = err.start
    else:
        names = " nor ".join(ENCODING_NAMES[e] for e in encodings)
        return "undecodable_text", f"bytes are not valid {names} text (first bad byte at offset {bad})"
    sample = text[:8192]
    controls = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\t\n\f\v")
    if controls > len(sample) / 100:
        return "binary_file", f"{controls} control characters in the first {len(sample)}: binary data, not text"
    if not text.strip():
        return "whitespace_only", f"file has {len(data)} bytes but contains only whitespace"
    return text


def _read_text(path: Path, max_bytes: int) -> str | tuple[str, str]:
    """Size checks by stat before anything is read (a huge file is never opened), then decode."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            return "unsupported_format", "not a regular file (a device, pipe or folder)"
        if st.st_size == 0:
            return "empty_file", "file is empty (0 bytes)"
        if st.st_size > max_bytes:
            return "too_large", f"file is {st.st_size:,} bytes, over the {max_bytes:,}-byte limit; not read"
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as err:
        return "unreadable_file", f"file could not be read: {err.strerror or err}"
    if len(data) > max_bytes:
        return "too_large", f"file grew past the {max_bytes:,}-byte limit while being read"
    return _decode(data) if data else ("empty_file", "file is empty (0 bytes)")


# ---------------------------------------------------------------- format parsers
def _as_text(value) -> str | None:
    """A metadata value as one clean line; a nested object gives its 'name' (NewsAPI 'source')."""
    if isinstance(value, dict):
        value = value.get("name")
    if value is None or isinstance(value, (bool, list, dict)):
        return None
    return " ".join(str(value).split()) or None


def _from_record(rel: str, ref: str, rec, label: str, fallback_id: str) -> _Draft | Rejection:
    """A JSON object or CSV row to a draft article, by the key names in FIELDS."""
    if not isinstance(rec, dict):
        kind = type(rec).__name__
        return Rejection(rel, ref, "malformed_json", f"{ref or 'the file'} holds a JSON {kind}, not an object")
    rec = {str(k).lower(): v for k, v in rec.items()}
    pick = {f: next((rec[k] for k in keys if rec.get(k) not in (None, "")), None) for f, keys in FIELDS.items()}
    body = pick["body"]
    if not isinstance(body, str) or not body.strip():
        what = "is empty" if body is None or isinstance(body, str) else f"is a {type(body).__name__}, not text"
        return Rejection(rel, ref, "empty_body", f"{ref or 'record'} has no article text (body/text/content {what})")
    return _Draft(rel, ref, _as_text(pick["external_id"]) or fallback_id, _as_text(pick["title"]), _normalize(body),
                  _as_text(pick["outlet"]), _as_text(pick["url"]), _as_text(pick["published"]), label)


def _parse_txt(rel: str, text: str) -> list:
    """First non-empty line is the headline (unless it is the only line or too long for one)."""
    lines = [ln.strip() for ln in text.split("\n")]
    filled = [i for i, ln in enumerate(lines) if ln]
    title = None
    if len(filled) > 1 and len(lines[filled[0]]) <= TITLE_MAX:
        title, lines = lines[filled[0]], lines[filled[0] + 1:]
    return [_Draft(rel, "", PurePosixPath(rel).name, title, "\n\n".join(_paragraphs(lines, _boilerplate(lines))))]


class _PageText(HTMLParser):
    """Collects headline, dates and paragraph text from markup; nothing is run or fetched."""
    DROP = ("script", "style", "nav", "header", "footer", "aside", "form", "noscript", "figure",
            "figcaption", "template", "svg", "iframe", "button", "select")
    BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article",
             "tr", "td", "th", "pre", "dd", "dt", "ul", "ol", "table", "main", "hr", "body"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: Counter = Counter()        # currently open tags
        self.meta: dict[str, str] = {}
        self.title, self.h1, self.buf = [], [], []
        self.h1_done = False                  # only the first non-empty <h1> is a headline
        self.paras: list[tuple[str, bool]] = []  # (text, inside <article>)

    def _flush(self):
        if text := " ".join("".join(self.buf).split()):
            self.paras.append((text, self.open["article"] > 0))
        self.buf.clear()

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCK:
            self._flush()
        a = {k: v or "" for k, v in attrs}
        if tag == "meta":
            key = a.get("property") or a.get("name") or a.get("itemprop") or ""
            self.meta.setdefault(key.lower(), a.get("content", ""))
        elif tag == "time" and a.get("datetime"):
            self.meta.setdefault("time", a["datetime"])
        elif tag == "link" and a.get("rel", "").lower() == "canonical":
            self.meta.setdefault("canonical", a.get("href", ""))
        self.open[tag] += 1

    def handle_endtag(self, tag):
        if tag in self.BLOCK:
            self._flush()
        if self.open[tag]:
            self.open[tag] -= 1
        self.h1_done |= tag == "h1" and bool("".join(self.h1).strip())

    def handle_data(self, data):
        o = self.open
        if o["title"]:
            self.title.append(data)
        if o["h1"] and not self.h1_done:
            self.h1.append(data)
        if not (o["title"] or (o["head"] and not o["body"]) or any(o[t] for t in self.DROP)):
            self.buf.append(data)


def _parse_html(rel: str, text: str) -> list:
    """Text of <article> (else <body>) minus dropped elements; title og:title > first h1 > <title>."""
    page = _PageText()
    try:
        page.feed(text)
        page.close()
    except Exception:  # noqa: BLE001 - a parser hiccup on hostile markup keeps what was read so far
        pass
    page._flush()
    m = page.meta
    title = _as_text(m.get("og:title")) or _as_text("".join(page.h1)) or _as_text("".join(page.title))
    paras = [t for t, in_article in page.paras if in_article] or [t for t, _ in page.paras]
    if title and paras and paras[0].casefold() == title.casefold():
        paras = paras[1:]
    dropped = _boilerplate(paras)
    published = next((m[k] for k in ("article:published_time", "datepublished", "date", "pubdate",
                                      "og:published_time", "time") if m.get(k)), None)
    body = "\n\n".join(p for i, p in enumerate(paras) if i not in dropped)
    return [_Draft(rel, "", PurePosixPath(rel).name, title, body,
                   _as_text(m.get("og:site_name")), _as_text(m.get("og:url") or m.get("canonical")), published)]


def _json_error(err: Exception, one_line: bool = False) -> str:
    if isinstance(err, json.JSONDecodeError):
        return f"{err.msg} at " + ("" if one_line else f"line {err.lineno}, ") + f"column {err.colno}"
    return "nested too deeply to parse" if isinstance(err, RecursionError) else str(err)


def _parse_json(rel: str, text: str) -> list:
    """One object is one article; a list is a corpus whose items are inputs."""
    name = PurePosixPath(rel).name
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as err:
        return [Rejection(rel, "", "malformed_json", f"not valid JSON: {_json_error(err)}")]
    if not isinstance(data, list):
        return [_from_record(rel, "", data, "metadata", name)]
    if not data:
        return [Rejection(rel, "", "empty_file", "JSON list has no items")]
    return [_from_record(rel, f"item {i}", obj, "corpus", f"{name} item {i}") for i, obj in enumerate(data, 1)]


def _parse_jsonl(rel: str, text: str) -> list:
    """Each non-blank line is one input; a bad line does not spoil its neighbours."""
    out, name = [], PurePosixPath(rel).name
    for n, line in enumerate(text.split("\n"), 1):
        if line.strip():
            try:
                out.append(_from_record(rel, f"line {n}", json.loads(line), "corpus", f"{name} line {n}"))
            except (ValueError, RecursionError) as err:
                detail = f"line {n} is not valid JSON: {_json_error(err, True)}"
                out.append(Rejection(rel, f"line {n}", "malformed_json", detail))
    return out


def _csv_rows(text: str):
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # long bodies exceed the 128 KB default
    return csv.reader(io.StringIO(text, newline=""))


def _parse_csv(rel: str, text: str) -> list:
    """One article per data row; the header decides which column is which."""
    rows, name = _csv_rows(text), PurePosixPath(rel).name
    out, n = [], 0
    try:
        cols = [h.strip().lower() for h in next((r for r in rows if r), [])]
        if not any(c in cols for c in FIELDS["body"]):
            return [Rejection(rel, "", "missing_columns", f"CSV header has columns {cols} but no body "
                              f"column (needs one of {list(FIELDS['body'])})")]
        for row in rows:
            if row:  # a truly blank line holds no data
                n += 1
                out.append(_from_record(rel, f"row {n}", dict(zip(cols, row)), "corpus", f"{name} row {n}"))
    except csv.Error as err:  # defensive: NUL bytes are caught earlier and the size limit is raised
        out.append(Rejection(rel, f"row {n + 1}", "unsupported_format", f"CSV parsing stopped: {err}"))
    return out or [Rejection(rel, "", "empty_file", "CSV has a header but no data rows")]


PARSERS = {".txt": _parse_txt, ".html": _parse_html, ".htm": _parse_html,
           ".json": _parse_json, ".jsonl": _parse_jsonl, ".csv": _parse_csv}


# ---------------------------------------------------------------- folder, manifest, assembly
def _inside(root: Path, path: Path) -> bool:
    """True when the path, with every symlink followed, stays under root (nothing is opened)."""
    try:
        return path.resolve().is_relative_to(root) and Path(os.path.normpath(path)).is_relative_to(root)
    except (OSError, RuntimeError):  # a symlink loop leads nowhere safe either
        return False


def _walk(root: Path, items: list) -> list[tuple[str, Path]]:
    """Candidate files, sorted, hidden names and .quarantine skipped; escaping dir links are kept as inputs."""
    found = []

    def unreadable(err: OSError):
        rel = Path(err.filename or root).relative_to(root).as_posix()
        items.append(Rejection(rel, "", "unreadable_file", f"folder could not be listed: {err.strerror}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        base = Path(dirpath)
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        links = [d for d in dirnames if (base / d).is_symlink() and not _inside(root, base / d)]
        found += [(base / f).relative_to(root).as_posix() for f in filenames + links if not f.startswith(".")]
    return [(rel, root / rel) for rel in sorted(found)]


def _manifest_rows(rel: str, text: str) -> list[dict] | Rejection:
    if rel.endswith(".json"):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as err:
            return Rejection(rel, "", "malformed_json", f"manifest is not valid JSON: {_json_error(err)}")
        if not (isinstance(data, list) and all(isinstance(r, dict) for r in data)):
            return Rejection(rel, "", "malformed_json", "manifest JSON must be a list of objects")
        return [{str(k).lower(): _as_text(v) for k, v in r.items()} for r in data]
    rows = [r for r in _csv_rows(text) if r]
    cols = [c.strip().lower() for c in rows[0]] if rows else []
    if "file" not in cols:
        return Rejection(rel, "", "missing_columns", f"manifest header has columns {cols}; needs 'file' "
                         "(and published, outlet, url, title)")
    return [{c: _as_text(v) for c, v in zip(cols, r)} for r in rows[1:]]


def _load_manifest(root: Path, rel: str, path: Path, max_bytes: int, items: list) -> dict[str, dict]:
    """Metadata by relative path. Bad rows are inputs with rejections; paths outside are never opened."""
    text = _read_text(path, max_bytes) if _inside(root, path) else (
        "path_outside_folder", "it is a link leading outside the articles folder; not opened")
    rows = _manifest_rows(rel, text) if isinstance(text, str) else Rejection(
        rel, "", text[0], f"manifest could not be used: {text[1]}")
    if isinstance(rows, Rejection):
        items.append(rows)
        return {}
    entries: dict[str, dict] = {}
    for n, row in enumerate(rows, 1):
        name = row.get("file") or ""
        target = path.parent / name.replace("\\", "/")
        if not name:
            bad = ("manifest_file_missing", "manifest row names no file")
        elif PurePosixPath(name).is_absolute() or re.match(r"[A-Za-z]:", name) or not _inside(root, target):
            bad = ("path_outside_folder", f"manifest names {name!r}, which is outside the articles folder; not opened")
        elif not target.is_file():
            bad = ("manifest_file_missing", f"manifest names {name!r}, but no such file is in the articles folder")
        else:
            entries.setdefault(Path(os.path.normpath(target)).relative_to(root).as_posix(), row)
            continue
        items.append(Rejection(rel, f"manifest row {n}", *bad))
    return entries


def _load_input(root: Path, rel: str, path: Path, max_bytes: int) -> list:
    """One file to its drafts and rejections."""
    ext = path.suffix.lower()
    if not _inside(root, path):
        return [Rejection(rel, "", "path_outside_folder", "a link leading outside the articles folder "
                          "(or looping); not opened")]
    if ext not in PARSERS:
        return [Rejection(rel, "", "unsupported_format",
                          f"{ext or 'extensionless'} files are not read (supported: {', '.join(PARSERS)})")]
    text = _read_text(path, max_bytes)
    return PARSERS[ext](rel, text) if isinstance(text, str) else [Rejection(rel, "", *text)]


def _finalize(d: _Draft, meta: dict, today: dt.date, holds: list | None = None) -> Article | Rejection:
    """Fill gaps from the manifest, strip dateline / furniture / repeated title, choose the date, hash.
    Today matters only to the date choice; `holds` collects the days it holds for (see _choose_date)."""
    notes: list[str] = []
    found = [("metadata", f"{d.date_label} date", d.date_text), ("manifest", "manifest date", meta.get("published"))]
    notes += [f"{label} {raw!r} not understood; ignored" for _, label, raw in found if raw and not parse_date(raw)]
    found = [(source, label, parse_date(raw)) for source, label, raw in found]
    hint = next((date.year for *_, date in found if date), None)
    title = _as_text(_normalize(d.title)) if d.title else _as_text(meta.get("title"))
    body, line_date, line_note = _take_dateline(d.body.strip(), hint)
    if furniture := FURNITURE_RE.match(body[:300]):
        body = body[furniture.end():].lstrip()
    body = _drop_title_prefix(body, title)
    if not line_date and not line_note:  # SANA style: headline first, then the dateline
        body, line_date, line_note = _take_dateline(body, hint)
    notes += [line_note] if line_note else []
    if not (body := "\n\n".join(_paragraphs(body.split("\n")))):
        return Rejection(d.source_file, d.row_ref, "empty_body",
                         "no article text left after removing the title, dateline and page furniture")
    date, source = _choose_date([("dateline", "dateline", line_date)] + found, today, notes, holds)
    digest = hashlib.sha256(" ".join(body.lower().split()).encode("utf-8")).hexdigest()
    return Article(digest[:16], d.external_id, d.source_file, d.row_ref, d.outlet or meta.get("outlet"), title,
                   date, source, "; ".join(notes) or None, d.url or meta.get("url"), body, digest)


def _order(item) -> tuple[str, int]:
    """Sort by file, then by the row / line / item number that ends row_ref."""
    return item.source_file, int(item.row_ref.rsplit(" ", 1)[-1]) if item.row_ref else 0


def read_articles(folder: Path, today: dt.date | None = None, *, max_bytes: int = MAX_BYTES) -> IngestResult:
    """Read every input under folder into articles or rejections, sorted by file then row."""
    root = Path(folder).resolve()
    if not root.is_dir():
        raise NotADirectoryError(f"articles folder not found: {folder}")
    today, items = today or dt.date.today(), []
    files = _walk(root, items)
    manifest: dict[str, dict] = {}
    for rel, path in files:
        if path.name in MANIFEST_NAMES:
            manifest.update(_load_manifest(root, rel, path, max_bytes, items))
    for rel, path in files:
        if path.name not in MANIFEST_NAMES:
            items += _load_input(root, rel, path, max_bytes)
    articles, rejections, first_seen = [], [], {}
    for item in sorted(items, key=_order):
        if isinstance(item, _Draft):
            item = _finalize(item, manifest.get(item.source_file, {}), today)
        if isinstance(item, Article) and item.content_hash in first_seen:
            item = Rejection(item.source_file, item.row_ref, "duplicate_content",
                             f"same text as {first_seen[item.content_hash]}, which was kept")
        if isinstance(item, Article):
            first_seen[item.content_hash] = " ".join(filter(None, (item.source_file, item.row_ref)))
            articles.append(item)
        else:
            rejections.append(item)
    return IngestResult(articles, rejections, len(items))
