-- Deep crawls (`check --deep`): the whole-site frontier and every link's result live here, so
-- memory holds only the pages and links in flight and a killed crawl resumes where it stopped.
-- A crawl is resumed by (site, as_of) while finished_at is NULL. Forward-only.

CREATE TABLE deep_crawls (
    id           INTEGER PRIMARY KEY,
    site         TEXT NOT NULL,                -- normalised site URL as given
    as_of        TEXT NOT NULL,                -- YYYY-MM-DD
    max_pages    INTEGER NOT NULL,
    max_depth    INTEGER NOT NULL,
    scope        TEXT,                         -- the homepage's folder when it redirected out
                                               -- of the registered scope (as the audit does)
    started_at   TEXT NOT NULL,
    finished_at  TEXT
);
CREATE INDEX deep_crawls_open ON deep_crawls(site, as_of, finished_at);

-- Pages to crawl. `url` is the trap-normalised key (session ids stripped); `path` is the URL
-- without its query, for the per-path cap on query variants. `failure` is the FetchFailure as
-- JSON when the page did not open (NULL when it did or is still queued). Breadth-first order is
-- (depth, rowid): rowid is the order pages were found in.
CREATE TABLE crawl_frontier (
    crawl_id  INTEGER NOT NULL REFERENCES deep_crawls(id),
    url       TEXT NOT NULL,
    path      TEXT NOT NULL,
    depth     INTEGER NOT NULL,
    state     TEXT NOT NULL CHECK (state IN ('queued', 'done')),
    status    INTEGER,
    failure   TEXT,
    PRIMARY KEY (crawl_id, url)
);
CREATE INDEX crawl_frontier_queue ON crawl_frontier(crawl_id, state, depth);
CREATE INDEX crawl_frontier_path ON crawl_frontier(crawl_id, path);

-- Every unique link found. state: 'queued' (to check), 'page' (in the frontier: its result is
-- the page fetch's), 'done'.
CREATE TABLE crawl_links (
    crawl_id  INTEGER NOT NULL REFERENCES deep_crawls(id),
    url       TEXT NOT NULL,
    state     TEXT NOT NULL CHECK (state IN ('queued', 'page', 'done')),
    status    INTEGER,
    failure   TEXT,
    PRIMARY KEY (crawl_id, url)
);
CREATE INDEX crawl_links_state ON crawl_links(crawl_id, state);

-- The pages each link appears on.
CREATE TABLE crawl_link_pages (
    crawl_id  INTEGER NOT NULL REFERENCES deep_crawls(id),
    url       TEXT NOT NULL,
    page      TEXT NOT NULL,
    PRIMARY KEY (crawl_id, url, page)
);
