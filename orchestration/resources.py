"""Resources: where the articles come from and where the warehouse goes, from the environment.

SITREP_ARTICLES and SITREP_WAREHOUSE point the same code at other data.
"""

import os
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

from sitrep import warehouse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ARTICLES = PROJECT_ROOT / "seeds" / "articles"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse.duckdb"


def articles_dir_from_env() -> str:
    return str(Path(os.environ.get("SITREP_ARTICLES") or DEFAULT_ARTICLES).resolve())


def warehouse_path_from_env() -> str:
    return str(Path(os.environ.get("SITREP_WAREHOUSE") or DEFAULT_WAREHOUSE).resolve())


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file. Writers wait for DuckDB's single-writer lock with backoff."""

    path: str
    lock_wait_seconds: float = 120.0

    @contextmanager
    def connect(self, read_only: bool = False):
        with warehouse.connect(self.path, read_only=read_only, wait_seconds=self.lock_wait_seconds) as con:
            yield con


class ArticlesFolderResource(dg.ConfigurableResource):
    """The folder of input articles (txt, html, json, jsonl, csv corpora, optional manifest.csv)."""

    path: str
