-- Registry imports (govaudit sites import --as-of DATE): the date the registry describes, so a
-- notice can say 截至 <date>，全区正在运行的政府网站 N 家. Written in the same transaction as the
-- import it records. Forward-only.

CREATE TABLE registry_imports (
    id           INTEGER PRIMARY KEY,
    source       TEXT NOT NULL,                -- the file imported
    as_of        TEXT NOT NULL,                -- YYYY-MM-DD: the registry as of this date
    imported_at  TEXT NOT NULL,
    sites        INTEGER NOT NULL              -- rows in the file
);
