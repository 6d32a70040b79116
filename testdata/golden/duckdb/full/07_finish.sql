-- sessionize 07_finish: model 'demo', full run, dialect duckdb.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
-- Names are qualified with the catalog target, whatever the database file is
-- called: run the files in one session that opened it under that name, as
-- sessionize does (ATTACH 'FILE' AS target; USE target;).
SET TimeZone = 'UTC';
--
-- Step 7: publish what the run wrote, record it as successful and drop the
-- work tables, in one transaction. Steps 1-6 of a full run committed as they
-- went, each kept table under a name of its own (<table>__next) that nothing
-- else reads; renaming them publishes every table at once.
DROP TABLE IF EXISTS "target"."sessionize"."sessions";
ALTER TABLE "target"."sessionize"."sessions__next" RENAME TO "sessions";
DROP TABLE IF EXISTS "target"."sessionize"."contact_sessions";
ALTER TABLE "target"."sessionize"."contact_sessions__next" RENAME TO "contact_sessions";
DROP TABLE IF EXISTS "target"."sessionize"."daily_metrics";
ALTER TABLE "target"."sessionize"."daily_metrics__next" RENAME TO "daily_metrics";
DROP TABLE IF EXISTS "target"."sessionize"."daily_channels";
ALTER TABLE "target"."sessionize"."daily_channels__next" RENAME TO "daily_channels";
DROP TABLE IF EXISTS "target"."sessionize"."prompted_events";
ALTER TABLE "target"."sessionize"."prompted_events__next" RENAME TO "prompted_events";
DROP TABLE IF EXISTS "target"."sessionize"."rejected_events";
ALTER TABLE "target"."sessionize"."rejected_events__next" RENAME TO "rejected_events";
DROP TABLE IF EXISTS "target"."sessionize"."_sessionize_events";
ALTER TABLE "target"."sessionize"."_sessionize_events__next" RENAME TO "_sessionize_events";
DROP TABLE IF EXISTS "target"."sessionize"."_sessionize_identity";
ALTER TABLE "target"."sessionize"."_sessionize_identity__next" RENAME TO "_sessionize_identity";
DROP TABLE IF EXISTS "target"."sessionize"."_sessionize_identifies";
ALTER TABLE "target"."sessionize"."_sessionize_identifies__next" RENAME TO "_sessionize_identifies";
DROP TABLE IF EXISTS "target"."sessionize"."_sessionize_rejected";
ALTER TABLE "target"."sessionize"."_sessionize_rejected__next" RENAME TO "_sessionize_rejected";
DROP TABLE IF EXISTS "target"."sessionize"."_sessionize_prompted";
ALTER TABLE "target"."sessionize"."_sessionize_prompted__next" RENAME TO "_sessionize_prompted";

-- Each table's watermark (§5): the largest load time this run read from
-- it, but never later than the run's
-- start, so that a load time in the future cannot carry it past rows still
-- to come; those rows are read again by every run until then.
INSERT INTO "target"."sessionize"."_sessionize_watermarks" (run_id, table_pos, source, table_name, watermark, max_loaded)
SELECT
  r.run_id,
  t.table_pos,
  t.source,
  t.table_name,
  CASE WHEN l.loaded > r.started_at THEN r.started_at ELSE l.loaded END,
  l.max_loaded
FROM (
  SELECT 1 AS table_pos, CAST('website' AS VARCHAR) AS source, CAST('website.pages' AS VARCHAR) AS table_name
  UNION ALL
  SELECT 2 AS table_pos, CAST('website' AS VARCHAR) AS source, CAST('website.tracks' AS VARCHAR) AS table_name
  UNION ALL
  SELECT 3 AS table_pos, CAST('app' AS VARCHAR) AS source, CAST('app_prod.tracks' AS VARCHAR) AS table_name
  UNION ALL
  SELECT 4 AS table_pos, CAST('docs' AS VARCHAR) AS source, CAST('docs.pages' AS VARCHAR) AS table_name
  UNION ALL
  SELECT 5 AS table_pos, CAST('blog' AS VARCHAR) AS source, CAST('blog.pages' AS VARCHAR) AS table_name
  UNION ALL
  SELECT 6 AS table_pos, CAST(NULL AS VARCHAR) AS source, CAST('app_prod.identifies' AS VARCHAR) AS table_name
) AS t
CROSS JOIN temp.main."_sessionize_work_run" AS r
LEFT JOIN (
  SELECT table_pos, max(loaded_at) AS loaded, max(max_loaded) AS max_loaded
  FROM (
    SELECT table_pos, max_loaded AS loaded_at, max_loaded FROM temp.main."_sessionize_work_loads"
  ) AS loads
  GROUP BY table_pos
) AS l ON l.table_pos = t.table_pos;

UPDATE "target"."sessionize"."_sessionize_runs"
SET
  status = 'success',
  finished_at = CAST(get_current_timestamp() AS TIMESTAMP),
  -- the latest of the tables' watermarks
  watermark = (
    SELECT max(watermark) FROM "target"."sessionize"."_sessionize_watermarks"
    WHERE run_id = (SELECT run_id FROM temp.main."_sessionize_work_run")
  ),
  events_read = (SELECT events_read FROM temp.main."_sessionize_work_read"),
  rejected = (SELECT rejected FROM temp.main."_sessionize_work_read"),
  contacts_affected = (SELECT COUNT(DISTINCT contact_id) FROM temp.main."_sessionize_work_session_cs"),
  rows_written = (SELECT rejected FROM temp.main."_sessionize_work_read")
    + (SELECT COUNT(*) FROM temp.main."_sessionize_work_sessions_out")
    + (SELECT COUNT(*) FROM temp.main."_sessionize_work_contact_sessions")
    + (SELECT COUNT(*) FROM temp.main."_sessionize_work_daily_new")
    + (SELECT COUNT(*) FROM temp.main."_sessionize_work_channels_new")
    + (SELECT COUNT(*) FROM temp.main."_sessionize_work_prompted_out")
WHERE run_id = (SELECT run_id FROM temp.main."_sessionize_work_run");

DROP TABLE IF EXISTS temp.main."_sessionize_work_channels_new";
DROP TABLE IF EXISTS temp.main."_sessionize_work_contact_sessions";
DROP TABLE IF EXISTS temp.main."_sessionize_work_daily_new";
DROP TABLE IF EXISTS temp.main."_sessionize_work_day_sessions_new";
DROP TABLE IF EXISTS temp.main."_sessionize_work_dup_ids";
DROP TABLE IF EXISTS temp.main."_sessionize_work_dups";
DROP TABLE IF EXISTS temp.main."_sessionize_work_identifies";
DROP TABLE IF EXISTS temp.main."_sessionize_work_input";
DROP TABLE IF EXISTS temp.main."_sessionize_work_lifecycle";
DROP TABLE IF EXISTS temp.main."_sessionize_work_loads";
DROP TABLE IF EXISTS temp.main."_sessionize_work_prompted";
DROP TABLE IF EXISTS temp.main."_sessionize_work_prompted_out";
DROP TABLE IF EXISTS temp.main."_sessionize_work_read";
DROP TABLE IF EXISTS temp.main."_sessionize_work_run";
DROP TABLE IF EXISTS temp.main."_sessionize_work_session_cs";
DROP TABLE IF EXISTS temp.main."_sessionize_work_sessions";
DROP TABLE IF EXISTS temp.main."_sessionize_work_sessions_out";
