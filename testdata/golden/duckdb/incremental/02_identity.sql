-- sessionize 02_identity: model 'demo', incremental run, dialect duckdb.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
-- Names are qualified with the catalog target, whatever the database file is
-- called: run the files in one session that opened it under that name, as
-- sessionize does (ATTACH 'FILE' AS target; USE target;).
SET TimeZone = 'UTC';
--
-- Step 2: identity stitching (§3.2).
-- Each anonymous_id maps to the user_id of its earliest row that carries both,
-- among the staged events and the identifies rows; contact_id is
-- coalesce(user_id, mapped user_id, anonymous_id).

-- The watermark of each table, kept for its scan below.
SET VARIABLE sessionize_since_6 = (SELECT since FROM temp.main."_sessionize_work_since" WHERE table_pos = 6);

-- Identifies rows that map something: they carry a user_id, an anonymous_id
-- and a timestamp, from 1900-01-01 00:00:00 up to 2200-01-01 00:00:00 as in step 1.
CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_identifies" AS
WITH identify_rows AS (

  -- app_prod.identifies
  SELECT
    6 AS table_pos,
    NULLIF(CAST("id" AS VARCHAR), '') AS id,
    NULLIF(CAST("user_id" AS VARCHAR), '') AS user_id,
    NULLIF(CAST("anonymous_id" AS VARCHAR), '') AS anonymous_id,
    CASE WHEN typeof("timestamp") = 'VARCHAR' THEN TRY_CAST(TRY_CAST("timestamp" AS TIMESTAMPTZ) AS TIMESTAMP) ELSE TRY_CAST("timestamp" AS TIMESTAMP) END AS ts,
    CASE WHEN typeof("received_at") = 'VARCHAR' THEN TRY_CAST(TRY_CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) ELSE TRY_CAST("received_at" AS TIMESTAMP) END AS loaded
  FROM "target"."app_prod"."identifies"
  WHERE (getvariable('sessionize_since_6') IS NULL OR CASE WHEN typeof("received_at") = 'VARCHAR' THEN TRY_CAST(TRY_CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) ELSE TRY_CAST("received_at" AS TIMESTAMP) END IS NULL OR CASE WHEN typeof("received_at") = 'VARCHAR' THEN TRY_CAST(TRY_CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) ELSE TRY_CAST("received_at" AS TIMESTAMP) END < CAST('1900-01-01 00:00:00' AS TIMESTAMP)
    OR CASE WHEN typeof("received_at") = 'VARCHAR' THEN TRY_CAST(TRY_CAST("received_at" AS TIMESTAMPTZ) AS TIMESTAMP) ELSE TRY_CAST("received_at" AS TIMESTAMP) END >= getvariable('sessionize_since_6') - INTERVAL '259200000000 microseconds')
),
read_rows AS (
  SELECT
    table_pos, id, user_id, anonymous_id,
    CASE WHEN ts >= CAST('1900-01-01 00:00:00' AS TIMESTAMP) AND ts < CAST('2200-01-01 00:00:00' AS TIMESTAMP) THEN ts END AS ts,
    coalesce(CASE WHEN loaded >= CAST('1900-01-01 00:00:00' AS TIMESTAMP) AND loaded < CAST('2200-01-01 00:00:00' AS TIMESTAMP) THEN loaded END, CASE WHEN ts >= CAST('1900-01-01 00:00:00' AS TIMESTAMP) AND ts < CAST('2200-01-01 00:00:00' AS TIMESTAMP) THEN ts END) AS loaded_at
  FROM identify_rows
)
SELECT r.*
FROM read_rows AS r
LEFT JOIN temp.main."_sessionize_work_since" AS w ON w.table_pos = r.table_pos
WHERE r.user_id IS NOT NULL AND r.anonymous_id IS NOT NULL AND r.ts IS NOT NULL
  AND (w.since IS NULL OR r.loaded_at IS NULL OR r.loaded_at >= w.since - INTERVAL '259200000000 microseconds');

-- The largest load time read from each identifies table that mapped
-- something, for its watermark (step 7).
INSERT INTO temp.main."_sessionize_work_loads" (table_pos, max_loaded)
SELECT table_pos, max(loaded_at)
FROM temp.main."_sessionize_work_identifies"
GROUP BY table_pos;

-- The anonymous_ids whose mapping this run may change: those of changed or
-- replaced events that carry a user_id, and those of new identifies rows.
CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_touched_anon" AS
SELECT DISTINCT anonymous_id
FROM (
  SELECT anonymous_id FROM temp.main."_sessionize_work_changed"
  WHERE anonymous_id IS NOT NULL AND user_id IS NOT NULL
  UNION ALL
  SELECT anonymous_id FROM temp.main."_sessionize_work_replaced"
  WHERE anonymous_id IS NOT NULL AND user_id IS NOT NULL
  UNION ALL
  SELECT anonymous_id FROM temp.main."_sessionize_work_identifies"
) AS touched;

-- Merge the new identifies rows into the best identifies row per anonymous_id.
CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_identifies_best" AS
WITH candidates AS (
  SELECT anonymous_id, user_id, ts, id
  FROM "target"."sessionize"."_sessionize_identifies"
  WHERE anonymous_id IN (SELECT anonymous_id FROM temp.main."_sessionize_work_identifies")
  UNION ALL
  SELECT anonymous_id, user_id, ts, id FROM temp.main."_sessionize_work_identifies"
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

DELETE FROM "target"."sessionize"."_sessionize_identifies"
WHERE anonymous_id IN (SELECT anonymous_id FROM temp.main."_sessionize_work_identifies_best");

INSERT INTO "target"."sessionize"."_sessionize_identifies" (anonymous_id, user_id, ts, id)
SELECT anonymous_id, user_id, ts, id FROM temp.main."_sessionize_work_identifies_best";

-- Take out the kept copies the changed events replace (step 1 found them:
-- usually few, looked up by event_id); the changed events go in below, with
-- their contact, once the identity map is up to date.
DELETE FROM "target"."sessionize"."_sessionize_events"
WHERE event_id IN (SELECT event_id FROM temp.main."_sessionize_work_replaced");

-- The touched anonymous_ids whose kept mapping came from a kept event that
-- a better copy replaced (usually none): the next best candidate of such an
-- anonymous_id may be any of its kept events.
CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_unsettled" AS
SELECT m.anonymous_id
FROM "target"."sessionize"."_sessionize_identity" AS m
JOIN temp.main."_sessionize_work_replaced" AS r ON r.anonymous_id = m.anonymous_id AND r.event_id = m.id;

-- The new mapping of each touched anonymous_id, beside the old one.
CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_remap" AS
WITH candidates AS (
  SELECT anonymous_id, user_id, ts, id
  FROM "target"."sessionize"."_sessionize_identity"
  WHERE anonymous_id IN (SELECT anonymous_id FROM temp.main."_sessionize_work_touched_anon")
    AND anonymous_id NOT IN (SELECT anonymous_id FROM temp.main."_sessionize_work_unsettled")
  UNION ALL
  SELECT anonymous_id, user_id, ts, event_id AS id
  FROM "target"."sessionize"."_sessionize_events"
  WHERE anonymous_id IN (SELECT anonymous_id FROM temp.main."_sessionize_work_unsettled")
    AND user_id IS NOT NULL
    AND event_id NOT IN (SELECT event_id FROM temp.main."_sessionize_work_replaced")
  UNION ALL
  SELECT anonymous_id, user_id, ts, event_id AS id
  FROM temp.main."_sessionize_work_changed"
  WHERE anonymous_id IS NOT NULL AND user_id IS NOT NULL
  UNION ALL
  SELECT anonymous_id, user_id, ts, id
  FROM "target"."sessionize"."_sessionize_identifies"
  WHERE anonymous_id IN (SELECT anonymous_id FROM temp.main."_sessionize_work_touched_anon")
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
FROM temp.main."_sessionize_work_touched_anon" AS t
LEFT JOIN (
  SELECT anonymous_id, user_id
  FROM "target"."sessionize"."_sessionize_identity"
  WHERE anonymous_id IN (SELECT anonymous_id FROM temp.main."_sessionize_work_touched_anon")
) AS old ON old.anonymous_id = t.anonymous_id
LEFT JOIN best ON best.anonymous_id = t.anonymous_id;

DELETE FROM "target"."sessionize"."_sessionize_identity"
WHERE anonymous_id IN (SELECT anonymous_id FROM temp.main."_sessionize_work_remap");

INSERT INTO "target"."sessionize"."_sessionize_identity" (anonymous_id, user_id, ts, id)
SELECT anonymous_id, new_user_id, new_ts, new_id
FROM temp.main."_sessionize_work_remap"
WHERE new_user_id IS NOT NULL;

-- Apply the event changes of step 1, with their contact under the new map.
INSERT INTO "target"."sessionize"."_sessionize_events" (contact_id, source, property, event_id, ts, loaded_at, user_id, anonymous_id, event, url, referrer, "pass_locale")
SELECT coalesce(c.user_id, m.user_id, c.anonymous_id), c.source, c.property, c.event_id, c.ts, c.loaded_at, c.user_id, c.anonymous_id, c.event, c.url, c.referrer, c."pass_locale"
FROM temp.main."_sessionize_work_changed" AS c
LEFT JOIN "target"."sessionize"."_sessionize_identity" AS m ON m.anonymous_id = c.anonymous_id;

-- The contacts this run touches (§5), each with the earliest timestamp
-- at which its events change: the contacts of the changed events, those the
-- replaced events belonged to, and, for every anonymous_id whose mapping
-- changed, both the contact it leaves and the one it joins, from the first
-- of the anonymous events that move.
CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_changes" AS
WITH moved AS (
  SELECT e.anonymous_id, MIN(e.ts) AS ts
  FROM "target"."sessionize"."_sessionize_events" AS e
  JOIN temp.main."_sessionize_work_remap" AS r ON r.anonymous_id = e.anonymous_id
  WHERE e.user_id IS NULL AND r.old_user_id IS DISTINCT FROM r.new_user_id
  GROUP BY e.anonymous_id
)
SELECT coalesce(c.user_id, m.user_id, c.anonymous_id) AS contact_id, c.ts
FROM temp.main."_sessionize_work_changed" AS c
LEFT JOIN (
  SELECT anonymous_id, user_id
  FROM "target"."sessionize"."_sessionize_identity"
  WHERE anonymous_id IN (SELECT anonymous_id FROM temp.main."_sessionize_work_changed")
) AS m ON m.anonymous_id = c.anonymous_id
UNION ALL
SELECT contact_id, ts FROM temp.main."_sessionize_work_replaced"
UNION ALL
SELECT coalesce(r.old_user_id, r.anonymous_id), moved.ts
FROM temp.main."_sessionize_work_remap" AS r JOIN moved ON moved.anonymous_id = r.anonymous_id
UNION ALL
SELECT coalesce(r.new_user_id, r.anonymous_id), moved.ts
FROM temp.main."_sessionize_work_remap" AS r JOIN moved ON moved.anonymous_id = r.anonymous_id;

-- Where each touched contact is recomputed from: the start of its last
-- contact session that starts at or before its earliest change (NULL: from
-- its first event). The contact sessions before that one end at least the
-- cross-property window before it, so no change at or after it can reach
-- them, nor their sessions: they are kept as they are, and the recomputed
-- sessions continue their numbering and lifecycle.
CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_touched" AS
WITH earliest AS (
  SELECT contact_id, MIN(ts) AS changed_from
  FROM temp.main."_sessionize_work_changes"
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
  FROM "target"."sessionize"."contact_sessions"
  WHERE contact_id IN (SELECT contact_id FROM earliest)
) AS cs ON cs.contact_id = t.contact_id
GROUP BY t.contact_id;

-- What the kept part of each touched contact holds: sessions per property
-- (the recomputed ones are numbered after them) and the end of the last
-- kept product session (the lifecycle of the next one looks back to it).
CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_kept" AS
SELECT s.contact_id, s.property, COUNT(*) AS kept_sessions, MAX(s.session_end) AS last_end
FROM "target"."sessionize"."sessions" AS s
JOIN temp.main."_sessionize_work_touched" AS t ON t.contact_id = s.contact_id
WHERE s.session_start < t.restart_ts
GROUP BY s.contact_id, s.property;

CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_kept_cs" AS
SELECT cs.contact_id, COUNT(*) AS kept_contact_sessions
FROM "target"."sessionize"."contact_sessions" AS cs
JOIN temp.main."_sessionize_work_touched" AS t ON t.contact_id = cs.contact_id
WHERE cs.session_start < t.restart_ts
GROUP BY cs.contact_id;

-- Move the events of re-mapped anonymous_ids to their new contact
-- (§3.2: a new identify re-attributes past events).
UPDATE "target"."sessionize"."_sessionize_events"
SET contact_id = coalesce(
  user_id,
  (SELECT m.user_id FROM "target"."sessionize"."_sessionize_identity" AS m WHERE m.anonymous_id = "target"."sessionize"."_sessionize_events".anonymous_id),
  anonymous_id
)
WHERE user_id IS NULL AND anonymous_id IN (
  SELECT anonymous_id FROM temp.main."_sessionize_work_remap"
  WHERE old_user_id IS DISTINCT FROM new_user_id
);
