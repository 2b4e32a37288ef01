"""The analyst questions in sql/examples run against a real warehouse and answer with rows.

One warehouse per module: the real job run in-process on the seed article plus the first 300 FA-KES rows
(enough that every question has an answer in the data; the SOHR-vs-SANA question needs rows 251-300).
"""
import csv
import io
import re
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.definitions import build_defs

PROJECT = Path(__file__).resolve().parent.parent
FAKES = PROJECT / "seeds" / "articles" / "fakes.csv"
EXAMPLES = sorted((PROJECT / "sql" / "examples").glob("*.sql"))
FAKES_ROWS = 300


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, seed_folder) -> Path:
    folder = tmp_path_factory.mktemp("example_articles")
    for path in seed_folder.iterdir():
        shutil.copy(path, folder / path.name)
    rows = list(csv.reader(io.StringIO(FAKES.read_text(encoding="utf-8"))))
    out = io.StringIO()
    csv.writer(out).writerows(rows[:FAKES_ROWS + 1])
    (folder / "fakes_slice.csv").write_text(out.getvalue(), encoding="utf-8")
    path = tmp_path_factory.mktemp("example_wh") / "warehouse.duckdb"
    outputs = tmp_path_factory.mktemp("example_outputs")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SITREP_REPORTS", str(outputs / "reports"))
        env.setenv("SITREP_EXPORTS", str(outputs / "exports"))
        result = build_defs(str(path), str(folder)).resolve_job_def("sitrep_job").execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    assert result.success
    return path


def test_there_are_twelve_numbered_examples():
    assert len(EXAMPLES) == 12
    assert [p.name[:2] for p in EXAMPLES] == [f"{i:02d}" for i in range(1, 13)]
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+\.sql", p.name) for p in EXAMPLES)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_states_its_question_and_how_to_read_the_answer(path):
    text = path.read_text(encoding="utf-8")
    header = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        header.append(line)
    comment = "\n".join(header)
    assert comment.startswith("-- Question:"), path.name
    assert "How to read the answer:" in comment, path.name


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_is_one_read_only_query_that_returns_rows(warehouse, path):
    sql = path.read_text(encoding="utf-8")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        statements = con.extract_statements(sql)
        assert len(statements) == 1 and statements[0].type == duckdb.StatementType.SELECT, path.name
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    assert rows, f"{path.name} returned no rows"
    assert len(columns) == len(set(columns)), f"{path.name} has duplicate column names"
