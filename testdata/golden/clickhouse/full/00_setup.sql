-- sessionize 00_setup: model 'demo', full run, dialect clickhouse.
-- Rendered by `sessionize render`; the files run in order, 00 to 07.
--
-- Step 0: setup. Creates the output schema and the runs table (SPEC §4), marks
-- runs that never finished as failed, numbers this run and records it as
-- running before anything is written, so a killed run stays visible.

CREATE SCHEMA IF NOT EXISTS `sessionize`;

CREATE TABLE IF NOT EXISTS `sessionize`.`_sessionize_runs` (
  `run_id` Int64,
  `model_hash` Nullable(String),
  `dialect` Nullable(String),
  `mode` Nullable(String),
  `started_at` Nullable(DateTime64(6, 'UTC')),
  `finished_at` Nullable(DateTime64(6, 'UTC')),
  `status` Nullable(String),
  `watermark` Nullable(DateTime64(6, 'UTC')),
  `events_read` Int64,
  `rejected` Int64,
  `contacts_affected` Int64,
  `rows_written` Int64,
  `model` Nullable(String),
  `error` Nullable(String)
) ENGINE = MergeTree ORDER BY (run_id);

-- Only one run holds the target's lock, so a run still marked running is one
-- that was killed before it committed: its writes were rolled back.
UPDATE `sessionize`.`_sessionize_runs`
SET status = 'failed', error = 'the run ended before it committed; its writes were rolled back'
WHERE status = 'running';

CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_run` ENGINE = MergeTree ORDER BY tuple() AS
SELECT
  coalesce(max(run_id), 0) + 1 AS run_id,
  CAST(NULL AS Nullable(DateTime64(6, 'UTC'))) AS since,
  now64(6, 'UTC') AS started_at
FROM `sessionize`.`_sessionize_runs`;

INSERT INTO `sessionize`.`_sessionize_runs` (run_id, model_hash, dialect, mode, started_at, status)
SELECT run_id, '9b8f039ca3bfe33cde465acf5fe2f7560d2b839c0a1a303a644020b3a4c68640', 'clickhouse', 'full', started_at, 'running'
FROM `sessionize`.`_sessionize_work_run`;
