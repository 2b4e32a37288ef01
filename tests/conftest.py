"""Shared fixtures: the real seed article and reference data, extracted once per session."""
import csv
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from sitrep.corpus import extract_corpus
from sitrep.ingest import read_articles
from sitrep.reference import load_reference

PROJECT = Path(__file__).resolve().parent.parent
SEED_FILE = PROJECT / "seeds" / "articles" / "000_af55ad7c63556384.txt"
SHARED = PROJECT.parent / "shared"
FAKES = PROJECT / "seeds" / "articles" / "fakes.csv"
SLICE_ROWS = 300  # enough FA-KES rows for every example query, chart and export to have data


@pytest.fixture(scope="session")
def reference():
    return load_reference()


@pytest.fixture(scope="session")
def seed_folder(tmp_path_factory) -> Path:
    """A folder holding only the seed article and its manifest line."""
    folder = tmp_path_factory.mktemp("seed_articles")
    shutil.copy(SEED_FILE, folder / SEED_FILE.name)
    (folder / "manifest.csv").write_text(f"file,published,outlet,url\n{SEED_FILE.name},2013-11-13,Arutz Sheva,\n")
    return folder


@pytest.fixture(scope="session")
def seed_facts(seed_folder, reference):
    result = read_articles(seed_folder)
    assert len(result.articles) == 1
    return result.articles[0], extract_corpus(result.articles, reference)


def write_fakes_slice(folder: Path, rows: int) -> Path:
    """The first `rows` FA-KES articles (header kept) as a corpus file in `folder`."""
    table = list(csv.reader(io.StringIO(FAKES.read_text(encoding="utf-8"))))
    out = io.StringIO()
    csv.writer(out).writerows(table[:rows + 1])
    path = folder / "fakes_slice.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Build:
    warehouse: Path
    reports: Path
    exports: Path
    result: dg.ExecuteInProcessResult


@pytest.fixture(scope="session")
def bundled_slice_build(tmp_path_factory, seed_folder) -> Build:
    """The whole job run once, in-process, on the seed article plus the first FA-KES rows."""
    folder = tmp_path_factory.mktemp("slice_articles")
    for path in seed_folder.iterdir():
        shutil.copy(path, folder / path.name)
    write_fakes_slice(folder, SLICE_ROWS)
    from orchestration.definitions import build_defs

    warehouse = tmp_path_factory.mktemp("slice_wh") / "warehouse.duckdb"
    reports, exports = tmp_path_factory.mktemp("slice_reports"), tmp_path_factory.mktemp("slice_exports")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SITREP_REPORTS", str(reports))
        env.setenv("SITREP_EXPORTS", str(exports))
        result = build_defs(str(warehouse), str(folder)).resolve_job_def("sitrep_job").execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    return Build(warehouse, reports, exports, result)
