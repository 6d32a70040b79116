-- sessionize 06_daily_metrics: model 'demo', incremental run, dialect clickhouse.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
SET join_use_nulls = 1;
SET union_default_mode = 'DISTINCT';
SET prefer_column_name_to_alias = 1;
--
-- Step 6: daily_metrics, daily_channels and prompted_events (§4).
-- Days are the DATE of session_start in America/New_York, DST-aware.
-- Every count is a sum over contacts, so a day's row is its old value, minus
-- what the touched contacts counted on it before this run, plus what they
-- count on it now (over all their sessions of that day, kept or rewritten).
-- The touched contacts' sessions on those days after this run, with what
-- the two outputs count of them and of their contact sessions.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_day_sessions_new` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
-- (those of the rows before this run that it keeps, the sessions before
-- each contact's restart point, and the sessions it wrote)
SELECT o.*
FROM `sessionize`.`_sessionize_work_day_sessions_old` AS o
JOIN `sessionize`.`_sessionize_work_touched` AS t ON t.contact_id = o.contact_id
WHERE o.session_start < t.restart_ts
UNION ALL
SELECT
  toDate32(s.session_start, 'America/New_York') AS day,
  s.property,
  s.channel,
  s.contact_id,
  -- (as the output stores it: a run's own rows may hold another integer type)
  CAST(s.event_count AS Nullable(Int64)) AS event_count,
  s.user_lifecycle,
  c.is_cross_property,
  c.prompted_product,
  s.session_start
FROM `sessionize`.`_sessionize_work_sessions_out` AS s
JOIN `sessionize`.`_sessionize_work_contact_sessions` AS c ON c.contact_session_id = s.contact_session_id
WHERE s.contact_id IN (SELECT contact_id FROM `sessionize`.`_sessionize_work_touched`)
  AND toDate32(s.session_start, 'America/New_York') IN (SELECT day FROM `sessionize`.`_sessionize_work_days`)
  AND c.contact_id IN (SELECT contact_id FROM `sessionize`.`_sessionize_work_touched`);

CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_daily_new` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
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
FROM `sessionize`.`_sessionize_work_day_sessions_new` AS s
GROUP BY s.day, s.property;

CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_daily` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
WITH changes AS (
  SELECT day, property,
    toInt64(sessions) AS sessions,
    toInt64(contacts) AS contacts,
    toInt64(events) AS events,
    toInt64(new_user_sessions) AS new_user_sessions,
    toInt64(active_user_sessions) AS active_user_sessions,
    toInt64(resurrected_user_sessions) AS resurrected_user_sessions,
    toInt64(cross_property_sessions) AS cross_property_sessions
  FROM `sessionize`.`daily_metrics`
  WHERE (day, property) IN (SELECT day, property FROM `sessionize`.`_sessionize_work_daily_old`)
     OR (day, property) IN (SELECT day, property FROM `sessionize`.`_sessionize_work_daily_new`)
  UNION ALL
  SELECT day, property,
    -toInt64(sessions) AS sessions,
    -toInt64(contacts) AS contacts,
    -toInt64(events) AS events,
    -toInt64(new_user_sessions) AS new_user_sessions,
    -toInt64(active_user_sessions) AS active_user_sessions,
    -toInt64(resurrected_user_sessions) AS resurrected_user_sessions,
    -toInt64(cross_property_sessions) AS cross_property_sessions
  FROM `sessionize`.`_sessionize_work_daily_old`
  UNION ALL
  SELECT day, property,
    toInt64(sessions) AS sessions,
    toInt64(contacts) AS contacts,
    toInt64(events) AS events,
    toInt64(new_user_sessions) AS new_user_sessions,
    toInt64(active_user_sessions) AS active_user_sessions,
    toInt64(resurrected_user_sessions) AS resurrected_user_sessions,
    toInt64(cross_property_sessions) AS cross_property_sessions
  FROM `sessionize`.`_sessionize_work_daily_new`
)
SELECT
  day, property,
  toInt64(sum(sessions)) AS sessions,
  toInt64(sum(contacts)) AS contacts,
  toInt64(sum(events)) AS events,
  toInt64(sum(new_user_sessions)) AS new_user_sessions,
  toInt64(sum(active_user_sessions)) AS active_user_sessions,
  toInt64(sum(resurrected_user_sessions)) AS resurrected_user_sessions,
  toInt64(sum(cross_property_sessions)) AS cross_property_sessions
FROM changes
GROUP BY day, property;

-- This run's version of daily_metrics: the keys it did not change, and the
-- changed ones that still have sessions (§4).
INSERT INTO `sessionize`.`daily_metrics__data` (gen, `day`, `property`, `sessions`, `contacts`, `events`, `new_user_sessions`, `active_user_sessions`, `resurrected_user_sessions`, `cross_property_sessions`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), `day`, `property`, `sessions`, `contacts`, `events`, `new_user_sessions`, `active_user_sessions`, `resurrected_user_sessions`, `cross_property_sessions`
FROM `sessionize`.`daily_metrics`
WHERE (day, property) NOT IN (SELECT day, property FROM `sessionize`.`_sessionize_work_daily`);

INSERT INTO `sessionize`.`daily_metrics__data` (gen, `day`, `property`, `sessions`, `contacts`, `events`, `new_user_sessions`, `active_user_sessions`, `resurrected_user_sessions`, `cross_property_sessions`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), `day`, `property`, `sessions`, `contacts`, `events`, `new_user_sessions`, `active_user_sessions`, `resurrected_user_sessions`, `cross_property_sessions`
FROM `sessionize`.`_sessionize_work_daily`
WHERE sessions > 0;

-- daily_channels (docs/enrichment.md §4), the same way.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_channels_new` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT
  s.day,
  s.property,
  s.channel,
  COUNT(*) AS sessions,
  COUNT(DISTINCT s.contact_id) AS contacts,
  toInt64(countIf(s.prompted_product)) AS prompted_product_sessions,
  toInt64(countIf(s.user_lifecycle = 'new')) AS new_user_sessions
FROM `sessionize`.`_sessionize_work_day_sessions_new` AS s
GROUP BY s.day, s.property, s.channel;

CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_channels` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
WITH changes AS (
  SELECT day, property, channel,
    toInt64(sessions) AS sessions,
    toInt64(contacts) AS contacts,
    toInt64(prompted_product_sessions) AS prompted_product_sessions,
    toInt64(new_user_sessions) AS new_user_sessions
  FROM `sessionize`.`daily_channels`
  WHERE (day, property, channel) IN (SELECT day, property, channel FROM `sessionize`.`_sessionize_work_channels_old`)
     OR (day, property, channel) IN (SELECT day, property, channel FROM `sessionize`.`_sessionize_work_channels_new`)
  UNION ALL
  SELECT day, property, channel,
    -toInt64(sessions) AS sessions,
    -toInt64(contacts) AS contacts,
    -toInt64(prompted_product_sessions) AS prompted_product_sessions,
    -toInt64(new_user_sessions) AS new_user_sessions
  FROM `sessionize`.`_sessionize_work_channels_old`
  UNION ALL
  SELECT day, property, channel,
    toInt64(sessions) AS sessions,
    toInt64(contacts) AS contacts,
    toInt64(prompted_product_sessions) AS prompted_product_sessions,
    toInt64(new_user_sessions) AS new_user_sessions
  FROM `sessionize`.`_sessionize_work_channels_new`
)
SELECT
  day, property, channel,
  toInt64(sum(sessions)) AS sessions,
  toInt64(sum(contacts)) AS contacts,
  toInt64(sum(prompted_product_sessions)) AS prompted_product_sessions,
  toInt64(sum(new_user_sessions)) AS new_user_sessions
FROM changes
GROUP BY day, property, channel;

-- This run's version of daily_channels: the keys it did not change, and the
-- changed ones that still have sessions (§4).
INSERT INTO `sessionize`.`daily_channels__data` (gen, `day`, `property`, `channel`, `sessions`, `contacts`, `prompted_product_sessions`, `new_user_sessions`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), `day`, `property`, `channel`, `sessions`, `contacts`, `prompted_product_sessions`, `new_user_sessions`
FROM `sessionize`.`daily_channels`
WHERE (day, property, channel) NOT IN (SELECT day, property, channel FROM `sessionize`.`_sessionize_work_channels`);

INSERT INTO `sessionize`.`daily_channels__data` (gen, `day`, `property`, `channel`, `sessions`, `contacts`, `prompted_product_sessions`, `new_user_sessions`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), `day`, `property`, `channel`, `sessions`, `contacts`, `prompted_product_sessions`, `new_user_sessions`
FROM `sessionize`.`_sessionize_work_channels`
WHERE sessions > 0;

-- prompted_events: for each prompted contact session (§3.4) and each
-- product event name in it, one row of _sessionize_prompted, kept between
-- runs so an incremental run can recount the keys it touches.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_prompted` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT
  c.contact_id AS contact_id,
  c.contact_session_id AS contact_session_id,
  c.session_start AS cs_start,
  toDate32(c.session_start, 'America/New_York') AS day,
  c.entry_property AS entry_property,
  c.entry_url AS entry_url,
  e.event AS event,
  COUNT(*) AS events,
  coalesce(c.user_lifecycle = 'new', false) AS is_new
FROM (
  -- each product session's events, by name, from step 3
  SELECT contact_id, property, session_index, event
  FROM `sessionize`.`_sessionize_work_session_rows`
  ARRAY JOIN product_events AS event
  WHERE property = 'product' AND event IS NOT NULL
) AS e
JOIN `sessionize`.`_sessionize_work_sessions_out` AS s
  ON s.contact_id = e.contact_id AND s.property = e.property AND s.session_index = e.session_index
JOIN `sessionize`.`_sessionize_work_contact_sessions` AS c
  ON c.contact_session_id = s.contact_session_id
WHERE c.prompted_product
GROUP BY c.contact_id, c.contact_session_id, c.session_start, toDate32(c.session_start, 'America/New_York'), c.entry_property, c.entry_url, e.event, c.user_lifecycle;

-- The rows of _sessionize_prompted this run replaces: those of the touched
-- contacts' contact sessions from their restart point on.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_prompted_old` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT p.*
FROM `sessionize`.`_sessionize_prompted` AS p
JOIN `sessionize`.`_sessionize_work_touched` AS t ON t.contact_id = p.contact_id
WHERE t.restart_ts IS NULL OR p.cs_start >= t.restart_ts;

-- The keys whose counts change: those the touched contacts had and have.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_prompted_keys` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT DISTINCT day, entry_property, entry_url, event
FROM (
  SELECT day, entry_property, entry_url, event FROM `sessionize`.`_sessionize_work_prompted_old`
  UNION ALL
  SELECT day, entry_property, entry_url, event FROM `sessionize`.`_sessionize_work_prompted`
) AS keys;

INSERT INTO `sessionize`.`_sessionize_prompted__dead` (gen, `contact_id`, since)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), contact_id, coalesce(restart_ts, CAST('1900-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC'))))
FROM `sessionize`.`_sessionize_work_touched`
WHERE NOT (SELECT whole FROM `sessionize`.`_sessionize_work_bases` WHERE table_name = '_sessionize_prompted');

INSERT INTO `sessionize`.`_sessionize_prompted__data` (gen, `contact_id`, `contact_session_id`, `cs_start`, `day`, `entry_property`, `entry_url`, `event`, `events`, `is_new`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), kept.*
FROM `sessionize`.`_sessionize_prompted` AS kept
LEFT JOIN `sessionize`.`_sessionize_work_touched` AS t ON t.contact_id = kept.contact_id
WHERE (SELECT whole FROM `sessionize`.`_sessionize_work_bases` WHERE table_name = '_sessionize_prompted') AND (t.contact_id IS NULL OR kept.`cs_start` < t.restart_ts);

INSERT INTO `sessionize`.`_sessionize_prompted__data` (gen, `contact_id`, `contact_session_id`, `cs_start`, `day`, `entry_property`, `entry_url`, `event`, `events`, `is_new`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), * FROM `sessionize`.`_sessionize_work_prompted`;

CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_prompted_out` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT
  p.day,
  p.entry_property,
  p.entry_url,
  p.event,
  COUNT(*) AS contact_sessions,
  COUNT(DISTINCT p.contact_id) AS contacts,
  toInt64(sum(p.events)) AS events,
  toInt64(countIf(p.is_new)) AS new_user_sessions
FROM `sessionize`.`_sessionize_prompted__next` AS p
WHERE (p.day, p.entry_property, p.entry_url, p.event) IN (
  SELECT day, entry_property, entry_url, event FROM `sessionize`.`_sessionize_work_prompted_keys`
)
GROUP BY p.day, p.entry_property, p.entry_url, p.event
SETTINGS transform_null_in = 1;

INSERT INTO `sessionize`.`prompted_events__data` (gen, `day`, `entry_property`, `entry_url`, `event`, `contact_sessions`, `contacts`, `events`, `new_user_sessions`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), *
FROM `sessionize`.`prompted_events`
WHERE (day, entry_property, entry_url, event) NOT IN (
  SELECT day, entry_property, entry_url, event FROM `sessionize`.`_sessionize_work_prompted_keys`
)
SETTINGS transform_null_in = 1;

INSERT INTO `sessionize`.`prompted_events__data` (gen, `day`, `entry_property`, `entry_url`, `event`, `contact_sessions`, `contacts`, `events`, `new_user_sessions`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), * FROM `sessionize`.`_sessionize_work_prompted_out`;
