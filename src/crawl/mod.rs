//! crawl stage (being written).
