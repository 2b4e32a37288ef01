"""Extraction alone, in one process, on fixed corpora: ms per article, and a dump of every output table.

Corpora: the FA-KES articles (seeds/articles/fakes.csv; 785 after ingest drops duplicates) and the ACLED 2018
notes as one document per (notes, date) (../shared/corpus/acled_syria_2018, as `make eval` builds them).
Timing is `extract_articles` (the per-article rules) with a fresh extractor, best of --repeat, wall and CPU
time (on a shared machine CPU time is the steadier). The dump is every table `extract_corpus` returns, sorted
by all columns, as CSV, so two dumps of the same corpora compare byte for byte (`--compare`).

With --floor, also the floor of `make bench` (spaCy's blank English tokenizer and rule-based sentencizer) over
the same bodies, in the same process: the extraction/floor ratio without worker processes or machine load
skewing one side. `--sets bench2000` is the first 2,000 articles of `make bench`'s corpus.

Usage: python scripts/time_extraction.py [--repeat 3] [--dump DIR] [--compare DIR_A DIR_B] [--sets fakes,acled]
       [--shared ../shared] [--floor]
"""
from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
TODAY = dt.date(2026, 11, 25)  # ingest resolves relative dates against today: fixed, so dumps compare


def corpus(name: str, shared: Path = PROJECT.parent / "shared") -> list:
    from sitrep import evaluation as ev
    from sitrep.ingest import read_articles
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if name.startswith("bench"):  # bench2000: the first 2,000 articles of `make bench`'s corpus
            sys.path.insert(0, str(PROJECT / "scripts"))
            from bench import build_corpus
            build_corpus(folder, int(name[5:] or 2000))
        elif name == "fakes":
            shutil.copy(PROJECT / "seeds" / "articles" / "fakes.csv", folder / "fakes.csv")
        else:
            rows = ev.read_csv_rows(shared / "corpus" / "acled_syria_2018" / "acled_syria_2018jan-apr.csv")
            with open(folder / "acled_notes.jsonl", "w", encoding="utf-8") as handle:
                for doc in ev.acled_documents(rows):
                    handle.write(json.dumps({k: doc[k] for k in ("id", "body", "published", "outlet")},
                                            ensure_ascii=False) + "\n")
        return read_articles(folder, today=TODAY).articles


def floor_seconds(texts: list[str]) -> float:
    """CPU seconds of the benchmark's floor over `texts`, as scripts/bench.py measures it."""
    import spacy
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 10_000_000
    started = time.process_time()
    for doc in nlp.pipe(texts, batch_size=256):
        sum(1 for _ in doc.sents)
    return time.process_time() - started


def dump(frames: dict, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for table, df in frames.items():
        df.sort(df.columns, nulls_last=True).write_csv(folder / f"{table}.csv")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="fakes,acled")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--shared", type=Path, default=PROJECT.parent / "shared", help="the shared data folder")
    parser.add_argument("--floor", action="store_true",
                        help="also time the floor: spaCy blank('en') tokenizer + sentencizer over the same bodies")
    parser.add_argument("--dump", type=Path, help="write every table of extract_corpus under DIR/<set>/")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"), help="compare two dumps and exit")
    args = parser.parse_args()
    if args.compare:
        a, b = args.compare
        files = sorted({p.relative_to(a) for p in a.rglob("*.csv")} | {p.relative_to(b) for p in b.rglob("*.csv")})
        differ = [f for f in files if not ((a / f).exists() and (b / f).exists()
                                           and filecmp.cmp(a / f, b / f, shallow=False))]
        print(f"{len(files)} files, {len(differ)} differ" + "".join(f"\n  {f}" for f in differ))
        return 1 if differ else 0
    from sitrep.corpus import extract_articles, extract_corpus
    from sitrep.extract import ArticleExtractor
    from sitrep.reference import load_reference
    ref = load_reference()
    for name in args.sets.split(","):
        articles = corpus(name, args.shared)
        extractor = ArticleExtractor(ref)
        extract_articles(articles[:20], ref, extractor)  # warm the lazily built matchers
        best = best_cpu = float("inf")
        for _ in range(args.repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            extract_articles(articles, ref, ArticleExtractor(ref))
            best = min(best, time.perf_counter() - started)
            best_cpu = min(best_cpu, time.process_time() - started_cpu)
        print(f"{name}: {len(articles)} articles, best of {args.repeat}: {best:.2f} s wall "
              f"({1000 * best / len(articles):.2f} ms/article), {best_cpu:.2f} s CPU "
              f"({1000 * best_cpu / len(articles):.2f} ms/article)", flush=True)
        if args.floor:
            floor_cpu = min(floor_seconds([a.body for a in articles]) for _ in range(args.repeat))
            print(f"{name}: floor {floor_cpu:.2f} s CPU ({1000 * floor_cpu / len(articles):.2f} ms/article); "
                  f"extraction CPU / floor CPU = {best_cpu / floor_cpu:.1f}x", flush=True)
        if args.dump:
            dump(extract_corpus(articles, ref), args.dump / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
