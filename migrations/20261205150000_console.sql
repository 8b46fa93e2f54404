-- The web console (govaudit serve): its users, their sessions, and the long work it runs in the
-- background (rounds, self-checks), so that a restarted server resumes what it was doing.

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    -- argon2id, PHC string format.
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'unit')),
    -- The unit (单位) a `unit` user belongs to; NULL for admins.
    unit           TEXT,
    created_at     TEXT NOT NULL,
    CHECK (role = 'admin' OR unit IS NOT NULL)
);

CREATE TABLE sessions (
    -- SHA-256 of the cookie's token, hex: a copied database does not hand out live sessions.
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- The CSRF token every form of this session posts back.
    csrf        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- A round the console was asked to run; `finished_at` is set when it has no site left.
CREATE TABLE console_jobs (
    id           INTEGER PRIMARY KEY,
    round_id     INTEGER NOT NULL REFERENCES rounds(id),
    started_by   TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    error        TEXT
);
CREATE INDEX console_jobs_open ON console_jobs(finished_at);
