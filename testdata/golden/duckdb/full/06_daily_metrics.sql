-- sessionize 06_daily_metrics: model 'demo', full run, dialect duckdb.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
-- Names are qualified with the catalog target, whatever the database file is
-- called: run the files in one session that opened it under that name, as
-- sessionize does (ATTACH 'FILE' AS target; USE target;).
SET TimeZone = 'UTC';
--
-- Step 6: daily_metrics, daily_channels and prompted_events (§4).
-- Days are the DATE of session_start in America/New_York, DST-aware.
-- The sessions, with what the two outputs count of them and of their
-- contact sessions.
CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_day_sessions_new" AS
SELECT
  CAST(timezone('America/New_York', CAST(s.session_start AS TIMESTAMPTZ)) AS DATE) AS day,
  s.property,
  s.channel,
  s.contact_id,
  -- (as the output stores it: a run's own rows may hold another integer type)
  CAST(s.event_count AS BIGINT) AS event_count,
  s.user_lifecycle,
  c.is_cross_property,
  c.prompted_product,
  s.session_start
FROM temp.main."_sessionize_work_sessions_out" AS s
JOIN temp.main."_sessionize_work_contact_sessions" AS c ON c.contact_session_id = s.contact_session_id;

CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_daily_new" AS
SELECT
  s.day,
  s.property,
  COUNT(*) AS sessions,
  COUNT(DISTINCT s.contact_id) AS contacts,
  CAST(SUM(s.event_count) AS BIGINT) AS events,
  COUNT(*) FILTER (WHERE s.user_lifecycle = 'new') AS new_user_sessions,
  COUNT(*) FILTER (WHERE s.user_lifecycle = 'active') AS active_user_sessions,
  COUNT(*) FILTER (WHERE s.user_lifecycle = 'resurrected') AS resurrected_user_sessions,
  COUNT(*) FILTER (WHERE s.is_cross_property) AS cross_property_sessions
FROM temp.main."_sessionize_work_day_sessions_new" AS s
GROUP BY s.day, s.property;

DROP TABLE IF EXISTS "target"."sessionize"."daily_metrics__next";

CREATE TABLE "target"."sessionize"."daily_metrics__next" (
  "day" DATE,
  "property" VARCHAR,
  "sessions" BIGINT,
  "contacts" BIGINT,
  "events" BIGINT,
  "new_user_sessions" BIGINT,
  "active_user_sessions" BIGINT,
  "resurrected_user_sessions" BIGINT,
  "cross_property_sessions" BIGINT
);

INSERT INTO "target"."sessionize"."daily_metrics__next" ("day", "property", "sessions", "contacts", "events", "new_user_sessions", "active_user_sessions", "resurrected_user_sessions", "cross_property_sessions")
SELECT "day", "property", "sessions", "contacts", "events", "new_user_sessions", "active_user_sessions", "resurrected_user_sessions", "cross_property_sessions"
FROM temp.main."_sessionize_work_daily_new";

-- daily_channels (docs/enrichment.md §4), the same way.
CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_channels_new" AS
SELECT
  s.day,
  s.property,
  s.channel,
  COUNT(*) AS sessions,
  COUNT(DISTINCT s.contact_id) AS contacts,
  COUNT(*) FILTER (WHERE s.prompted_product) AS prompted_product_sessions,
  COUNT(*) FILTER (WHERE s.user_lifecycle = 'new') AS new_user_sessions
FROM temp.main."_sessionize_work_day_sessions_new" AS s
GROUP BY s.day, s.property, s.channel;

DROP TABLE IF EXISTS "target"."sessionize"."daily_channels__next";

CREATE TABLE "target"."sessionize"."daily_channels__next" (
  "day" DATE,
  "property" VARCHAR,
  "channel" VARCHAR,
  "sessions" BIGINT,
  "contacts" BIGINT,
  "prompted_product_sessions" BIGINT,
  "new_user_sessions" BIGINT
);

INSERT INTO "target"."sessionize"."daily_channels__next" ("day", "property", "channel", "sessions", "contacts", "prompted_product_sessions", "new_user_sessions")
SELECT "day", "property", "channel", "sessions", "contacts", "prompted_product_sessions", "new_user_sessions"
FROM temp.main."_sessionize_work_channels_new";

-- prompted_events: for each prompted contact session (§3.4) and each
-- product event name in it, one row of _sessionize_prompted, kept between
-- runs so an incremental run can recount the keys it touches. A contact's
-- contact sessions do not overlap, so an event lies in the one whose span
-- holds its timestamp.
CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_prompted" AS
SELECT
  c.contact_id,
  c.contact_session_id,
  c.session_start AS cs_start,
  CAST(timezone('America/New_York', CAST(c.session_start AS TIMESTAMPTZ)) AS DATE) AS day,
  c.entry_property,
  c.entry_url,
  e.event,
  COUNT(*) AS events,
  coalesce(c.user_lifecycle = 'new', false) AS is_new
FROM temp.main."_sessionize_work_contact_sessions" AS c
JOIN "target"."sessionize"."_sessionize_events__next" AS e
  ON e.contact_id = c.contact_id
  AND e.ts >= c.session_start AND e.ts <= c.session_end
WHERE c.prompted_product AND e.property = 'product' AND e.event IS NOT NULL
GROUP BY c.contact_id, c.contact_session_id, c.session_start, CAST(timezone('America/New_York', CAST(c.session_start AS TIMESTAMPTZ)) AS DATE), c.entry_property, c.entry_url, e.event, c.user_lifecycle;

CREATE OR REPLACE TABLE "target"."sessionize"."_sessionize_prompted__next" AS
SELECT * FROM temp.main."_sessionize_work_prompted";

CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_prompted_out" AS
SELECT
  p.day,
  p.entry_property,
  p.entry_url,
  p.event,
  COUNT(*) AS contact_sessions,
  COUNT(DISTINCT p.contact_id) AS contacts,
  CAST(SUM(p.events) AS BIGINT) AS events,
  COUNT(*) FILTER (WHERE p.is_new) AS new_user_sessions
FROM "target"."sessionize"."_sessionize_prompted__next" AS p
GROUP BY p.day, p.entry_property, p.entry_url, p.event;

DROP TABLE IF EXISTS "target"."sessionize"."prompted_events__next";

CREATE TABLE "target"."sessionize"."prompted_events__next" (
  "day" DATE,
  "entry_property" VARCHAR,
  "entry_url" VARCHAR,
  "event" VARCHAR,
  "contact_sessions" BIGINT,
  "contacts" BIGINT,
  "events" BIGINT,
  "new_user_sessions" BIGINT
);

INSERT INTO "target"."sessionize"."prompted_events__next" ("day", "entry_property", "entry_url", "event", "contact_sessions", "contacts", "events", "new_user_sessions")
SELECT "day", "entry_property", "entry_url", "event", "contact_sessions", "contacts", "events", "new_user_sessions"
FROM temp.main."_sessionize_work_prompted_out";
