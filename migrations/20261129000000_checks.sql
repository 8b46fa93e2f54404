-- Every single-site check (govaudit check), with its findings, column table and request log.
-- Forward-only; later schema changes get their own file.

CREATE TABLE sites (
    id          INTEGER PRIMARY KEY,
    url         TEXT NOT NULL UNIQUE,
    name        TEXT,
    created_at  TEXT NOT NULL
);

CREATE TABLE checks (
    id             INTEGER PRIMARY KEY,
    site_id        INTEGER NOT NULL REFERENCES sites(id),
    url            TEXT NOT NULL,
    profile        TEXT NOT NULL,
    as_of          TEXT NOT NULL,
    started_at     TEXT NOT NULL,
    finished_at    TEXT NOT NULL,
    verdict        TEXT NOT NULL CHECK (verdict IN ('pass', 'fail')),
    score          REAL NOT NULL,
    pages_fetched  INTEGER NOT NULL,
    links_checked  INTEGER NOT NULL,
    footer_json    TEXT NOT NULL,
    observation_json TEXT NOT NULL
);
CREATE INDEX checks_site ON checks(site_id, as_of);

CREATE TABLE findings (
    id             INTEGER PRIMARY KEY,
    check_id       INTEGER NOT NULL REFERENCES checks(id) ON DELETE CASCADE,
    rule           TEXT NOT NULL,
    severity       TEXT NOT NULL,
    message        TEXT NOT NULL,
    points         REAL NOT NULL,
    evidence_json  TEXT NOT NULL
);
CREATE INDEX findings_check ON findings(check_id);

CREATE TABLE columns (
    id            INTEGER PRIMARY KEY,
    check_id      INTEGER NOT NULL REFERENCES checks(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    url           TEXT NOT NULL,
    class         TEXT NOT NULL,
    level         INTEGER NOT NULL,
    newest        TEXT,
    items         INTEGER NOT NULL,
    blank         INTEGER NOT NULL,
    blank_marker  TEXT,
    date_source   TEXT NOT NULL,
    error         TEXT
);
CREATE INDEX columns_check ON columns(check_id);

CREATE TABLE requests (
    id          INTEGER PRIMARY KEY,
    check_id    INTEGER NOT NULL REFERENCES checks(id) ON DELETE CASCADE,
    url         TEXT NOT NULL,
    method      TEXT NOT NULL,
    status      INTEGER,
    elapsed_ms  INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    error       TEXT,
    at          TEXT NOT NULL
);
CREATE INDEX requests_check ON requests(check_id);
