-- The hand-written chain, ClickHouse: what an analytics engineer would
-- write instead of sessionize for the demo's model, as a chain of table
-- models (one CREATE TABLE AS each, a MergeTree without a sorting key,
-- rebuilt from the sources on every run, as a dbt table materialization
-- is), with window functions. It keeps no state beyond its own tables and
-- writes no rejected_events or prompted_events. The demo model's settings
-- are written in: 30 minutes of inactivity and across properties, 30 days
-- of lifecycle lookback, days in America/New_York.
--
-- Each step starts with a "-- step: name" line and is one statement; the
-- bench times each. The file is a Go template: src names a source table of
-- the demo, out a table of this chain, in a database of its own.

-- step: schema
CREATE DATABASE IF NOT EXISTS {{schema}};

-- step: stg_events
-- The five event tables, with Segment's columns as the model maps them:
-- empty ids are NULL, the load time falls back to the event's time.
CREATE OR REPLACE TABLE {{out "stg_events"}} ENGINE = MergeTree ORDER BY tuple() AS
SELECT 'website' AS source, 'marketing' AS property, nullIf(id, '') AS event_id,
       toDateTime64("timestamp", 6, 'UTC') AS ts, toDateTime64(coalesce(received_at, "timestamp"), 6, 'UTC') AS loaded_at,
       nullIf(user_id, '') AS user_id, nullIf(anonymous_id, '') AS anonymous_id,
       CAST(NULL AS Nullable(String)) AS event, url
FROM {{src "website" "pages"}}
UNION ALL
SELECT 'website', 'marketing', nullIf(id, ''),
       toDateTime64("timestamp", 6, 'UTC'), toDateTime64(coalesce(received_at, "timestamp"), 6, 'UTC'),
       nullIf(user_id, ''), nullIf(anonymous_id, ''), event, url
FROM {{src "website" "tracks"}}
UNION ALL
SELECT 'app', 'product', nullIf(id, ''),
       toDateTime64("timestamp", 6, 'UTC'), toDateTime64(coalesce(received_at, "timestamp"), 6, 'UTC'),
       nullIf(user_id, ''), nullIf(anonymous_id, ''), event, context_page_url
FROM {{src "app_prod" "tracks"}}
UNION ALL
SELECT 'docs', 'asset:docs', nullIf(id, ''),
       toDateTime64("timestamp", 6, 'UTC'), toDateTime64(coalesce(received_at, "timestamp"), 6, 'UTC'),
       nullIf(user_id, ''), nullIf(anonymous_id, ''), NULL, url
FROM {{src "docs" "pages"}}
UNION ALL
SELECT 'blog', 'asset:articles', nullIf(id, ''),
       toDateTime64("timestamp", 6, 'UTC'), toDateTime64(coalesce(received_at, "timestamp"), 6, 'UTC'),
       nullIf(user_id, ''), nullIf(anonymous_id, ''), NULL, url
FROM {{src "blog" "pages"}};

-- step: stg_identifies
CREATE OR REPLACE TABLE {{out "stg_identifies"}} ENGINE = MergeTree ORDER BY tuple() AS
SELECT nullIf(id, '') AS identify_id, nullIf(user_id, '') AS user_id,
       nullIf(anonymous_id, '') AS anonymous_id, toDateTime64("timestamp", 6, 'UTC') AS ts
FROM {{src "app_prod" "identifies"}};

-- step: events
-- Rows that can be sessionized, one per event_id: the earliest loaded copy,
-- then the earliest timestamp, then the smallest source name.
CREATE OR REPLACE TABLE {{out "events"}} ENGINE = MergeTree ORDER BY tuple() AS
SELECT source, property, event_id, ts, loaded_at, user_id, anonymous_id, event, url
FROM {{out "stg_events"}}
WHERE event_id IS NOT NULL AND ts IS NOT NULL AND (user_id IS NOT NULL OR anonymous_id IS NOT NULL)
QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY loaded_at, ts, source) = 1;

-- step: identity_map
-- Each anonymous_id goes to the user_id of its earliest row carrying both,
-- among the events and the identifies (an identify without an id after the
-- events at the same time).
CREATE OR REPLACE TABLE {{out "identity_map"}} ENGINE = MergeTree ORDER BY tuple() AS
WITH candidates AS (
  SELECT anonymous_id, user_id, ts, event_id AS row_id
  FROM {{out "events"}}
  WHERE anonymous_id IS NOT NULL AND user_id IS NOT NULL
  UNION ALL
  SELECT anonymous_id, user_id, ts, identify_id
  FROM {{out "stg_identifies"}}
  WHERE anonymous_id IS NOT NULL AND user_id IS NOT NULL AND ts IS NOT NULL
)
SELECT anonymous_id, user_id
FROM candidates
QUALIFY row_number() OVER (PARTITION BY anonymous_id ORDER BY ts, row_id NULLS LAST, user_id) = 1;

-- step: events_sessionized
-- Each event with its contact, and its session's and contact session's
-- number: a gap of 30 minutes or more (or none before) starts one, per
-- (contact, property) and per contact. (lagInFrame is ClickHouse's LAG; on a
-- Nullable ts the first row's is NULL.)
CREATE OR REPLACE TABLE {{out "events_sessionized"}} ENGINE = MergeTree ORDER BY tuple() AS
WITH identified AS (
  SELECT coalesce(e.user_id, m.user_id, e.anonymous_id) AS contact_id,
         e.property AS property, e.event_id AS event_id, e.ts AS ts,
         e.source AS source, e.event AS event, e.url AS url
  FROM {{out "events"}} AS e
  LEFT JOIN {{out "identity_map"}} AS m ON m.anonymous_id = e.anonymous_id
),
gaps AS (
  SELECT *,
         lagInFrame(toNullable(ts)) OVER (PARTITION BY contact_id, property ORDER BY ts, event_id) AS prev_ts,
         lagInFrame(toNullable(ts)) OVER (PARTITION BY contact_id ORDER BY ts, event_id) AS prev_contact_ts
  FROM identified
),
starts AS (
  SELECT *,
         if(prev_ts IS NULL OR ts >= prev_ts + INTERVAL 30 MINUTE, 1, 0) AS is_session_start,
         if(prev_contact_ts IS NULL OR ts >= prev_contact_ts + INTERVAL 30 MINUTE, 1, 0) AS is_contact_session_start
  FROM gaps
)
SELECT contact_id, property, event_id, ts, source, event, url,
       is_session_start, is_contact_session_start,
       sum(is_session_start) OVER (PARTITION BY contact_id, property ORDER BY ts, event_id ROWS UNBOUNDED PRECEDING) AS session_index,
       sum(is_contact_session_start) OVER (PARTITION BY contact_id ORDER BY ts, event_id ROWS UNBOUNDED PRECEDING) AS contact_session_index
FROM starts
SETTINGS join_use_nulls = 1;

-- step: sessions
-- One row per session; its first event gives the id, source, event and url.
CREATE OR REPLACE TABLE {{out "sessions"}} ENGINE = MergeTree ORDER BY tuple() AS
WITH per_session AS (
  SELECT contact_id, property, session_index,
         min(ts) AS session_start,
         max(ts) AS session_end,
         count() AS event_count,
         min(contact_session_index) AS contact_session_index,
         max(is_contact_session_start) = 1 AS is_contact_session_entry,
         anyIf(event_id, is_session_start = 1) AS first_event_id,
         anyIf(source, is_session_start = 1) AS source,
         anyIf(event, is_session_start = 1) AS first_event,
         anyIf(url, is_session_start = 1) AS first_url
  FROM {{out "events_sessionized"}}
  GROUP BY contact_id, property, session_index
)
SELECT lower(hex(MD5(contact_id || '|' || property || '|' || first_event_id))) AS session_id,
       contact_id, property,
       toInt32(session_index) AS session_index,
       session_start, session_end,
       dateDiff('microsecond', session_start, session_end) / 1e6 AS duration_seconds,
       event_count, source, first_event_id, first_event, first_url,
       toInt32(contact_session_index) AS contact_session_index, is_contact_session_entry
FROM per_session;

-- step: product_lifecycle
-- new: no earlier product session; active: within 30 days of the previous
-- one's end; resurrected: later.
CREATE OR REPLACE TABLE {{out "product_lifecycle"}} ENGINE = MergeTree ORDER BY tuple() AS
WITH previous AS (
  SELECT session_id, contact_id, session_start,
         lagInFrame(toNullable(session_end)) OVER (PARTITION BY contact_id ORDER BY session_start) AS prev_end
  FROM {{out "sessions"}}
  WHERE property = 'product'
)
SELECT session_id, contact_id, session_start,
       multiIf(
         prev_end IS NULL, 'new',
         session_start <= prev_end + INTERVAL 30 DAY, 'active',
         'resurrected'
       ) AS user_lifecycle,
       dateDiff('microsecond', prev_end, session_start) / 86400e6 AS days_since_prev_product_session
FROM previous;

-- step: contact_sessions
CREATE OR REPLACE TABLE {{out "contact_sessions"}} ENGINE = MergeTree ORDER BY tuple() AS
SELECT lower(hex(MD5(s.contact_id || '|' || anyIf(s.first_event_id, s.is_contact_session_entry)))) AS contact_session_id,
       s.contact_id AS contact_id,
       s.contact_session_index AS session_index,
       min(s.session_start) AS session_start,
       max(s.session_end) AS session_end,
       dateDiff('microsecond', min(s.session_start), max(s.session_end)) / 1e6 AS duration_seconds,
       toInt64(sum(s.event_count)) AS event_count,
       count() AS session_count,
       arrayStringConcat(arraySort(groupUniqArray(s.property)), ',') AS properties,
       toBool(uniqExact(s.property) > 1) AS is_cross_property,
       anyIf(s.property, s.is_contact_session_entry) AS entry_property,
       anyIf(s.session_id, s.is_contact_session_entry) AS entry_session_id,
       anyIf(s.first_url, s.is_contact_session_entry) AS entry_url,
       toBool(max(s.property = 'product')) AS has_product,
       toBool(has_product AND entry_property != 'product') AS prompted_product,
       argMinIf(l.user_lifecycle, s.session_start, s.property = 'product') AS user_lifecycle
FROM {{out "sessions"}} AS s
LEFT JOIN {{out "product_lifecycle"}} AS l ON l.session_id = s.session_id
GROUP BY s.contact_id, s.contact_session_index
SETTINGS join_use_nulls = 1;

-- step: daily_metrics
CREATE OR REPLACE TABLE {{out "daily_metrics"}} ENGINE = MergeTree ORDER BY tuple() AS
SELECT toDate(s.session_start, 'America/New_York') AS day,
       s.property AS property,
       count() AS sessions,
       uniqExact(s.contact_id) AS contacts,
       toInt64(sum(s.event_count)) AS events,
       countIf(l.user_lifecycle = 'new') AS new_user_sessions,
       countIf(l.user_lifecycle = 'active') AS active_user_sessions,
       countIf(l.user_lifecycle = 'resurrected') AS resurrected_user_sessions,
       countIf(c.is_cross_property) AS cross_property_sessions
FROM {{out "sessions"}} AS s
LEFT JOIN {{out "product_lifecycle"}} AS l ON l.session_id = s.session_id
JOIN {{out "contact_sessions"}} AS c ON c.contact_id = s.contact_id AND c.session_index = s.contact_session_index
GROUP BY day, property
SETTINGS join_use_nulls = 1;
