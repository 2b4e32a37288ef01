"""make eval: run the pipeline on each labelled set and score the warehouse it writes.

Sets: seed (gold codings, ANNOTATION.md), acled (ACLED 2018 notes as documents), fakes (FA-KES
article labels). Labelled data stays in ../shared (or $SITREP_SHARED); inputs are built in a temp
folder that is deleted afterwards. A set whose files are absent is skipped with a line saying so.

Usage: python scripts/eval.py [--sets seed,acled,fakes] [--sample 50] [--limit N] [--out eval_results]
Writes <out>/eval.json (every figure, timestamps, git commit) and <out>/errors_<set>.jsonl.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import polars as pl

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from sitrep import evaluation as ev  # noqa: E402
from sitrep.reference import load_reference  # noqa: E402

SETS = ("seed", "acled", "fakes")
TABLES = ("raw_articles", "rejected_inputs", "fact_events", "fact_casualty_claims", "fact_control_changes")
ACLED_FILE = Path("corpus/acled_syria_2018/acled_syria_2018jan-apr.csv")
FAKES_FILE = Path("corpus/fakes/fakes.csv")


class SetSkipped(Exception):
    """The set's labelled files are absent."""


class PipelineFailed(RuntimeError):
    """orchestration.run exited non-zero and left no fact tables to score."""


def shared_dir() -> Path:
    return Path(os.environ.get("SITREP_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT, capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


# ---------------------------------------------------------------- the pipeline, headless

def run_pipeline(articles: Path, workdir: Path) -> tuple[dict[str, pl.DataFrame], list[str]]:
    """Run orchestration.run on a folder into a fresh warehouse and DAGSTER_HOME; return its tables
    and notes (a non-zero exit with tables written is noted, not fatal)."""
    env = {**os.environ, "SITREP_ARTICLES": str(articles), "SITREP_WAREHOUSE": str(workdir / "warehouse.duckdb"),
           "DAGSTER_HOME": str(workdir / "dagster_home")}
    (workdir / "dagster_home").mkdir(exist_ok=True)
    (workdir / "dagster_home" / "dagster.yaml").touch()
    proc = subprocess.run([sys.executable, "-m", "orchestration.run"], cwd=PROJECT, env=env,
                          capture_output=True, text=True)
    notes = []
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        notes.append(f"orchestration.run exited {proc.returncode}: {tail}")
    try:
        return read_tables(workdir / "warehouse.duckdb"), notes
    except (duckdb.Error, OSError) as err:
        raise PipelineFailed("; ".join(notes) or str(err)) from err


# Rows in a fixed order: scoring pairs events greedily in the order it gets them, and a table scan's order varies
# from run to run (two events of one cue, at two places, share their sentence and offset).
ORDER = {"raw_articles": "article_id", "rejected_inputs": "source_file, row_ref, reason",
         "fact_events": "article_id, sentence_idx, char_start, event_id",
         "fact_casualty_claims": "article_id, sentence_idx, char_start, claim_id",
         "fact_control_changes": "article_id, sentence_idx, char_start, change_id"}


def read_tables(path: Path) -> dict[str, pl.DataFrame]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {t: con.sql(f'SELECT * FROM "{t}" ORDER BY {ORDER[t]}').pl() for t in TABLES}


def rejection_notes(tables: dict[str, pl.DataFrame]) -> list[str]:
    rejected = tables["rejected_inputs"]
    if not rejected.height:
        return []
    counts = rejected.group_by("reason").len().sort("len", descending=True)
    return ["inputs not ingested: " + ", ".join(f"{r['len']} {r['reason']}" for r in counts.to_dicts())]


# ---------------------------------------------------------------- sets

def seed_set(shared: Path, ref, limit: int | None, workdir: Path) -> dict:
    """Every gold coding's article through the pipeline, scored event by event."""
    golds = ev.find_gold_files([shared / "gold", PROJECT / "tests"])
    found = [(g, ev.gold_article_file(g, [shared / "seeds", PROJECT / "seeds" / "articles"])) for g in golds]
    found = [(g, path) for g, path in found if path is not None][:limit]
    if not found:
        raise SetSkipped("no *.gold.yaml with its article file found")
    folder = workdir / "articles"
    folder.mkdir()
    with open(folder / "manifest.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "published"])
        for gold, path in found:
            shutil.copy(path, folder / path.name)
            writer.writerow([path.name, gold.get("published") or ""])
    tables, notes = run_pipeline(folder, workdir)
    scores = []
    for gold, path in found:
        ids = tables["raw_articles"].filter(pl.col("source_file") == path.name)["article_id"].to_list()
        if not ids:
            notes.append(f"{path.name} was not ingested")
        keep = pl.col("article_id").is_in(ids)
        scores.append(ev.score_seed(gold, tables["fact_events"].filter(keep), tables["fact_casualty_claims"].filter(keep),
                                    tables["fact_control_changes"].filter(keep), ref))
    metrics = [ev.figure("gold articles", len(found))] + ev.seed_metrics(scores)
    return {"metrics": metrics, "errors": [e for s in scores for e in s["errors"]], "notes": notes + rejection_notes(tables),
            "details": {"pairs": {g["article"]: s["pairs"] for (g, _), s in zip(found, scores)}}}


def acled_set(shared: Path, ref, limit: int | None, workdir: Path) -> dict:
    """ACLED notes as one-document-per-(notes, date) input; the rows sharing it are its gold events."""
    path = shared / ACLED_FILE
    if not path.is_file():
        raise SetSkipped(f"{path} not found")
    rows = ev.read_csv_rows(path)
    docs = ev.acled_documents(rows)[:limit]
    folder = workdir / "articles"
    folder.mkdir()
    with open(folder / "acled_notes.jsonl", "w", encoding="utf-8") as handle:
        for doc in docs:
            record = {k: doc[k] for k in ("id", "body", "published", "outlet")}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    tables, notes = run_pipeline(folder, workdir)
    article_of = dict(zip(tables["raw_articles"]["external_id"], tables["raw_articles"]["article_id"]))
    ingested = [d for d in docs if d["id"] in article_of]
    events_by_doc: dict[str, list[dict]] = {}
    doc_of = {a: d for d, a in article_of.items()}
    for event in tables["fact_events"].to_dicts():  # already in ORDER (read_tables)
        events_by_doc.setdefault(doc_of.get(event["article_id"]), []).append(event)
    result = ev.score_acled(ingested, events_by_doc, ref)
    dates_agree = sum(d["date_forms_agree"] for d in docs)
    result["metrics"] = ([ev.rate("documents ingested", len(ingested), len(docs)),
                          ev.rate("event_date text agrees with event_date_iso", dates_agree, len(docs))]
                         + result["metrics"] + ev.gazetteer_coverage(rows, ref))
    result["notes"] = notes + rejection_notes(tables) + [
        "event recall/precision pair extracted events with ACLED rows one-to-one within a document "
        "(same place first, then same governorate); infighting is scored over documents and over matched events"]
    result["details"] = {"unresolved_acled_locations": ev.unresolved_locations(rows, ref)}
    return result


def fakes_set(shared: Path, ref, limit: int | None, workdir: Path) -> dict:
    """FA-KES articles through the pipeline, scored against their per-article labels."""
    path = shared / FAKES_FILE
    if not path.is_file():
        raise SetSkipped(f"{path} not found")
    labels = ev.read_csv_rows(path)[:limit]
    folder = workdir / "articles"
    folder.mkdir()
    if limit is None:
        shutil.copy(path, folder / "fakes.csv")
    else:
        with open(folder / "fakes.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(labels[0]))
            writer.writeheader()
            writer.writerows(labels)
    tables, notes = run_pipeline(folder, workdir)
    result = ev.score_fakes(labels, tables["raw_articles"], tables["fact_events"], tables["fact_casualty_claims"], ref)
    result["metrics"].insert(0, ev.rate("articles ingested", tables["raw_articles"].height, len(labels)))
    result["notes"] = notes + rejection_notes(tables) + [
        "civilians killed: 'events' sums fatalities_best over events whose actor2 side is civilians; "
        "'claims' sums, per event, the largest killed count among claims about civilians/children/women"]
    return result


SET_RUNNERS = {"seed": seed_set, "acled": acled_set, "fakes": fakes_set}


def run_set(name: str, shared: Path, ref, limit: int | None) -> dict:
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix=f"sitrep-eval-{name}-"))
    try:
        result = SET_RUNNERS[name](shared, ref, limit, workdir)
    except SetSkipped as why:
        return {"skipped": str(why)}
    except PipelineFailed as why:
        return {"failed": str(why), "runtime_seconds": round(time.monotonic() - started, 1)}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result["runtime_seconds"] = round(time.monotonic() - started, 1)
    return result


# ---------------------------------------------------------------- output

def format_value(row: dict) -> tuple[str, str]:
    value = row["value"]
    shown = "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)
    n = "" if row["n"] is None else (f"{row['hits']}/{row['n']}" if row["hits"] is not None else str(row["n"]))
    return shown, n


def print_set(name: str, result: dict) -> None:
    if "skipped" in result:
        print(f"\n== {name}: skipped ({result['skipped']})")
        return
    if "failed" in result:
        print(f"\n== {name}: FAILED after {result['runtime_seconds']}s\n{result['failed']}")
        return
    print(f"\n== {name} ({result['runtime_seconds']}s)")
    width = max(len(r["metric"]) for r in result["metrics"])
    print(f"{'metric':<{width}}  {'value':>8}  n")
    for row in result["metrics"]:
        value, n = format_value(row)
        print(f"{row['metric']:<{width}}  {value:>8}  {n}")
    counts = ev.error_counts(result["errors"])
    if counts:
        print("largest error classes:")
        for cls, count in counts[:8]:
            print(f"  {count:>6}  {cls}")
    for note in result.get("notes", []):
        print(f"note: {note}")


def write_outputs(out: Path, results: dict, sample: int, options: dict, started: dt.datetime) -> None:
    out.mkdir(parents=True, exist_ok=True)
    summary = {"started_at": started.isoformat(timespec="seconds"),
               "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
               "git_commit": git_commit(), "options": options, "sets": {}}
    for name, result in results.items():
        entry = {k: v for k, v in result.items() if k != "errors"}
        if "errors" in result:
            entry["errors_total"] = len(result["errors"])
            entry["error_classes"] = ev.error_counts(result["errors"])
            errors_file = out / f"errors_{name}.jsonl"
            with open(errors_file, "w", encoding="utf-8") as handle:
                for record in ev.sample_errors(result["errors"], sample):
                    handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            entry["errors_file"] = str(errors_file)
        summary["sets"][name] = entry
    (out / "eval.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False, default=str), encoding="utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated: seed,acled,fakes (default all)")
    parser.add_argument("--sample", type=int, default=50, help="errors to dump per set (default 50)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N documents of each set")
    parser.add_argument("--out", type=Path, default=PROJECT / "eval_results", help="output folder")
    args = parser.parse_args(argv)
    args.sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = [s for s in args.sets if s not in SETS]
    if unknown:
        parser.error(f"unknown set(s) {unknown}; choose from {', '.join(SETS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = dt.datetime.now(dt.timezone.utc)
    shared, ref = shared_dir(), load_reference()
    print(f"sitrep eval: shared data {shared}{'' if shared.is_dir() else ' (absent)'}, reference {ref.version}")
    results = {}
    for name in args.sets:
        results[name] = run_set(name, shared, ref, args.limit)
        print_set(name, results[name])
    options = {"sets": args.sets, "sample": args.sample, "limit": args.limit, "shared": str(shared),
               "reference_version": ref.version}
    write_outputs(args.out, results, args.sample, options, started)
    print(f"\nwrote {args.out / 'eval.json'}")
    return 1 if any("failed" in r for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
