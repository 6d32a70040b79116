-- sessionize 01_staging: model 'demo', incremental run, dialect clickhouse.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
SET join_use_nulls = 1;
SET union_default_mode = 'DISTINCT';
SET prefer_column_name_to_alias = 1;
--
-- Step 1: staging (§3.1).
-- Reads every source table from its watermark on, casts its columns to the
-- documented types, reads empty ids as NULL and gives each row that cannot be
-- sessionized the first reason that applies. Timestamps are read from
-- 1900-01-01 00:00:00 up to 2200-01-01 00:00:00 (excluded), UTC: a timestamp
-- that is there but outside that range (or that the engine reads as none) is
-- invalid, and a load time outside it is none, so the row's timestamp stands
-- in for it.
-- §5: each table is read from its own watermark minus late_window,
-- 3d. Rows read again are harmless: dedup keeps one copy, and a copy
-- that changes nothing touches no contact. Each table's own load-time column
-- (its timestamp where it has none) is bounded the same way, so that the
-- engine can skip older rows unread.

CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_input` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
WITH source_rows AS (

  -- source 'website' (marketing): website.pages
  SELECT
    1 AS table_pos,
    CAST('website' AS Nullable(String)) AS source,
    CAST('marketing' AS Nullable(String)) AS property,
    NULLIF(CAST(`id` AS Nullable(String)), '') AS event_id,
    accurateCastOrNull(`timestamp`, 'DateTime64(6, ''UTC'')') AS ts,
    (`timestamp` IS NULL OR (toTypeName(`timestamp`) LIKE '%String%' AND CAST(`timestamp` AS Nullable(String)) = '')) AS ts_missing,
    accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') AS loaded,
    NULLIF(CAST(`user_id` AS Nullable(String)), '') AS user_id,
    NULLIF(CAST(`anonymous_id` AS Nullable(String)), '') AS anonymous_id,
    CAST(NULL AS Nullable(String)) AS event,
    CAST(`url` AS Nullable(String)) AS url,
    CAST(`referrer` AS Nullable(String)) AS referrer,
    -- lower-cased once, for the bots: patterns
    lower(CAST(`context_user_agent` AS Nullable(String))) AS user_agent,
    CAST(`context_locale` AS Nullable(String)) AS `pass_locale`
  FROM `website`.`pages`
  WHERE ((SELECT since FROM `sessionize`.`_sessionize_work_since` WHERE table_pos = 1) IS NULL OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') IS NULL OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') < CAST('1900-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC')))
    OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') >= (SELECT since FROM `sessionize`.`_sessionize_work_since` WHERE table_pos = 1) - toIntervalMicrosecond(259200000000))

  UNION ALL

  -- source 'website' (marketing): website.tracks
  SELECT
    2 AS table_pos,
    CAST('website' AS Nullable(String)) AS source,
    CAST('marketing' AS Nullable(String)) AS property,
    NULLIF(CAST(`id` AS Nullable(String)), '') AS event_id,
    accurateCastOrNull(`timestamp`, 'DateTime64(6, ''UTC'')') AS ts,
    (`timestamp` IS NULL OR (toTypeName(`timestamp`) LIKE '%String%' AND CAST(`timestamp` AS Nullable(String)) = '')) AS ts_missing,
    accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') AS loaded,
    NULLIF(CAST(`user_id` AS Nullable(String)), '') AS user_id,
    NULLIF(CAST(`anonymous_id` AS Nullable(String)), '') AS anonymous_id,
    CAST(`event` AS Nullable(String)) AS event,
    CAST(`url` AS Nullable(String)) AS url,
    CAST(`context_page_referrer` AS Nullable(String)) AS referrer,
    -- lower-cased once, for the bots: patterns
    lower(CAST(`context_user_agent` AS Nullable(String))) AS user_agent,
    CAST(`context_locale` AS Nullable(String)) AS `pass_locale`
  FROM `website`.`tracks`
  WHERE ((SELECT since FROM `sessionize`.`_sessionize_work_since` WHERE table_pos = 2) IS NULL OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') IS NULL OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') < CAST('1900-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC')))
    OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') >= (SELECT since FROM `sessionize`.`_sessionize_work_since` WHERE table_pos = 2) - toIntervalMicrosecond(259200000000))

  UNION ALL

  -- source 'app' (product): app_prod.tracks
  SELECT
    3 AS table_pos,
    CAST('app' AS Nullable(String)) AS source,
    CAST('product' AS Nullable(String)) AS property,
    NULLIF(CAST(`id` AS Nullable(String)), '') AS event_id,
    accurateCastOrNull(`timestamp`, 'DateTime64(6, ''UTC'')') AS ts,
    (`timestamp` IS NULL OR (toTypeName(`timestamp`) LIKE '%String%' AND CAST(`timestamp` AS Nullable(String)) = '')) AS ts_missing,
    accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') AS loaded,
    NULLIF(CAST(`user_id` AS Nullable(String)), '') AS user_id,
    NULLIF(CAST(`anonymous_id` AS Nullable(String)), '') AS anonymous_id,
    CAST(`event` AS Nullable(String)) AS event,
    CAST(`context_page_url` AS Nullable(String)) AS url,
    CAST(`context_page_referrer` AS Nullable(String)) AS referrer,
    -- lower-cased once, for the bots: patterns
    lower(CAST(`context_user_agent` AS Nullable(String))) AS user_agent,
    CAST(`context_locale` AS Nullable(String)) AS `pass_locale`
  FROM `app_prod`.`tracks`
  WHERE ((SELECT since FROM `sessionize`.`_sessionize_work_since` WHERE table_pos = 3) IS NULL OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') IS NULL OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') < CAST('1900-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC')))
    OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') >= (SELECT since FROM `sessionize`.`_sessionize_work_since` WHERE table_pos = 3) - toIntervalMicrosecond(259200000000))

  UNION ALL

  -- source 'docs' (asset:docs): docs.pages
  SELECT
    4 AS table_pos,
    CAST('docs' AS Nullable(String)) AS source,
    CAST('asset:docs' AS Nullable(String)) AS property,
    NULLIF(CAST(`id` AS Nullable(String)), '') AS event_id,
    accurateCastOrNull(`timestamp`, 'DateTime64(6, ''UTC'')') AS ts,
    (`timestamp` IS NULL OR (toTypeName(`timestamp`) LIKE '%String%' AND CAST(`timestamp` AS Nullable(String)) = '')) AS ts_missing,
    accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') AS loaded,
    NULLIF(CAST(`user_id` AS Nullable(String)), '') AS user_id,
    NULLIF(CAST(`anonymous_id` AS Nullable(String)), '') AS anonymous_id,
    CAST(NULL AS Nullable(String)) AS event,
    CAST(`url` AS Nullable(String)) AS url,
    CAST(`referrer` AS Nullable(String)) AS referrer,
    -- lower-cased once, for the bots: patterns
    lower(CAST(`context_user_agent` AS Nullable(String))) AS user_agent,
    CAST(`context_locale` AS Nullable(String)) AS `pass_locale`
  FROM `docs`.`pages`
  WHERE ((SELECT since FROM `sessionize`.`_sessionize_work_since` WHERE table_pos = 4) IS NULL OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') IS NULL OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') < CAST('1900-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC')))
    OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') >= (SELECT since FROM `sessionize`.`_sessionize_work_since` WHERE table_pos = 4) - toIntervalMicrosecond(259200000000))

  UNION ALL

  -- source 'blog' (asset:articles): blog.pages
  SELECT
    5 AS table_pos,
    CAST('blog' AS Nullable(String)) AS source,
    CAST('asset:articles' AS Nullable(String)) AS property,
    NULLIF(CAST(`id` AS Nullable(String)), '') AS event_id,
    accurateCastOrNull(`timestamp`, 'DateTime64(6, ''UTC'')') AS ts,
    (`timestamp` IS NULL OR (toTypeName(`timestamp`) LIKE '%String%' AND CAST(`timestamp` AS Nullable(String)) = '')) AS ts_missing,
    accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') AS loaded,
    NULLIF(CAST(`user_id` AS Nullable(String)), '') AS user_id,
    NULLIF(CAST(`anonymous_id` AS Nullable(String)), '') AS anonymous_id,
    CAST(NULL AS Nullable(String)) AS event,
    CAST(`url` AS Nullable(String)) AS url,
    CAST(`referrer` AS Nullable(String)) AS referrer,
    -- lower-cased once, for the bots: patterns
    lower(CAST(`context_user_agent` AS Nullable(String))) AS user_agent,
    CAST(`context_locale` AS Nullable(String)) AS `pass_locale`
  FROM `blog`.`pages`
  WHERE ((SELECT since FROM `sessionize`.`_sessionize_work_since` WHERE table_pos = 5) IS NULL OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') IS NULL OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') < CAST('1900-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC')))
    OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') >= (SELECT since FROM `sessionize`.`_sessionize_work_since` WHERE table_pos = 5) - toIntervalMicrosecond(259200000000))
),
read_rows AS (
  SELECT
    table_pos, source, property, event_id,
    CASE WHEN ts >= CAST('1900-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC'))) AND ts < CAST('2200-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC'))) THEN ts END AS ts,
    coalesce(CASE WHEN loaded >= CAST('1900-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC'))) AND loaded < CAST('2200-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC'))) THEN loaded END, CASE WHEN ts >= CAST('1900-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC'))) AND ts < CAST('2200-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC'))) THEN ts END) AS loaded_at,
    ts_missing, user_id, anonymous_id, event, url, referrer, `pass_locale`, user_agent
  FROM source_rows
)
SELECT
  r.table_pos, r.source, r.property, r.event_id, r.ts, r.loaded_at,
  r.user_id, r.anonymous_id, r.event, r.url, r.referrer, r.`pass_locale`,
  CASE
    WHEN r.event_id IS NULL THEN 'missing_event_id'
    WHEN r.ts_missing THEN 'missing_timestamp'
    WHEN r.user_id IS NULL AND r.anonymous_id IS NULL THEN 'missing_identity'
    -- there, but not a timestamp in the range read
    WHEN r.ts IS NULL THEN 'invalid_timestamp'
    -- the user agent matches a bots: pattern (docs/enrichment.md §3.1)
    WHEN coalesce(extract(r.user_agent, '(bot|crawler|spider|headlesschrome)') <> '', false) THEN 'bot'
  END AS reason,
  -- tells this row from the others, for the dedup below
  rowNumberInAllBlocks() AS row_id
FROM read_rows AS r
LEFT JOIN `sessionize`.`_sessionize_work_since` AS w ON w.table_pos = r.table_pos
WHERE (w.since IS NULL OR r.loaded_at IS NULL OR r.loaded_at >= w.since - toIntervalMicrosecond(259200000000));

-- The largest load time read from each table, for its watermark (step 7).
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_loads` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT CAST(table_pos AS Int32) AS table_pos, max(loaded_at) AS max_loaded
FROM `sessionize`.`_sessionize_work_input`
GROUP BY table_pos;

-- Rejected rows: one per input row, never deduplicated (§3.1). They are
-- kept with the table they came from, so that the rows a run reads again
-- replace those an earlier run read of the same table.
INSERT INTO `sessionize`.`_sessionize_rejected__data` (gen, `table_pos`, `event_id`, `source`, `timestamp`, `loaded_at`, `reason`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), o.*
FROM `sessionize`.`_sessionize_rejected` AS o
LEFT JOIN `sessionize`.`_sessionize_work_since` AS w ON w.table_pos = o.table_pos
WHERE NOT (w.since IS NULL OR o.loaded_at IS NULL OR o.loaded_at >= w.since - toIntervalMicrosecond(259200000000));

INSERT INTO `sessionize`.`_sessionize_rejected__data` (gen, `table_pos`, `event_id`, `source`, `timestamp`, `loaded_at`, `reason`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), table_pos, event_id, source, ts, loaded_at, reason
FROM `sessionize`.`_sessionize_work_input`
WHERE reason IS NOT NULL;

INSERT INTO `sessionize`.`rejected_events__data` (gen, `event_id`, `source`, `timestamp`, `loaded_at`, `reason`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), event_id, source, `timestamp`, loaded_at, reason
FROM `sessionize`.`_sessionize_rejected__next`;

-- Dedup: one row per event_id across all sources, the earliest loaded, then
-- the earliest timestamp, then the smallest source name (§3.1). The input
-- rows that lose it, by row_id.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_dropped` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT row_id
FROM (
  SELECT
    row_id,
    ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY loaded_at, ts, source) AS copy_rank
  FROM `sessionize`.`_sessionize_work_input`
  WHERE reason IS NULL AND cityHash64(event_id) IN (
    -- the hashes of the event_ids that occur more than once
    SELECT cityHash64(event_id) AS id_hash
    FROM `sessionize`.`_sessionize_work_input`
    WHERE reason IS NULL
    GROUP BY id_hash
    HAVING COUNT(*) > 1
  )
) AS copies
WHERE copy_rank > 1;

-- The staged events: the input rows that are not rejected and do not lose
-- the dedup.
CREATE OR REPLACE VIEW `sessionize`.`_sessionize_work_staged` AS
SELECT source, property, event_id, ts, loaded_at, user_id, anonymous_id, event, url, referrer, `pass_locale`
FROM `sessionize`.`_sessionize_work_input`
WHERE reason IS NULL AND row_id NOT IN (SELECT row_id FROM `sessionize`.`_sessionize_work_dropped`);

-- What earlier runs staged for the event_ids this run read: the one scan of
-- the kept events in this step, over the columns the dedup and the touched
-- contacts need. First every stored copy of those ids, whatever run wrote
-- it, then those the kept events' view shows: the ids are looked up in the
-- stored rows alone, and the view's rule runs over the few that match.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_seen_rows` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT gen, event_id, loaded_at, ts, source, contact_id, user_id, anonymous_id
FROM `sessionize`.`_sessionize_events__data`
WHERE event_id IN (SELECT event_id FROM `sessionize`.`_sessionize_work_staged`);

CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_seen` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_events' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')) AS base
SELECT _rows.* EXCEPT (gen)
FROM `sessionize`.`_sessionize_work_seen_rows` AS _rows
LEFT JOIN (
  SELECT `event_id`, groupArray(gen) AS _dead_gens
  FROM `sessionize`.`_sessionize_events__dead`
  WHERE gen > base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  GROUP BY `event_id`
) AS _dead USING (`event_id`)
WHERE _rows.gen >= base AND _rows.gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  AND arrayAll(g -> g <= _rows.gen, _dead._dead_gens);

-- The staged rows this run changes: events not seen before, and better
-- copies (by the dedup order above) of events an earlier run staged. A copy
-- that loses to the staged row changes nothing.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_changed` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT n.*
FROM `sessionize`.`_sessionize_work_staged` AS n
LEFT JOIN `sessionize`.`_sessionize_work_seen` AS o ON o.event_id = n.event_id
WHERE o.event_id IS NULL
  OR n.loaded_at < o.loaded_at
  OR (n.loaded_at = o.loaded_at AND n.ts < o.ts)
  OR (n.loaded_at = o.loaded_at AND n.ts = o.ts AND n.source < o.source);

-- The staged rows they replace, with the contact they belonged to.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_replaced` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT o.*
FROM `sessionize`.`_sessionize_work_seen` AS o
JOIN `sessionize`.`_sessionize_work_changed` AS n ON n.event_id = o.event_id;

-- Step 7 counts the input rows itself, so they stay until then.
