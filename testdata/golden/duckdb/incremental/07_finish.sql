-- sessionize 07_finish: model 'demo', incremental run, dialect duckdb.
-- Rendered by `sessionize render`; the files run in order, 00 to 07.
SET TimeZone = 'UTC';
--
-- Step 7: record the run as successful and drop the work tables. The runner
-- commits this together with everything steps 1-6 wrote.

UPDATE "sessionize"."_sessionize_runs"
SET
  status = 'success',
  finished_at = CAST(get_current_timestamp() AS TIMESTAMP),
  -- the largest loaded_at processed, never below the previous watermark
  watermark = (
    SELECT max(loaded_at) FROM (
      SELECT since AS loaded_at FROM temp.main."_sessionize_work_run"
      UNION ALL
      SELECT max_loaded FROM temp.main."_sessionize_work_read"
      UNION ALL
      SELECT max(loaded_at) FROM temp.main."_sessionize_work_identifies"
    ) AS loads
  ),
  events_read = (SELECT events_read FROM temp.main."_sessionize_work_read"),
  rejected = (SELECT rejected FROM temp.main."_sessionize_work_read"),
  contacts_affected = (SELECT COUNT(*) FROM temp.main."_sessionize_work_touched"),
  rows_written = (SELECT rejected FROM temp.main."_sessionize_work_read")
    + (SELECT COUNT(*) FROM temp.main."_sessionize_work_sessions_out")
    + (SELECT COUNT(*) FROM temp.main."_sessionize_work_contact_sessions")
    + (SELECT COUNT(*) FROM temp.main."_sessionize_work_daily" WHERE sessions > 0)
    + (SELECT COUNT(*) FROM temp.main."_sessionize_work_prompted_out")
WHERE run_id = (SELECT run_id FROM temp.main."_sessionize_work_run");

DROP TABLE IF EXISTS temp.main."_sessionize_work_input";
DROP TABLE IF EXISTS temp.main."_sessionize_work_read";
DROP TABLE IF EXISTS temp.main."_sessionize_work_staged";
DROP TABLE IF EXISTS temp.main."_sessionize_work_dup_ids";
DROP TABLE IF EXISTS temp.main."_sessionize_work_dups";
DROP TABLE IF EXISTS temp.main."_sessionize_work_seen";
DROP TABLE IF EXISTS temp.main."_sessionize_work_changed";
DROP TABLE IF EXISTS temp.main."_sessionize_work_replaced";
DROP TABLE IF EXISTS temp.main."_sessionize_work_identifies";
DROP TABLE IF EXISTS temp.main."_sessionize_work_touched_anon";
DROP TABLE IF EXISTS temp.main."_sessionize_work_identifies_best";
DROP TABLE IF EXISTS temp.main."_sessionize_work_remap";
DROP TABLE IF EXISTS temp.main."_sessionize_work_changes";
DROP TABLE IF EXISTS temp.main."_sessionize_work_touched";
DROP TABLE IF EXISTS temp.main."_sessionize_work_kept";
DROP TABLE IF EXISTS temp.main."_sessionize_work_kept_cs";
DROP TABLE IF EXISTS temp.main."_sessionize_work_days";
DROP TABLE IF EXISTS temp.main."_sessionize_work_event_sessions";
DROP TABLE IF EXISTS temp.main."_sessionize_work_sessions";
DROP TABLE IF EXISTS temp.main."_sessionize_work_lifecycle";
DROP TABLE IF EXISTS temp.main."_sessionize_work_session_cs";
DROP TABLE IF EXISTS temp.main."_sessionize_work_contact_sessions";
DROP TABLE IF EXISTS temp.main."_sessionize_work_sessions_out";
DROP TABLE IF EXISTS temp.main."_sessionize_work_daily_old";
DROP TABLE IF EXISTS temp.main."_sessionize_work_daily_new";
DROP TABLE IF EXISTS temp.main."_sessionize_work_daily";
DROP TABLE IF EXISTS temp.main."_sessionize_work_prompted";
DROP TABLE IF EXISTS temp.main."_sessionize_work_prompted_keys";
DROP TABLE IF EXISTS temp.main."_sessionize_work_prompted_out";
DROP TABLE IF EXISTS temp.main."_sessionize_work_run";
