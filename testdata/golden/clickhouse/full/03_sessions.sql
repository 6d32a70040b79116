-- sessionize 03_sessions: model 'demo', full run, dialect clickhouse.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
SET join_use_nulls = 1;
SET union_default_mode = 'DISTINCT';
SET prefer_column_name_to_alias = 1;
--
-- Step 3: sessions per property (§3.3).
-- Within each (contact_id, property), in event order (timestamp, event_id), an
-- event starts a session when it is the first or when it comes
-- inactivity_timeout (30m = 1800000000 µs) or more after the previous one:
-- exactly 30:00 apart starts a session, 29:59.999999 does not. Sessions are
-- numbered 1, 2, ... (session_index) in order.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_event_sessions` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1 AS
SELECT
  contact_id,
  property,
  ev.1 AS ts,
  ev.2 AS event_id,
  ev.3 AS source,
  ev.4 AS event,
  ev.5 AS url,
  is_start,
  toInt32(kept + idx) AS session_index
FROM (
  SELECT
    g.*,
    0 AS kept
  FROM (
    SELECT
      e.contact_id AS contact_id,
      e.property AS property,
      arraySort(x -> (x.1, x.2), groupArray((e.ts, e.event_id, e.source, e.event, e.url))) AS evs,
      arrayMap(
        (gap, i) -> toUInt8(i = 1 OR gap >= 1800000000 /* 30m */),
        arrayDifference(arrayMap(x -> toUnixTimestamp64Micro(assumeNotNull(x.1)), evs)),
        arrayEnumerate(evs)
      ) AS starts,
      arrayCumSum(starts) AS idx
    FROM `sessionize`.`_sessionize_events__next` AS e
    GROUP BY e.contact_id, e.property
  ) AS g
) AS grouped
ARRAY JOIN evs AS ev, starts AS is_start, idx;

-- One row per session. The first event (is_start = 1) gives the session its
-- id, source, first_event and first_url.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_sessions` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1 AS
WITH per_session AS (
  SELECT
    contact_id,
    property,
    session_index,
    MIN(ts) AS session_start,
    MAX(ts) AS session_end,
    COUNT(*) AS event_count,
    MAX(CASE WHEN is_start = 1 THEN event_id END) AS first_event_id,
    MAX(CASE WHEN is_start = 1 THEN source END) AS source,
    MAX(CASE WHEN is_start = 1 THEN event END) AS first_event,
    MAX(CASE WHEN is_start = 1 THEN url END) AS first_url
  FROM `sessionize`.`_sessionize_work_event_sessions`
  GROUP BY contact_id, property, session_index
)
SELECT
  lower(hex(MD5(concat(contact_id, '|', property, '|', first_event_id)))) AS session_id,
  *
FROM per_session;
