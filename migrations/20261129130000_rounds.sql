-- Sampling rounds (月度抽查) and re-check rounds (复核): which sites a round drew, and which
-- stored check answers each of them. A site's check and its round_sites link are written in one
-- transaction, so a killed run resumes with exactly the sites that have no check yet.
-- Forward-only.

CREATE TABLE rounds (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('regular', 'recheck')),
    month            TEXT NOT NULL,               -- YYYY-MM the round belongs to
    ratio            REAL,                        -- sampling ratio (NULL for explicit lists)
    seed             INTEGER,                     -- sampling seed (NULL for explicit lists)
    source           TEXT NOT NULL,               -- 'sample', 'list:<file>' or 'recheck'
    parent_round_id  INTEGER REFERENCES rounds(id),
    notice_date      TEXT,                        -- recheck: the notice the 5 working days run from
    due_date         TEXT,                        -- recheck: rectification deadline
    as_of            TEXT,                        -- default as-of date of the audits
    profile          TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    finished_at      TEXT
);

CREATE TABLE round_sites (
    round_id           INTEGER NOT NULL REFERENCES rounds(id),
    site_id            INTEGER NOT NULL REFERENCES sites(id),
    position           INTEGER NOT NULL,
    check_id           INTEGER REFERENCES checks(id),      -- NULL until audited
    original_check_id  INTEGER REFERENCES checks(id),      -- recheck: the failing check
    PRIMARY KEY (round_id, site_id)
);
CREATE INDEX round_sites_pending ON round_sites(round_id, check_id);

ALTER TABLE checks ADD COLUMN round_id INTEGER REFERENCES rounds(id);
