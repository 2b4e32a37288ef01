"""Resources: where the articles come from and where the warehouse goes, from the environment.

SITREP_ARTICLES and SITREP_WAREHOUSE point the same code at other data.
SITREP_LOCK_WAIT_SECONDS overrides how long a writer waits for the warehouse (default 120 s).
"""

import logging
import os
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr

from sitrep import warehouse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ARTICLES = PROJECT_ROOT / "seeds" / "articles"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse.duckdb"
log = logging.getLogger("sitrep.warehouse")


def articles_dir_from_env() -> str:
    return str(Path(os.environ.get("SITREP_ARTICLES") or DEFAULT_ARTICLES).resolve())


def warehouse_path_from_env() -> str:
    return str(Path(os.environ.get("SITREP_WAREHOUSE") or DEFAULT_WAREHOUSE).resolve())


def lock_wait_from_env(default: float) -> float:
    value = os.environ.get("SITREP_LOCK_WAIT_SECONDS")
    return float(value) if value else default


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file, written copy-on-write.

    Within a run, the first write stages a copy of the warehouse (sitrep.warehouse.StagedWrite);
    every later connection of that run, reads included, uses the copy, and the copy replaces the
    warehouse atomically when the run's steps are done. So other readers see the whole previous
    run until the whole new one is in, and a run killed midway (even by SIGKILL) changes nothing.
    Outside a run (a check called directly), each write is its own staged copy, and reads open
    the warehouse read-only.
    """

    path: str
    lock_wait_seconds: float = 120.0
    _staged: "warehouse.StagedWrite | None" = PrivateAttr(default=None)
    _in_run: bool = PrivateAttr(default=False)
    _refused: "warehouse.WarehouseError | None" = PrivateAttr(default=None)

    @property
    def wait_seconds(self) -> float:
        return lock_wait_from_env(self.lock_wait_seconds)

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext):
        self._in_run = True
        try:
            yield self
        except BaseException:  # the run itself was interrupted: publish nothing
            if self._staged is not None:
                self._staged.discard()
            raise
        else:
            if self._staged is not None:
                self._staged.publish()
                log.info("published the run's warehouse to %s", self.path)
        finally:
            self._staged = None
            self._in_run = False
            self._refused = None

    @contextmanager
    def connect(self, read_only: bool = False):
        if self._in_run and (self._staged is not None or not read_only):
            if self._refused is not None:  # one wait per run, not one per step
                raise type(self._refused)(str(self._refused))
            if self._staged is None:
                try:
                    self._staged = warehouse.StagedWrite(self.path, self.wait_seconds).begin()
                except warehouse.WarehouseError as error:
                    self._refused = error
                    raise
            cursor = self._staged.cursor()
            try:
                yield cursor
            finally:
                cursor.close()
            return
        with warehouse.connect(self.path, read_only=read_only, wait_seconds=self.wait_seconds) as con:
            yield con


class ArticlesFolderResource(dg.ConfigurableResource):
    """The folder of input articles (txt, html, json, jsonl, csv corpora, optional manifest.csv)."""

    path: str
