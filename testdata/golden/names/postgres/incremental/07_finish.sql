-- sessionize 07_finish: model 'semi;colon \ back', incremental run, dialect postgres.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
SET TIME ZONE 'UTC';
--
-- Step 7: record the run as successful and drop the work tables. The runner
-- commits this together with everything steps 1-6 wrote.

-- Each table's watermark (§5): the largest load time this run read from
-- it (or the one it had, if that is later), but never later than the run's
-- start, so that a load time in the future cannot carry it past rows still
-- to come; those rows are read again by every run until then.
INSERT INTO "sessionize"."_sessionize_watermarks" (run_id, table_pos, source, table_name, watermark, max_loaded)
SELECT
  r.run_id,
  t.table_pos,
  t.source,
  t.table_name,
  CASE WHEN l.loaded > r.started_at THEN r.started_at ELSE l.loaded END,
  l.max_loaded
FROM (
  SELECT 1 AS table_pos, CAST('app' AS TEXT) COLLATE "C" AS source, CAST('raw.app' AS TEXT) COLLATE "C" AS table_name
  UNION ALL
  SELECT 2 AS table_pos, CAST('docs' AS TEXT) COLLATE "C" AS source, CAST('raw.it''s; docs' AS TEXT) COLLATE "C" AS table_name
  UNION ALL
  SELECT 3 AS table_pos, CAST(NULL AS TEXT) COLLATE "C" AS source, CAST('raw.identifies' AS TEXT) COLLATE "C" AS table_name
) AS t
CROSS JOIN "sessionize"."_sessionize_work_run" AS r
LEFT JOIN (
  SELECT table_pos, max(loaded_at) AS loaded, max(max_loaded) AS max_loaded
  FROM (
    SELECT table_pos, max_loaded AS loaded_at, max_loaded FROM "sessionize"."_sessionize_work_loads"
    UNION ALL
    SELECT table_pos, since, CAST(NULL AS TIMESTAMP) FROM "sessionize"."_sessionize_work_since"
  ) AS loads
  GROUP BY table_pos
) AS l ON l.table_pos = t.table_pos;

UPDATE "sessionize"."_sessionize_runs"
SET
  status = 'success',
  finished_at = CAST(clock_timestamp() AT TIME ZONE 'UTC' AS TIMESTAMP),
  -- the latest of the tables' watermarks
  watermark = (
    SELECT max(watermark) FROM "sessionize"."_sessionize_watermarks"
    WHERE run_id = (SELECT run_id FROM "sessionize"."_sessionize_work_run")
  ),
  events_read = (SELECT events_read FROM "sessionize"."_sessionize_work_read"),
  rejected = (SELECT rejected FROM "sessionize"."_sessionize_work_read"),
  contacts_affected = (SELECT COUNT(*) FROM "sessionize"."_sessionize_work_touched"),
  rows_written = (SELECT rejected FROM "sessionize"."_sessionize_work_read")
    + (SELECT COUNT(*) FROM "sessionize"."_sessionize_work_sessions_out")
    + (SELECT COUNT(*) FROM "sessionize"."_sessionize_work_contact_sessions")
    + (SELECT COUNT(*) FROM "sessionize"."_sessionize_work_daily" WHERE sessions > 0)
    + (SELECT COUNT(*) FROM "sessionize"."_sessionize_work_channels" WHERE sessions > 0)
    + (SELECT COUNT(*) FROM "sessionize"."_sessionize_work_prompted_out")
WHERE run_id = (SELECT run_id FROM "sessionize"."_sessionize_work_run");

DROP TABLE IF EXISTS "sessionize"."_sessionize_work_changed";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_changes";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_channels";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_channels_new";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_channels_old";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_contact_sessions";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_daily";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_daily_new";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_daily_old";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_day_sessions_new";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_day_sessions_old";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_days";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_dup_ids";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_dups";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_identifies";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_identifies_best";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_input";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_kept";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_kept_cs";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_lifecycle";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_loads";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_prompted";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_prompted_keys";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_prompted_out";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_read";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_rejected";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_remap";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_replaced";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_run";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_seen";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_session_cs";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_sessions";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_sessions_out";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_since";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_staged";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_touched";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_touched_anon";
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_unsettled";
