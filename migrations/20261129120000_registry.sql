-- The site registry (govaudit sites import): who runs each site (单位), its level (级别), its
-- 网站标识码 and whether it is running. Sites created by `govaudit check` have only a URL, so
-- every new column is nullable. Levels and statuses are stored as stable English keys
-- (region_portal … below_county, running / closed); the program shows them in Chinese.
-- Forward-only.

ALTER TABLE sites ADD COLUMN unit TEXT;
ALTER TABLE sites ADD COLUMN level TEXT CHECK (level IN
    ('region_portal', 'region_dept', 'city_portal', 'city_dept', 'county_portal', 'below_county'));
ALTER TABLE sites ADD COLUMN site_code TEXT;
ALTER TABLE sites ADD COLUMN status TEXT CHECK (status IN ('running', 'closed'));
ALTER TABLE sites ADD COLUMN updated_at TEXT;

CREATE INDEX sites_unit ON sites(unit, status);
