-- sessionize 02_identity: model 'demo', full run, dialect clickhouse.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
SET join_use_nulls = 1;
SET union_default_mode = 'DISTINCT';
SET prefer_column_name_to_alias = 1;
--
-- Step 2: identity stitching (§3.2).
-- Each anonymous_id maps to the user_id of its earliest row that carries both,
-- among the staged events and the identifies rows; contact_id is
-- coalesce(user_id, mapped user_id, anonymous_id).

-- Identifies rows that map something: they carry a user_id, an anonymous_id
-- and a timestamp, from 1900-01-01 00:00:00 up to 2200-01-01 00:00:00 as in step 1.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_identifies` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
WITH identify_rows AS (

  -- app_prod.identifies
  SELECT
    6 AS table_pos,
    NULLIF(CAST(`id` AS Nullable(String)), '') AS id,
    NULLIF(CAST(`user_id` AS Nullable(String)), '') AS user_id,
    NULLIF(CAST(`anonymous_id` AS Nullable(String)), '') AS anonymous_id,
    accurateCastOrNull(`timestamp`, 'DateTime64(6, ''UTC'')') AS ts,
    accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') AS loaded
  FROM `app_prod`.`identifies`
),
read_rows AS (
  SELECT
    table_pos, id, user_id, anonymous_id,
    CASE WHEN ts >= CAST('1900-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC'))) AND ts < CAST('2200-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC'))) THEN ts END AS ts,
    coalesce(CASE WHEN loaded >= CAST('1900-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC'))) AND loaded < CAST('2200-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC'))) THEN loaded END, CASE WHEN ts >= CAST('1900-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC'))) AND ts < CAST('2200-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC'))) THEN ts END) AS loaded_at
  FROM identify_rows
)
SELECT r.*
FROM read_rows AS r
WHERE r.user_id IS NOT NULL AND r.anonymous_id IS NOT NULL AND r.ts IS NOT NULL;

-- The largest load time read from each identifies table that mapped
-- something, for its watermark (step 7).
INSERT INTO `sessionize`.`_sessionize_work_loads` (table_pos, max_loaded)
SELECT table_pos, max(loaded_at)
FROM `sessionize`.`_sessionize_work_identifies`
GROUP BY table_pos;

-- The best identifies row per anonymous_id, kept for later runs.
INSERT INTO `sessionize`.`_sessionize_identifies__data` (gen, `anonymous_id`, `user_id`, `ts`, `id`)
WITH candidates AS (
  SELECT anonymous_id, user_id, ts, id FROM `sessionize`.`_sessionize_work_identifies`
)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), anonymous_id, user_id, ts, id
FROM (SELECT anonymous_id, user_id, ts, id
FROM (
  SELECT
    c.*,
    ROW_NUMBER() OVER (PARTITION BY c.anonymous_id ORDER BY c.id NULLS LAST, c.user_id) AS mapping_rank
  FROM candidates AS c
  JOIN (
    SELECT anonymous_id, MIN(ts) AS first_ts FROM candidates GROUP BY anonymous_id
  ) AS earliest
    ON earliest.anonymous_id = c.anonymous_id AND earliest.first_ts = c.ts
) AS ranked
WHERE mapping_rank = 1) AS best;

-- The identity map: the best candidate among staged events and identifies.
INSERT INTO `sessionize`.`_sessionize_identity__data` (gen, `anonymous_id`, `user_id`, `ts`, `id`)
WITH candidates AS (
  SELECT anonymous_id, user_id, ts, event_id AS id
  FROM `sessionize`.`_sessionize_work_staged`
  WHERE anonymous_id IS NOT NULL AND user_id IS NOT NULL
  UNION ALL
  SELECT anonymous_id, user_id, ts, id
  FROM `sessionize`.`_sessionize_identifies__next`
)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), anonymous_id, user_id, ts, id
FROM (SELECT anonymous_id, user_id, ts, id
FROM (
  SELECT
    c.*,
    ROW_NUMBER() OVER (PARTITION BY c.anonymous_id ORDER BY c.id NULLS LAST, c.user_id) AS mapping_rank
  FROM candidates AS c
  JOIN (
    SELECT anonymous_id, MIN(ts) AS first_ts FROM candidates GROUP BY anonymous_id
  ) AS earliest
    ON earliest.anonymous_id = c.anonymous_id AND earliest.first_ts = c.ts
) AS ranked
WHERE mapping_rank = 1) AS best;

-- The staged events with their contact, kept for later runs.
INSERT INTO `sessionize`.`_sessionize_events__data` (gen, `contact_id`, `source`, `property`, `event_id`, `ts`, `loaded_at`, `user_id`, `anonymous_id`, `event`, `url`, `referrer`, `pass_locale`)
SELECT
  (SELECT run_id FROM `sessionize`.`_sessionize_work_run`),
  coalesce(e.user_id, m.user_id, e.anonymous_id) AS contact_id,
  e.*
FROM `sessionize`.`_sessionize_work_staged` AS e
LEFT JOIN `sessionize`.`_sessionize_identity__next` AS m ON m.anonymous_id = e.anonymous_id;
