-- sessionize 01_staging: model 'semi;colon \\ back', full run, dialect clickhouse.
-- Rendered by `sessionize render`; the files run in order, 00 to 07.
SET join_use_nulls = 1;
SET union_default_mode = 'DISTINCT';
SET prefer_column_name_to_alias = 1;
--
-- Step 1: staging (SPEC §3.1).
-- Reads every source table, casts its columns to the
-- SPEC's types, reads empty ids as NULL and gives each row that cannot be
-- sessionized the first reason that applies.

CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_input` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1 AS
WITH source_rows AS (

  -- source 'app' (product): raw.app
  SELECT
    1 AS table_pos,
    CAST('app' AS Nullable(String)) AS source,
    CAST('product' AS Nullable(String)) AS property,
    NULLIF(CAST(`id` AS Nullable(String)), '') AS event_id,
    accurateCastOrNull(`timestamp`, 'DateTime64(6, ''UTC'')') AS ts,
    coalesce(accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')'), accurateCastOrNull(`timestamp`, 'DateTime64(6, ''UTC'')')) AS loaded_at,
    NULLIF(CAST(`user_id` AS Nullable(String)), '') AS user_id,
    NULLIF(CAST(`anonymous_id` AS Nullable(String)), '') AS anonymous_id,
    CAST(`event` AS Nullable(String)) AS event,
    CAST(`url` AS Nullable(String)) AS url
  FROM `raw`.`app`
  WHERE (event IS NULL OR event <> 'a;b')

  UNION ALL

  -- source 'docs' (asset:it's; docs): raw.it's; docs
  SELECT
    2 AS table_pos,
    CAST('docs' AS Nullable(String)) AS source,
    CAST('asset:it\'s; docs' AS Nullable(String)) AS property,
    NULLIF(CAST(`id` AS Nullable(String)), '') AS event_id,
    accurateCastOrNull(`timestamp`, 'DateTime64(6, ''UTC'')') AS ts,
    coalesce(accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')'), accurateCastOrNull(`timestamp`, 'DateTime64(6, ''UTC'')')) AS loaded_at,
    NULLIF(CAST(`user_id` AS Nullable(String)), '') AS user_id,
    NULLIF(CAST(`anonymous_id` AS Nullable(String)), '') AS anonymous_id,
    CAST(`event` AS Nullable(String)) AS event,
    CAST(`url` AS Nullable(String)) AS url
  FROM `raw`.`it's; docs`
)
SELECT
  r.*,
  CASE
    WHEN r.event_id IS NULL THEN 'missing_event_id'
    WHEN r.ts IS NULL THEN 'missing_timestamp'
    WHEN r.user_id IS NULL AND r.anonymous_id IS NULL THEN 'missing_identity'
  END AS reason
FROM source_rows AS r;

-- The largest load time read from each table, for its watermark (step 7).
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_loads` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1 AS
SELECT CAST(table_pos AS Int32) AS table_pos, max(loaded_at) AS max_loaded
FROM `sessionize`.`_sessionize_work_input`
GROUP BY table_pos;

-- Rejected rows: one per input row, never deduplicated (SPEC §3.1). They are
-- kept with the table they came from, so that the rows a run reads again
-- replace those an earlier run read of the same table.

INSERT INTO `sessionize`.`_sessionize_rejected__data`
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), table_pos, event_id, source, ts, loaded_at, reason
FROM `sessionize`.`_sessionize_work_input`
WHERE reason IS NOT NULL;

INSERT INTO `sessionize`.`rejected_events__data`
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), event_id, source, `timestamp`, loaded_at, reason
FROM `sessionize`.`_sessionize_rejected__next`;

-- Dedup: one row per event_id across all sources, the earliest loaded, then
-- the earliest timestamp, then the smallest source name (SPEC §3.1).
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_staged` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1 AS
WITH dups AS (
  SELECT event_id
  FROM `sessionize`.`_sessionize_work_input`
  WHERE reason IS NULL
  GROUP BY event_id
  HAVING COUNT(*) > 1
)
SELECT source, property, event_id, ts, loaded_at, user_id, anonymous_id, event, url
FROM `sessionize`.`_sessionize_work_input`
WHERE reason IS NULL AND event_id NOT IN (SELECT event_id FROM dups)
UNION ALL
SELECT source, property, event_id, ts, loaded_at, user_id, anonymous_id, event, url
FROM (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY loaded_at, ts, source) AS copy_rank
  FROM `sessionize`.`_sessionize_work_input`
  WHERE reason IS NULL AND event_id IN (SELECT event_id FROM dups)
) AS copies
WHERE copy_rank = 1;

-- Step 7 counts the input rows itself, so they stay until then.
