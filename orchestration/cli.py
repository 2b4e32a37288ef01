"""`sitrep`: the headless command line. run / eval / report / query, with exit codes that mean something.

Exit codes: 0 success; 1 the run failed (a step or a blocking check); 2 the warehouse is
missing or locked by a writer; 3 the warehouse file is not a readable DuckDB file; 4 the SQL
failed; 64 usage error (argparse's own is 2, so usage is re-mapped to 64 as in sysexits.h).
"""
import argparse
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from orchestration.resources import PROJECT_ROOT

EXIT_OK, EXIT_RUN_FAILED, EXIT_WAREHOUSE, EXIT_UNREADABLE, EXIT_SQL, EXIT_USAGE = 0, 1, 2, 3, 4, 64


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sitrep", description="News articles in, a conflict-event warehouse out.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="run the whole pipeline (the Dagster job sitrep_job) headless")
    run.add_argument("--articles", help="folder of input articles (default: $SITREP_ARTICLES or seeds/articles)")
    run.add_argument("--warehouse", help="DuckDB file to build (default: $SITREP_WAREHOUSE or warehouse.duckdb)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar, only the summary")
    ev = sub.add_parser("eval", help="score extraction against the labelled sets (scripts/eval.py)")
    ev.add_argument("args", nargs=argparse.REMAINDER, help="passed to scripts/eval.py (see its --help)")
    sub.add_parser("report", help="rebuild reports/sitrep.html from the warehouse (asset `report`)")
    query = sub.add_parser("query", help="run read-only SQL against the warehouse")
    query.add_argument("sql", help='e.g. "SELECT * FROM infighting_incidents_monthly LIMIT 5"')
    query.add_argument("--warehouse", help="DuckDB file (default: $SITREP_WAREHOUSE or warehouse.duckdb)")
    query.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    query.add_argument("--limit", type=int, default=50, help="rows to print in table mode (default 50)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    for option, variable in (("articles", "SITREP_ARTICLES"), ("warehouse", "SITREP_WAREHOUSE")):
        if getattr(args, option, None):
            os.environ[variable] = str(Path(getattr(args, option)).resolve())
    if args.command == "run":
        return command_run(progress=not args.no_progress)
    if args.command == "eval":
        return subprocess.call([sys.executable, str(PROJECT_ROOT / "scripts" / "eval.py"), *args.args])
    if args.command == "report":
        return command_report()
    return command_query(args.sql, csv=args.csv, limit=args.limit)


def command_run(progress: bool = True, selection: list[str] | None = None) -> int:
    from orchestration import run as headless
    from orchestration.resources import lock_wait_from_env, warehouse_path_from_env
    from sitrep.warehouse import WarehouseError

    headless.ensure_dagster_home()
    if code := headless.preflight(warehouse_path_from_env(), lock_wait_from_env(120.0)):
        return code
    started = time.monotonic()
    token = uuid.uuid4().hex
    stop = threading.Event()
    watcher = threading.Thread(target=_show_progress, args=(stop, token), daemon=True) if progress else None
    if watcher:
        watcher.start()
    try:
        result = headless.run_pipeline(selection, tags={"sitrep/cli_token": token})
    except WarehouseError as error:
        print(f"sitrep: {error}", file=sys.stderr)
        return headless.EXIT_CODES.get(type(error).__name__, EXIT_RUN_FAILED)
    finally:
        stop.set()
        if watcher:
            watcher.join()
    headless.print_summary(result, time.monotonic() - started)
    return headless.exit_code(result)


def _show_progress(stop: threading.Event, token: str) -> None:
    """A one-line progress bar from the run's own event log: steps finished of steps planned."""
    import dagster as dg

    tty = sys.stderr.isatty()
    last = ""
    with dg.DagsterInstance.get() as instance:
        while not stop.wait(0.5):
            runs = instance.get_runs(filters=dg.RunsFilter(tags={"sitrep/cli_token": token}), limit=1)
            if not runs:
                continue
            run = runs[0]
            events = instance.all_logs(run.run_id)
            planned = {e.step_key for e in events if e.step_key}
            done = {e.step_key for e in events if e.dagster_event and e.dagster_event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED")}
            running = sorted(planned - done)
            width = 30
            filled = int(width * len(done) / max(len(planned), 1))
            line = f"[{'#' * filled}{'.' * (width - filled)}] {len(done)}/{len(planned)} steps  {running[0] if running else ''}"
            if line != last:
                print(("\r" + line.ljust(100)) if tty else line, end="" if tty else "\n", file=sys.stderr, flush=True)
                last = line
    if tty:
        print(file=sys.stderr)


def command_report() -> int:
    return command_run(progress=False, selection=["report"])


def command_query(sql: str, csv: bool, limit: int) -> int:
    import duckdb

    from orchestration.resources import warehouse_path_from_env
    from sitrep.warehouse import WarehouseError, connect

    path = warehouse_path_from_env()
    if not Path(path).exists():
        print(f"sitrep: no warehouse at {path}; run `sitrep run` (or `make run`) first", file=sys.stderr)
        return EXIT_WAREHOUSE
    try:
        with connect(path, read_only=True, wait_seconds=10) as con:
            relation = con.sql(sql)
            frame = relation.pl() if relation is not None else None
    except WarehouseError as error:
        print(f"sitrep: {error}", file=sys.stderr)
        return EXIT_WAREHOUSE
    except duckdb.Error as error:
        print(f"sitrep: query failed: {error}", file=sys.stderr)
        return EXIT_SQL
    if frame is None:
        return EXIT_OK
    if csv:
        sys.stdout.write(frame.write_csv())
    else:
        import polars as pl
        with pl.Config(tbl_rows=limit, tbl_cols=-1, fmt_str_lengths=60, tbl_width_chars=200):
            print(frame.head(limit))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
