-- A person's decision on a finding that needs one (severity `review`: 严重错误 candidates).
-- Confirming makes the finding a veto and its check 不合格; rejecting makes it a 提示. One
-- decision per finding; the finding's severity before it is kept.
CREATE TABLE finding_reviews (
    finding_id   INTEGER PRIMARY KEY REFERENCES findings(id) ON DELETE CASCADE,
    decision     TEXT NOT NULL CHECK (decision IN ('confirmed', 'rejected')),
    note         TEXT,
    decided_at   TEXT NOT NULL
);
