-- sessionize 03_sessions: model 'semi;colon \ back', full run, dialect postgres.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
SET TIME ZONE 'UTC';
--
-- Step 3: sessions per property (§3.3).
-- Within each (contact_id, property), in event order (timestamp, event_id), an
-- event starts a session when it is the first or when it comes
-- inactivity_timeout (30m = 1800000000 µs) or more after the previous one:
-- exactly 30:00 apart starts a session, 29:59.999999 does not. Sessions are
-- numbered 1, 2, ... (session_index) in order.
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_sessions";
CREATE UNLOGGED TABLE "sessionize"."_sessionize_work_sessions" AS
SELECT
  md5(contact_id || '|' || property || '|' || first_event_id) AS session_id,
  *
FROM (
WITH positioned AS (
  SELECT
    e.contact_id,
    e.property,
    e.ts,
    e.event_id,
    CAST(EXTRACT(EPOCH FROM e.ts) * 1000000 AS BIGINT) - CAST(EXTRACT(EPOCH FROM LAG(e.ts) OVER w) * 1000000 AS BIGINT) AS gap_before,
    CAST(EXTRACT(EPOCH FROM LEAD(e.ts) OVER w) * 1000000 AS BIGINT) - CAST(EXTRACT(EPOCH FROM e.ts) * 1000000 AS BIGINT) AS gap_after,
    ROW_NUMBER() OVER w AS n
  FROM "sessionize"."_sessionize_events" AS e
  WINDOW w AS (PARTITION BY e.contact_id, e.property ORDER BY e.ts, e.event_id)
),
edges AS (
  SELECT
    contact_id,
    property,
    ts,
    event_id,
    n,
    coalesce(gap_before >= 1800000000 /* 30m */, true) AS is_start,
    coalesce(gap_after >= 1800000000 /* 30m */, true) AS is_end
  FROM positioned
  WHERE coalesce(gap_before >= 1800000000 /* 30m */, true)
     OR coalesce(gap_after >= 1800000000 /* 30m */, true)
),
-- A session's first event is followed, among the edges, by its last (or is
-- its last too): a start row takes the end's timestamp and position.
spans AS (
  SELECT
    contact_id,
    property,
    ts AS session_start,
    CASE WHEN is_end THEN ts ELSE LEAD(ts) OVER v END AS session_end,
    CASE WHEN is_end THEN n ELSE LEAD(n) OVER v END - n + 1 AS event_count,
    -- the session's number: the starts up to this row, in the same sort
    SUM(CASE WHEN is_start THEN 1 ELSE 0 END) OVER (
      PARTITION BY contact_id, property ORDER BY n ROWS UNBOUNDED PRECEDING
    ) AS start_number,
    event_id AS first_event_id,
    is_start,
    n
  FROM edges
  WINDOW v AS (PARTITION BY contact_id, property ORDER BY n)
)
-- The first event gives the session its source, first_event and first_url.
SELECT
  s.contact_id,
  s.property,
  CAST(
    s.start_number AS INTEGER
  ) AS session_index,
  s.session_start,
  s.session_end,
  CAST(s.event_count AS BIGINT) AS event_count,
  s.first_event_id,
  f.source,
  f.event AS first_event,
  f.url AS first_url
FROM spans AS s
JOIN "sessionize"."_sessionize_events" AS f ON f.event_id = s.first_event_id
WHERE s.is_start
) AS per_session;

ANALYZE "sessionize"."_sessionize_work_sessions";
