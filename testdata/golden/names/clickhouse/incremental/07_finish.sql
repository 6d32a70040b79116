-- sessionize 07_finish: model 'semi;colon \\ back', incremental run, dialect clickhouse.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
SET join_use_nulls = 1;
SET union_default_mode = 'DISTINCT';
SET prefer_column_name_to_alias = 1;
--
-- Step 7: commit. One INSERT, of the run's success row into the run log,
-- publishes every table the run wrote (see step 0). Before it, the run's
-- figures are counted and the work tables dropped; after it, the versions
-- no run reads any more are deleted.
-- Each table's watermark (§5): the largest load time this run read from
-- it (or the one it had, if that is later), but never later than the run's
-- start, so that a load time in the future cannot carry it past rows still
-- to come; those rows are read again by every run until then.
INSERT INTO `sessionize`.`_sessionize_watermarks` (run_id, table_pos, source, table_name, watermark, max_loaded)
SELECT
  r.run_id,
  t.table_pos,
  t.source,
  t.table_name,
  CASE WHEN l.loaded > r.started_at THEN r.started_at ELSE l.loaded END,
  l.max_loaded
FROM (
  SELECT 1 AS table_pos, CAST('app' AS Nullable(String)) AS source, CAST('raw.app' AS Nullable(String)) AS table_name
  UNION ALL
  SELECT 2 AS table_pos, CAST('docs' AS Nullable(String)) AS source, CAST('raw.it\'s; docs' AS Nullable(String)) AS table_name
  UNION ALL
  SELECT 3 AS table_pos, CAST(NULL AS Nullable(String)) AS source, CAST('raw.identifies' AS Nullable(String)) AS table_name
) AS t
CROSS JOIN `sessionize`.`_sessionize_work_run` AS r
LEFT JOIN (
  SELECT table_pos, max(loaded_at) AS loaded, max(max_loaded) AS max_loaded
  FROM (
    SELECT table_pos, max_loaded AS loaded_at, max_loaded FROM `sessionize`.`_sessionize_work_loads`
    UNION ALL
    SELECT table_pos, since, CAST(NULL AS Nullable(DateTime64(6, 'UTC'))) FROM `sessionize`.`_sessionize_work_since`
  ) AS loads
  GROUP BY table_pos
) AS l ON l.table_pos = t.table_pos;

CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_finish` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT
  -- the latest of the tables' watermarks
  (
    SELECT max(watermark) FROM `sessionize`.`_sessionize_watermarks`
    WHERE run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`)
  ) AS watermark,
  (SELECT COUNT(*) FROM `sessionize`.`_sessionize_work_input`) AS events_read,
  (SELECT COUNT(*) FROM `sessionize`.`_sessionize_work_input` WHERE reason IS NOT NULL) AS rejected,
  (SELECT COUNT(*) FROM `sessionize`.`_sessionize_work_touched`) AS contacts_affected,
  (SELECT COUNT(*) FROM `sessionize`.`_sessionize_work_input` WHERE reason IS NOT NULL)
    + (SELECT COUNT(*) FROM `sessionize`.`_sessionize_work_sessions_out`)
    + (SELECT COUNT(*) FROM `sessionize`.`_sessionize_work_contact_sessions`)
    + (SELECT COUNT(*) FROM `sessionize`.`_sessionize_work_daily` WHERE sessions > 0)
    + (SELECT COUNT(*) FROM `sessionize`.`_sessionize_work_channels` WHERE sessions > 0)
    + (SELECT COUNT(*) FROM `sessionize`.`_sessionize_work_prompted_out`) AS rows_written;

-- The work tables of steps 0-6 (some of them views, which DROP TABLE drops
-- too), but for the run's own row, which the commit below reads.
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_bases`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_changed`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_changes`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_channels`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_channels_new`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_channels_old`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_contact_sessions`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_daily`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_daily_new`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_daily_old`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_day_sessions_new`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_day_sessions_old`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_days`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_dropped`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_events`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_identifies`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_identifies_best`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_input`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_kept`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_kept_cs`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_lifecycle`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_loads`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_moved`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_prompted`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_prompted_keys`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_prompted_old`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_prompted_out`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_remap`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_remap_candidates`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_replaced`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_seen`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_seen_rows`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_session_cs`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_session_rows`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_sessions`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_sessions_out`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_since`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_staged`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_touched`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_touched_anon`;
DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_unsettled`;

INSERT INTO `sessionize`.`_sessionize_run_log`
SELECT
  (SELECT coalesce(max(seq), 0) + 1 FROM `sessionize`.`_sessionize_run_log`),
  r.* REPLACE (
    'success' AS status,
    now64(6, 'UTC') AS finished_at,
    f.watermark AS watermark,
    f.events_read AS events_read,
    f.rejected AS rejected,
    f.contacts_affected AS contacts_affected,
    f.rows_written AS rows_written
  )
FROM `sessionize`.`_sessionize_runs` AS r
CROSS JOIN `sessionize`.`_sessionize_work_finish` AS f
WHERE r.run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`);

-- Delete the rows no run reads any more, in the background
-- (mutations_sync = 0): those of runs that failed, those before each
-- table's base, and the markers and bases those make useless. Whenever it
-- runs, it keeps what the views show, and a mutation leaves the parts
-- written after it alone, so it never touches what a later run is writing.

ALTER TABLE `sessionize`.`sessions__data`
DELETE WHERE gen NOT IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  OR gen < (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = 'sessions' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success'))
SETTINGS mutations_sync = 0;

ALTER TABLE `sessionize`.`sessions__dead`
DELETE WHERE gen NOT IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  OR gen <= (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = 'sessions' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success'))
SETTINGS mutations_sync = 0;

ALTER TABLE `sessionize`.`contact_sessions__data`
DELETE WHERE gen NOT IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  OR gen < (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = 'contact_sessions' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success'))
SETTINGS mutations_sync = 0;

ALTER TABLE `sessionize`.`contact_sessions__dead`
DELETE WHERE gen NOT IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  OR gen <= (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = 'contact_sessions' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success'))
SETTINGS mutations_sync = 0;

ALTER TABLE `sessionize`.`daily_metrics__data`
DELETE WHERE gen NOT IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  OR gen < (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = 'daily_metrics' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success'))
SETTINGS mutations_sync = 0;

ALTER TABLE `sessionize`.`daily_channels__data`
DELETE WHERE gen NOT IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  OR gen < (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = 'daily_channels' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success'))
SETTINGS mutations_sync = 0;

ALTER TABLE `sessionize`.`prompted_events__data`
DELETE WHERE gen NOT IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  OR gen < (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = 'prompted_events' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success'))
SETTINGS mutations_sync = 0;

ALTER TABLE `sessionize`.`rejected_events__data`
DELETE WHERE gen NOT IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  OR gen < (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = 'rejected_events' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success'))
SETTINGS mutations_sync = 0;

ALTER TABLE `sessionize`.`_sessionize_events__data`
DELETE WHERE gen NOT IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  OR gen < (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_events' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success'))
SETTINGS mutations_sync = 0;

ALTER TABLE `sessionize`.`_sessionize_events__dead`
DELETE WHERE gen NOT IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  OR gen <= (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_events' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success'))
SETTINGS mutations_sync = 0;

ALTER TABLE `sessionize`.`_sessionize_identity__data`
DELETE WHERE gen NOT IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  OR gen < (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_identity' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success'))
SETTINGS mutations_sync = 0;

ALTER TABLE `sessionize`.`_sessionize_identity__dead`
DELETE WHERE gen NOT IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  OR gen <= (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_identity' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success'))
SETTINGS mutations_sync = 0;

ALTER TABLE `sessionize`.`_sessionize_identifies__data`
DELETE WHERE gen NOT IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  OR gen < (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_identifies' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success'))
SETTINGS mutations_sync = 0;

ALTER TABLE `sessionize`.`_sessionize_identifies__dead`
DELETE WHERE gen NOT IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  OR gen <= (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_identifies' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success'))
SETTINGS mutations_sync = 0;

ALTER TABLE `sessionize`.`_sessionize_rejected__data`
DELETE WHERE gen NOT IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  OR gen < (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_rejected' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success'))
SETTINGS mutations_sync = 0;

ALTER TABLE `sessionize`.`_sessionize_prompted__data`
DELETE WHERE gen NOT IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  OR gen < (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_prompted' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success'))
SETTINGS mutations_sync = 0;

ALTER TABLE `sessionize`.`_sessionize_prompted__dead`
DELETE WHERE gen NOT IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  OR gen <= (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_prompted' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success'))
SETTINGS mutations_sync = 0;

ALTER TABLE `sessionize`.`_sessionize_bases`
DELETE WHERE gen NOT IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  OR (table_name, gen) NOT IN (
    SELECT table_name, max(gen) FROM `sessionize`.`_sessionize_bases`
    WHERE gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
    GROUP BY table_name
  )
SETTINGS mutations_sync = 0;

DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_finish`;

DROP TABLE IF EXISTS `sessionize`.`_sessionize_work_run`;
