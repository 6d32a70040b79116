-- sessionize 01_staging: model 'demo', full run, dialect postgres.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
SET TIME ZONE 'UTC';
--
-- Step 1: staging (§3.1).
-- Reads every source table, casts its columns to the
-- documented types, reads empty ids as NULL and gives each row that cannot be
-- sessionized the first reason that applies. Timestamps are read from
-- 1900-01-01 00:00:00 up to 2200-01-01 00:00:00 (excluded), UTC: a timestamp
-- that is there but outside that range (or that the engine reads as none) is
-- invalid, and a load time outside it is none, so the row's timestamp stands
-- in for it.

DROP TABLE IF EXISTS "sessionize"."_sessionize_work_input";
CREATE UNLOGGED TABLE "sessionize"."_sessionize_work_input" AS
WITH source_rows AS (

  -- source 'website' (marketing): website.pages
  SELECT
    1 AS table_pos,
    CAST('website' AS TEXT) COLLATE "C" AS source,
    CAST('marketing' AS TEXT) COLLATE "C" AS property,
    NULLIF(CAST("id" AS TEXT) COLLATE "C", '') AS event_id,
    CAST(CAST("timestamp" AS TIMESTAMPTZ) AS TIMESTAMP) AS ts,
    "timestamp" IS NULL AS ts_missing,
    CAST(CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) AS loaded,
    NULLIF(CAST("user_id" AS TEXT) COLLATE "C", '') AS user_id,
    NULLIF(CAST("anonymous_id" AS TEXT) COLLATE "C", '') AS anonymous_id,
    CAST(NULL AS TEXT) COLLATE "C" AS event,
    CAST("url" AS TEXT) COLLATE "C" AS url,
    CAST("referrer" AS TEXT) COLLATE "C" AS referrer,
    -- lower-cased once, for the bots: patterns
    lower(CAST("context_user_agent" AS TEXT) COLLATE "C") AS user_agent,
    CAST("context_locale" AS TEXT) COLLATE "C" AS "pass_locale"
  FROM "website"."pages"

  UNION ALL

  -- source 'website' (marketing): website.tracks
  SELECT
    2 AS table_pos,
    CAST('website' AS TEXT) COLLATE "C" AS source,
    CAST('marketing' AS TEXT) COLLATE "C" AS property,
    NULLIF(CAST("id" AS TEXT) COLLATE "C", '') AS event_id,
    CAST(CAST("timestamp" AS TIMESTAMPTZ) AS TIMESTAMP) AS ts,
    "timestamp" IS NULL AS ts_missing,
    CAST(CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) AS loaded,
    NULLIF(CAST("user_id" AS TEXT) COLLATE "C", '') AS user_id,
    NULLIF(CAST("anonymous_id" AS TEXT) COLLATE "C", '') AS anonymous_id,
    CAST("event" AS TEXT) COLLATE "C" AS event,
    CAST("url" AS TEXT) COLLATE "C" AS url,
    CAST("context_page_referrer" AS TEXT) COLLATE "C" AS referrer,
    -- lower-cased once, for the bots: patterns
    lower(CAST("context_user_agent" AS TEXT) COLLATE "C") AS user_agent,
    CAST("context_locale" AS TEXT) COLLATE "C" AS "pass_locale"
  FROM "website"."tracks"

  UNION ALL

  -- source 'app' (product): app_prod.tracks
  SELECT
    3 AS table_pos,
    CAST('app' AS TEXT) COLLATE "C" AS source,
    CAST('product' AS TEXT) COLLATE "C" AS property,
    NULLIF(CAST("id" AS TEXT) COLLATE "C", '') AS event_id,
    CAST(CAST("timestamp" AS TIMESTAMPTZ) AS TIMESTAMP) AS ts,
    "timestamp" IS NULL AS ts_missing,
    CAST(CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) AS loaded,
    NULLIF(CAST("user_id" AS TEXT) COLLATE "C", '') AS user_id,
    NULLIF(CAST("anonymous_id" AS TEXT) COLLATE "C", '') AS anonymous_id,
    CAST("event" AS TEXT) COLLATE "C" AS event,
    CAST("context_page_url" AS TEXT) COLLATE "C" AS url,
    CAST("context_page_referrer" AS TEXT) COLLATE "C" AS referrer,
    -- lower-cased once, for the bots: patterns
    lower(CAST("context_user_agent" AS TEXT) COLLATE "C") AS user_agent,
    CAST("context_locale" AS TEXT) COLLATE "C" AS "pass_locale"
  FROM "app_prod"."tracks"

  UNION ALL

  -- source 'docs' (asset:docs): docs.pages
  SELECT
    4 AS table_pos,
    CAST('docs' AS TEXT) COLLATE "C" AS source,
    CAST('asset:docs' AS TEXT) COLLATE "C" AS property,
    NULLIF(CAST("id" AS TEXT) COLLATE "C", '') AS event_id,
    CAST(CAST("timestamp" AS TIMESTAMPTZ) AS TIMESTAMP) AS ts,
    "timestamp" IS NULL AS ts_missing,
    CAST(CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) AS loaded,
    NULLIF(CAST("user_id" AS TEXT) COLLATE "C", '') AS user_id,
    NULLIF(CAST("anonymous_id" AS TEXT) COLLATE "C", '') AS anonymous_id,
    CAST(NULL AS TEXT) COLLATE "C" AS event,
    CAST("url" AS TEXT) COLLATE "C" AS url,
    CAST("referrer" AS TEXT) COLLATE "C" AS referrer,
    -- lower-cased once, for the bots: patterns
    lower(CAST("context_user_agent" AS TEXT) COLLATE "C") AS user_agent,
    CAST("context_locale" AS TEXT) COLLATE "C" AS "pass_locale"
  FROM "docs"."pages"

  UNION ALL

  -- source 'blog' (asset:articles): blog.pages
  SELECT
    5 AS table_pos,
    CAST('blog' AS TEXT) COLLATE "C" AS source,
    CAST('asset:articles' AS TEXT) COLLATE "C" AS property,
    NULLIF(CAST("id" AS TEXT) COLLATE "C", '') AS event_id,
    CAST(CAST("timestamp" AS TIMESTAMPTZ) AS TIMESTAMP) AS ts,
    "timestamp" IS NULL AS ts_missing,
    CAST(CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) AS loaded,
    NULLIF(CAST("user_id" AS TEXT) COLLATE "C", '') AS user_id,
    NULLIF(CAST("anonymous_id" AS TEXT) COLLATE "C", '') AS anonymous_id,
    CAST(NULL AS TEXT) COLLATE "C" AS event,
    CAST("url" AS TEXT) COLLATE "C" AS url,
    CAST("referrer" AS TEXT) COLLATE "C" AS referrer,
    -- lower-cased once, for the bots: patterns
    lower(CAST("context_user_agent" AS TEXT) COLLATE "C") AS user_agent,
    CAST("context_locale" AS TEXT) COLLATE "C" AS "pass_locale"
  FROM "blog"."pages"
),
read_rows AS (
  SELECT
    table_pos, source, property, event_id,
    CASE WHEN ts >= CAST('1900-01-01 00:00:00' AS TIMESTAMP) AND ts < CAST('2200-01-01 00:00:00' AS TIMESTAMP) THEN ts END AS ts,
    coalesce(CASE WHEN loaded >= CAST('1900-01-01 00:00:00' AS TIMESTAMP) AND loaded < CAST('2200-01-01 00:00:00' AS TIMESTAMP) THEN loaded END, CASE WHEN ts >= CAST('1900-01-01 00:00:00' AS TIMESTAMP) AND ts < CAST('2200-01-01 00:00:00' AS TIMESTAMP) THEN ts END) AS loaded_at,
    ts_missing, user_id, anonymous_id, event, url, referrer, "pass_locale", user_agent
  FROM source_rows
)
SELECT
  r.table_pos, r.source, r.property, r.event_id, r.ts, r.loaded_at,
  r.user_id, r.anonymous_id, r.event, r.url, r.referrer, r."pass_locale",
  CASE
    WHEN r.event_id IS NULL THEN 'missing_event_id'
    WHEN r.ts_missing THEN 'missing_timestamp'
    WHEN r.user_id IS NULL AND r.anonymous_id IS NULL THEN 'missing_identity'
    -- there, but not a timestamp in the range read
    WHEN r.ts IS NULL THEN 'invalid_timestamp'
    -- the user agent matches a bots: pattern (docs/enrichment.md §3.1)
    WHEN coalesce((regexp_match(r.user_agent, '(bot|crawler|spider|headlesschrome)'))[1] <> '', false) THEN 'bot'
  END AS reason
FROM read_rows AS r;

ANALYZE "sessionize"."_sessionize_work_input";

-- The largest load time read from each table, for its watermark (step 7).
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_loads";
CREATE UNLOGGED TABLE "sessionize"."_sessionize_work_loads" AS
SELECT CAST(table_pos AS INTEGER) AS table_pos, max(loaded_at) AS max_loaded
FROM "sessionize"."_sessionize_work_input"
GROUP BY table_pos;

-- Rejected rows: one per input row, never deduplicated (§3.1). They are
-- kept with the table they came from, so that the rows a run reads again
-- replace those an earlier run read of the same table.
DROP TABLE IF EXISTS "sessionize"."_sessionize_rejected";
CREATE TABLE "sessionize"."_sessionize_rejected" AS
SELECT table_pos, event_id, source, ts AS "timestamp", loaded_at, reason
FROM "sessionize"."_sessionize_work_input"
WHERE reason IS NOT NULL;

DROP TABLE IF EXISTS "sessionize"."rejected_events";

CREATE TABLE "sessionize"."rejected_events" (
  "event_id" TEXT COLLATE "C",
  "source" TEXT COLLATE "C",
  "timestamp" TIMESTAMP,
  "loaded_at" TIMESTAMP,
  "reason" TEXT COLLATE "C"
);

INSERT INTO "sessionize"."rejected_events" (event_id, source, "timestamp", loaded_at, reason)
SELECT event_id, source, "timestamp", loaded_at, reason
FROM "sessionize"."_sessionize_rejected";

-- The event_ids that occur more than once, found in a table of their own so
-- that the aggregate over every row runs once.
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_dup_ids";
CREATE UNLOGGED TABLE "sessionize"."_sessionize_work_dup_ids" AS
SELECT event_id
FROM "sessionize"."_sessionize_work_input"
WHERE reason IS NULL
GROUP BY event_id
HAVING COUNT(*) > 1;

ANALYZE "sessionize"."_sessionize_work_dup_ids";

-- Dedup: one row per event_id across all sources, the earliest loaded, then
-- the earliest timestamp, then the smallest source name (§3.1).
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_dups";
CREATE UNLOGGED TABLE "sessionize"."_sessionize_work_dups" AS
SELECT source, property, event_id, ts, loaded_at, user_id, anonymous_id, event, url, referrer, "pass_locale"
FROM (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY loaded_at, ts, source) AS copy_rank
  FROM "sessionize"."_sessionize_work_input"
  WHERE reason IS NULL AND event_id IN (SELECT event_id FROM "sessionize"."_sessionize_work_dup_ids")
) AS copies
WHERE copy_rank = 1;

ANALYZE "sessionize"."_sessionize_work_dups";

-- A full run does not copy the staged events into a work table of their own:
-- step 2 reads them twice from the input rows (for the identity map, then to
-- keep them with their contact), which costs less than writing them out.

-- What step 7 records of the rows read.
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_read";
CREATE UNLOGGED TABLE "sessionize"."_sessionize_work_read" AS
SELECT COUNT(*) AS events_read, COUNT(reason) AS rejected, MAX(loaded_at) AS max_loaded
FROM "sessionize"."_sessionize_work_input";
