-- sessionize 06_daily_metrics: model 'semi;colon \ back', full run, dialect postgres.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
SET TIME ZONE 'UTC';
--
-- Step 6: daily_metrics, daily_channels and prompted_events (§4).
-- Days are the DATE of session_start in UTC, DST-aware.
-- The sessions, with what the two outputs count of them and of their
-- contact sessions.
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_day_sessions_new";
CREATE UNLOGGED TABLE "sessionize"."_sessionize_work_day_sessions_new" AS
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
FROM "sessionize"."_sessionize_work_sessions_out" AS s
JOIN "sessionize"."_sessionize_work_contact_sessions" AS c ON c.contact_session_id = s.contact_session_id;

DROP TABLE IF EXISTS "sessionize"."_sessionize_work_daily_new";
CREATE UNLOGGED TABLE "sessionize"."_sessionize_work_daily_new" AS
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
FROM "sessionize"."_sessionize_work_day_sessions_new" AS s
GROUP BY s.day, s.property;

DROP TABLE IF EXISTS "sessionize"."daily_metrics";

CREATE TABLE "sessionize"."daily_metrics" (
  "day" DATE,
  "property" TEXT COLLATE "C",
  "sessions" BIGINT,
  "contacts" BIGINT,
  "events" BIGINT,
  "new_user_sessions" BIGINT,
  "active_user_sessions" BIGINT,
  "resurrected_user_sessions" BIGINT,
  "cross_property_sessions" BIGINT,
  PRIMARY KEY (day, property)
);

INSERT INTO "sessionize"."daily_metrics" ("day", "property", "sessions", "contacts", "events", "new_user_sessions", "active_user_sessions", "resurrected_user_sessions", "cross_property_sessions")
SELECT "day", "property", "sessions", "contacts", "events", "new_user_sessions", "active_user_sessions", "resurrected_user_sessions", "cross_property_sessions"
FROM "sessionize"."_sessionize_work_daily_new";

-- daily_channels (docs/enrichment.md §4), the same way.
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_channels_new";
CREATE UNLOGGED TABLE "sessionize"."_sessionize_work_channels_new" AS
SELECT
  s.day,
  s.property,
  s.channel,
  COUNT(*) AS sessions,
  COUNT(DISTINCT s.contact_id) AS contacts,
  COUNT(*) FILTER (WHERE s.prompted_product) AS prompted_product_sessions,
  COUNT(*) FILTER (WHERE s.user_lifecycle = 'new') AS new_user_sessions
FROM "sessionize"."_sessionize_work_day_sessions_new" AS s
GROUP BY s.day, s.property, s.channel;

DROP TABLE IF EXISTS "sessionize"."daily_channels";

CREATE TABLE "sessionize"."daily_channels" (
  "day" DATE,
  "property" TEXT COLLATE "C",
  "channel" TEXT COLLATE "C",
  "sessions" BIGINT,
  "contacts" BIGINT,
  "prompted_product_sessions" BIGINT,
  "new_user_sessions" BIGINT,
  PRIMARY KEY (day, property, channel)
);

INSERT INTO "sessionize"."daily_channels" ("day", "property", "channel", "sessions", "contacts", "prompted_product_sessions", "new_user_sessions")
SELECT "day", "property", "channel", "sessions", "contacts", "prompted_product_sessions", "new_user_sessions"
FROM "sessionize"."_sessionize_work_channels_new";

-- prompted_events: for each prompted contact session (§3.4) and each
-- product event name in it, one row of _sessionize_prompted, kept between
-- runs so an incremental run can recount the keys it touches. A contact's
-- contact sessions do not overlap, so an event lies in the one whose span
-- holds its timestamp.
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_prompted";
CREATE UNLOGGED TABLE "sessionize"."_sessionize_work_prompted" AS
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
FROM "sessionize"."_sessionize_work_contact_sessions" AS c
JOIN "sessionize"."_sessionize_events" AS e
  ON e.contact_id = c.contact_id
  AND e.ts >= c.session_start AND e.ts <= c.session_end
WHERE c.prompted_product AND e.property = 'product' AND e.event IS NOT NULL
GROUP BY c.contact_id, c.contact_session_id, c.session_start, CAST(c.session_start AS DATE), c.entry_property, c.entry_url, e.event, c.user_lifecycle;

ANALYZE "sessionize"."_sessionize_work_prompted";

DROP TABLE IF EXISTS "sessionize"."_sessionize_prompted";
CREATE TABLE "sessionize"."_sessionize_prompted" AS
SELECT * FROM "sessionize"."_sessionize_work_prompted";

CREATE INDEX "_sessionize_prompted_contact_id" ON "sessionize"."_sessionize_prompted" (contact_id);

DROP TABLE IF EXISTS "sessionize"."_sessionize_work_prompted_out";
CREATE UNLOGGED TABLE "sessionize"."_sessionize_work_prompted_out" AS
SELECT
  p.day,
  p.entry_property,
  p.entry_url,
  p.event,
  COUNT(*) AS contact_sessions,
  COUNT(DISTINCT p.contact_id) AS contacts,
  CAST(SUM(p.events) AS BIGINT) AS events,
  COUNT(*) FILTER (WHERE p.is_new) AS new_user_sessions
FROM "sessionize"."_sessionize_prompted" AS p
GROUP BY p.day, p.entry_property, p.entry_url, p.event;

DROP TABLE IF EXISTS "sessionize"."prompted_events";

CREATE TABLE "sessionize"."prompted_events" (
  "day" DATE,
  "entry_property" TEXT COLLATE "C",
  "entry_url" TEXT COLLATE "C",
  "event" TEXT COLLATE "C",
  "contact_sessions" BIGINT,
  "contacts" BIGINT,
  "events" BIGINT,
  "new_user_sessions" BIGINT
);

INSERT INTO "sessionize"."prompted_events" ("day", "entry_property", "entry_url", "event", "contact_sessions", "contacts", "events", "new_user_sessions")
SELECT "day", "entry_property", "entry_url", "event", "contact_sessions", "contacts", "events", "new_user_sessions"
FROM "sessionize"."_sessionize_work_prompted_out";
