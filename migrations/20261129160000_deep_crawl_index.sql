-- A round's deep crawl that finished but whose check was never stored (the run was killed in
-- between) is taken up again instead of crawled anew; finding it asks "does a check refer to
-- this crawl?", so index the reference. Forward-only.

CREATE INDEX checks_deep_crawl ON checks(deep_crawl_id);
