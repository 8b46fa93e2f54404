-- Availability monitoring (govaudit monitor, issue 14): one row per homepage probe, the way the
-- national standard measures 站点无法访问 (监测1周，每天间隔性访问20次以上，超过（含）15秒网站仍打不开
-- 的次数累计占比超过（含）5%).
--
-- A schedule is a day (Beijing time) cut into `per_day` equal slots; a slot is keyed by its index
-- since 1970-01-01T00:00+08:00 in units of the interval (`interval_ms` = 86 400 000 / per_day).
-- UNIQUE(site_id, interval_ms, slot) makes a probe impossible to double: a restarted monitor
-- that meets a slot already stored skips it. Each probe is its own INSERT (autocommit), so a
-- kill loses nothing already probed. Forward-only.

CREATE TABLE monitor_probes (
    id           INTEGER PRIMARY KEY,
    site_id      INTEGER NOT NULL REFERENCES sites(id),
    interval_ms  INTEGER NOT NULL CHECK (interval_ms > 0),
    slot         INTEGER NOT NULL,
    -- When the schedule put the probe (slot start + jitter) and when it was sent, RFC 3339 UTC.
    planned_at   TEXT NOT NULL,
    probed_at    TEXT NOT NULL,
    -- Milliseconds since the Unix epoch of probed_at, for range queries.
    probed_ms    INTEGER NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN
        ('ok', 'timeout', 'refused', 'dns', 'http', 'tls', 'connect', 'redirect', 'blocked', 'other')),
    status       INTEGER,
    latency_ms   INTEGER NOT NULL,
    bytes        INTEGER NOT NULL,
    error        TEXT,
    UNIQUE (site_id, interval_ms, slot)
);
CREATE INDEX monitor_probes_site_time ON monitor_probes(site_id, probed_ms);
