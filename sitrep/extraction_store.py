"""Incremental, parallel extraction: per-article bookkeeping, Parquet chunks, one writer.

Extraction of an article depends on the article alone (its body, publication date and outlet),
the reference data and the extraction code. So its output is kept, per batch of articles
("chunk"), as Parquet files beside the warehouse, and the warehouse's ``extraction_log`` says,
per article, which chunk holds its rows and under which key they were extracted:

    extraction_key = hash(content_hash, published_date, outlet, reference_version, code_version)

A run (``plan``) re-extracts only the articles whose key is not in the log, or whose chunk is
gone; articles no longer in ``raw_articles`` simply drop out. Workers (``extract_chunk``: a
local process pool, Dagster's multiprocess executor, or Dask workers on other machines) write
new chunks and touch nothing else. One writer (``load_facts``) then deletes the rows of the articles
that changed or left, inserts the new chunks' rows and redoes the corpus-level passes
(sitrep/corpus_passes.py: governorates of unresolved places inferred across articles, unresolved
names counted) where those articles reach, in one transaction, so the tables are exactly those a full
rebuild gives, whatever was reused.

The chunk folder is ``SITREP_EXTRACTIONS`` or ``.<warehouse file name>.extractions/`` beside the
warehouse (a shared filesystem or bucket mount when the workers are on other machines). It is a
cache: deleting it only costs re-extraction. A chunk is written under a temporary name and
renamed into place, so a killed worker leaves nothing that a later run would trust.
"""
from __future__ import annotations

import hashlib
import logging
import math
import os
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from sitrep import warehouse as wh
from sitrep.corpus import FACT_TABLES, RAW_TABLES, extract_articles
from sitrep.corpus_passes import CORPUS_TABLES, apply_corpus_passes
from sitrep.ingest import Article
from sitrep.view_delta import forget_event_changes, record_event_changes

log = logging.getLogger("sitrep.extraction")

LOG_TABLE = "extraction_log"
# The code whose change must re-extract everything (the rules and what they read).
CODE_FILES = ("extract.py", "casualties.py", "text.py", "matching.py", "prefilter.py", "reference.py", "dates.py", "numbers.py",
              "geography.py", "corpus.py")
ARTICLE_COLUMNS = ("article_id", "external_id", "source_file", "row_ref", "outlet", "title", "published_date",
                   "date_source", "date_note", "url", "body", "content_hash")
MAX_BATCH = 1000          # articles per chunk at most (one unit of work for a worker)
MIN_PARALLEL = 400        # below this many articles to extract, worker start-up costs more than it saves
GC_AGE_SECONDS = 3600     # unreferenced chunks younger than this may belong to a run still in progress


def code_version() -> str:
    """A content hash of the extraction code: when the rules change, every article is re-extracted."""
    digest = hashlib.sha256()
    base = Path(__file__).resolve().parent
    for name in CODE_FILES:
        digest.update(name.encode())
        digest.update((base / name).read_bytes())
    return digest.hexdigest()[:12]


def store_dir(warehouse_path: str | Path) -> Path:
    """Where chunks live: SITREP_EXTRACTIONS, else a hidden folder beside the warehouse file."""
    if os.environ.get("SITREP_EXTRACTIONS"):
        return Path(os.environ["SITREP_EXTRACTIONS"]).resolve()
    path = Path(warehouse_path).resolve()
    return path.with_name(f".{path.name}.extractions")


def chunk_path(store: Path, chunk: str) -> Path:
    return store / "chunks" / chunk


def chunk_complete(store: Path, chunk: str) -> bool:
    return (chunk_path(store, chunk) / "_done").exists()


@dataclass
class Plan:
    """What a run extracts: articles to (re-)extract, in batches, and the chunks it keeps."""
    reference_version: str
    code_version: str
    articles: int = 0                      # current articles in raw_articles
    reused: int = 0                        # of which the log has valid rows for
    batches: list[list[str]] = field(default_factory=list)   # article ids to extract, one list per chunk

    @property
    def to_extract(self) -> int:
        return sum(len(b) for b in self.batches)


def _log_columns(con) -> set[str]:
    if wh.object_kind(con, LOG_TABLE) != "table":
        return set()
    return {row[0] for row in con.execute(f"DESCRIBE {LOG_TABLE}").fetchall()}


_KEY_SQL = ("md5(concat_ws('|', a.content_hash, coalesce(CAST(a.published_date AS VARCHAR), ''), "
            "coalesce(a.outlet, ''), $ref, $code))")


def plan(con: duckdb.DuckDBPyConnection, store: Path, reference_version: str, workers: int = 1,
         force: str | None = None, force_params: list | None = None, min_parallel: int = MIN_PARALLEL,
         min_batch: int = 50) -> Plan:
    """Compare raw_articles with the extraction log: which articles need extracting, in which batches.

    `force` is an SQL condition over raw_articles `a` (a slice: one source file, a publication-date range)
    whose articles are re-extracted even when their rows are current.
    """
    version = code_version()
    result = Plan(reference_version, version)
    params = {"ref": reference_version, "code": version}
    have_log = {"article_id", "extraction_key", "chunk"} <= _log_columns(con)
    reusable_chunks: set[str] = set()
    if have_log:
        reusable_chunks = {c for (c,) in con.execute(f"SELECT DISTINCT chunk FROM {LOG_TABLE}").fetchall()
                           if chunk_complete(store, c)}
    con.execute("CREATE OR REPLACE TEMP TABLE _valid_chunks (chunk VARCHAR)")
    if reusable_chunks:
        con.executemany("INSERT INTO _valid_chunks VALUES (?)", [[c] for c in sorted(reusable_chunks)])
    forced = f"({force})" if force else "false"
    reuse_join = (f"LEFT JOIN {LOG_TABLE} l ON l.article_id = a.article_id AND l.extraction_key = {_KEY_SQL} "
                  f"AND l.chunk IN (SELECT chunk FROM _valid_chunks)") if have_log else \
        "LEFT JOIN (SELECT NULL::VARCHAR AS article_id, NULL::VARCHAR AS chunk) l ON false"
    query = (f"SELECT a.article_id, (l.chunk IS NOT NULL AND NOT {forced}) AS reuse "
             f"FROM raw_articles a {reuse_join} ORDER BY a.source_file, a.article_id")
    rows = con.execute(query, {**(params if have_log else {}), **_named(force_params)}).fetchall()
    result.articles = len(rows)
    todo = [article_id for article_id, reuse in rows if not reuse]
    result.reused = result.articles - len(todo)
    if todo:
        parallel = workers > 1 and len(todo) >= min_parallel
        size = min(MAX_BATCH, max(min_batch, math.ceil(len(todo) / (workers * 4)))) if parallel else MAX_BATCH
        result.batches = [todo[i:i + size] for i in range(0, len(todo), size)]
    return result


def _named(params: list | None) -> dict:
    return {f"p{i}": value for i, value in enumerate(params or [])}


def export_batch(con: duckdb.DuckDBPyConnection, article_ids: list[str], target: Path) -> Path:
    """Write one batch's articles (from the run's own raw_articles) to Parquet: a worker's whole input."""
    target.parent.mkdir(parents=True, exist_ok=True)
    con.execute("CREATE OR REPLACE TEMP TABLE _batch_ids (article_id VARCHAR)")
    con.executemany("INSERT INTO _batch_ids VALUES (?)", [[a] for a in article_ids])
    tmp = target.with_name(target.name + f".tmp-{secrets.token_hex(3)}")
    con.execute(f"COPY (SELECT {', '.join(ARTICLE_COLUMNS)} FROM raw_articles SEMI JOIN _batch_ids USING (article_id) "
                f"ORDER BY article_id) TO '{tmp}' (FORMAT parquet)")
    os.replace(tmp, target)
    return target


def article_key(content_hash: str, published_date, outlet: str | None, reference_version: str, code: str) -> str:
    """The extraction key of one article, as _KEY_SQL computes it in DuckDB."""
    parts = [content_hash, "" if published_date is None else str(published_date), outlet or "", reference_version, code]
    return hashlib.md5("|".join(parts).encode("utf-8")).hexdigest()


def valid_new_chunks(con: duckdb.DuckDBPyConnection, store: Path, chunks: list[str], reference_version: str) -> dict[str, list[str]]:
    """Of freshly written chunks, the articles each may supply: complete chunks only, and only articles still in
    raw_articles with the key they were extracted under (a worker with other reference data or code, or an
    article changed since the plan, is not trusted). An article in several chunks takes the first. One query over
    every chunk's article list (one per chunk scanned raw_articles again: 3.8 s for 100 chunks)."""
    complete = [chunk for chunk in chunks if chunk_complete(store, chunk)]
    if not complete:
        return {}
    listed = [str(chunk_path(store, chunk) / "_articles.parquet") for chunk in complete]
    found: dict[str, list[str]] = {chunk: [] for chunk in complete}
    for filename, article_id in con.execute(
            f"SELECT k.filename, a.article_id FROM raw_articles a "
            f"JOIN read_parquet([{_parquet_list(listed)}], filename = true) k "
            f"ON k.article_id = a.article_id AND k.extraction_key = {_KEY_SQL}",
            {"ref": reference_version, "code": code_version()}).fetchall():
        found[Path(filename).parent.name].append(article_id)  # chunks/<chunk>/_articles.parquet
    valid, seen = {}, set()
    for chunk in complete:
        ids = [a for a in sorted(found[chunk]) if a not in seen]
        if ids:
            valid[chunk] = ids
            seen.update(ids)
    return valid


def export_batches(con: duckdb.DuckDBPyConnection, batches: list[list[str]], folder: Path) -> list[Path]:
    """Every batch's articles written to Parquet in one scan of raw_articles (one file per batch, in order)."""
    if not batches:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    assignment = pl.DataFrame({"article_id": [a for batch in batches for a in batch],
                               "_batch": [n for n, batch in enumerate(batches) for _ in batch]},
                              schema={"article_id": pl.Utf8, "_batch": pl.Int32})
    tmp = folder / f".tmp-{secrets.token_hex(3)}"
    con.register("_batch_assignment", assignment.to_arrow())
    try:
        con.execute(f"COPY (SELECT {', '.join('a.' + c for c in ARTICLE_COLUMNS)}, b._batch FROM raw_articles a "
                    f"JOIN _batch_assignment b USING (article_id) ORDER BY b._batch, a.article_id) "
                    f"TO '{tmp}' (FORMAT parquet, PARTITION_BY (_batch))")
    finally:
        con.unregister("_batch_assignment")
    paths = []
    for n in range(len(batches)):
        target = folder / f"batch-{n:05d}.parquet"
        files = sorted((tmp / f"_batch={n}").glob("*.parquet"))
        if len(files) == 1:
            os.replace(files[0], target)
        else:
            pl.concat([pl.read_parquet(f) for f in files]).write_parquet(target)
        paths.append(target)
    shutil.rmtree(tmp, ignore_errors=True)
    return paths


def new_chunk_id() -> str:
    return f"{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(5)}"


_EXTRACTORS: dict = {}


def _reference(reference_dir: str | None):
    """The reference data (load_reference keeps one copy per process: the run's own, when extracting in it) and
    an extractor over it, which a worker process keeps for its next batch."""
    from sitrep.extract import ArticleExtractor
    from sitrep.reference import load_reference
    ref = load_reference(Path(reference_dir) if reference_dir else None)
    if ref.version not in _EXTRACTORS:
        _EXTRACTORS.clear()
        _EXTRACTORS[ref.version] = ArticleExtractor(ref)
    return ref, _EXTRACTORS[ref.version]


def extract_chunk(batch_file: str, store: str, chunk: str, reference_dir: str | None = None,
                  expect_reference: str | None = None) -> dict:
    """A worker's job: articles from `batch_file` in, one Parquet file per raw table out, under
    chunks/<chunk>/. Needs no warehouse, only the two paths (a shared folder on a cluster)."""
    started = time.perf_counter()
    ref, extractor = _reference(reference_dir)
    if expect_reference and ref.version != expect_reference:
        raise RuntimeError(f"worker sees reference data {ref.version}, the run planned with {expect_reference}: "
                           f"point every worker at the same seeds/reference")
    articles_frame = pl.read_parquet(batch_file).select(ARTICLE_COLUMNS)
    target = chunk_path(Path(store), chunk)
    tmp = target.with_name(target.name + f".tmp-{secrets.token_hex(3)}")
    tmp.mkdir(parents=True)
    frames: dict[str, list[pl.DataFrame]] = {t: [] for t in RAW_TABLES}
    for piece in articles_frame.iter_slices(200):  # bounded Python objects: 200 articles at a time
        articles = [Article(**row) for row in piece.iter_rows(named=True)]
        for table, frame in extract_articles(articles, ref, extractor).items():
            frames[table].append(frame)
    version = code_version()
    keys = articles_frame.select("article_id", pl.struct("content_hash", "published_date", "outlet").map_elements(
        lambda a: article_key(a["content_hash"], a["published_date"], a["outlet"], ref.version, version),
        return_dtype=pl.Utf8).alias("extraction_key"))
    keys.write_parquet(tmp / "_articles.parquet")
    counts = {}
    for table in RAW_TABLES:
        frame = pl.concat(frames[table]) if frames[table] else pl.DataFrame()
        # lz4: a chunk is read once by the loader, and lz4 writes in 3/4 of zstd's time (files 1.6x larger)
        frame.with_columns(pl.lit(chunk).alias("_chunk")).write_parquet(tmp / f"{table}.parquet", compression="lz4")
        counts[table] = frame.height
    (tmp / "_done").write_text(f"{articles_frame.height} articles\n")
    os.replace(tmp, target)
    return {"chunk": chunk, "articles": articles_frame.height, "rows": counts, "pid": os.getpid(),
            "seconds": round(time.perf_counter() - started, 3)}


def write_assignments(con: duckdb.DuckDBPyConnection, store: Path, plan_: Plan, new_chunks: dict[str, list[str]]) -> None:
    """The temp table _assign(article_id, chunk): where each current article's rows are, reused or new."""
    con.execute("CREATE OR REPLACE TEMP TABLE _new_assign (article_id VARCHAR, chunk VARCHAR)")
    pairs = [[article_id, chunk] for chunk, ids in new_chunks.items() for article_id in ids]
    if pairs:
        con.register("_new_assign_rows", pl.DataFrame(pairs, schema={"article_id": pl.Utf8, "chunk": pl.Utf8},
                                                     orient="row").to_arrow())
        con.execute("INSERT INTO _new_assign SELECT * FROM _new_assign_rows")
        con.unregister("_new_assign_rows")
    params = {"ref": plan_.reference_version, "code": plan_.code_version}
    if {"article_id", "extraction_key", "chunk"} <= _log_columns(con):
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _assign AS
            SELECT article_id, chunk FROM _new_assign
            UNION ALL
            SELECT a.article_id, l.chunk FROM raw_articles a
            JOIN {LOG_TABLE} l ON l.article_id = a.article_id AND l.extraction_key = {_KEY_SQL}
                              AND l.chunk IN (SELECT chunk FROM _valid_chunks)
            WHERE a.article_id NOT IN (SELECT article_id FROM _new_assign)""", params)
    else:
        con.execute("CREATE OR REPLACE TEMP TABLE _assign AS SELECT article_id, chunk FROM _new_assign")
    missing = con.execute("SELECT count(*) FROM raw_articles ANTI JOIN _assign USING (article_id)").fetchone()[0]
    if missing:
        raise RuntimeError(f"{missing} articles have no extraction: a worker's chunk is missing")


def _chunk_files(con, store: Path, table: str) -> list[str]:
    chunks = [c for (c,) in con.execute("SELECT DISTINCT chunk FROM _assign ORDER BY 1").fetchall()]
    return [str(chunk_path(store, c) / f"{table}.parquet") for c in chunks]


def _rows_sql(files: list[str]) -> str:
    return (f"SELECT r.* EXCLUDE (_chunk) FROM read_parquet([{_parquet_list(files)}]) r "
            f"SEMI JOIN _assign s ON r.article_id = s.article_id AND r._chunk = s.chunk")


# The tables an incremental load updates in place: the rows of articles that changed or left are deleted, the
# new chunks' rows inserted, and the corpus-level passes (sitrep/corpus_passes.py) redo only what those articles
# touch, instead of rewriting millions of unchanged rows.
PER_ARTICLE_TABLES = RAW_TABLES        # extraction output as is: the fact tables' rows plus unresolved_raw
DELTA_TABLES = PER_ARTICLE_TABLES + CORPUS_TABLES + (LOG_TABLE,)
KEYS = {"fact_events": "event_id", "fact_casualty_claims": "claim_id", "fact_control_changes": "change_id",
        "fact_control_observations": "observation_id"}


def _parquet_list(files: list[str]) -> str:
    return ", ".join("'" + f.replace("'", "''") + "'" for f in files)


def _insert_new_rows(con, store: Path, new_chunks: dict[str, list[str]]) -> None:
    """The rows of the articles extracted in this run, from their new chunks, into every per-article table."""
    for table in PER_ARTICLE_TABLES:
        files = [str(chunk_path(store, c) / f"{table}.parquet") for c in sorted(new_chunks)]
        if files:
            con.execute(f'INSERT INTO "{table}" BY NAME SELECT r.* EXCLUDE (_chunk) FROM read_parquet([{_parquet_list(files)}]) r '
                        f'SEMI JOIN _new_assign s ON r.article_id = s.article_id AND r._chunk = s.chunk')


def _rebuild(con, store: Path) -> None:
    """Every table dropped, recreated from sql/tables and filled from the current articles' chunks."""
    has_rows = con.execute("SELECT count(*) FROM _assign").fetchone()[0] > 0
    for table in DELTA_TABLES:
        wh._drop_any(con, table)
        con.execute(wh.table_ddl(table))
        if has_rows and table in PER_ARTICLE_TABLES:
            con.execute(f'INSERT INTO "{table}" BY NAME {_rows_sql(_chunk_files(con, store, table))}')


def _update_log(con, plan_: Plan, articles: str) -> None:
    """Log rows for `articles` (a table of article_id: the new ones, or all) from raw_articles and _assign; the
    rows already there keep their key and chunk, and take the source file the article now comes from."""
    con.execute(f"INSERT INTO {LOG_TABLE} BY NAME SELECT a.article_id, a.source_file, a.published_date, a.content_hash, "
                f"{_KEY_SQL} AS extraction_key, $ref AS reference_version, $code AS code_version, s.chunk "
                f"FROM raw_articles a JOIN _assign s USING (article_id) SEMI JOIN {articles} USING (article_id)",
                {"ref": plan_.reference_version, "code": plan_.code_version})
    con.execute(f"UPDATE {LOG_TABLE} l SET source_file = a.source_file FROM raw_articles a "
                f"WHERE a.article_id = l.article_id AND a.source_file <> l.source_file")


def load_facts(con: duckdb.DuckDBPyConnection, store: Path, plan_: Plan, new_chunks: dict[str, list[str]], ref) -> dict[str, int]:
    """The single writer: the fact tables made equal to the current articles' chunks, the corpus-level
    passes applied over all of them, and the extraction log updated, in one transaction.

    When the previous log is there and every table has the DDL's columns and constraints, the rows of reused
    articles stay (they were loaded from the very chunks the log names, in the transaction that wrote the log)
    and only the rows of the articles that changed or left (`_gone`) are deleted and the new ones inserted;
    every other case drops and recreates the tables from sql/tables, as a full rebuild does."""
    had_log = {"article_id", "extraction_key", "chunk"} <= _log_columns(con)
    write_assignments(con, store, plan_, new_chunks)
    con.execute("CREATE OR REPLACE TEMP TABLE _reused AS SELECT article_id FROM _assign "
                "WHERE article_id NOT IN (SELECT article_id FROM _new_assign)")
    reused = con.execute("SELECT count(*) FROM _reused").fetchone()[0]
    incremental = had_log and reused and wh.matches_ddl(con, *DELTA_TABLES)
    with wh.transaction(con, FACT_TABLES):
        if incremental:
            con.execute(f"CREATE OR REPLACE TEMP TABLE _gone AS SELECT article_id FROM {LOG_TABLE} ANTI JOIN _reused "
                        f"USING (article_id)")
            if con.execute("SELECT count(*) FROM _gone").fetchone()[0]:  # else skip scanning millions of rows
                record_event_changes(con, "article_id IN (SELECT article_id FROM _gone)")
                for table in PER_ARTICLE_TABLES + (LOG_TABLE,):
                    con.execute(f'DELETE FROM "{table}" WHERE article_id IN (SELECT article_id FROM _gone)')
            _insert_new_rows(con, store, new_chunks)
            record_event_changes(con, "article_id IN (SELECT article_id FROM _new_assign)")
        else:
            _rebuild(con, store)
            forget_event_changes(con)
        for table, key in KEYS.items():
            wh.require_unique(con, table, key)
        apply_corpus_passes(con, ref, kept="_reused" if incremental else None)
        if incremental:
            record_event_changes(con, "event_id IN (SELECT event_id FROM _inferred)")
        _update_log(con, plan_, "_new_assign" if incremental else "_assign")
    return {table: con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in FACT_TABLES}


def collect_garbage(con: duckdb.DuckDBPyConnection, store: Path, max_age: float = GC_AGE_SECONDS) -> int:
    """Delete chunks the log no longer refers to (older than max_age: a younger one may be a running
    job's). Deleting a chunk that is still referred to would only cost re-extraction."""
    root = store / "chunks"
    if not root.is_dir():
        return 0
    keep = {c for (c,) in con.execute(f"SELECT DISTINCT chunk FROM {LOG_TABLE}").fetchall()} \
        if LOG_TABLE in {n for (n,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()} else set()
    now, removed = time.time(), 0
    for entry in root.iterdir():
        name = entry.name.split(".tmp-")[0]
        try:
            old = now - entry.stat().st_mtime > max_age
        except FileNotFoundError:
            continue
        if name not in keep and old:
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    batches = store / "batches"
    if batches.is_dir():
        for entry in batches.iterdir():
            try:
                if now - entry.stat().st_mtime > max_age:
                    shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink(missing_ok=True)
            except FileNotFoundError:
                pass
    return removed


def run_local_workers(jobs: list[tuple], workers: int) -> list[dict]:
    """Run extract_chunk jobs in `workers` child processes (sitrep.workers), jobs dealt round-robin."""
    from sitrep.workers import run_jobs
    return run_jobs("sitrep.extraction_store:extract_chunk", jobs, workers)
