-- Every input (file or corpus row) that was not ingested, with the reason.
CREATE TABLE IF NOT EXISTS rejected_inputs (
    source_file VARCHAR NOT NULL,
    row_ref     VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL,
    detail      VARCHAR NOT NULL
);
