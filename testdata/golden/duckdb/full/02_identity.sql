-- sessionize 02_identity: model 'demo', full run, dialect duckdb.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
-- Names are qualified with the catalog target, whatever the database file is
-- called: run the files in one session that opened it under that name, as
-- sessionize does (ATTACH 'FILE' AS target; USE target;).
SET TimeZone = 'UTC';
--
-- Step 2: identity stitching (§3.2).
-- Each anonymous_id maps to the user_id of its earliest row that carries both,
-- among the staged events and the identifies rows; contact_id is
-- coalesce(user_id, mapped user_id, anonymous_id).

-- Identifies rows that map something: they carry a user_id, an anonymous_id
-- and a timestamp, from 1900-01-01 00:00:00 up to 2200-01-01 00:00:00 as in step 1.
CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_identifies" AS
WITH identify_rows AS (

  -- app_prod.identifies
  SELECT
    6 AS table_pos,
    NULLIF(CAST("id" AS VARCHAR), '') AS id,
    NULLIF(CAST("user_id" AS VARCHAR), '') AS user_id,
    NULLIF(CAST("anonymous_id" AS VARCHAR), '') AS anonymous_id,
    CASE WHEN typeof("timestamp") = 'VARCHAR' THEN TRY_CAST(TRY_CAST("timestamp" AS TIMESTAMPTZ) AS TIMESTAMP) ELSE TRY_CAST("timestamp" AS TIMESTAMP) END AS ts,
    CASE WHEN typeof("received_at") = 'VARCHAR' THEN TRY_CAST(TRY_CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) ELSE TRY_CAST("received_at" AS TIMESTAMP) END AS loaded
  FROM "target"."app_prod"."identifies"
),
read_rows AS (
  SELECT
    table_pos, id, user_id, anonymous_id,
    CASE WHEN ts >= CAST('1900-01-01 00:00:00' AS TIMESTAMP) AND ts < CAST('2200-01-01 00:00:00' AS TIMESTAMP) THEN ts END AS ts,
    coalesce(CASE WHEN loaded >= CAST('1900-01-01 00:00:00' AS TIMESTAMP) AND loaded < CAST('2200-01-01 00:00:00' AS TIMESTAMP) THEN loaded END, CASE WHEN ts >= CAST('1900-01-01 00:00:00' AS TIMESTAMP) AND ts < CAST('2200-01-01 00:00:00' AS TIMESTAMP) THEN ts END) AS loaded_at
  FROM identify_rows
)
SELECT r.*
FROM read_rows AS r
WHERE r.user_id IS NOT NULL AND r.anonymous_id IS NOT NULL AND r.ts IS NOT NULL;

-- The largest load time read from each identifies table that mapped
-- something, for its watermark (step 7).
INSERT INTO temp.main."_sessionize_work_loads" (table_pos, max_loaded)
SELECT table_pos, max(loaded_at)
FROM temp.main."_sessionize_work_identifies"
GROUP BY table_pos;

-- The best identifies row per anonymous_id, kept for later runs.
CREATE OR REPLACE TABLE "target"."sessionize"."_sessionize_identifies__next" AS
WITH candidates AS (
  SELECT anonymous_id, user_id, ts, id FROM temp.main."_sessionize_work_identifies"
)
SELECT anonymous_id, user_id, ts, id
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
WHERE mapping_rank = 1;

-- The identity map: the best candidate among staged events and identifies,
-- with its ts and id, so that a later run weighs its new candidates against
-- this one rather than against every kept event again.
CREATE OR REPLACE TABLE "target"."sessionize"."_sessionize_identity__next" AS
WITH candidates AS (
  SELECT anonymous_id, user_id, ts, event_id AS id
  FROM (
    SELECT i.source, i.property, i.event_id, i.ts, i.loaded_at, i.user_id, i.anonymous_id, i.event, i.url, i.referrer, i."pass_locale"
    FROM temp.main."_sessionize_work_input" AS i
    LEFT JOIN temp.main."_sessionize_work_dups" AS d ON d.event_id = i.event_id
    WHERE i.reason IS NULL AND d.event_id IS NULL
    UNION ALL
    SELECT source, property, event_id, ts, loaded_at, user_id, anonymous_id, event, url, referrer, "pass_locale"
    FROM temp.main."_sessionize_work_dups"
  ) AS staged
  WHERE anonymous_id IS NOT NULL AND user_id IS NOT NULL
  UNION ALL
  SELECT anonymous_id, user_id, ts, id
  FROM "target"."sessionize"."_sessionize_identifies__next"
)
SELECT anonymous_id, user_id, ts, id
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
SET force_compression = 'uncompressed';

CREATE OR REPLACE TABLE "target"."sessionize"."_sessionize_events__next" AS
SELECT
  coalesce(e.user_id, m.user_id, e.anonymous_id) AS contact_id,
  e.*
FROM (
  SELECT i.source, i.property, i.event_id, i.ts, i.loaded_at, i.user_id, i.anonymous_id, i.event, i.url, i.referrer, i."pass_locale"
  FROM temp.main."_sessionize_work_input" AS i
  LEFT JOIN temp.main."_sessionize_work_dups" AS d ON d.event_id = i.event_id
  WHERE i.reason IS NULL AND d.event_id IS NULL
  UNION ALL
  SELECT source, property, event_id, ts, loaded_at, user_id, anonymous_id, event, url, referrer, "pass_locale"
  FROM temp.main."_sessionize_work_dups"
) AS e
LEFT JOIN "target"."sessionize"."_sessionize_identity__next" AS m ON m.anonymous_id = e.anonymous_id;

RESET force_compression;

-- The input rows are not needed after this step: dropping them frees their
-- memory for the steps after.
DROP TABLE IF EXISTS temp.main."_sessionize_work_input";
DROP TABLE IF EXISTS temp.main."_sessionize_work_dup_ids";
DROP TABLE IF EXISTS temp.main."_sessionize_work_dups";
