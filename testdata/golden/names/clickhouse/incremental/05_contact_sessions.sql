-- sessionize 05_contact_sessions: model 'semi;colon \\ back', incremental run, dialect clickhouse.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
SET join_use_nulls = 1;
SET union_default_mode = 'DISTINCT';
SET prefer_column_name_to_alias = 1;
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
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_session_cs` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
WITH reach AS (
  SELECT
    contact_id,
    property,
    session_index,
    session_start,
    session_end,
    event_count,
    first_event_id,
    MAX(session_end) OVER (
      PARTITION BY contact_id ORDER BY session_start, first_event_id
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    ) AS prev_reach
  FROM `sessionize`.`_sessionize_work_sessions`
),
starts AS (
  SELECT
    *,
    CASE
      WHEN prev_reach IS NULL THEN 1
      WHEN toUnixTimestamp64Micro(session_start) - toUnixTimestamp64Micro(prev_reach) >= 1800000000 /* 30m */ THEN 1
      ELSE 0
    END AS is_cs_start
  FROM reach
),
cs AS (
  SELECT
    starts.contact_id AS contact_id,
    starts.property AS property,
    starts.session_index AS session_index,
    starts.session_start AS session_start,
    starts.session_end AS session_end,
    starts.event_count AS event_count,
    starts.is_cs_start AS is_cs_start,
    CAST(coalesce(k.kept_contact_sessions, 0) + SUM(starts.is_cs_start) OVER contact AS Int32) AS cs_index,
    anyLast(if(starts.is_cs_start = 1, starts.first_event_id, NULL)) OVER contact AS entry_event_id
  FROM starts
  LEFT JOIN `sessionize`.`_sessionize_work_kept_cs` AS k ON k.contact_id = starts.contact_id
  WINDOW contact AS (
    PARTITION BY starts.contact_id ORDER BY starts.session_start, starts.first_event_id ROWS UNBOUNDED PRECEDING
  )
)
SELECT
  cs.*,
  lower(hex(MD5(concat(cs.contact_id, '|', cs.entry_event_id)))) AS contact_session_id,
  l.user_lifecycle AS user_lifecycle,
  l.days_since_prev_product_session AS days_since_prev_product_session
FROM cs
LEFT JOIN `sessionize`.`_sessionize_work_lifecycle` AS l
  ON l.contact_id = cs.contact_id AND l.property = cs.property AND l.session_index = cs.session_index;

-- One row per contact session. Its first event is the first event of the
-- session that starts it (is_cs_start = 1); it is prompted when it holds
-- product events but entered through another property. The entry's session
-- id, url and campaign come from the session that starts it by a join, not
-- through the aggregate; its lifecycle is its first product session's.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_contact_sessions` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
WITH g AS (
  SELECT
    contact_id,
    cs_index,
    any(contact_session_id) AS contact_session_id,
    MIN(session_start) AS session_start,
    MAX(session_end) AS session_end,
    toInt64(sum(event_count)) AS event_count,
    COUNT(*) AS session_count,
    substr(
      CASE WHEN toInt64(countIf(property = CAST('asset:it\'s; docs' AS Nullable(String)))) > 0 THEN CAST(',asset:it\'s; docs' AS Nullable(String)) ELSE '' END ||
      CASE WHEN toInt64(countIf(property = CAST('product' AS Nullable(String)))) > 0 THEN CAST(',product' AS Nullable(String)) ELSE '' END ||
      '',
      2
    ) AS properties,
    (
      CASE WHEN toInt64(countIf(property = CAST('asset:it\'s; docs' AS Nullable(String)))) > 0 THEN 1 ELSE 0 END +
      CASE WHEN toInt64(countIf(property = CAST('product' AS Nullable(String)))) > 0 THEN 1 ELSE 0 END
    ) > 1 AS is_cross_property,
    toInt64(countIf(property = 'product')) > 0 AS has_product,
    argMinIf(user_lifecycle, session_start, property = 'product') AS user_lifecycle,
    anyIf(property, is_cs_start = 1) AS entry_property,
    anyIf(session_index, is_cs_start = 1) AS entry_index
  FROM `sessionize`.`_sessionize_work_session_cs`
  GROUP BY contact_id, cs_index
)
SELECT
  g.contact_session_id AS contact_session_id,
  g.contact_id AS contact_id,
  g.cs_index AS session_index,
  g.session_start AS session_start,
  g.session_end AS session_end,
  toFloat64(toUnixTimestamp64Micro(g.session_end) - toUnixTimestamp64Micro(g.session_start)) / 1000000 AS duration_seconds,
  g.event_count AS event_count,
  g.session_count AS session_count,
  g.properties AS properties,
  g.is_cross_property AS is_cross_property,
  g.entry_property AS entry_property,
  entry.session_id AS entry_session_id,
  entry.first_url AS entry_url,
  g.has_product AS has_product,
  g.has_product AND g.entry_property <> 'product' AS prompted_product,
  g.user_lifecycle AS user_lifecycle,
  entry.utm_source AS utm_source,
  entry.utm_medium AS utm_medium,
  entry.utm_campaign AS utm_campaign,
  entry.channel AS channel
FROM `sessionize`.`_sessionize_work_sessions` AS entry
JOIN g
  ON g.contact_id = entry.contact_id AND g.entry_property = entry.property AND g.entry_index = entry.session_index;

-- The sessions output rows (§4), with the contact session each lies in.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_sessions_out` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT
  s.session_id,
  s.contact_id,
  s.property,
  CASE WHEN s.property LIKE 'asset:%' THEN 'asset' ELSE s.property END AS property_type,
  CASE WHEN s.property LIKE 'asset:%' THEN substr(s.property, 7) END AS asset_class,
  s.session_index,
  s.session_start,
  s.session_end,
  toFloat64(toUnixTimestamp64Micro(s.session_end) - toUnixTimestamp64Micro(s.session_start)) / 1000000 AS duration_seconds,
  s.event_count,
  s.source,
  s.first_event,
  s.first_url,
  c.contact_session_id,
  c.user_lifecycle,
  c.days_since_prev_product_session,
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
FROM `sessionize`.`_sessionize_work_sessions` AS s
JOIN `sessionize`.`_sessionize_work_session_cs` AS c
  ON c.contact_id = s.contact_id AND c.property = s.property AND c.session_index = s.session_index;

-- The days whose daily_metrics the touched contacts change: those of the
-- sessions this run replaces and of the ones it writes.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_days` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT DISTINCT toDate32(s.session_start, 'UTC') AS day
FROM `sessionize`.`sessions` AS s
JOIN `sessionize`.`_sessionize_work_touched` AS t ON t.contact_id = s.contact_id
WHERE t.restart_ts IS NULL OR s.session_start >= t.restart_ts
UNION
SELECT DISTINCT toDate32(session_start, 'UTC') AS day
FROM `sessionize`.`_sessionize_work_sessions_out`;

-- What the touched contacts count on those days before this run; step 6
-- takes it out again and puts in what they count after it. Their sessions
-- are read once for both outputs.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_day_sessions_old` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT
  toDate32(s.session_start, 'UTC') AS day,
  s.property,
  s.channel,
  s.contact_id,
  -- (as the output stores it: a run's own rows may hold another integer type)
  CAST(s.event_count AS Nullable(Int64)) AS event_count,
  s.user_lifecycle,
  c.is_cross_property,
  c.prompted_product,
  s.session_start
FROM `sessionize`.`sessions` AS s
JOIN `sessionize`.`contact_sessions` AS c ON c.contact_session_id = s.contact_session_id
WHERE s.contact_id IN (SELECT contact_id FROM `sessionize`.`_sessionize_work_touched`)
  AND toDate32(s.session_start, 'UTC') IN (SELECT day FROM `sessionize`.`_sessionize_work_days`)
  AND c.contact_id IN (SELECT contact_id FROM `sessionize`.`_sessionize_work_touched`);

CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_daily_old` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT
  s.day,
  s.property,
  COUNT(*) AS sessions,
  COUNT(DISTINCT s.contact_id) AS contacts,
  toInt64(sum(s.event_count)) AS events,
  toInt64(countIf(s.user_lifecycle = 'new')) AS new_user_sessions,
  toInt64(countIf(s.user_lifecycle = 'active')) AS active_user_sessions,
  toInt64(countIf(s.user_lifecycle = 'resurrected')) AS resurrected_user_sessions,
  toInt64(countIf(s.is_cross_property)) AS cross_property_sessions
FROM `sessionize`.`_sessionize_work_day_sessions_old` AS s
GROUP BY s.day, s.property;

CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_channels_old` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT
  s.day,
  s.property,
  s.channel,
  COUNT(*) AS sessions,
  COUNT(DISTINCT s.contact_id) AS contacts,
  toInt64(countIf(s.prompted_product)) AS prompted_product_sessions,
  toInt64(countIf(s.user_lifecycle = 'new')) AS new_user_sessions
FROM `sessionize`.`_sessionize_work_day_sessions_old` AS s
GROUP BY s.day, s.property, s.channel;

-- sessions and contact_sessions: the touched contacts' rows from their
-- restart point on are replaced; the others are kept.
INSERT INTO `sessionize`.`sessions__dead` (gen, `contact_id`, since)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), contact_id, coalesce(restart_ts, CAST('1900-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC'))))
FROM `sessionize`.`_sessionize_work_touched`
WHERE NOT (SELECT whole FROM `sessionize`.`_sessionize_work_bases` WHERE table_name = 'sessions');

INSERT INTO `sessionize`.`sessions__data` (gen, `session_id`, `contact_id`, `property`, `property_type`, `asset_class`, `session_index`, `session_start`, `session_end`, `duration_seconds`, `event_count`, `source`, `first_event`, `first_url`, `contact_session_id`, `user_lifecycle`, `days_since_prev_product_session`, `last_event`, `last_url`, `referrer`, `utm_source`, `utm_medium`, `utm_campaign`, `utm_term`, `utm_content`, `channel`, `is_bounce`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), kept.*
FROM `sessionize`.`sessions` AS kept
LEFT JOIN `sessionize`.`_sessionize_work_touched` AS t ON t.contact_id = kept.contact_id
WHERE (SELECT whole FROM `sessionize`.`_sessionize_work_bases` WHERE table_name = 'sessions') AND (t.contact_id IS NULL OR kept.`session_start` < t.restart_ts);

INSERT INTO `sessionize`.`contact_sessions__dead` (gen, `contact_id`, since)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), contact_id, coalesce(restart_ts, CAST('1900-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC'))))
FROM `sessionize`.`_sessionize_work_touched`
WHERE NOT (SELECT whole FROM `sessionize`.`_sessionize_work_bases` WHERE table_name = 'contact_sessions');

INSERT INTO `sessionize`.`contact_sessions__data` (gen, `contact_session_id`, `contact_id`, `session_index`, `session_start`, `session_end`, `duration_seconds`, `event_count`, `session_count`, `properties`, `is_cross_property`, `entry_property`, `entry_session_id`, `entry_url`, `has_product`, `prompted_product`, `user_lifecycle`, `utm_source`, `utm_medium`, `utm_campaign`, `channel`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), kept.*
FROM `sessionize`.`contact_sessions` AS kept
LEFT JOIN `sessionize`.`_sessionize_work_touched` AS t ON t.contact_id = kept.contact_id
WHERE (SELECT whole FROM `sessionize`.`_sessionize_work_bases` WHERE table_name = 'contact_sessions') AND (t.contact_id IS NULL OR kept.`session_start` < t.restart_ts);

INSERT INTO `sessionize`.`sessions__data` (gen, `session_id`, `contact_id`, `property`, `property_type`, `asset_class`, `session_index`, `session_start`, `session_end`, `duration_seconds`, `event_count`, `source`, `first_event`, `first_url`, `contact_session_id`, `user_lifecycle`, `days_since_prev_product_session`, `last_event`, `last_url`, `referrer`, `utm_source`, `utm_medium`, `utm_campaign`, `utm_term`, `utm_content`, `channel`, `is_bounce`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), `session_id`, `contact_id`, `property`, `property_type`, `asset_class`, `session_index`, `session_start`, `session_end`, `duration_seconds`, `event_count`, `source`, `first_event`, `first_url`, `contact_session_id`, `user_lifecycle`, `days_since_prev_product_session`, `last_event`, `last_url`, `referrer`, `utm_source`, `utm_medium`, `utm_campaign`, `utm_term`, `utm_content`, `channel`, `is_bounce`
FROM `sessionize`.`_sessionize_work_sessions_out`;

INSERT INTO `sessionize`.`contact_sessions__data` (gen, `contact_session_id`, `contact_id`, `session_index`, `session_start`, `session_end`, `duration_seconds`, `event_count`, `session_count`, `properties`, `is_cross_property`, `entry_property`, `entry_session_id`, `entry_url`, `has_product`, `prompted_product`, `user_lifecycle`, `utm_source`, `utm_medium`, `utm_campaign`, `channel`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), `contact_session_id`, `contact_id`, `session_index`, `session_start`, `session_end`, `duration_seconds`, `event_count`, `session_count`, `properties`, `is_cross_property`, `entry_property`, `entry_session_id`, `entry_url`, `has_product`, `prompted_product`, `user_lifecycle`, `utm_source`, `utm_medium`, `utm_campaign`, `channel`
FROM `sessionize`.`_sessionize_work_contact_sessions`;
