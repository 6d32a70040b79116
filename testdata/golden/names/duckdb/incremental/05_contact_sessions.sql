-- sessionize 05_contact_sessions: model 'semi;colon \ back', incremental run, dialect duckdb.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
-- Names are qualified with the catalog target, whatever the database file is
-- called: run the files in one session that opened it under that name, as
-- sessionize does (ATTACH 'FILE' AS target; USE target;).
SET TimeZone = 'UTC';
--
-- Step 5: contact sessions (§3.4) and the sessions and contact_sessions
-- outputs (§4).
-- A contact session is a run of a contact's events over all properties with
-- no gap of cross_property_window (30m = 1800000000 µs) or more. As that window
-- is at least the inactivity timeout, no session spans such a gap, so contact
-- sessions are computed from the sessions, which are far fewer than the
-- events: in order of (session_start, first event_id), a session starts a
-- contact session when it begins the window or more after the latest end of
-- the contact's sessions before it.
CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_session_cs" AS
WITH with_lifecycle AS (
  SELECT s.*, l.user_lifecycle, l.days_since_prev_product_session
  FROM temp.main."_sessionize_work_sessions" AS s
  LEFT JOIN temp.main."_sessionize_work_lifecycle" AS l
    ON l.contact_id = s.contact_id AND l.property = s.property AND l.session_index = s.session_index
),
reach AS (
  SELECT
    *,
    MAX(session_end) OVER (
      PARTITION BY contact_id ORDER BY session_start, first_event_id
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    ) AS prev_reach
  FROM with_lifecycle
),
starts AS (
  SELECT
    *,
    CASE
      WHEN prev_reach IS NULL THEN 1
      WHEN epoch_us(session_start) - epoch_us(prev_reach) >= 1800000000 /* 30m */ THEN 1
      ELSE 0
    END AS is_cs_start
  FROM reach
)
SELECT
  starts.*,
  CAST(coalesce(k.kept_contact_sessions, 0) + SUM(starts.is_cs_start) OVER (
    PARTITION BY starts.contact_id ORDER BY starts.session_start, starts.first_event_id ROWS UNBOUNDED PRECEDING
  ) AS INTEGER) AS cs_index
FROM starts
LEFT JOIN temp.main."_sessionize_work_kept_cs" AS k ON k.contact_id = starts.contact_id;

-- One row per contact session. Its first event is the first event of the
-- session that starts it (is_cs_start = 1); it is prompted when it holds
-- product events but entered through another property. The entry's session
-- id, url and campaign come from the session that starts it by a join, not
-- through the aggregate; its lifecycle is its first product session's.
CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_contact_sessions" AS
WITH per_contact_session AS (
  SELECT
    contact_id,
    cs_index,
    MIN(session_start) AS session_start,
    MAX(session_end) AS session_end,
    CAST(SUM(event_count) AS BIGINT) AS event_count,
    COUNT(*) AS session_count,
    substr(
      CASE WHEN COUNT(*) FILTER (WHERE property = CAST('asset:it''s; docs' AS VARCHAR)) > 0 THEN CAST(',asset:it''s; docs' AS VARCHAR) ELSE '' END ||
      CASE WHEN COUNT(*) FILTER (WHERE property = CAST('product' AS VARCHAR)) > 0 THEN CAST(',product' AS VARCHAR) ELSE '' END ||
      '',
      2
    ) AS properties,
    (
      CASE WHEN COUNT(*) FILTER (WHERE property = CAST('asset:it''s; docs' AS VARCHAR)) > 0 THEN 1 ELSE 0 END +
      CASE WHEN COUNT(*) FILTER (WHERE property = CAST('product' AS VARCHAR)) > 0 THEN 1 ELSE 0 END
    ) > 1 AS is_cross_property,
    MIN(CASE WHEN property = 'product' THEN session_start END) AS first_product_start
  FROM temp.main."_sessionize_work_session_cs"
  GROUP BY contact_id, cs_index
)
SELECT
  md5(g.contact_id || '|' || entry.first_event_id) AS contact_session_id,
  g.contact_id AS contact_id,
  g.cs_index AS session_index,
  g.session_start AS session_start,
  g.session_end AS session_end,
  CAST(epoch_us(g.session_end) - epoch_us(g.session_start) AS DOUBLE) / 1000000 AS duration_seconds,
  g.event_count AS event_count,
  g.session_count AS session_count,
  g.properties AS properties,
  g.is_cross_property AS is_cross_property,
  entry.property AS entry_property,
  entry.session_id AS entry_session_id,
  entry.first_url AS entry_url,
  g.first_product_start IS NOT NULL AS has_product,
  g.first_product_start IS NOT NULL AND entry.property <> 'product' AS prompted_product,
  product.user_lifecycle AS user_lifecycle,
  entry.utm_source AS utm_source,
  entry.utm_medium AS utm_medium,
  entry.utm_campaign AS utm_campaign,
  entry.channel AS channel
FROM per_contact_session AS g
JOIN temp.main."_sessionize_work_session_cs" AS entry
  ON entry.contact_id = g.contact_id AND entry.cs_index = g.cs_index AND entry.is_cs_start = 1
-- A contact's product sessions never share a start.
LEFT JOIN temp.main."_sessionize_work_session_cs" AS product
  ON product.contact_id = g.contact_id AND product.cs_index = g.cs_index
  AND product.property = 'product' AND product.session_start = g.first_product_start;

-- The sessions output rows (§4), with the contact session each lies in.
CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_sessions_out" AS
SELECT
  s.session_id,
  s.contact_id,
  s.property,
  CASE WHEN s.property LIKE 'asset:%' THEN 'asset' ELSE s.property END AS property_type,
  CASE WHEN s.property LIKE 'asset:%' THEN substr(s.property, 7) END AS asset_class,
  s.session_index,
  s.session_start,
  s.session_end,
  CAST(epoch_us(s.session_end) - epoch_us(s.session_start) AS DOUBLE) / 1000000 AS duration_seconds,
  s.event_count,
  s.source,
  s.first_event,
  s.first_url,
  c.contact_session_id,
  s.user_lifecycle,
  s.days_since_prev_product_session,
  s.last_event,
  s.last_url,
  s.referrer,
  s.utm_source,
  s.utm_medium,
  s.utm_campaign,
  s.utm_term,
  s.utm_content,
  s.channel,
  s.event_count = 1 AS is_bounce
FROM temp.main."_sessionize_work_session_cs" AS s
JOIN temp.main."_sessionize_work_contact_sessions" AS c
  ON c.contact_id = s.contact_id AND c.session_index = s.cs_index;

-- The days whose daily_metrics the touched contacts change: those of the
-- sessions this run replaces and of the ones it writes.
CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_days" AS
SELECT DISTINCT CAST(s.session_start AS DATE) AS day
FROM "target"."sessionize"."sessions" AS s
JOIN temp.main."_sessionize_work_touched" AS t ON t.contact_id = s.contact_id
WHERE t.restart_ts IS NULL OR s.session_start >= t.restart_ts
UNION
SELECT DISTINCT CAST(session_start AS DATE) AS day
FROM temp.main."_sessionize_work_sessions_out";

-- What the touched contacts count on those days before this run; step 6
-- takes it out again and puts in what they count after it. Their sessions
-- are read once for both outputs.
CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_day_sessions_old" AS
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
FROM "target"."sessionize"."sessions" AS s
JOIN "target"."sessionize"."contact_sessions" AS c ON c.contact_session_id = s.contact_session_id
WHERE s.contact_id IN (SELECT contact_id FROM temp.main."_sessionize_work_touched")
  AND CAST(s.session_start AS DATE) IN (SELECT day FROM temp.main."_sessionize_work_days");

CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_daily_old" AS
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
FROM temp.main."_sessionize_work_day_sessions_old" AS s
GROUP BY s.day, s.property;

CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_channels_old" AS
SELECT
  s.day,
  s.property,
  s.channel,
  COUNT(*) AS sessions,
  COUNT(DISTINCT s.contact_id) AS contacts,
  COUNT(*) FILTER (WHERE s.prompted_product) AS prompted_product_sessions,
  COUNT(*) FILTER (WHERE s.user_lifecycle = 'new') AS new_user_sessions
FROM temp.main."_sessionize_work_day_sessions_old" AS s
GROUP BY s.day, s.property, s.channel;

-- Replace the touched contacts' sessions from their restart point on.
DELETE FROM "target"."sessionize"."sessions"
WHERE EXISTS (
  SELECT 1 FROM temp.main."_sessionize_work_touched" AS t
  WHERE t.contact_id = "target"."sessionize"."sessions".contact_id
    AND (t.restart_ts IS NULL OR "target"."sessionize"."sessions".session_start >= t.restart_ts)
);

DELETE FROM "target"."sessionize"."contact_sessions"
WHERE EXISTS (
  SELECT 1 FROM temp.main."_sessionize_work_touched" AS t
  WHERE t.contact_id = "target"."sessionize"."contact_sessions".contact_id
    AND (t.restart_ts IS NULL OR "target"."sessionize"."contact_sessions".session_start >= t.restart_ts)
);

INSERT INTO "target"."sessionize"."sessions" ("session_id", "contact_id", "property", "property_type", "asset_class", "session_index", "session_start", "session_end", "duration_seconds", "event_count", "source", "first_event", "first_url", "contact_session_id", "user_lifecycle", "days_since_prev_product_session", "last_event", "last_url", "referrer", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "channel", "is_bounce")
SELECT "session_id", "contact_id", "property", "property_type", "asset_class", "session_index", "session_start", "session_end", "duration_seconds", "event_count", "source", "first_event", "first_url", "contact_session_id", "user_lifecycle", "days_since_prev_product_session", "last_event", "last_url", "referrer", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "channel", "is_bounce"
FROM temp.main."_sessionize_work_sessions_out";

INSERT INTO "target"."sessionize"."contact_sessions" ("contact_session_id", "contact_id", "session_index", "session_start", "session_end", "duration_seconds", "event_count", "session_count", "properties", "is_cross_property", "entry_property", "entry_session_id", "entry_url", "has_product", "prompted_product", "user_lifecycle", "utm_source", "utm_medium", "utm_campaign", "channel")
SELECT "contact_session_id", "contact_id", "session_index", "session_start", "session_end", "duration_seconds", "event_count", "session_count", "properties", "is_cross_property", "entry_property", "entry_session_id", "entry_url", "has_product", "prompted_product", "user_lifecycle", "utm_source", "utm_medium", "utm_campaign", "channel"
FROM temp.main."_sessionize_work_contact_sessions";
