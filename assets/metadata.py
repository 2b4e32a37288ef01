"""Materialization metadata every table asset reports: row count and a preview of the first rows."""

import dagster as dg
import duckdb

PREVIEW_ROWS = 5
_PREVIEW_CHARS = 60


def table_metadata(con: duckdb.DuckDBPyConnection, table: str, extra: dict | None = None) -> dict:
    count = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    preview = con.sql(f'SELECT * FROM "{table}" LIMIT {PREVIEW_ROWS}').pl()
    metadata = {"dagster/row_count": dg.MetadataValue.int(count),
                "preview": dg.MetadataValue.md(markdown_table(preview)),
                "table": dg.MetadataValue.text(table)}
    for key, value in (extra or {}).items():
        metadata[key] = value if isinstance(value, dg.MetadataValue) else dg.MetadataValue.text(str(value)) \
            if not isinstance(value, (int, float)) else value
    return metadata


def markdown_table(frame) -> str:
    """A markdown table of a polars frame, cells cut short so previews stay readable."""
    if frame.height == 0:
        return "_no rows_"
    columns = frame.columns
    def cell(value) -> str:
        text = "" if value is None else str(value)
        text = text.replace("|", "\\|").replace("\n", " ")
        return text if len(text) <= _PREVIEW_CHARS else text[:_PREVIEW_CHARS - 1] + "…"
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.iter_rows()]
    return "\n".join(lines)
