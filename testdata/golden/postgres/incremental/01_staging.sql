-- sessionize 01_staging: model 'demo', incremental run, dialect postgres.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
SET TIME ZONE 'UTC';
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
  WHERE ((SELECT since FROM "sessionize"."_sessionize_work_since" WHERE table_pos = 1) IS NULL OR CAST(CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) IS NULL OR CAST(CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) < CAST('1900-01-01 00:00:00' AS TIMESTAMP)
    OR CAST(CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) >= (SELECT since FROM "sessionize"."_sessionize_work_since" WHERE table_pos = 1) - INTERVAL '259200000000 microseconds')

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
  WHERE ((SELECT since FROM "sessionize"."_sessionize_work_since" WHERE table_pos = 2) IS NULL OR CAST(CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) IS NULL OR CAST(CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) < CAST('1900-01-01 00:00:00' AS TIMESTAMP)
    OR CAST(CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) >= (SELECT since FROM "sessionize"."_sessionize_work_since" WHERE table_pos = 2) - INTERVAL '259200000000 microseconds')

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
  WHERE ((SELECT since FROM "sessionize"."_sessionize_work_since" WHERE table_pos = 3) IS NULL OR CAST(CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) IS NULL OR CAST(CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) < CAST('1900-01-01 00:00:00' AS TIMESTAMP)
    OR CAST(CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) >= (SELECT since FROM "sessionize"."_sessionize_work_since" WHERE table_pos = 3) - INTERVAL '259200000000 microseconds')

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
  WHERE ((SELECT since FROM "sessionize"."_sessionize_work_since" WHERE table_pos = 4) IS NULL OR CAST(CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) IS NULL OR CAST(CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) < CAST('1900-01-01 00:00:00' AS TIMESTAMP)
    OR CAST(CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) >= (SELECT since FROM "sessionize"."_sessionize_work_since" WHERE table_pos = 4) - INTERVAL '259200000000 microseconds')

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
  WHERE ((SELECT since FROM "sessionize"."_sessionize_work_since" WHERE table_pos = 5) IS NULL OR CAST(CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) IS NULL OR CAST(CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) < CAST('1900-01-01 00:00:00' AS TIMESTAMP)
    OR CAST(CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) >= (SELECT since FROM "sessionize"."_sessionize_work_since" WHERE table_pos = 5) - INTERVAL '259200000000 microseconds')
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
FROM read_rows AS r
LEFT JOIN "sessionize"."_sessionize_work_since" AS w ON w.table_pos = r.table_pos
WHERE (w.since IS NULL OR r.loaded_at IS NULL OR r.loaded_at >= w.since - INTERVAL '259200000000 microseconds');

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
-- Rejected rows are few, so both tables are written again whole.
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_rejected";
CREATE UNLOGGED TABLE "sessionize"."_sessionize_work_rejected" AS
SELECT o.table_pos, o.event_id, o.source, o."timestamp", o.loaded_at, o.reason
FROM "sessionize"."_sessionize_rejected" AS o
LEFT JOIN "sessionize"."_sessionize_work_since" AS w ON w.table_pos = o.table_pos
WHERE NOT (w.since IS NULL OR o.loaded_at IS NULL OR o.loaded_at >= w.since - INTERVAL '259200000000 microseconds')
UNION ALL
SELECT table_pos, event_id, source, ts, loaded_at, reason
FROM "sessionize"."_sessionize_work_input"
WHERE reason IS NOT NULL;

DELETE FROM "sessionize"."_sessionize_rejected";

INSERT INTO "sessionize"."_sessionize_rejected" (table_pos, event_id, source, "timestamp", loaded_at, reason)
SELECT table_pos, event_id, source, "timestamp", loaded_at, reason
FROM "sessionize"."_sessionize_work_rejected";

DELETE FROM "sessionize"."rejected_events";

INSERT INTO "sessionize"."rejected_events" (event_id, source, "timestamp", loaded_at, reason)
SELECT event_id, source, "timestamp", loaded_at, reason
FROM "sessionize"."_sessionize_work_rejected";

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

-- The staged events of this run.
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_staged";
CREATE UNLOGGED TABLE "sessionize"."_sessionize_work_staged" AS
SELECT i.source, i.property, i.event_id, i.ts, i.loaded_at, i.user_id, i.anonymous_id, i.event, i.url, i.referrer, i."pass_locale"
FROM "sessionize"."_sessionize_work_input" AS i
LEFT JOIN "sessionize"."_sessionize_work_dups" AS d ON d.event_id = i.event_id
WHERE i.reason IS NULL AND d.event_id IS NULL
UNION ALL
SELECT source, property, event_id, ts, loaded_at, user_id, anonymous_id, event, url, referrer, "pass_locale"
FROM "sessionize"."_sessionize_work_dups";

ANALYZE "sessionize"."_sessionize_work_staged";

-- What earlier runs staged for the event_ids this run read: the one scan of
-- the kept events in this step, over the columns the dedup and the touched
-- contacts need.
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_seen";
CREATE UNLOGGED TABLE "sessionize"."_sessionize_work_seen" AS
SELECT o.event_id, o.loaded_at, o.ts, o.source, o.contact_id, o.user_id, o.anonymous_id
FROM "sessionize"."_sessionize_events" AS o
WHERE o.event_id IN (SELECT event_id FROM "sessionize"."_sessionize_work_staged");

ANALYZE "sessionize"."_sessionize_work_seen";

-- The staged rows this run changes: events not seen before, and better
-- copies (by the dedup order above) of events an earlier run staged. A copy
-- that loses to the staged row changes nothing.
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_changed";
CREATE UNLOGGED TABLE "sessionize"."_sessionize_work_changed" AS
SELECT n.*
FROM "sessionize"."_sessionize_work_staged" AS n
LEFT JOIN "sessionize"."_sessionize_work_seen" AS o ON o.event_id = n.event_id
WHERE o.event_id IS NULL
  OR n.loaded_at < o.loaded_at
  OR (n.loaded_at = o.loaded_at AND n.ts < o.ts)
  OR (n.loaded_at = o.loaded_at AND n.ts = o.ts AND n.source < o.source);

ANALYZE "sessionize"."_sessionize_work_changed";

-- The staged rows they replace, with the contact they belonged to.
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_replaced";
CREATE UNLOGGED TABLE "sessionize"."_sessionize_work_replaced" AS
SELECT o.*
FROM "sessionize"."_sessionize_work_seen" AS o
JOIN "sessionize"."_sessionize_work_changed" AS n ON n.event_id = o.event_id;

-- What step 7 records of the rows read.
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_read";
CREATE UNLOGGED TABLE "sessionize"."_sessionize_work_read" AS
SELECT COUNT(*) AS events_read, COUNT(reason) AS rejected, MAX(loaded_at) AS max_loaded
FROM "sessionize"."_sessionize_work_input";

-- The rows themselves are not needed after this step: dropping them frees
-- their memory for the steps after.
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_input";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_dup_ids";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_dups";
