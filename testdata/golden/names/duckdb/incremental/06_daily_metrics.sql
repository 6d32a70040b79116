-- sessionize 06_daily_metrics: model 'semi;colon \ back', incremental run, dialect duckdb.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
-- Names are qualified with the catalog target, whatever the database file is
-- called: run the files in one session that opened it under that name, as
-- sessionize does (ATTACH 'FILE' AS target; USE target;).
SET TimeZone = 'UTC';
--
-- Step 6: daily_metrics, daily_channels and prompted_events (§4).
-- Days are the DATE of session_start in UTC, DST-aware.
-- Every count is a sum over contacts, so a day's row is its old value, minus
-- what the touched contacts counted on it before this run, plus what they
-- count on it now (over all their sessions of that day, kept or rewritten).
-- The touched contacts' sessions on those days after this run, with what
-- the two outputs count of them and of their contact sessions.
CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_day_sessions_new" AS
-- (those of the rows before this run that it keeps, the sessions before
-- each contact's restart point, and the sessions it wrote)
SELECT o.*
FROM temp.main."_sessionize_work_day_sessions_old" AS o
JOIN temp.main."_sessionize_work_touched" AS t ON t.contact_id = o.contact_id
WHERE o.session_start < t.restart_ts
UNION ALL
SELECT
  CAST(s.session_start AS DATE) AS day,
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
JOIN temp.main."_sessionize_work_contact_sessions" AS c ON c.contact_session_id = s.contact_session_id
WHERE s.contact_id IN (SELECT contact_id FROM temp.main."_sessionize_work_touched")
  AND CAST(s.session_start AS DATE) IN (SELECT day FROM temp.main."_sessionize_work_days");

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

CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_daily" AS
WITH changes AS (
  SELECT day, property,
    sessions, contacts, events, new_user_sessions, active_user_sessions, resurrected_user_sessions, cross_property_sessions
  FROM "target"."sessionize"."daily_metrics"
  WHERE (day, property) IN (SELECT day, property FROM temp.main."_sessionize_work_daily_old")
     OR (day, property) IN (SELECT day, property FROM temp.main."_sessionize_work_daily_new")
  UNION ALL
  SELECT day, property,
    -sessions, -contacts, -events, -new_user_sessions, -active_user_sessions, -resurrected_user_sessions, -cross_property_sessions
  FROM temp.main."_sessionize_work_daily_old"
  UNION ALL
  SELECT day, property,
    sessions, contacts, events, new_user_sessions, active_user_sessions, resurrected_user_sessions, cross_property_sessions
  FROM temp.main."_sessionize_work_daily_new"
)
SELECT
  day, property,
  CAST(SUM(sessions) AS BIGINT) AS sessions,
  CAST(SUM(contacts) AS BIGINT) AS contacts,
  CAST(SUM(events) AS BIGINT) AS events,
  CAST(SUM(new_user_sessions) AS BIGINT) AS new_user_sessions,
  CAST(SUM(active_user_sessions) AS BIGINT) AS active_user_sessions,
  CAST(SUM(resurrected_user_sessions) AS BIGINT) AS resurrected_user_sessions,
  CAST(SUM(cross_property_sessions) AS BIGINT) AS cross_property_sessions
FROM changes
GROUP BY day, property;

DELETE FROM "target"."sessionize"."daily_metrics"
WHERE (day, property) IN (SELECT day, property FROM temp.main."_sessionize_work_daily");

-- A key whose sessions all moved away has no row (§4).
INSERT INTO "target"."sessionize"."daily_metrics" ("day", "property", "sessions", "contacts", "events", "new_user_sessions", "active_user_sessions", "resurrected_user_sessions", "cross_property_sessions")
SELECT "day", "property", "sessions", "contacts", "events", "new_user_sessions", "active_user_sessions", "resurrected_user_sessions", "cross_property_sessions"
FROM temp.main."_sessionize_work_daily"
WHERE sessions > 0;

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

CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_channels" AS
WITH changes AS (
  SELECT day, property, channel,
    sessions, contacts, prompted_product_sessions, new_user_sessions
  FROM "target"."sessionize"."daily_channels"
  WHERE (day, property, channel) IN (SELECT day, property, channel FROM temp.main."_sessionize_work_channels_old")
     OR (day, property, channel) IN (SELECT day, property, channel FROM temp.main."_sessionize_work_channels_new")
  UNION ALL
  SELECT day, property, channel,
    -sessions, -contacts, -prompted_product_sessions, -new_user_sessions
  FROM temp.main."_sessionize_work_channels_old"
  UNION ALL
  SELECT day, property, channel,
    sessions, contacts, prompted_product_sessions, new_user_sessions
  FROM temp.main."_sessionize_work_channels_new"
)
SELECT
  day, property, channel,
  CAST(SUM(sessions) AS BIGINT) AS sessions,
  CAST(SUM(contacts) AS BIGINT) AS contacts,
  CAST(SUM(prompted_product_sessions) AS BIGINT) AS prompted_product_sessions,
  CAST(SUM(new_user_sessions) AS BIGINT) AS new_user_sessions
FROM changes
GROUP BY day, property, channel;

DELETE FROM "target"."sessionize"."daily_channels"
WHERE (day, property, channel) IN (SELECT day, property, channel FROM temp.main."_sessionize_work_channels");

-- A key whose sessions all moved away has no row (§4).
INSERT INTO "target"."sessionize"."daily_channels" ("day", "property", "channel", "sessions", "contacts", "prompted_product_sessions", "new_user_sessions")
SELECT "day", "property", "channel", "sessions", "contacts", "prompted_product_sessions", "new_user_sessions"
FROM temp.main."_sessionize_work_channels"
WHERE sessions > 0;

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
  CAST(c.session_start AS DATE) AS day,
  c.entry_property,
  c.entry_url,
  e.event,
  COUNT(*) AS events,
  coalesce(c.user_lifecycle = 'new', false) AS is_new
FROM temp.main."_sessionize_work_contact_sessions" AS c
JOIN "target"."sessionize"."_sessionize_events" AS e
  ON e.contact_id = c.contact_id
  AND e.ts >= c.session_start AND e.ts <= c.session_end
WHERE c.prompted_product AND e.property = 'product' AND e.event IS NOT NULL
GROUP BY c.contact_id, c.contact_session_id, c.session_start, CAST(c.session_start AS DATE), c.entry_property, c.entry_url, e.event, c.user_lifecycle;

-- The keys whose counts change: those the touched contacts had and have.
CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_prompted_keys" AS
SELECT DISTINCT day, entry_property, entry_url, event
FROM (
  SELECT day, entry_property, entry_url, event FROM "target"."sessionize"."_sessionize_prompted" AS p
  WHERE EXISTS (
    SELECT 1 FROM temp.main."_sessionize_work_touched" AS t
    WHERE t.contact_id = p.contact_id AND (t.restart_ts IS NULL OR p.cs_start >= t.restart_ts)
  )
  UNION ALL
  SELECT day, entry_property, entry_url, event FROM temp.main."_sessionize_work_prompted"
) AS keys;

DELETE FROM "target"."sessionize"."_sessionize_prompted"
WHERE EXISTS (
  SELECT 1 FROM temp.main."_sessionize_work_touched" AS t
  WHERE t.contact_id = "target"."sessionize"."_sessionize_prompted".contact_id
    AND (t.restart_ts IS NULL OR "target"."sessionize"."_sessionize_prompted".cs_start >= t.restart_ts)
);

INSERT INTO "target"."sessionize"."_sessionize_prompted" ("contact_id", "contact_session_id", "cs_start", "day", "entry_property", "entry_url", "event", "events", "is_new")
SELECT "contact_id", "contact_session_id", "cs_start", "day", "entry_property", "entry_url", "event", "events", "is_new"
FROM temp.main."_sessionize_work_prompted";

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
FROM "target"."sessionize"."_sessionize_prompted" AS p
WHERE EXISTS (
  SELECT 1 FROM temp.main."_sessionize_work_prompted_keys" AS k
  WHERE k.day = p.day AND k.entry_property = p.entry_property
    AND k.entry_url IS NOT DISTINCT FROM p.entry_url AND k.event = p.event
)
GROUP BY p.day, p.entry_property, p.entry_url, p.event;

DELETE FROM "target"."sessionize"."prompted_events"
WHERE EXISTS (
  SELECT 1 FROM temp.main."_sessionize_work_prompted_keys" AS k
  WHERE k.day = "target"."sessionize"."prompted_events".day
    AND k.entry_property = "target"."sessionize"."prompted_events".entry_property
    AND k.entry_url IS NOT DISTINCT FROM "target"."sessionize"."prompted_events".entry_url
    AND k.event = "target"."sessionize"."prompted_events".event
);

INSERT INTO "target"."sessionize"."prompted_events" ("day", "entry_property", "entry_url", "event", "contact_sessions", "contacts", "events", "new_user_sessions")
SELECT "day", "entry_property", "entry_url", "event", "contact_sessions", "contacts", "events", "new_user_sessions"
FROM temp.main."_sessionize_work_prompted_out";
