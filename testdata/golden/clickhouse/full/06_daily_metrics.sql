-- sessionize 06_daily_metrics: model 'demo', full run, dialect clickhouse.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
SET join_use_nulls = 1;
SET union_default_mode = 'DISTINCT';
SET prefer_column_name_to_alias = 1;
--
-- Step 6: daily_metrics, daily_channels and prompted_events (§4).
-- Days are the DATE of session_start in America/New_York, DST-aware.
-- The sessions, with what the two outputs count of them and of their
-- contact sessions.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_day_sessions_new` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
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
JOIN `sessionize`.`_sessionize_work_contact_sessions` AS c ON c.contact_session_id = s.contact_session_id;

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

INSERT INTO `sessionize`.`daily_metrics__data` (gen, `day`, `property`, `sessions`, `contacts`, `events`, `new_user_sessions`, `active_user_sessions`, `resurrected_user_sessions`, `cross_property_sessions`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), `day`, `property`, `sessions`, `contacts`, `events`, `new_user_sessions`, `active_user_sessions`, `resurrected_user_sessions`, `cross_property_sessions`
FROM `sessionize`.`_sessionize_work_daily_new`;

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

INSERT INTO `sessionize`.`daily_channels__data` (gen, `day`, `property`, `channel`, `sessions`, `contacts`, `prompted_product_sessions`, `new_user_sessions`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), `day`, `property`, `channel`, `sessions`, `contacts`, `prompted_product_sessions`, `new_user_sessions`
FROM `sessionize`.`_sessionize_work_channels_new`;

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
GROUP BY p.day, p.entry_property, p.entry_url, p.event;

INSERT INTO `sessionize`.`prompted_events__data` (gen, `day`, `entry_property`, `entry_url`, `event`, `contact_sessions`, `contacts`, `events`, `new_user_sessions`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), * FROM `sessionize`.`_sessionize_work_prompted_out`;
