-- Deep crawls in rounds (`round run --deep`) and the deep crawl's request log.
--
-- * `round_links`: link results of deep crawls shared by the sites of one round: a URL checked
--   for one site is read from here, not requested again, for the round's other sites. A new
--   round (or a 复核 round) has its own rows, so it checks anew. Written after each check,
--   consulted before it; it survives a kill, so a resumed round does not ask again either.
-- * `crawl_requests`: every request a deep crawl makes, written as it happens (with the page
--   or link it belongs to, in the same transaction), so memory stays flat; when the check is
--   stored they move into `requests` of that check (`requests.deep` = 1).
-- * `checks.deep`: 1 when the check was run with `--deep` (`check --deep`, `round run --deep`),
--   so a round's stored results say whether it was deep; `checks.deep_crawl_id`: the deep
--   crawl the check includes (NULL when not deep, or when the homepage did not open and no
--   crawl ran).
-- * `deep_crawls.round_id`: the round a crawl belongs to; an unfinished crawl is resumed only
--   within its own round (NULL: `check --deep`).
-- Forward-only.

CREATE TABLE round_links (
    round_id    INTEGER NOT NULL REFERENCES rounds(id),
    url         TEXT NOT NULL,
    status      INTEGER,                  -- HTTP status (also of a failure that is one)
    failure     TEXT,                     -- FetchFailure as JSON; NULL when the link opened
    checked_at  TEXT NOT NULL,
    PRIMARY KEY (round_id, url)
);

CREATE TABLE crawl_requests (
    id          INTEGER PRIMARY KEY,
    crawl_id    INTEGER NOT NULL REFERENCES deep_crawls(id),
    url         TEXT NOT NULL,
    method      TEXT NOT NULL,
    status      INTEGER,
    elapsed_ms  INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    error       TEXT,
    at          TEXT NOT NULL
);
CREATE INDEX crawl_requests_crawl ON crawl_requests(crawl_id);

ALTER TABLE requests ADD COLUMN deep INTEGER NOT NULL DEFAULT 0;
ALTER TABLE checks ADD COLUMN deep INTEGER NOT NULL DEFAULT 0;
ALTER TABLE checks ADD COLUMN deep_crawl_id INTEGER REFERENCES deep_crawls(id);
ALTER TABLE deep_crawls ADD COLUMN round_id INTEGER REFERENCES rounds(id);
