-- sessionize 02_identity: model 'demo', incremental run, dialect clickhouse.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
SET join_use_nulls = 1;
SET union_default_mode = 'DISTINCT';
SET prefer_column_name_to_alias = 1;
--
-- Step 2: identity stitching (§3.2).
-- Each anonymous_id maps to the user_id of its earliest row that carries both,
-- among the staged events and the identifies rows; contact_id is
-- coalesce(user_id, mapped user_id, anonymous_id).

-- Identifies rows that map something: they carry a user_id, an anonymous_id
-- and a timestamp, from 1900-01-01 00:00:00 up to 2200-01-01 00:00:00 as in step 1.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_identifies` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
WITH identify_rows AS (

  -- app_prod.identifies
  SELECT
    6 AS table_pos,
    NULLIF(CAST(`id` AS Nullable(String)), '') AS id,
    NULLIF(CAST(`user_id` AS Nullable(String)), '') AS user_id,
    NULLIF(CAST(`anonymous_id` AS Nullable(String)), '') AS anonymous_id,
    accurateCastOrNull(`timestamp`, 'DateTime64(6, ''UTC'')') AS ts,
    accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') AS loaded
  FROM `app_prod`.`identifies`
  WHERE ((SELECT since FROM `sessionize`.`_sessionize_work_since` WHERE table_pos = 6) IS NULL OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') IS NULL OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') < CAST('1900-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC')))
    OR accurateCastOrNull(`received_at`, 'DateTime64(6, ''UTC'')') >= (SELECT since FROM `sessionize`.`_sessionize_work_since` WHERE table_pos = 6) - toIntervalMicrosecond(259200000000))
),
read_rows AS (
  SELECT
    table_pos, id, user_id, anonymous_id,
    CASE WHEN ts >= CAST('1900-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC'))) AND ts < CAST('2200-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC'))) THEN ts END AS ts,
    coalesce(CASE WHEN loaded >= CAST('1900-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC'))) AND loaded < CAST('2200-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC'))) THEN loaded END, CASE WHEN ts >= CAST('1900-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC'))) AND ts < CAST('2200-01-01 00:00:00' AS Nullable(DateTime64(6, 'UTC'))) THEN ts END) AS loaded_at
  FROM identify_rows
)
SELECT r.*
FROM read_rows AS r
LEFT JOIN `sessionize`.`_sessionize_work_since` AS w ON w.table_pos = r.table_pos
WHERE r.user_id IS NOT NULL AND r.anonymous_id IS NOT NULL AND r.ts IS NOT NULL
  AND (w.since IS NULL OR r.loaded_at IS NULL OR r.loaded_at >= w.since - toIntervalMicrosecond(259200000000));

-- The largest load time read from each identifies table that mapped
-- something, for its watermark (step 7).
INSERT INTO `sessionize`.`_sessionize_work_loads` (table_pos, max_loaded)
SELECT table_pos, max(loaded_at)
FROM `sessionize`.`_sessionize_work_identifies`
GROUP BY table_pos;

-- The anonymous_ids whose mapping this run may change: those of changed or
-- replaced events that carry a user_id, and those of new identifies rows.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_touched_anon` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT DISTINCT anonymous_id
FROM (
  SELECT anonymous_id FROM `sessionize`.`_sessionize_work_changed`
  WHERE anonymous_id IS NOT NULL AND user_id IS NOT NULL
  UNION ALL
  SELECT anonymous_id FROM `sessionize`.`_sessionize_work_replaced`
  WHERE anonymous_id IS NOT NULL AND user_id IS NOT NULL
  UNION ALL
  SELECT anonymous_id FROM `sessionize`.`_sessionize_work_identifies`
) AS touched;

-- Merge the new identifies rows into the best identifies row per anonymous_id.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_identifies_best` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
WITH candidates AS (
  SELECT anonymous_id, user_id, ts, id
  FROM `sessionize`.`_sessionize_identifies`
  WHERE anonymous_id IN (SELECT anonymous_id FROM `sessionize`.`_sessionize_work_identifies`)
  UNION ALL
  SELECT anonymous_id, user_id, ts, id FROM `sessionize`.`_sessionize_work_identifies`
)
SELECT anonymous_id, user_id, ts, id
FROM (
  SELECT
    c.*,
    ROW_NUMBER() OVER (PARTITION BY c.anonymous_id ORDER BY c.id NULLS LAST, c.user_id) AS mapping_rank
  FROM candidates AS c
  JOIN (
    SELECT anonymous_id, MIN(ts) AS first_ts FROM candidates GROUP BY anonymous_id
  ) AS earliest
    ON earliest.anonymous_id = c.anonymous_id AND earliest.first_ts = c.ts
) AS ranked
WHERE mapping_rank = 1;

INSERT INTO `sessionize`.`_sessionize_identifies__dead` (gen, `anonymous_id`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), `anonymous_id`
FROM `sessionize`.`_sessionize_work_identifies_best`
WHERE NOT (SELECT whole FROM `sessionize`.`_sessionize_work_bases` WHERE table_name = '_sessionize_identifies');

INSERT INTO `sessionize`.`_sessionize_identifies__data` (gen, `anonymous_id`, `user_id`, `ts`, `id`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), *
FROM `sessionize`.`_sessionize_identifies`
WHERE (SELECT whole FROM `sessionize`.`_sessionize_work_bases` WHERE table_name = '_sessionize_identifies') AND `anonymous_id` NOT IN (SELECT `anonymous_id` FROM `sessionize`.`_sessionize_work_identifies_best`);

INSERT INTO `sessionize`.`_sessionize_identifies__data` (gen, `anonymous_id`, `user_id`, `ts`, `id`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), anonymous_id, user_id, ts, id FROM `sessionize`.`_sessionize_work_identifies_best`;

-- The staged events with the changes of step 1 applied, before their
-- contacts are set: the run writes its version of the events once, below,
-- when the identity map is up to date. Of the kept events, the changed ones
-- are exactly those step 1 found replaced (the other changed rows are new
-- event_ids).
CREATE OR REPLACE VIEW `sessionize`.`_sessionize_work_events` AS
SELECT *
FROM `sessionize`.`_sessionize_events`
WHERE event_id NOT IN (SELECT event_id FROM `sessionize`.`_sessionize_work_replaced`)
UNION ALL
SELECT CAST(NULL AS Nullable(String)), source, property, event_id, ts, loaded_at, user_id, anonymous_id, event, url, referrer, `pass_locale`
FROM `sessionize`.`_sessionize_work_changed`;

-- The touched anonymous_ids whose kept mapping came from a kept event that
-- a better copy replaced (usually none): the next best candidate of such an
-- anonymous_id may be any of its kept events.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_unsettled` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT m.anonymous_id
FROM `sessionize`.`_sessionize_identity` AS m
JOIN `sessionize`.`_sessionize_work_replaced` AS r ON r.anonymous_id = m.anonymous_id AND r.event_id = m.id;

-- The candidates for the new mapping of each touched anonymous_id.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_remap_candidates` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT anonymous_id, user_id, ts, id
FROM `sessionize`.`_sessionize_identity`
WHERE anonymous_id IN (SELECT anonymous_id FROM `sessionize`.`_sessionize_work_touched_anon`)
  AND anonymous_id NOT IN (SELECT anonymous_id FROM `sessionize`.`_sessionize_work_unsettled`)
UNION ALL
SELECT anonymous_id, user_id, ts, event_id AS id
FROM `sessionize`.`_sessionize_events`
WHERE anonymous_id IN (SELECT anonymous_id FROM `sessionize`.`_sessionize_work_unsettled`)
  AND user_id IS NOT NULL
  AND event_id NOT IN (SELECT event_id FROM `sessionize`.`_sessionize_work_replaced`)
UNION ALL
SELECT anonymous_id, user_id, ts, event_id AS id
FROM `sessionize`.`_sessionize_work_changed`
WHERE anonymous_id IS NOT NULL AND user_id IS NOT NULL
UNION ALL
SELECT anonymous_id, user_id, ts, id
FROM `sessionize`.`_sessionize_identifies__next`
WHERE anonymous_id IN (SELECT anonymous_id FROM `sessionize`.`_sessionize_work_touched_anon`);

-- The new mapping of each touched anonymous_id, beside the old one.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_remap` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
WITH candidates AS (
  SELECT anonymous_id, user_id, ts, id FROM `sessionize`.`_sessionize_work_remap_candidates`
),
best AS (SELECT anonymous_id, user_id, ts, id
FROM (
  SELECT
    c.*,
    ROW_NUMBER() OVER (PARTITION BY c.anonymous_id ORDER BY c.id NULLS LAST, c.user_id) AS mapping_rank
  FROM candidates AS c
  JOIN (
    SELECT anonymous_id, MIN(ts) AS first_ts FROM candidates GROUP BY anonymous_id
  ) AS earliest
    ON earliest.anonymous_id = c.anonymous_id AND earliest.first_ts = c.ts
) AS ranked
WHERE mapping_rank = 1)
SELECT
  t.anonymous_id AS anonymous_id, old.user_id AS old_user_id,
  best.user_id AS new_user_id, best.ts AS new_ts, best.id AS new_id
FROM `sessionize`.`_sessionize_work_touched_anon` AS t
LEFT JOIN (
  SELECT anonymous_id, user_id
  FROM `sessionize`.`_sessionize_identity`
  WHERE anonymous_id IN (SELECT anonymous_id FROM `sessionize`.`_sessionize_work_touched_anon`)
) AS old ON old.anonymous_id = t.anonymous_id
LEFT JOIN best ON best.anonymous_id = t.anonymous_id;

INSERT INTO `sessionize`.`_sessionize_identity__dead` (gen, `anonymous_id`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), `anonymous_id`
FROM `sessionize`.`_sessionize_work_remap`
WHERE NOT (SELECT whole FROM `sessionize`.`_sessionize_work_bases` WHERE table_name = '_sessionize_identity');

INSERT INTO `sessionize`.`_sessionize_identity__data` (gen, `anonymous_id`, `user_id`, `ts`, `id`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), *
FROM `sessionize`.`_sessionize_identity`
WHERE (SELECT whole FROM `sessionize`.`_sessionize_work_bases` WHERE table_name = '_sessionize_identity') AND `anonymous_id` NOT IN (SELECT `anonymous_id` FROM `sessionize`.`_sessionize_work_remap`);

INSERT INTO `sessionize`.`_sessionize_identity__data` (gen, `anonymous_id`, `user_id`, `ts`, `id`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), anonymous_id, new_user_id, new_ts, new_id
FROM `sessionize`.`_sessionize_work_remap`
WHERE new_user_id IS NOT NULL;

-- The kept events that move to another contact: those of re-mapped
-- anonymous_ids without a user_id of their own (§3.2: a new identify
-- re-attributes past events), found through their old contact, by which
-- the kept events are sorted, rather than by a scan of every kept event's
-- anonymous_id.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_moved` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
WITH remapped AS (
  SELECT anonymous_id, old_user_id FROM `sessionize`.`_sessionize_work_remap`
  WHERE NOT ((old_user_id IS NULL AND new_user_id IS NULL) OR ifNull(old_user_id = new_user_id, false))
)
SELECT event_id, anonymous_id, ts
FROM `sessionize`.`_sessionize_work_events`
WHERE contact_id IN (SELECT coalesce(old_user_id, anonymous_id) FROM remapped)
  AND user_id IS NULL
  AND anonymous_id IN (SELECT anonymous_id FROM remapped);

-- The contacts this run touches (§5), each with the earliest timestamp
-- at which its events change: the contacts of the changed events, those the
-- replaced events belonged to, and, for every anonymous_id whose mapping
-- changed, both the contact it leaves and the one it joins, from the first
-- of the anonymous events that move.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_changes` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
WITH moved AS (
  SELECT anonymous_id, MIN(ts) AS ts
  FROM (
    SELECT anonymous_id, ts FROM `sessionize`.`_sessionize_work_moved`
    UNION ALL
    SELECT c.anonymous_id, c.ts
    FROM `sessionize`.`_sessionize_work_changed` AS c
    JOIN `sessionize`.`_sessionize_work_remap` AS r ON r.anonymous_id = c.anonymous_id
    WHERE c.user_id IS NULL AND NOT ((r.old_user_id IS NULL AND r.new_user_id IS NULL) OR ifNull(r.old_user_id = r.new_user_id, false))
  ) AS e
  GROUP BY anonymous_id
)
SELECT coalesce(c.user_id, m.user_id, c.anonymous_id) AS contact_id, c.ts
FROM `sessionize`.`_sessionize_work_changed` AS c
LEFT JOIN (
  SELECT anonymous_id, user_id
  FROM `sessionize`.`_sessionize_identity__next`
  WHERE anonymous_id IN (SELECT anonymous_id FROM `sessionize`.`_sessionize_work_changed`)
) AS m ON m.anonymous_id = c.anonymous_id
UNION ALL
SELECT contact_id, ts FROM `sessionize`.`_sessionize_work_replaced`
UNION ALL
SELECT coalesce(r.old_user_id, r.anonymous_id), moved.ts
FROM `sessionize`.`_sessionize_work_remap` AS r JOIN moved ON moved.anonymous_id = r.anonymous_id
UNION ALL
SELECT coalesce(r.new_user_id, r.anonymous_id), moved.ts
FROM `sessionize`.`_sessionize_work_remap` AS r JOIN moved ON moved.anonymous_id = r.anonymous_id;

-- Where each touched contact is recomputed from: the start of its last
-- contact session that starts at or before its earliest change (NULL: from
-- its first event). The contact sessions before that one end at least the
-- cross-property window before it, so no change at or after it can reach
-- them, nor their sessions: they are kept as they are, and the recomputed
-- sessions continue their numbering and lifecycle.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_touched` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
WITH earliest AS (
  SELECT contact_id, MIN(ts) AS changed_from
  FROM `sessionize`.`_sessionize_work_changes`
  GROUP BY contact_id
)
SELECT
  t.contact_id,
  MAX(CASE WHEN cs.session_start <= t.changed_from THEN cs.session_start END) AS restart_ts
FROM earliest AS t
-- only the touched contacts' contact sessions go into the join (ClickHouse
-- would read every one into it first)
LEFT JOIN (
  SELECT contact_id, session_start
  FROM `sessionize`.`contact_sessions`
  WHERE contact_id IN (SELECT contact_id FROM earliest)
) AS cs ON cs.contact_id = t.contact_id
GROUP BY t.contact_id;

-- What the kept part of each touched contact holds: sessions per property
-- (the recomputed ones are numbered after them) and the end of the last
-- kept product session (the lifecycle of the next one looks back to it).
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_kept` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT s.contact_id, s.property, COUNT(*) AS kept_sessions, MAX(s.session_end) AS last_end
FROM `sessionize`.`sessions` AS s
JOIN `sessionize`.`_sessionize_work_touched` AS t ON t.contact_id = s.contact_id
WHERE s.session_start < t.restart_ts
GROUP BY s.contact_id, s.property;

CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_kept_cs` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT cs.contact_id, COUNT(*) AS kept_contact_sessions
FROM `sessionize`.`contact_sessions` AS cs
JOIN `sessionize`.`_sessionize_work_touched` AS t ON t.contact_id = cs.contact_id
WHERE cs.session_start < t.restart_ts
GROUP BY cs.contact_id;

-- Unless the run writes the events whole, it marks the kept events it
-- replaces: the copies step 1 found better ones of, and those that move.
INSERT INTO `sessionize`.`_sessionize_events__dead` (gen, `event_id`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), event_id
FROM (
  SELECT event_id FROM `sessionize`.`_sessionize_work_replaced`
  UNION ALL
  SELECT event_id FROM `sessionize`.`_sessionize_work_moved`
) AS replaced
WHERE NOT (SELECT whole FROM `sessionize`.`_sessionize_work_bases` WHERE table_name = '_sessionize_events');

-- This run's events: the new ones and the better copies with their
-- contact, the events that move with their new one, and, when it writes
-- the events whole, the others as they were.
INSERT INTO `sessionize`.`_sessionize_events__data` (gen, `contact_id`, `source`, `property`, `event_id`, `ts`, `loaded_at`, `user_id`, `anonymous_id`, `event`, `url`, `referrer`, `pass_locale`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), coalesce(e.user_id, m.user_id, e.anonymous_id) AS contact_id, e.* EXCEPT (contact_id)
FROM (
  SELECT CAST(NULL AS Nullable(String)) AS contact_id, source, property, event_id, ts, loaded_at, user_id, anonymous_id, event, url, referrer, `pass_locale`
  FROM `sessionize`.`_sessionize_work_changed`
  UNION ALL
  -- through their old contact, as _sessionize_work_moved found them: the
  -- kept events' sort key then skips the granules of every other contact
  SELECT * FROM `sessionize`.`_sessionize_work_events`
  WHERE contact_id IN (
      SELECT coalesce(old_user_id, anonymous_id) FROM `sessionize`.`_sessionize_work_remap`
      WHERE NOT ((old_user_id IS NULL AND new_user_id IS NULL) OR ifNull(old_user_id = new_user_id, false))
    )
    AND event_id IN (SELECT event_id FROM `sessionize`.`_sessionize_work_moved`)
) AS e
LEFT JOIN (
  SELECT anonymous_id, user_id
  FROM `sessionize`.`_sessionize_identity__next`
  WHERE anonymous_id IN (SELECT anonymous_id FROM `sessionize`.`_sessionize_work_changed`)
     OR anonymous_id IN (SELECT anonymous_id FROM `sessionize`.`_sessionize_work_moved`)
) AS m ON m.anonymous_id = e.anonymous_id;

INSERT INTO `sessionize`.`_sessionize_events__data` (gen, `contact_id`, `source`, `property`, `event_id`, `ts`, `loaded_at`, `user_id`, `anonymous_id`, `event`, `url`, `referrer`, `pass_locale`)
SELECT (SELECT run_id FROM `sessionize`.`_sessionize_work_run`), *
FROM `sessionize`.`_sessionize_work_events`
WHERE (SELECT whole FROM `sessionize`.`_sessionize_work_bases` WHERE table_name = '_sessionize_events')
  AND contact_id IS NOT NULL
  AND event_id NOT IN (SELECT event_id FROM `sessionize`.`_sessionize_work_moved`);
