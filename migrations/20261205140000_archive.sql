-- The evidence archive (issue 16): every response an audit read, kept in WARC 1.1 files beside
-- the database, indexed here like a CDX file so a record is found by URL and read at its offset.
-- A capture is one audit's file; its rows are written in the transaction that finishes it, after
-- the file is complete, synced and renamed into place, so no row points at a missing or
-- half-written record.

CREATE TABLE archive_captures (
    id           INTEGER PRIMARY KEY,
    site_url     TEXT NOT NULL,
    as_of        TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    finished_at  TEXT NOT NULL,
    -- Path of the WARC file, relative to the archive folder.
    file         TEXT NOT NULL UNIQUE,
    bytes        INTEGER NOT NULL,
    records      INTEGER NOT NULL,
    -- Bodies left out because the capture reached archive.max_site_bytes.
    bodies_skipped INTEGER NOT NULL DEFAULT 0,
    -- The check the capture belongs to, set in the transaction that stores the check.
    check_id     INTEGER REFERENCES checks(id) ON DELETE SET NULL
);
CREATE INDEX archive_captures_check ON archive_captures(check_id);

-- One row per HTTP exchange (redirect hops and retries each have one), in the order made.
CREATE TABLE archive_records (
    id           INTEGER PRIMARY KEY,
    capture_id   INTEGER NOT NULL REFERENCES archive_captures(id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    uri          TEXT NOT NULL,
    method       TEXT NOT NULL,
    -- Whether the body was asked for (a page) or not (a link check, HEAD or GET).
    body_read    INTEGER NOT NULL,
    fetched_at   TEXT NOT NULL,
    status       INTEGER,
    -- The failure (JSON of FetchFailure) when no response came.
    failure      TEXT,
    -- 'response', 'revisit' (payload archived before) or 'request' (no response).
    kind         TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    payload_digest TEXT,
    mime         TEXT,
    truncated    INTEGER NOT NULL DEFAULT 0,
    -- This record's gzip member: offset and length in the capture's file.
    offset       INTEGER NOT NULL,
    length       INTEGER NOT NULL,
    -- Where the payload is: this record, or the original a revisit refers to.
    payload_file   TEXT,
    payload_offset INTEGER,
    payload_length INTEGER,
    UNIQUE (capture_id, seq)
);
CREATE INDEX archive_records_uri ON archive_records(uri, fetched_at);

-- The first record of each payload, for deduplication by content hash.
CREATE TABLE archive_payloads (
    digest       TEXT PRIMARY KEY,
    record_id    TEXT NOT NULL,
    uri          TEXT NOT NULL,
    fetched_at   TEXT NOT NULL,
    file         TEXT NOT NULL,
    offset       INTEGER NOT NULL,
    length       INTEGER NOT NULL
);

-- Re-evaluations of archived checks (govaudit reevaluate): the original check is never
-- overwritten; each re-evaluation is kept beside it with the rules it used.
CREATE TABLE evaluations (
    id           INTEGER PRIMARY KEY,
    check_id     INTEGER NOT NULL REFERENCES checks(id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    profile      TEXT NOT NULL,
    rules_dir    TEXT,
    verdict      TEXT NOT NULL CHECK (verdict IN ('pass', 'fail')),
    score        REAL NOT NULL,
    result_json  TEXT NOT NULL
);
CREATE INDEX evaluations_check ON evaluations(check_id);
