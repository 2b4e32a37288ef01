"""make bench: sitrep at news-feed scale, measured, appended to BENCHMARKS.md.

For each N (default 1,000, 10,000 and 100,000):
- builds a corpus of N articles deterministically from the bundled FA-KES articles: new ids, publication
  dates spread over 2011-2024, light text variation so deduplication does not collapse it; CSV files of
  1,000 articles each (one file = one slice an incremental run can add or reprocess);
- runs the real pipeline headless (`python -m orchestration.run`, the job `make run` runs) into a fresh
  warehouse and records wall time, articles/s, time per step (from the run's Dagster event log) and the
  peak RSS of the whole process tree (the run and its extraction workers, polled every 50 ms);
- drops one new file (100 articles) into the folder and runs facts_and_views_job, the run the articles sensor
  starts (facts and views), then outputs_job (exports and report, which follow off the freshness path), and
  times the warehouse's staged copy and swap alone (StagedWrite begin + publish, no writes);
- times the floor: spaCy's blank English tokenizer plus its rule-based sentencizer over the same texts
  in one process, and prints extraction time / floor time (extraction wall time with the run's workers,
  and extraction CPU time summed over workers);
then, on a warehouse of 10 million events resampled from the real events of the largest run, times the
refresh of each materialized table (sql/materialized, pipeline time) and the full read of each view of
sql/views, and appends the tables to BENCHMARKS.md with the core count and date.

Usage: python scripts/bench.py [--sizes 1000,10000,100000] [--view-events 10000000] [--no-views]
       [--views-from WAREHOUSE]   (only the views, resampled from this warehouse: no runs)
       [--keep DIR] [--profile N]   (--profile: pyinstrument over the extraction of N articles, in process)
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

FAKES = PROJECT / "seeds" / "articles" / "fakes.csv"
START, END = dt.date(2011, 1, 1), dt.date(2024, 12, 31)
PER_FILE = 1000
BENCHMARKS = PROJECT / "BENCHMARKS.md"


# ---------------------------------------------------------------- corpus
def _fakes_rows() -> list[dict]:
    return list(csv.DictReader(io.StringIO(FAKES.read_text(encoding="utf-8"))))


def article_row(rows: list[dict], i: int) -> list[str]:
    """Article i of the bench corpus: FA-KES row i mod 804 with a new id, a date in 2011-2024 and a variation."""
    from sitrep.ingest import DATE_RE
    base, copy = rows[i % len(rows)], i // len(rows)
    body = base["article_content"]
    if m := DATE_RE.match(body[:100]):  # the leading dateline would override the new date
        body = body[m.end():].lstrip()
    if copy % 2:
        body = body.replace(" said ", " stated ", 1)
    body += f" Archive copy {i}."
    day = START + dt.timedelta(days=(i * 7919) % ((END - START).days + 1))
    return [f"bench-{i:07d}", base["article_title"], body, base["source"], f"{day.month}/{day.day}/{day.year}"]


def write_file(path: Path, rows: list[dict], ids: range) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit_id", "article_title", "article_content", "source", "date"])
        for i in ids:
            writer.writerow(article_row(rows, i))


def build_corpus(folder: Path, n: int) -> Path:
    rows = _fakes_rows()
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, n, PER_FILE):
        write_file(folder / f"bench_{start // PER_FILE:05d}.csv", rows, range(start, min(n, start + PER_FILE)))
    return folder


# ---------------------------------------------------------------- measuring a run
class TreeRss:
    """Peak resident memory of a process and all its descendants, polled in a thread (every 0.2 s: at 0.05 s
    the polling took 3% of a core from the run it measures)."""

    def __init__(self, pid: int, interval: float = 0.2):
        import psutil
        self.root, self.interval, self.peak = psutil.Process(pid), interval, 0
        self.samples: list[tuple[float, int]] = []  # (epoch seconds, bytes): to find the step that peaks
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self):
        import psutil
        while not self._stop.is_set():
            try:
                procs = [self.root] + self.root.children(recursive=True)
                total = 0
                for proc in procs:
                    try:
                        total += proc.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
                self.samples.append((time.time(), total))
            except psutil.Error:
                pass
            self._stop.wait(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_pipeline(articles: Path, warehouse: Path, home: Path, job: str = "sitrep_job") -> dict:
    env = {**os.environ, "SITREP_ARTICLES": str(articles), "SITREP_WAREHOUSE": str(warehouse),
           "DAGSTER_HOME": str(home), "SITREP_REPORTS": str(warehouse.parent / "reports"),
           "SITREP_EXPORTS": str(warehouse.parent / "exports")}
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").touch()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "orchestration.run", "--job", job], cwd=PROJECT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    rss = TreeRss(proc.pid)
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    peak = rss.stop()
    rss_samples = rss.samples
    if proc.returncode != 0:
        raise RuntimeError(f"pipeline exited {proc.returncode}:\n{out[-3000:]}\n{err[-3000:]}")
    run_id = re.search(r"run id\s+(\S+)", out).group(1)
    timing = step_times(home, run_id)
    step_peaks = {step: max((rss for at, rss in rss_samples if start <= at <= end), default=0)
                  for step, (start, end) in timing.pop("windows").items()}
    return {"wall": wall, "peak_rss": peak, "run_id": run_id, "summary": out, "step_peaks": step_peaks, **timing}


def step_times(home: Path, run_id: str) -> dict:
    """Seconds per step and the facts step's metadata, from the run's event log in DAGSTER_HOME."""
    os.environ["DAGSTER_HOME"] = str(home)
    import dagster as dg
    steps, facts, windows, run = {}, {}, {}, {}
    with dg.DagsterInstance.get() as instance:
        starts = {}
        for record in instance.all_logs(run_id):
            event = record.dagster_event
            if event is not None and event.event_type in (dg.DagsterEventType.RUN_START, dg.DagsterEventType.RUN_SUCCESS,
                                                          dg.DagsterEventType.RUN_FAILURE):
                run[event.event_type.name] = record.timestamp
            if event is None or not record.step_key:
                continue
            if event.event_type_value == "STEP_START":
                starts[record.step_key] = record.timestamp
            elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and record.step_key in starts:
                steps[record.step_key] = record.timestamp - starts[record.step_key]
                windows[record.step_key] = (starts[record.step_key], record.timestamp)
            elif event.event_type_value == "ASSET_MATERIALIZATION" and record.step_key == "extracted_facts":
                materialization = event.event_specific_data.materialization
                if materialization.asset_key.to_user_string() == "fact_events":
                    facts = {k: v.value for k, v in materialization.metadata.items()
                             if k.endswith("seconds") or k.startswith("articles_") or k == "extraction_batches"}
    run_seconds = run.get("RUN_SUCCESS", run.get("RUN_FAILURE", 0.0)) - run.get("RUN_START", 0.0)
    return {"steps": steps, "facts": facts, "windows": windows, "run_seconds": run_seconds}


def staged_write_seconds(warehouse: Path) -> tuple[float, float]:
    """(copy, publish) seconds of one staged write that changes nothing: the fixed cost every writing run pays
    for its crash safety (copy the warehouse; checkpoint, fsync and swap it in)."""
    from sitrep.warehouse import StagedWrite
    started = time.perf_counter()
    staged = StagedWrite(warehouse).begin()
    copied = time.perf_counter()
    staged.publish()
    return copied - started, time.perf_counter() - copied


# ---------------------------------------------------------------- floor
def floor_seconds(articles: Path) -> tuple[float, int]:
    """spaCy blank('en') tokenizer + rule-based sentencizer over every body, one process: the floor."""
    import polars as pl
    import spacy
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 10_000_000
    texts = pl.concat([pl.read_csv(path, columns=["article_content"]) for path in sorted(articles.glob("*.csv"))])[
        "article_content"].to_list()
    started = time.perf_counter()
    sentences = 0
    for doc in nlp.pipe(texts, batch_size=256):
        sentences += sum(1 for _ in doc.sents)
    return time.perf_counter() - started, sentences


# ---------------------------------------------------------------- views at 10M events
def build_view_warehouse(source: Path, target: Path, events: int) -> dict:
    """fact_events resampled from the real events of `source` to `events` rows (new ids, dates moved by whole
    weeks within 2011-2024), with claims, control changes and observations resampled in proportion."""
    import duckdb
    target.unlink(missing_ok=True)
    con = duckdb.connect(str(target))
    con.execute(f"ATTACH '{source}' AS src (READ_ONLY)")
    real = con.execute("SELECT count(*) FROM src.fact_events").fetchone()[0]
    copies = -(-events // real)
    started = time.perf_counter()
    from sitrep.warehouse import table_ddl
    for table in ("fact_events", "fact_casualty_claims", "fact_control_changes", "fact_control_observations"):
        con.execute(table_ddl(table))
    span = (END - START).days + 1  # dates wrap around within 2011-2024: no pile-up at either end
    offset = (f"(date_diff('day', DATE '{START}', e.event_date) + CAST(k AS BIGINT) * 7919 "
              f"+ CAST(hash(e.event_id) % 997 AS BIGINT))")
    con.execute(f"""INSERT INTO fact_events BY NAME
        SELECT e.* REPLACE (e.event_id || '-' || k AS event_id, e.article_id || '-' || k AS article_id,
               CAST(DATE '{START}' + CAST((({offset} % {span}) + {span}) % {span} AS INTEGER) AS DATE) AS event_date)
        FROM src.fact_events e CROSS JOIN range({copies}) r(k)
        LIMIT {events}""")
    con.execute(f"""INSERT INTO fact_casualty_claims BY NAME
        SELECT c.* REPLACE (c.claim_id || '-' || k AS claim_id, c.event_id || '-' || k AS event_id,
               c.article_id || '-' || k AS article_id)
        FROM src.fact_casualty_claims c CROSS JOIN range({copies}) r(k)
        SEMI JOIN fact_events f ON f.event_id = c.event_id || '-' || k""")
    con.execute(f"""INSERT INTO fact_control_changes BY NAME
        SELECT c.* REPLACE (c.change_id || '-' || k AS change_id, c.event_id || '-' || k AS event_id,
               c.article_id || '-' || k AS article_id)
        FROM src.fact_control_changes c CROSS JOIN range({copies}) r(k)
        SEMI JOIN fact_events f ON f.event_id = c.event_id || '-' || k""")
    con.execute(f"""INSERT INTO fact_control_observations BY NAME
        SELECT o.* REPLACE (o.observation_id || '-' || k AS observation_id, o.article_id || '-' || k AS article_id)
        FROM src.fact_control_observations o CROSS JOIN range({copies}) r(k)""")
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("fact_events", "fact_casualty_claims", "fact_control_changes", "fact_control_observations")}
    con.execute("DETACH src")
    con.execute("CHECKPOINT")
    con.close()
    return {"counts": counts, "build_seconds": time.perf_counter() - started, "copies": copies}


def time_refresh(path: Path, repeats: int = 2) -> dict[str, float | None]:
    """Seconds each materialized table takes to recompute (the views step's work), best of `repeats`; None for a
    plain view."""
    import duckdb
    from sitrep.warehouse import refresh_views
    con = duckdb.connect(str(path))
    best: dict[str, float | None] = {}
    for _ in range(repeats):
        for name, seconds in refresh_views(con).items():
            best[name] = None if seconds is None else min(seconds, best.get(name) or float("inf"))
    con.execute("CHECKPOINT")
    con.close()
    return best


def time_views(path: Path, repeats: int = 3, timeout: float = 120.0) -> list[tuple[str, float, int | None]]:
    """Each view fully computed inside DuckDB (CREATE TEMP TABLE AS SELECT *), best of `repeats`, warm.
    A view still running after `timeout` seconds is interrupted and reported as such (rows None)."""
    import duckdb
    from sitrep.warehouse import view_files, view_name
    con = duckdb.connect(str(path), read_only=True)
    results = []
    for file in view_files():
        name = view_name(file)
        best, rows = float("inf"), None
        for _ in range(repeats):
            timer = threading.Timer(timeout, con.interrupt)
            timer.start()
            started = time.perf_counter()
            try:
                con.execute(f"CREATE OR REPLACE TEMP TABLE _bench AS SELECT * FROM {name}")
            except duckdb.InterruptException:
                best, rows = timeout, None
                break
            finally:
                timer.cancel()
            best = min(best, time.perf_counter() - started)
            rows = con.execute("SELECT count(*) FROM _bench").fetchone()[0]
            if best > timeout / 4:
                break  # one measurement of a slow view is enough
        results.append((name, best, rows))
    con.close()
    return results


# ---------------------------------------------------------------- profile
def profile_extraction(n: int) -> str:
    """pyinstrument over extract_articles on n bench articles in this process: where extraction spends time."""
    from pyinstrument import Profiler
    from sitrep.corpus import extract_articles
    from sitrep.ingest import read_articles
    from sitrep.reference import load_reference
    with tempfile.TemporaryDirectory() as tmp:
        articles = read_articles(build_corpus(Path(tmp) / "articles", n)).articles
    ref = load_reference()
    extract_articles(articles[:20], ref)  # warm the reference's lazily built matchers
    profiler = Profiler(interval=0.001)
    profiler.start()
    extract_articles(articles, ref)
    profiler.stop()
    return profiler.output_text(unicode=False, color=False, show_all=False)


def hottest_functions(n: int, top: int = 15) -> list[tuple[str, float, float]]:
    """(function, self seconds, % of total) for the functions with the most own time (cProfile)."""
    import cProfile
    import pstats
    from sitrep.corpus import extract_articles
    from sitrep.ingest import read_articles
    from sitrep.reference import load_reference
    with tempfile.TemporaryDirectory() as tmp:
        articles = read_articles(build_corpus(Path(tmp) / "articles", n)).articles
    ref = load_reference()
    extract_articles(articles[:20], ref)
    profile = cProfile.Profile()
    profile.enable()
    extract_articles(articles, ref)
    profile.disable()
    stats = pstats.Stats(profile)
    total = sum(row[2] for row in stats.stats.values())
    rows = sorted(((f"{Path(file).name}:{line} {func}", row[2]) for (file, line, func), row in stats.stats.items()),
                  key=lambda r: -r[1])[:top]
    return [(name, seconds, 100 * seconds / total) for name, seconds in rows]


# ---------------------------------------------------------------- report
def mb(value: int) -> str:
    return f"{value / 1e6:,.0f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--view-events", type=int, default=10_000_000)
    parser.add_argument("--no-views", action="store_true")
    parser.add_argument("--views-from", help="only time the views, on events resampled from this warehouse")
    parser.add_argument("--keep", help="build in this folder and keep it (default: a temp folder, removed)")
    parser.add_argument("--profile", type=int, help="only profile the extraction of this many articles")
    parser.add_argument("--no-write", action="store_true", help="print only; do not append to BENCHMARKS.md")
    args = parser.parse_args()
    if args.profile:
        print(profile_extraction(args.profile))
        print("\nself time (cProfile):")
        for name, seconds, share in hottest_functions(args.profile):
            print(f"  {share:5.1f}%  {seconds:7.2f}s  {name}")
        return 0
    sizes = [] if args.views_from else [int(s) for s in args.sizes.split(",") if s]
    root = Path(args.keep).resolve() if args.keep else Path(tempfile.mkdtemp(prefix="sitrep-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        last_warehouse = None
        for n in sizes:
            work = root / f"n{n}"
            shutil.rmtree(work, ignore_errors=True)
            articles = build_corpus(work / "articles", n)
            warehouse = work / "warehouse.duckdb"
            print(f"== N={n:,}: corpus in {articles}", flush=True)
            full = run_pipeline(articles, warehouse, work / "dagster_home")
            print(f"   full run {full['wall']:.1f}s, peak RSS {mb(full['peak_rss'])}", flush=True)
            write_file(articles / "zz_new.csv", _fakes_rows(), range(n, n + 100))
            incremental = run_pipeline(articles, warehouse, work / "dagster_home", job="facts_and_views_job")
            print(f"   +1 file (100 articles): facts_and_views_job {incremental['wall']:.1f}s wall "
                  f"(run {incremental['run_seconds']:.1f}s), re-extracted "
                  f"{incremental['facts'].get('articles_extracted')}", flush=True)
            outputs = run_pipeline(articles, warehouse, work / "dagster_home", job="outputs_job")
            copy_seconds, publish_seconds = staged_write_seconds(warehouse)
            print(f"   then outputs_job {outputs['wall']:.1f}s; staged copy {copy_seconds:.1f}s + publish "
                  f"{publish_seconds:.1f}s of a {mb(warehouse.stat().st_size)} warehouse", flush=True)
            (articles / "zz_new.csv").unlink()
            floor, sentences = floor_seconds(articles)
            facts = full["facts"]
            extract_wall = facts.get("extract_wall_seconds", float("nan"))
            extract_cpu = facts.get("extract_worker_seconds", float("nan"))
            print(f"   floor (spaCy blank tokenizer + sentencizer, 1 process) {floor:.1f}s for {sentences:,} "
                  f"sentences; extraction {extract_wall:.1f}s wall, {extract_cpu:.1f}s summed over workers", flush=True)
            rows.append({"n": n, "wall": full["wall"], "rate": n / full["wall"], "rss": full["peak_rss"],
                         "floor": floor, "extract_wall": extract_wall, "extract_cpu": extract_cpu,
                         "incremental": incremental["wall"], "inc_rss": incremental["peak_rss"],
                         "inc_run": incremental["run_seconds"], "outputs": outputs["wall"],
                         "staged": (copy_seconds, publish_seconds), "size": warehouse.stat().st_size,
                         "inc_extracted": incremental["facts"].get("articles_extracted"),
                         "steps": full["steps"], "inc_steps": {**incremental["steps"], **outputs["steps"]},
                         "facts": facts,
                         "step_peaks": full["step_peaks"]})
            last_warehouse = warehouse
        views, view_build, refresh = [], None, {}
        source = Path(args.views_from).resolve() if args.views_from else last_warehouse
        if not args.no_views and source is not None:
            view_db = root / "views_10m.duckdb"
            print(f"== views: resampling {args.view_events:,} events from {source}", flush=True)
            view_build = build_view_warehouse(source, view_db, args.view_events)
            refresh = time_refresh(view_db)
            views = time_views(view_db)
            for name, seconds, count in views:
                refreshed = f"refresh {refresh[name] * 1000:8.0f} ms, " if refresh.get(name) is not None else ""
                print(f"   {name:<32} {refreshed}read {seconds * 1000:8.0f} ms  "
                      f"{count if count is not None else 'interrupted'} rows", flush=True)
            view_db.unlink(missing_ok=True)
        text = render(rows, views, view_build, refresh)
        print(text)
        if not args.no_write:
            append(text)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


def render(rows: list[dict], views, view_build, refresh: dict) -> str:
    today = dt.date.today().isoformat()
    lines = [f"### {today}, {os.cpu_count()} cores, `make bench`", ""]
    if rows:
        lines += ["| N articles | wall (ingest to views, Dagster incl.) | articles/s | peak RSS (process tree) | "
                  "extraction wall | extraction CPU (all workers) | floor (spaCy tokenizer + sentencizer, 1 proc) | "
                  "extraction / floor (wall) | extraction CPU / floor | +1 file (100 articles): facts_and_views_job "
                  "(the sensor's run), wall (run itself) | re-extracted | then outputs_job | staged copy + publish "
                  "(warehouse size) |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in rows:
            lines.append(f"| {r['n']:,} | {r['wall']:.1f} s | {r['rate']:.0f} | {mb(r['rss'])} | "
                         f"{r['extract_wall']:.1f} s | {r['extract_cpu']:.1f} s | {r['floor']:.1f} s | "
                         f"{r['extract_wall'] / r['floor']:.1f}x | {r['extract_cpu'] / r['floor']:.1f}x | "
                         f"{r['incremental']:.1f} s ({r['inc_run']:.1f} s) | {r['inc_extracted']} | "
                         f"{r['outputs']:.1f} s | {r['staged'][0]:.1f} + {r['staged'][1]:.1f} s ({mb(r['size'])}) |")
        steps = sorted({s for r in rows for s in r["steps"]})
        lines += ["", "Seconds per step (full run `sitrep_job`; in brackets the `+1 file` runs: facts_and_views_job, "
                      "then outputs_job for the exports and report; peak RSS of the process tree while the step ran, "
                      "full run):", "",
                  "| step | " + " | ".join(f"N={r['n']:,}" for r in rows) + " |",
                  "|---|" + "---:|" * len(rows)]
        for step in steps:
            cells = [f"{r['steps'].get(step, 0):.1f} ({r['inc_steps'].get(step, 0):.1f})"
                     + (f"; {mb(r['step_peaks'][step])}" if r.get("step_peaks", {}).get(step) else "") for r in rows]
            lines.append(f"| {step} | " + " | ".join(cells) + " |")
    if views:
        counts = view_build["counts"]
        lines += ["", f"Views on {counts['fact_events']:,} events ({counts['fact_casualty_claims']:,} claims, "
                      f"{counts['fact_control_changes']:,} control changes, {counts['fact_control_observations']:,} "
                      f"observations; resampled from the real events of the {'given' if not rows else 'largest'} "
                      f"run). Refresh: recomputing the view's table in schema `materialized` (sql/materialized; "
                      f"pipeline time, in the views step), best of 2. Read: the view fully computed "
                      f"(`CREATE TEMP TABLE AS SELECT * FROM view`), warm, best of up to 3:", "",
                  "| view | refresh ms (pipeline) | read ms | rows |", "|---|---:|---:|---:|"]
        for name, seconds, count in sorted(views, key=lambda v: -v[1]):
            refreshed = f"{refresh[name] * 1000:,.0f}" if refresh.get(name) is not None else "- (plain view)"
            if count is None:
                lines.append(f"| {name} | {refreshed} | > {seconds * 1000:,.0f} (interrupted) | - |")
            else:
                lines.append(f"| {name} | {refreshed} | {seconds * 1000:,.0f} | {count:,} |")
        slowest = max(views, key=lambda v: v[1])
        total = sum(v for v in refresh.values() if v is not None)
        lines += ["", f"Slowest view read: `{slowest[0]}` {slowest[1] * 1000:,.0f} ms. Refresh of every materialized "
                      f"table: {total:,.1f} s."]
    return "\n".join(lines) + "\n"


def append(text: str) -> None:
    head = ("# Benchmarks\n\nAppended by `make bench` (scripts/bench.py); earlier rows are kept. "
            "Targets are in issue 5 and the README.\n\n")
    existing = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else head
    BENCHMARKS.write_text(existing.rstrip("\n") + "\n\n" + text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
