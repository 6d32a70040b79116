-- sessionize 04_lifecycle: model 'semi;colon \\ back', incremental run, dialect clickhouse.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
SET join_use_nulls = 1;
SET union_default_mode = 'DISTINCT';
SET prefer_column_name_to_alias = 1;
--
-- Step 4: user lifecycle of product sessions (§3.5).
-- For each product session, in order of session_start per contact, prev_end is
-- the session_end of the contact's previous product session:
--   new          no previous product session
--   active       session_start - prev_end <= lookback (30d = 2592000000000 µs)
--   resurrected  otherwise
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_lifecycle` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
WITH previous AS (
  SELECT
    s.contact_id,
    s.property,
    s.session_index,
    s.session_start,
    -- the first recomputed product session looks back to the last kept one
    coalesce(
      lagInFrame(toNullable(s.session_end)) OVER (PARTITION BY s.contact_id ORDER BY s.session_start ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
      k.last_end
    ) AS prev_end
  FROM `sessionize`.`_sessionize_work_sessions` AS s
  LEFT JOIN `sessionize`.`_sessionize_work_kept` AS k
    ON k.contact_id = s.contact_id AND k.property = s.property
  WHERE s.property = 'product'
)
SELECT
  contact_id,
  property,
  session_index,
  CASE
    WHEN prev_end IS NULL THEN 'new'
    WHEN toUnixTimestamp64Micro(session_start) - toUnixTimestamp64Micro(prev_end) <= 2592000000000 /* 30d */ THEN 'active'
    ELSE 'resurrected'
  END AS user_lifecycle,
  toFloat64(toUnixTimestamp64Micro(session_start) - toUnixTimestamp64Micro(prev_end)) / 86400000000 AS days_since_prev_product_session
FROM previous;
