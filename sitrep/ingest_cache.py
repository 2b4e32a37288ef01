"""Ingest at feed scale: the same result as sitrep.ingest.read_articles, streamed file by file into
DuckDB, with each file's parsed articles cached as Parquet so an unchanged file is not parsed again.

read_articles parses every file, then deduplicates across the whole folder in (file, row) order. Here
each file is parsed (or read back from the cache) and written at once; only the content hashes seen
so far stay in memory for deduplication, so memory does not grow with the corpus. A file's cache
entry is keyed by everything its parse depends on but the day: path, size, modification time, inode,
link target, its manifest row, the byte limit and the code of sitrep/ingest.py. The day matters only
where a date after today is set aside, so each parse records the days [from, until) on which it comes out
the same, bounded by the file's own dates (sitrep.ingest._choose_date reports them): from its latest date
on or before today to its earliest date after today (a date set aside is noted without naming today), and
is reused on any of them: with today in the key, the first run of each day re-parsed every file. Entries are
<key>.<from or min>.<until or max>.parquet in <extraction store>/ingest; deleting them only costs parsing.

Deduplication makes a file's rows depend on the files before it, and on nothing after. So the table
ingest_files records the last ingest's files in order with their keys and day ranges, and the files
before the first change (a new, edited, moved or removed file, or one whose range no longer holds today)
keep their rows in the warehouse untouched: adding a file that sorts last re-reads that file alone,
whatever the size of the corpus, on the same day or a later one.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from sitrep import ingest as ing
from sitrep import warehouse as wh

TABLES = ("raw_articles", "rejected_inputs", "ingest_summary", "ingest_files")
ARTICLE_SCHEMA = {"article_id": pl.Utf8, "external_id": pl.Utf8, "source_file": pl.Utf8, "row_ref": pl.Utf8,
                  "outlet": pl.Utf8, "title": pl.Utf8, "published_date": pl.Date, "date_source": pl.Utf8,
                  "date_note": pl.Utf8, "url": pl.Utf8, "body": pl.Utf8, "content_hash": pl.Utf8}
REJECTION_SCHEMA = {"source_file": pl.Utf8, "row_ref": pl.Utf8, "reason": pl.Utf8, "detail": pl.Utf8}
ITEM_SCHEMA = {"_kind": pl.Utf8, **ARTICLE_SCHEMA, "reason": pl.Utf8, "detail": pl.Utf8}
GC_AGE_SECONDS = 2 * 86400
MIN_PARALLEL_FILES = 4  # fewer files to parse than this: parsing them in-process costs less than starting workers
Validity = tuple[dt.date | None, dt.date | None]  # the days [from, until) a parse holds for; None: unbounded


def _code_version() -> str:
    return hashlib.sha256(Path(ing.__file__).read_bytes()).hexdigest()[:12]


@dataclass
class IngestStats:
    inputs_seen: int = 0
    ingested: int = 0
    quarantined: int = 0
    files: int = 0
    files_kept: int = 0    # unchanged, before the first change: rows left in place, file not read
    files_cached: int = 0  # read back from the parse cache
    files_parsed: int = 0  # parsed by this ingest (here or in worker processes)
    published_min: dt.date | None = None
    published_max: dt.date | None = None
    reasons: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def _items_frame(items: list) -> pl.DataFrame:
    rows = []
    for item in items:
        if isinstance(item, ing.Article):
            rows.append({"_kind": "article", **{k: getattr(item, k) for k in ARTICLE_SCHEMA}, "reason": None,
                         "detail": None})
        else:
            rows.append({"_kind": "rejection", **{k: None for k in ARTICLE_SCHEMA}, "source_file": item.source_file,
                         "row_ref": item.row_ref, "reason": item.reason, "detail": item.detail})
    return pl.DataFrame(rows, schema=ITEM_SCHEMA, orient="row") if rows else pl.DataFrame(schema=ITEM_SCHEMA)


def _holds(valid: Validity, today: dt.date) -> bool:
    valid_from, valid_until = valid
    return (valid_from is None or valid_from <= today) and (valid_until is None or today < valid_until)


def _entry_name(key: str, valid: Validity) -> str:
    valid_from, valid_until = valid
    return f"{key}.{valid_from or 'min'}.{valid_until or 'max'}.parquet"


def _cache_index(cache: Path) -> dict[str, list[tuple[Validity, str]]]:
    """The cache's entries by key with their day ranges: the folder is listed once per ingest, not once per file."""
    try:
        names = os.listdir(cache)
    except OSError:
        return {}
    index: dict[str, list[tuple[Validity, str]]] = {}
    for name in names:
        parts = name.split(".")
        if len(parts) != 4 or parts[3] != "parquet":
            continue  # a temporary file, or an entry of an older version (collected as garbage)
        try:
            valid = tuple(None if part in ("min", "max") else dt.date.fromisoformat(part) for part in parts[1:3])
        except ValueError:
            continue
        index.setdefault(parts[0], []).append((valid, name))
    return index


def _file_key(rel: str, path: Path, meta: dict, max_bytes: int, code: str) -> str | None:
    try:
        st = path.stat()
        target = os.path.realpath(path)
    except OSError:
        return None  # unreadable or a dangling link: parse every time (cheap: it is a rejection)
    parts = [rel, st.st_size, st.st_mtime_ns, st.st_ino, st.st_mode, target, json.dumps(meta, sort_keys=True),
             max_bytes, code]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:24]


def _parse_file(root: Path, rel: str, path: Path, manifest: dict, today: dt.date,
                max_bytes: int) -> tuple[pl.DataFrame, Validity]:
    """The file's items and the days they come out the same: where every date comparison does."""
    items, holds = [], []
    for item in sorted(ing._load_input(root, rel, path, max_bytes), key=ing._order):
        if isinstance(item, ing._Draft):
            item = ing._finalize(item, manifest.get(item.source_file, {}), today, holds)
        items.append(item)
    valid = (max((start for start, _ in holds if start is not None), default=None),
             min((end for _, end in holds if end is not None), default=None))
    return _items_frame(items), valid


def file_items(root: Path, rel: str, path: Path, manifest: dict, today: dt.date, max_bytes: int,
               cache: Path | None, key: str | None, used: set[str],
               index: dict[str, list[tuple[Validity, str]]]) -> tuple[pl.DataFrame, Validity, bool]:
    """One file's finalized articles and rejections, before cross-file deduplication, and the days that parse
    holds for; (frame, (valid_from, valid_until), from cache). `index` is _cache_index(cache)."""
    cacheable = cache is not None and key is not None
    for valid, name in index.get(key, []) if cacheable else []:
        if _holds(valid, today):
            used.add(name)
            try:
                return pl.read_parquet(cache / name), valid, True
            except (OSError, pl.exceptions.PolarsError):
                break  # gone or unreadable: parse it again
    frame, valid = _parse_file(root, rel, path, manifest, today, max_bytes)
    if cacheable:
        used.add(_store(cache, key, valid, frame))
    return frame, valid, False


def _store(cache: Path, key: str, valid: Validity, frame: pl.DataFrame) -> str:
    """Write a parse's cache entry (atomically: readers never see half a file); its name."""
    entry = cache / _entry_name(key, valid)
    cache.mkdir(parents=True, exist_ok=True)
    tmp = entry.with_name(entry.name + f".tmp-{secrets.token_hex(3)}")
    frame.write_parquet(tmp)
    os.replace(tmp, entry)
    return entry.name


def parse_into_cache(root: str, rel: str, path: str, manifest: dict, today: dt.date, max_bytes: int, cache: str,
                     key: str) -> str:
    """A worker's job (sitrep.workers): parse one file into its cache entry; the entry's name."""
    frame, valid = _parse_file(Path(root), rel, Path(path), manifest, today, max_bytes)
    return _store(Path(cache), key, valid, frame)


def _parse_ahead(con, root: Path, inputs: list, manifest: dict, today: dt.date, max_bytes: int, cache: Path,
                 workers: int) -> set[str]:
    """Parse the files this ingest will read and the cache lacks in `workers` processes, into the cache; the
    ingest then reads them back in file order, as deduplication needs. The entries' names."""
    kept = _kept_files(con, inputs, today) or 0
    index = _cache_index(cache)
    todo = [(str(root), rel, str(path), {rel: manifest[rel]} if rel in manifest else {}, today, max_bytes, str(cache),
             key)  # a file's drafts are its own (source_file = rel): its manifest row is all a worker needs
            for rel, path, key in inputs[kept:]
            if key is not None and not any(_holds(valid, today) for valid, _ in index.get(key, []))]
    if len(todo) < MIN_PARALLEL_FILES:
        return set()
    from sitrep.workers import run_jobs
    return set(run_jobs("sitrep.ingest_cache:parse_into_cache", todo, workers))


def _insert(con, table: str, frame: pl.DataFrame) -> None:
    if frame.height:
        con.register("incoming_rows", frame.to_arrow())
        con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM incoming_rows')
        con.unregister("incoming_rows")


def _kept_files(con, inputs: list[tuple[str, Path, str | None]], today: dt.date) -> int | None:
    """How many leading files are as the last ingest saw them (same name, key and position) and parse the same
    today (it is in their recorded range): their rows stay. None when the tables are not this version's (an
    older ingest_files without the ranges, say): they are then rebuilt."""
    if not wh.matches_ddl(con, *TABLES):
        return None
    previous = con.execute("SELECT source_file, file_key, valid_from, valid_until FROM ingest_files "
                           "ORDER BY position").fetchall()
    kept = 0
    for (rel, _, key), (old_rel, old_key, *valid) in zip(inputs, previous):
        if key is None or (rel, key) != (old_rel, old_key) or not _holds(tuple(valid), today):
            break
        kept += 1
    return kept


def _reset(con, kept: int | None) -> None:
    """Remove every row the files from position `kept` on gave (all tables rebuilt when None), and the
    folder-level rejections and summary, which the ingest writes anew."""
    if kept is None:
        for table in TABLES:
            wh._drop_any(con, table)
            con.execute(wh.table_ddl(table))
        return
    kept_files = "SELECT source_file FROM ingest_files WHERE position < $kept"
    for table in ("raw_articles", "rejected_inputs"):
        con.execute(f'DELETE FROM "{table}" WHERE source_file NOT IN ({kept_files})', {"kept": kept})
    con.execute("DELETE FROM ingest_files WHERE position >= $kept", {"kept": kept})
    con.execute("DELETE FROM ingest_summary")


def _deduplicated(frame: pl.DataFrame, first_seen: dict[str, str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A file's (articles, rejections): an article whose text an earlier one had is a duplicate_content rejection."""
    keep, dupes = [], []
    for kind, content_hash, source_file, row_ref in frame.select("_kind", "content_hash", "source_file",
                                                                 "row_ref").iter_rows():
        if kind != "article":
            keep.append(False)
            dupes.append(None)
        elif content_hash in first_seen:
            keep.append(False)
            dupes.append(f"same text as {first_seen[content_hash]}, which was kept")
        else:
            first_seen[content_hash] = " ".join(filter(None, (source_file, row_ref)))
            keep.append(True)
            dupes.append(None)
    frame = frame.with_columns(pl.Series("_keep", keep, dtype=pl.Boolean), pl.Series("_dupe", dupes, dtype=pl.Utf8))
    articles = frame.filter(pl.col("_keep")).select(list(ARTICLE_SCHEMA))
    rejected = frame.filter(~pl.col("_keep")).select(
        "source_file", "row_ref",
        pl.when(pl.col("_dupe").is_not_null()).then(pl.lit("duplicate_content")).otherwise(pl.col("reason")).alias("reason"),
        pl.coalesce("_dupe", "detail").alias("detail"))
    return articles, rejected


def _fill_stats(con, stats: IngestStats, early: int) -> None:
    """Totals over every file (kept or read) from ingest_files; reasons and dates from the tables."""
    inputs, ingested, quarantined = con.execute(
        "SELECT coalesce(sum(inputs), 0), coalesce(sum(ingested), 0), coalesce(sum(quarantined), 0) "
        "FROM ingest_files").fetchone()
    stats.inputs_seen, stats.ingested, stats.quarantined = early + inputs, ingested, early + quarantined
    stats.reasons = dict(con.execute("SELECT reason, count(*) FROM rejected_inputs GROUP BY 1 ORDER BY 1").fetchall())
    stats.published_min, stats.published_max = con.execute(
        "SELECT min(published_date), max(published_date) FROM raw_articles").fetchone()


def ingest_into(con: duckdb.DuckDBPyConnection, folder: Path, cache: Path | None, today: dt.date | None = None,
                max_bytes: int = ing.MAX_BYTES, articles_dir: str | None = None, workers: int = 1) -> IngestStats:
    """Make raw_articles, rejected_inputs, ingest_summary and ingest_files the folder's ingest, in one
    transaction. Equal to ingest_frames(read_articles(folder)) row for row (tests/test_incremental.py).
    With a cache and several `workers`, the files to parse are parsed in worker processes first."""
    root = Path(folder).resolve()
    if not root.is_dir():
        raise NotADirectoryError(f"articles folder not found: {folder}")
    today, code, stats, used = today or dt.date.today(), _code_version(), IngestStats(), set()
    early: list = []  # rejections found while listing the folder and reading manifests
    files = ing._walk(root, early)
    manifest: dict[str, dict] = {}
    for rel, path in files:
        if path.name in ing.MANIFEST_NAMES:
            manifest.update(ing._load_manifest(root, rel, path, max_bytes, early))
    inputs = [(rel, path, _file_key(rel, path, manifest.get(rel, {}), max_bytes, code) if cache else None)
              for rel, path in files if path.name not in ing.MANIFEST_NAMES]
    parsed_ahead = _parse_ahead(con, root, inputs, manifest, today, max_bytes, cache, workers) \
        if cache is not None and workers > 1 else set()
    with wh.transaction(con, TABLES):
        kept = _kept_files(con, inputs, today)
        _reset(con, kept)
        _insert(con, "rejected_inputs", pl.DataFrame(
            [{"source_file": r.source_file, "row_ref": r.row_ref, "reason": r.reason, "detail": r.detail}
             for r in early], schema=REJECTION_SCHEMA, orient="row"))
        first_seen = dict(con.execute("SELECT content_hash, concat_ws(' ', nullif(source_file, ''), "
                                      "nullif(row_ref, '')) FROM raw_articles").fetchall())
        stats.files, stats.files_kept = len(inputs), kept or 0
        if cache is not None:  # ingest_files now holds the kept files alone: their entries stay in use
            used.update(_entry_name(key, tuple(valid)) for key, *valid in con.execute(
                "SELECT file_key, valid_from, valid_until FROM ingest_files").fetchall())
        index = _cache_index(cache) if cache is not None and stats.files_kept < stats.files else {}
        for position, (rel, path, key) in enumerate(inputs[stats.files_kept:], stats.files_kept):
            frame, valid, cached = file_items(root, rel, path, manifest, today, max_bytes, cache, key, used, index)
            parsed = not cached or _entry_name(key, valid) in parsed_ahead
            stats.files_parsed += parsed
            stats.files_cached += not parsed
            articles, rejected = _deduplicated(frame, first_seen)
            _insert(con, "raw_articles", articles)
            _insert(con, "rejected_inputs", rejected)
            con.execute("INSERT INTO ingest_files (position, source_file, file_key, valid_from, valid_until, inputs, "
                        "ingested, quarantined) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [position, rel, key, *valid, frame.height, articles.height, rejected.height])
        wh.require_unique(con, "raw_articles", "article_id")
        _fill_stats(con, stats, len(early))
        _insert(con, "ingest_summary", pl.DataFrame({"articles_dir": [articles_dir or str(folder)],
                                                     "inputs_seen": [stats.inputs_seen], "ingested": [stats.ingested],
                                                     "quarantined": [stats.quarantined]}))
    if cache is not None:
        _collect_garbage(cache, used)
    return stats


def _collect_garbage(cache: Path, used: set[str]) -> None:
    """Drop entries this ingest did not use and nobody used for two days."""
    now = time.time()
    try:
        entries = list(cache.iterdir())
    except FileNotFoundError:
        return
    for entry in entries:
        try:
            if entry.name not in used and now - entry.stat().st_mtime > GC_AGE_SECONDS:
                entry.unlink()
        except FileNotFoundError:
            pass
