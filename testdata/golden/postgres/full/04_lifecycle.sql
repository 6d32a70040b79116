-- sessionize 04_lifecycle: model 'demo', full run, dialect postgres.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
SET TIME ZONE 'UTC';
--
-- Step 4: user lifecycle of product sessions (§3.5).
-- For each product session, in order of session_start per contact, prev_end is
-- the session_end of the contact's previous product session:
--   new          no previous product session
--   active       session_start - prev_end <= lookback (30d = 2592000000000 µs)
--   resurrected  otherwise
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_lifecycle";
CREATE UNLOGGED TABLE "sessionize"."_sessionize_work_lifecycle" AS
WITH previous AS (
  SELECT
    s.contact_id,
    s.property,
    s.session_index,
    s.session_start,
    LAG(s.session_end) OVER (PARTITION BY s.contact_id ORDER BY s.session_start) AS prev_end
  FROM "sessionize"."_sessionize_work_sessions" AS s
  WHERE s.property = 'product'
)
SELECT
  contact_id,
  property,
  session_index,
  CASE
    WHEN prev_end IS NULL THEN 'new'
    WHEN CAST(EXTRACT(EPOCH FROM session_start) * 1000000 AS BIGINT) - CAST(EXTRACT(EPOCH FROM prev_end) * 1000000 AS BIGINT) <= 2592000000000 /* 30d */ THEN 'active'
    ELSE 'resurrected'
  END AS user_lifecycle,
  CAST(CAST(EXTRACT(EPOCH FROM session_start) * 1000000 AS BIGINT) - CAST(EXTRACT(EPOCH FROM prev_end) * 1000000 AS BIGINT) AS DOUBLE PRECISION) / 86400000000 AS days_since_prev_product_session
FROM previous;

ANALYZE "sessionize"."_sessionize_work_lifecycle";
