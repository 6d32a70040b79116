-- sessionize 01_staging: model 'demo', full run, dialect clickhouse.
-- Rendered by `sessionize render`; the files run in order, 00 to 07.
SET join_use_nulls = 1;
SET union_default_mode = 'DISTINCT';
SET prefer_column_name_to_alias = 1;
--
-- Step 1: staging (SPEC §3.1).
-- Reads every source table, casts its columns to the SPEC's
-- types, reads empty ids as NULL and gives each row that cannot be
-- sessionized the first reason that applies.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_input` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1 AS
WITH source_rows AS (

  -- source 'website' (marketing): website.pages
  SELECT
    CAST('website' AS Nullable(String)) AS source,
    CAST('marketing' AS Nullable(String)) AS property,
    NULLIF(CAST(`id` AS Nullable(String)), '') AS event_id,
    accurateCastOrNull(`timestamp`, 'DateTime64(6, ''UTC'')') AS ts,
    coalesce(accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')'), accurateCastOrNull(`timestamp`, 'DateTime64(6, ''UTC'')')) AS loaded_at,
    NULLIF(CAST(`user_id` AS Nullable(String)), '') AS user_id,
    NULLIF(CAST(`anonymous_id` AS Nullable(String)), '') AS anonymous_id,
    CAST(NULL AS Nullable(String)) AS event,
    CAST(`url` AS Nullable(String)) AS url
  FROM `website`.`pages`

  UNION ALL

  -- source 'website' (marketing): website.tracks
  SELECT
    CAST('website' AS Nullable(String)) AS source,
    CAST('marketing' AS Nullable(String)) AS property,
    NULLIF(CAST(`id` AS Nullable(String)), '') AS event_id,
    accurateCastOrNull(`timestamp`, 'DateTime64(6, ''UTC'')') AS ts,
    coalesce(accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')'), accurateCastOrNull(`timestamp`, 'DateTime64(6, ''UTC'')')) AS loaded_at,
    NULLIF(CAST(`user_id` AS Nullable(String)), '') AS user_id,
    NULLIF(CAST(`anonymous_id` AS Nullable(String)), '') AS anonymous_id,
    CAST(`event` AS Nullable(String)) AS event,
    CAST(`url` AS Nullable(String)) AS url
  FROM `website`.`tracks`

  UNION ALL

  -- source 'app' (product): app_prod.tracks
  SELECT
    CAST('app' AS Nullable(String)) AS source,
    CAST('product' AS Nullable(String)) AS property,
    NULLIF(CAST(`id` AS Nullable(String)), '') AS event_id,
    accurateCastOrNull(`timestamp`, 'DateTime64(6, ''UTC'')') AS ts,
    coalesce(accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')'), accurateCastOrNull(`timestamp`, 'DateTime64(6, ''UTC'')')) AS loaded_at,
    NULLIF(CAST(`user_id` AS Nullable(String)), '') AS user_id,
    NULLIF(CAST(`anonymous_id` AS Nullable(String)), '') AS anonymous_id,
    CAST(`event` AS Nullable(String)) AS event,
    CAST(`context_page_url` AS Nullable(String)) AS url
  FROM `app_prod`.`tracks`

  UNION ALL

  -- source 'docs' (asset:docs): docs.pages
  SELECT
    CAST('docs' AS Nullable(String)) AS source,
    CAST('asset:docs' AS Nullable(String)) AS property,
    NULLIF(CAST(`id` AS Nullable(String)), '') AS event_id,
    accurateCastOrNull(`timestamp`, 'DateTime64(6, ''UTC'')') AS ts,
    coalesce(accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')'), accurateCastOrNull(`timestamp`, 'DateTime64(6, ''UTC'')')) AS loaded_at,
    NULLIF(CAST(`user_id` AS Nullable(String)), '') AS user_id,
    NULLIF(CAST(`anonymous_id` AS Nullable(String)), '') AS anonymous_id,
    CAST(NULL AS Nullable(String)) AS event,
    CAST(`url` AS Nullable(String)) AS url
  FROM `docs`.`pages`

  UNION ALL

  -- source 'blog' (asset:articles): blog.pages
  SELECT
    CAST('blog' AS Nullable(String)) AS source,
    CAST('asset:articles' AS Nullable(String)) AS property,
    NULLIF(CAST(`id` AS Nullable(String)), '') AS event_id,
    accurateCastOrNull(`timestamp`, 'DateTime64(6, ''UTC'')') AS ts,
    coalesce(accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')'), accurateCastOrNull(`timestamp`, 'DateTime64(6, ''UTC'')')) AS loaded_at,
    NULLIF(CAST(`user_id` AS Nullable(String)), '') AS user_id,
    NULLIF(CAST(`anonymous_id` AS Nullable(String)), '') AS anonymous_id,
    CAST(NULL AS Nullable(String)) AS event,
    CAST(`url` AS Nullable(String)) AS url
  FROM `blog`.`pages`
)
SELECT
  *,
  CASE
    WHEN event_id IS NULL THEN 'missing_event_id'
    WHEN ts IS NULL THEN 'missing_timestamp'
    WHEN user_id IS NULL AND anonymous_id IS NULL THEN 'missing_identity'
  END AS reason
FROM source_rows;

-- Rejected rows: one per input row, never deduplicated (SPEC §3.1).

INSERT INTO `sessionize`.`rejected_events__data`
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), event_id, source, ts, loaded_at, reason
FROM `sessionize`.`_sessionize_work_input`
WHERE reason IS NOT NULL;

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
