-- sessionize 01_staging: model 'demo', incremental run, dialect clickhouse.
-- Rendered by `sessionize render`; the files run in order, 00 to 07.
SET join_use_nulls = 1;
SET union_default_mode = 'DISTINCT';
SET prefer_column_name_to_alias = 1;
--
-- Step 1: staging (SPEC §3.1).
-- Reads every source table from the watermark on, casts its columns to the SPEC's
-- types, reads empty ids as NULL and gives each row that cannot be
-- sessionized the first reason that applies.
-- SPEC §5: rows loaded at or above the watermark are read (those at it again,
-- which dedup makes harmless); rows without a load time of their own, whose
-- loaded_at fell back to their timestamp, are read back to late_window (3d)
-- below it. Each table's own load-time column (its timestamp where it has
-- none) is bounded too, by what that filter implies: a row loaded late_window
-- or more before the watermark cannot pass it. Said of the column itself, the
-- bound lets the engine skip such rows unread.
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
  WHERE ((SELECT since FROM `sessionize`.`_sessionize_work_run`) IS NULL OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') IS NULL
    OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') >= (SELECT since FROM `sessionize`.`_sessionize_work_run`) - toIntervalMicrosecond(259200000000))

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
  WHERE ((SELECT since FROM `sessionize`.`_sessionize_work_run`) IS NULL OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') IS NULL
    OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') >= (SELECT since FROM `sessionize`.`_sessionize_work_run`) - toIntervalMicrosecond(259200000000))

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
  WHERE ((SELECT since FROM `sessionize`.`_sessionize_work_run`) IS NULL OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') IS NULL
    OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') >= (SELECT since FROM `sessionize`.`_sessionize_work_run`) - toIntervalMicrosecond(259200000000))

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
  WHERE ((SELECT since FROM `sessionize`.`_sessionize_work_run`) IS NULL OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') IS NULL
    OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') >= (SELECT since FROM `sessionize`.`_sessionize_work_run`) - toIntervalMicrosecond(259200000000))

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
  WHERE ((SELECT since FROM `sessionize`.`_sessionize_work_run`) IS NULL OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') IS NULL
    OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') >= (SELECT since FROM `sessionize`.`_sessionize_work_run`) - toIntervalMicrosecond(259200000000))
)
SELECT
  *,
  CASE
    WHEN event_id IS NULL THEN 'missing_event_id'
    WHEN ts IS NULL THEN 'missing_timestamp'
    WHEN user_id IS NULL AND anonymous_id IS NULL THEN 'missing_identity'
  END AS reason
FROM source_rows
WHERE (
    (SELECT since FROM `sessionize`.`_sessionize_work_run`) IS NULL
    OR loaded_at IS NULL
    OR loaded_at >= (SELECT since FROM `sessionize`.`_sessionize_work_run`)
    OR (loaded_at = ts AND ts >= (SELECT since - toIntervalMicrosecond(259200000000) FROM `sessionize`.`_sessionize_work_run`))
  );

-- Rejected rows: one per input row, never deduplicated (SPEC §3.1).
-- The rows this run read again replace the ones an earlier run kept; this
-- run's version keeps the others.
INSERT INTO `sessionize`.`rejected_events__data`
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), *
FROM `sessionize`.`rejected_events`
WHERE NOT ifNull((
    (SELECT since FROM `sessionize`.`_sessionize_work_run`) IS NULL
    OR loaded_at IS NULL
    OR loaded_at >= (SELECT since FROM `sessionize`.`_sessionize_work_run`)
    OR (loaded_at = `timestamp` AND `timestamp` >= (SELECT since - toIntervalMicrosecond(259200000000) FROM `sessionize`.`_sessionize_work_run`))
  ), false);

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

-- What earlier runs staged for the event_ids this run read: the one scan of
-- the kept events in this step, over the columns the dedup and the touched
-- contacts need.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_seen` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1 AS
SELECT o.event_id, o.loaded_at, o.ts, o.source, o.contact_id, o.user_id, o.anonymous_id
FROM `sessionize`.`_sessionize_events` AS o
WHERE o.event_id IN (SELECT event_id FROM `sessionize`.`_sessionize_work_staged`);

-- The staged rows this run changes: events not seen before, and better
-- copies (by the dedup order above) of events an earlier run staged. A copy
-- that loses to the staged row changes nothing.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_changed` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1 AS
SELECT n.*
FROM `sessionize`.`_sessionize_work_staged` AS n
LEFT JOIN `sessionize`.`_sessionize_work_seen` AS o ON o.event_id = n.event_id
WHERE o.event_id IS NULL
  OR n.loaded_at < o.loaded_at
  OR (n.loaded_at = o.loaded_at AND n.ts < o.ts)
  OR (n.loaded_at = o.loaded_at AND n.ts = o.ts AND n.source < o.source);

-- The staged rows they replace, with the contact they belonged to.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_replaced` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1 AS
SELECT o.*
FROM `sessionize`.`_sessionize_work_seen` AS o
JOIN `sessionize`.`_sessionize_work_changed` AS n ON n.event_id = o.event_id;

-- Step 7 counts the input rows itself, so they stay until then.
