//! audit: runs fetch → analysis → crawl → rules → store for one site (being written).
