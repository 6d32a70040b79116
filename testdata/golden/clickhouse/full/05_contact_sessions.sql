-- sessionize 05_contact_sessions: model 'demo', full run, dialect clickhouse.
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
    contact_id,
    property,
    session_index,
    prev_reach,
    is_cs_start,
    CAST(SUM(is_cs_start) OVER (
      PARTITION BY contact_id ORDER BY session_start, first_event_id ROWS UNBOUNDED PRECEDING
    ) AS Int32) AS cs_index
  FROM starts
),
with_lifecycle AS (
  SELECT s.*, l.user_lifecycle, l.days_since_prev_product_session
  FROM `sessionize`.`_sessionize_work_sessions` AS s
  LEFT JOIN `sessionize`.`_sessionize_work_lifecycle` AS l
    ON l.contact_id = s.contact_id AND l.property = s.property AND l.session_index = s.session_index
)
-- (w.* keeps its columns' own names where a third table in the same join
-- would have them prefixed with s.)
SELECT
  w.*,
  cs.prev_reach AS prev_reach,
  cs.is_cs_start AS is_cs_start,
  cs.cs_index AS cs_index
FROM with_lifecycle AS w
JOIN cs
  ON cs.contact_id = w.contact_id AND cs.property = w.property AND cs.session_index = w.session_index;

-- One row per contact session. Its first event is the first event of the
-- session that starts it (is_cs_start = 1); it is prompted when it holds
-- product events but entered through another property. The aggregate keeps
-- no text: the entry fields come from the starting session, the lifecycle
-- from the first product session, by joins.
INSERT INTO `sessionize`.`contact_sessions__data` (gen, `contact_session_id`, `contact_id`, `session_index`, `session_start`, `session_end`, `duration_seconds`, `event_count`, `session_count`, `properties`, `is_cross_property`, `entry_property`, `entry_session_id`, `entry_url`, `has_product`, `prompted_product`, `user_lifecycle`, `utm_source`, `utm_medium`, `utm_campaign`, `channel`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), `contact_session_id`, `contact_id`, `session_index`, `session_start`, `session_end`, `duration_seconds`, `event_count`, `session_count`, `properties`, `is_cross_property`, `entry_property`, `entry_session_id`, `entry_url`, `has_product`, `prompted_product`, `user_lifecycle`, `utm_source`, `utm_medium`, `utm_campaign`, `channel`
FROM (
WITH per_contact_session AS (
  SELECT
    contact_id,
    cs_index,
    MIN(session_start) AS session_start,
    MAX(session_end) AS session_end,
    toInt64(sum(event_count)) AS event_count,
    COUNT(*) AS session_count,
    substr(
      CASE WHEN toInt64(countIf(property = CAST('asset:articles' AS Nullable(String)))) > 0 THEN CAST(',asset:articles' AS Nullable(String)) ELSE '' END ||
      CASE WHEN toInt64(countIf(property = CAST('asset:docs' AS Nullable(String)))) > 0 THEN CAST(',asset:docs' AS Nullable(String)) ELSE '' END ||
      CASE WHEN toInt64(countIf(property = CAST('marketing' AS Nullable(String)))) > 0 THEN CAST(',marketing' AS Nullable(String)) ELSE '' END ||
      CASE WHEN toInt64(countIf(property = CAST('product' AS Nullable(String)))) > 0 THEN CAST(',product' AS Nullable(String)) ELSE '' END ||
      '',
      2
    ) AS properties,
    (
      CASE WHEN toInt64(countIf(property = CAST('asset:articles' AS Nullable(String)))) > 0 THEN 1 ELSE 0 END +
      CASE WHEN toInt64(countIf(property = CAST('asset:docs' AS Nullable(String)))) > 0 THEN 1 ELSE 0 END +
      CASE WHEN toInt64(countIf(property = CAST('marketing' AS Nullable(String)))) > 0 THEN 1 ELSE 0 END +
      CASE WHEN toInt64(countIf(property = CAST('product' AS Nullable(String)))) > 0 THEN 1 ELSE 0 END
    ) > 1 AS is_cross_property,
    MIN(CASE WHEN property = 'product' THEN session_start END) AS first_product_start
  FROM `sessionize`.`_sessionize_work_session_cs`
  GROUP BY contact_id, cs_index
)
SELECT
  lower(hex(MD5(concat(g.contact_id, '|', entry.first_event_id)))) AS contact_session_id,
  g.contact_id AS contact_id,
  g.cs_index AS session_index,
  g.session_start AS session_start,
  g.session_end AS session_end,
  toFloat64(toUnixTimestamp64Micro(g.session_end) - toUnixTimestamp64Micro(g.session_start)) / 1000000 AS duration_seconds,
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
JOIN `sessionize`.`_sessionize_work_session_cs` AS entry
  ON entry.contact_id = g.contact_id AND entry.cs_index = g.cs_index AND entry.is_cs_start = 1
-- A contact's product sessions never share a start.
LEFT JOIN `sessionize`.`_sessionize_work_session_cs` AS product
  ON product.contact_id = g.contact_id AND product.cs_index = g.cs_index
  AND product.property = 'product' AND product.session_start = g.first_product_start
);

CREATE OR REPLACE VIEW `sessionize`.`_sessionize_work_contact_sessions` AS
SELECT `contact_session_id`, `contact_id`, `session_index`, `session_start`, `session_end`, `duration_seconds`, `event_count`, `session_count`, `properties`, `is_cross_property`, `entry_property`, `entry_session_id`, `entry_url`, `has_product`, `prompted_product`, `user_lifecycle`, `utm_source`, `utm_medium`, `utm_campaign`, `channel`
FROM `sessionize`.`contact_sessions__data`
WHERE gen = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`);

-- The sessions output rows (§4), with the contact session each lies in.
INSERT INTO `sessionize`.`sessions__data` (gen, `session_id`, `contact_id`, `property`, `property_type`, `asset_class`, `session_index`, `session_start`, `session_end`, `duration_seconds`, `event_count`, `source`, `first_event`, `first_url`, `contact_session_id`, `user_lifecycle`, `days_since_prev_product_session`, `last_event`, `last_url`, `referrer`, `utm_source`, `utm_medium`, `utm_campaign`, `utm_term`, `utm_content`, `channel`, `is_bounce`, `locale`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), `session_id`, `contact_id`, `property`, `property_type`, `asset_class`, `session_index`, `session_start`, `session_end`, `duration_seconds`, `event_count`, `source`, `first_event`, `first_url`, `contact_session_id`, `user_lifecycle`, `days_since_prev_product_session`, `last_event`, `last_url`, `referrer`, `utm_source`, `utm_medium`, `utm_campaign`, `utm_term`, `utm_content`, `channel`, `is_bounce`, `locale`
FROM (
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
  s.event_count = 1 AS is_bounce,
  s.`pass_locale` AS `locale`
FROM `sessionize`.`_sessionize_work_session_cs` AS s
JOIN `sessionize`.`_sessionize_work_contact_sessions` AS c
  ON c.contact_id = s.contact_id AND c.session_index = s.cs_index
);

CREATE OR REPLACE VIEW `sessionize`.`_sessionize_work_sessions_out` AS
SELECT `session_id`, `contact_id`, `property`, `property_type`, `asset_class`, `session_index`, `session_start`, `session_end`, `duration_seconds`, `event_count`, `source`, `first_event`, `first_url`, `contact_session_id`, `user_lifecycle`, `days_since_prev_product_session`, `last_event`, `last_url`, `referrer`, `utm_source`, `utm_medium`, `utm_campaign`, `utm_term`, `utm_content`, `channel`, `is_bounce`, `locale`
FROM `sessionize`.`sessions__data`
WHERE gen = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`);
