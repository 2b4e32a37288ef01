"""The analyst questions in sql/examples run against a real warehouse and answer with rows.

One warehouse for the session: the real job run in-process on the seed article plus the first 300 FA-KES rows
(enough that every question has an answer in the data; the SOHR-vs-SANA question needs rows 251-300).
"""
import re
from pathlib import Path

import duckdb
import pytest


PROJECT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((PROJECT / "sql" / "examples").glob("*.sql"))


@pytest.fixture(scope="module")
def warehouse(bundled_slice_build) -> Path:
    assert bundled_slice_build.result.success
    return bundled_slice_build.warehouse


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
