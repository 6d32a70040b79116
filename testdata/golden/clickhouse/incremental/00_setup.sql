-- sessionize 00_setup: model 'demo', incremental run, dialect clickhouse.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
SET join_use_nulls = 1;
SET union_default_mode = 'DISTINCT';
SET prefer_column_name_to_alias = 1;
--
-- Step 0: setup. Creates the output database, the runs table (§4) and
-- the tables the pipeline keeps, marks runs that never finished as failed,
-- numbers this run and records it as running before anything is written, so
-- a killed run stays visible.
-- The run reads each table from the watermark the last successful run left
-- it (§5).
--
-- ClickHouse has no transactions, so a run never changes what it has
-- published. Each table the pipeline keeps is a view of <table>__data,
-- which holds the rows of more than one run, partitioned by the run that
-- wrote them (gen). A run writes its rows under its own run id: a full run
-- every table whole, an incremental run only the part of a table it
-- replaces (the rows of the contacts it touched from their restart point
-- on, say), with markers of the earlier rows they replace in
-- <table>__dead. The view shows the rows of the last successful run that
-- wrote the table whole (its base, in _sessionize_bases) and of the
-- successful runs after it, less the rows their markers replace. The run's
-- later statements read its own rows with the others through
-- <table>__next, and it commits with one INSERT, of its success row into
-- the run log: from that row on, every view shows the run's rows, all at
-- once. A run killed before it leaves the published rows as they were; the
-- next successful run deletes what it wrote.

CREATE DATABASE IF NOT EXISTS `sessionize`;

-- The run log holds a row per change of a run's state; the runs table is
-- its newest row per run.
CREATE TABLE IF NOT EXISTS `sessionize`.`_sessionize_run_log` (
  seq Int64,
  `run_id` Nullable(Int64),
  `model_hash` Nullable(String),
  `dialect` Nullable(String),
  `mode` Nullable(String),
  `started_at` Nullable(DateTime64(6, 'UTC')),
  `finished_at` Nullable(DateTime64(6, 'UTC')),
  `status` Nullable(String),
  `watermark` Nullable(DateTime64(6, 'UTC')),
  `events_read` Nullable(Int64),
  `rejected` Nullable(Int64),
  `contacts_affected` Nullable(Int64),
  `rows_written` Nullable(Int64),
  `model` Nullable(String),
  `error` Nullable(String),
  `tool_version` Nullable(String)
) ENGINE = MergeTree ORDER BY (run_id, seq) SETTINGS allow_nullable_key = 1;

-- A run log an older version created gets the columns added since, and the
-- runs view is replaced to show them.
ALTER TABLE `sessionize`.`_sessionize_run_log` ADD COLUMN IF NOT EXISTS `tool_version` Nullable(String);

CREATE OR REPLACE VIEW `sessionize`.`_sessionize_runs` AS
SELECT `run_id`, `model_hash`, `dialect`, `mode`, `started_at`, `finished_at`, `status`, `watermark`, `events_read`, `rejected`, `contacts_affected`, `rows_written`, `model`, `error`, `tool_version`
FROM `sessionize`.`_sessionize_run_log`
ORDER BY run_id, seq DESC
LIMIT 1 BY run_id;

-- Only one run holds the target's lock, so a run still marked running is one
-- that was killed before it committed: nothing it wrote was published.
INSERT INTO `sessionize`.`_sessionize_run_log`
SELECT
  (SELECT coalesce(max(seq), 0) + 1 FROM `sessionize`.`_sessionize_run_log`),
  -- (REPLACE names shadow the columns in this SELECT's WHERE)
  * REPLACE (
    'failed' AS status,
    'the run ended before it committed; nothing it wrote was published' AS error
  )
FROM (SELECT * FROM `sessionize`.`_sessionize_runs` WHERE status = 'running') AS running;

CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_run` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT
  coalesce(max(run_id), 0) + 1 AS run_id,
  now64(6, 'UTC') AS started_at
FROM `sessionize`.`_sessionize_runs`;

INSERT INTO `sessionize`.`_sessionize_run_log` (seq, run_id, model_hash, dialect, mode, started_at, status)
SELECT
  (SELECT coalesce(max(seq), 0) + 1 FROM `sessionize`.`_sessionize_run_log`),
  run_id, '2fc14f735a775b166a4b7b29d9ef330d66a5f9f015785cb40a3dc76aa2c74391', 'clickhouse', 'incremental', started_at, 'running'
FROM `sessionize`.`_sessionize_work_run`;


CREATE TABLE IF NOT EXISTS `sessionize`.`_sessionize_watermarks` (
  `run_id` Nullable(Int64),
  `table_pos` Int32,
  `source` Nullable(String),
  `table_name` Nullable(String),
  `watermark` Nullable(DateTime64(6, 'UTC')),
  `max_loaded` Nullable(DateTime64(6, 'UTC'))
) ENGINE = MergeTree ORDER BY (run_id, table_pos) SETTINGS allow_nullable_key = 1;

-- Each table's watermark, as the last successful run left it (§5). A
-- table without one (it had no rows yet) is read whole.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_since` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT table_pos, watermark AS since
FROM `sessionize`.`_sessionize_watermarks`
WHERE run_id = (SELECT max(run_id) FROM `sessionize`.`_sessionize_runs` WHERE status = 'success');

-- The runs that wrote each kept table whole: the base its view starts from.
CREATE TABLE IF NOT EXISTS `sessionize`.`_sessionize_bases` (
  `table_name` Nullable(String),
  `gen` Nullable(Int64)
) ENGINE = MergeTree PARTITION BY gen ORDER BY (`table_name`, `gen`) SETTINGS allow_nullable_key = 1;

-- sessions: the rows of every run that wrote it, partitioned by run (gen).
CREATE TABLE IF NOT EXISTS `sessionize`.`sessions__data` (
  gen Int64,
  `session_id` Nullable(String),
  `contact_id` Nullable(String),
  `property` Nullable(String),
  `property_type` Nullable(String),
  `asset_class` Nullable(String),
  `session_index` Int32,
  `session_start` Nullable(DateTime64(6, 'UTC')),
  `session_end` Nullable(DateTime64(6, 'UTC')),
  `duration_seconds` Nullable(Float64),
  `event_count` Nullable(Int64),
  `source` Nullable(String),
  `first_event` Nullable(String),
  `first_url` Nullable(String),
  `contact_session_id` Nullable(String),
  `user_lifecycle` Nullable(String),
  `days_since_prev_product_session` Nullable(Float64),
  `last_event` Nullable(String),
  `last_url` Nullable(String),
  `referrer` Nullable(String),
  `utm_source` Nullable(String),
  `utm_medium` Nullable(String),
  `utm_campaign` Nullable(String),
  `utm_term` Nullable(String),
  `utm_content` Nullable(String),
  `channel` Nullable(String),
  `is_bounce` Bool,
  `locale` Nullable(String)
) ENGINE = MergeTree PARTITION BY gen ORDER BY tuple() SETTINGS allow_nullable_key = 1;

-- Its markers: a row (gen, contact_id, since) says that run gen replaced the
-- rows of earlier runs with that contact_id from since on (session_start >= since).
CREATE TABLE IF NOT EXISTS `sessionize`.`sessions__dead` (
  gen Int64,
  `contact_id` Nullable(String),
  since DateTime64(6, 'UTC')
) ENGINE = MergeTree PARTITION BY gen ORDER BY (`contact_id`) SETTINGS allow_nullable_key = 1;

-- contact_sessions: the rows of every run that wrote it, partitioned by run (gen).
CREATE TABLE IF NOT EXISTS `sessionize`.`contact_sessions__data` (
  gen Int64,
  `contact_session_id` Nullable(String),
  `contact_id` Nullable(String),
  `session_index` Int32,
  `session_start` Nullable(DateTime64(6, 'UTC')),
  `session_end` Nullable(DateTime64(6, 'UTC')),
  `duration_seconds` Nullable(Float64),
  `event_count` Nullable(Int64),
  `session_count` Nullable(Int64),
  `properties` Nullable(String),
  `is_cross_property` Bool,
  `entry_property` Nullable(String),
  `entry_session_id` Nullable(String),
  `entry_url` Nullable(String),
  `has_product` Bool,
  `prompted_product` Bool,
  `user_lifecycle` Nullable(String),
  `utm_source` Nullable(String),
  `utm_medium` Nullable(String),
  `utm_campaign` Nullable(String),
  `channel` Nullable(String)
) ENGINE = MergeTree PARTITION BY gen ORDER BY tuple() SETTINGS allow_nullable_key = 1;

-- Its markers: a row (gen, contact_id, since) says that run gen replaced the
-- rows of earlier runs with that contact_id from since on (session_start >= since).
CREATE TABLE IF NOT EXISTS `sessionize`.`contact_sessions__dead` (
  gen Int64,
  `contact_id` Nullable(String),
  since DateTime64(6, 'UTC')
) ENGINE = MergeTree PARTITION BY gen ORDER BY (`contact_id`) SETTINGS allow_nullable_key = 1;

-- daily_metrics: the rows of every run that wrote it, partitioned by run (gen).
CREATE TABLE IF NOT EXISTS `sessionize`.`daily_metrics__data` (
  gen Int64,
  `day` Date32,
  `property` Nullable(String),
  `sessions` Nullable(Int64),
  `contacts` Nullable(Int64),
  `events` Nullable(Int64),
  `new_user_sessions` Nullable(Int64),
  `active_user_sessions` Nullable(Int64),
  `resurrected_user_sessions` Nullable(Int64),
  `cross_property_sessions` Nullable(Int64)
) ENGINE = MergeTree PARTITION BY gen ORDER BY (`day`, `property`) SETTINGS allow_nullable_key = 1;

-- daily_channels: the rows of every run that wrote it, partitioned by run (gen).
CREATE TABLE IF NOT EXISTS `sessionize`.`daily_channels__data` (
  gen Int64,
  `day` Date32,
  `property` Nullable(String),
  `channel` Nullable(String),
  `sessions` Nullable(Int64),
  `contacts` Nullable(Int64),
  `prompted_product_sessions` Nullable(Int64),
  `new_user_sessions` Nullable(Int64)
) ENGINE = MergeTree PARTITION BY gen ORDER BY (`day`, `property`, `channel`) SETTINGS allow_nullable_key = 1;

-- prompted_events: the rows of every run that wrote it, partitioned by run (gen).
CREATE TABLE IF NOT EXISTS `sessionize`.`prompted_events__data` (
  gen Int64,
  `day` Date32,
  `entry_property` Nullable(String),
  `entry_url` Nullable(String),
  `event` Nullable(String),
  `contact_sessions` Nullable(Int64),
  `contacts` Nullable(Int64),
  `events` Nullable(Int64),
  `new_user_sessions` Nullable(Int64)
) ENGINE = MergeTree PARTITION BY gen ORDER BY (`day`, `entry_property`, `entry_url`, `event`) SETTINGS allow_nullable_key = 1;

-- rejected_events: the rows of every run that wrote it, partitioned by run (gen).
CREATE TABLE IF NOT EXISTS `sessionize`.`rejected_events__data` (
  gen Int64,
  `event_id` Nullable(String),
  `source` Nullable(String),
  `timestamp` Nullable(DateTime64(6, 'UTC')),
  `loaded_at` Nullable(DateTime64(6, 'UTC')),
  `reason` Nullable(String)
) ENGINE = MergeTree PARTITION BY gen ORDER BY (`event_id`, `source`, `timestamp`, `loaded_at`, `reason`) SETTINGS allow_nullable_key = 1;

-- _sessionize_events: the rows of every run that wrote it, partitioned by run (gen).
CREATE TABLE IF NOT EXISTS `sessionize`.`_sessionize_events__data` (
  gen Int64,
  `contact_id` Nullable(String),
  `source` Nullable(String),
  `property` Nullable(String),
  `event_id` Nullable(String),
  `ts` Nullable(DateTime64(6, 'UTC')),
  `loaded_at` Nullable(DateTime64(6, 'UTC')),
  `user_id` Nullable(String),
  `anonymous_id` Nullable(String),
  `event` Nullable(String),
  `url` Nullable(String),
  `referrer` Nullable(String),
  `pass_locale` Nullable(String)
) ENGINE = MergeTree PARTITION BY gen ORDER BY (`contact_id`, `property`, `ts`, `event_id`) SETTINGS allow_nullable_key = 1;

-- Its markers: a row (gen, event_id) says that run gen replaced the
-- rows of earlier runs with that event_id.
CREATE TABLE IF NOT EXISTS `sessionize`.`_sessionize_events__dead` (
  gen Int64,
  `event_id` Nullable(String)
) ENGINE = MergeTree PARTITION BY gen ORDER BY (`event_id`) SETTINGS allow_nullable_key = 1;

-- _sessionize_identity: the rows of every run that wrote it, partitioned by run (gen).
CREATE TABLE IF NOT EXISTS `sessionize`.`_sessionize_identity__data` (
  gen Int64,
  `anonymous_id` Nullable(String),
  `user_id` Nullable(String),
  `ts` Nullable(DateTime64(6, 'UTC')),
  `id` Nullable(String)
) ENGINE = MergeTree PARTITION BY gen ORDER BY (`anonymous_id`) SETTINGS allow_nullable_key = 1;

-- Its markers: a row (gen, anonymous_id) says that run gen replaced the
-- rows of earlier runs with that anonymous_id.
CREATE TABLE IF NOT EXISTS `sessionize`.`_sessionize_identity__dead` (
  gen Int64,
  `anonymous_id` Nullable(String)
) ENGINE = MergeTree PARTITION BY gen ORDER BY (`anonymous_id`) SETTINGS allow_nullable_key = 1;

-- _sessionize_identifies: the rows of every run that wrote it, partitioned by run (gen).
CREATE TABLE IF NOT EXISTS `sessionize`.`_sessionize_identifies__data` (
  gen Int64,
  `anonymous_id` Nullable(String),
  `user_id` Nullable(String),
  `ts` Nullable(DateTime64(6, 'UTC')),
  `id` Nullable(String)
) ENGINE = MergeTree PARTITION BY gen ORDER BY (`anonymous_id`) SETTINGS allow_nullable_key = 1;

-- Its markers: a row (gen, anonymous_id) says that run gen replaced the
-- rows of earlier runs with that anonymous_id.
CREATE TABLE IF NOT EXISTS `sessionize`.`_sessionize_identifies__dead` (
  gen Int64,
  `anonymous_id` Nullable(String)
) ENGINE = MergeTree PARTITION BY gen ORDER BY (`anonymous_id`) SETTINGS allow_nullable_key = 1;

-- _sessionize_rejected: the rows of every run that wrote it, partitioned by run (gen).
CREATE TABLE IF NOT EXISTS `sessionize`.`_sessionize_rejected__data` (
  gen Int64,
  `table_pos` Int32,
  `event_id` Nullable(String),
  `source` Nullable(String),
  `timestamp` Nullable(DateTime64(6, 'UTC')),
  `loaded_at` Nullable(DateTime64(6, 'UTC')),
  `reason` Nullable(String)
) ENGINE = MergeTree PARTITION BY gen ORDER BY (`table_pos`, `loaded_at`) SETTINGS allow_nullable_key = 1;

-- _sessionize_prompted: the rows of every run that wrote it, partitioned by run (gen).
CREATE TABLE IF NOT EXISTS `sessionize`.`_sessionize_prompted__data` (
  gen Int64,
  `contact_id` Nullable(String),
  `contact_session_id` Nullable(String),
  `cs_start` Nullable(DateTime64(6, 'UTC')),
  `day` Date32,
  `entry_property` Nullable(String),
  `entry_url` Nullable(String),
  `event` Nullable(String),
  `events` Nullable(Int64),
  `is_new` Bool
) ENGINE = MergeTree PARTITION BY gen ORDER BY (`contact_id`) SETTINGS allow_nullable_key = 1;

-- Its markers: a row (gen, contact_id, since) says that run gen replaced the
-- rows of earlier runs with that contact_id from since on (cs_start >= since).
CREATE TABLE IF NOT EXISTS `sessionize`.`_sessionize_prompted__dead` (
  gen Int64,
  `contact_id` Nullable(String),
  since DateTime64(6, 'UTC')
) ENGINE = MergeTree PARTITION BY gen ORDER BY (`contact_id`) SETTINGS allow_nullable_key = 1;

CREATE VIEW IF NOT EXISTS `sessionize`.`sessions` AS
WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = 'sessions' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')) AS base
SELECT `session_id`, `contact_id`, `property`, `property_type`, `asset_class`, `session_index`, `session_start`, `session_end`, `duration_seconds`, `event_count`, `source`, `first_event`, `first_url`, `contact_session_id`, `user_lifecycle`, `days_since_prev_product_session`, `last_event`, `last_url`, `referrer`, `utm_source`, `utm_medium`, `utm_campaign`, `utm_term`, `utm_content`, `channel`, `is_bounce`, `locale`
FROM `sessionize`.`sessions__data` AS _rows
LEFT JOIN (
  SELECT `contact_id`, groupArray(gen) AS _dead_gens, groupArray(since) AS _dead_since
  FROM `sessionize`.`sessions__dead`
  WHERE gen > base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  GROUP BY `contact_id`
) AS _dead USING (`contact_id`)
WHERE _rows.gen >= base AND _rows.gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  AND arrayAll((g, since) -> g <= _rows.gen OR assumeNotNull(_rows.`session_start`) < since, _dead._dead_gens, _dead._dead_since);

CREATE VIEW IF NOT EXISTS `sessionize`.`sessions__next` AS
WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = 'sessions' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`))) AS base
SELECT `session_id`, `contact_id`, `property`, `property_type`, `asset_class`, `session_index`, `session_start`, `session_end`, `duration_seconds`, `event_count`, `source`, `first_event`, `first_url`, `contact_session_id`, `user_lifecycle`, `days_since_prev_product_session`, `last_event`, `last_url`, `referrer`, `utm_source`, `utm_medium`, `utm_campaign`, `utm_term`, `utm_content`, `channel`, `is_bounce`, `locale`
FROM `sessionize`.`sessions__data` AS _rows
LEFT JOIN (
  SELECT `contact_id`, groupArray(gen) AS _dead_gens, groupArray(since) AS _dead_since
  FROM `sessionize`.`sessions__dead`
  WHERE gen > base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`))
  GROUP BY `contact_id`
) AS _dead USING (`contact_id`)
WHERE _rows.gen >= base AND _rows.gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`))
  AND arrayAll((g, since) -> g <= _rows.gen OR assumeNotNull(_rows.`session_start`) < since, _dead._dead_gens, _dead._dead_since);

CREATE VIEW IF NOT EXISTS `sessionize`.`contact_sessions` AS
WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = 'contact_sessions' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')) AS base
SELECT `contact_session_id`, `contact_id`, `session_index`, `session_start`, `session_end`, `duration_seconds`, `event_count`, `session_count`, `properties`, `is_cross_property`, `entry_property`, `entry_session_id`, `entry_url`, `has_product`, `prompted_product`, `user_lifecycle`, `utm_source`, `utm_medium`, `utm_campaign`, `channel`
FROM `sessionize`.`contact_sessions__data` AS _rows
LEFT JOIN (
  SELECT `contact_id`, groupArray(gen) AS _dead_gens, groupArray(since) AS _dead_since
  FROM `sessionize`.`contact_sessions__dead`
  WHERE gen > base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  GROUP BY `contact_id`
) AS _dead USING (`contact_id`)
WHERE _rows.gen >= base AND _rows.gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  AND arrayAll((g, since) -> g <= _rows.gen OR assumeNotNull(_rows.`session_start`) < since, _dead._dead_gens, _dead._dead_since);

CREATE VIEW IF NOT EXISTS `sessionize`.`contact_sessions__next` AS
WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = 'contact_sessions' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`))) AS base
SELECT `contact_session_id`, `contact_id`, `session_index`, `session_start`, `session_end`, `duration_seconds`, `event_count`, `session_count`, `properties`, `is_cross_property`, `entry_property`, `entry_session_id`, `entry_url`, `has_product`, `prompted_product`, `user_lifecycle`, `utm_source`, `utm_medium`, `utm_campaign`, `channel`
FROM `sessionize`.`contact_sessions__data` AS _rows
LEFT JOIN (
  SELECT `contact_id`, groupArray(gen) AS _dead_gens, groupArray(since) AS _dead_since
  FROM `sessionize`.`contact_sessions__dead`
  WHERE gen > base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`))
  GROUP BY `contact_id`
) AS _dead USING (`contact_id`)
WHERE _rows.gen >= base AND _rows.gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`))
  AND arrayAll((g, since) -> g <= _rows.gen OR assumeNotNull(_rows.`session_start`) < since, _dead._dead_gens, _dead._dead_since);

CREATE VIEW IF NOT EXISTS `sessionize`.`daily_metrics` AS
WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = 'daily_metrics' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')) AS base
SELECT `day`, `property`, `sessions`, `contacts`, `events`, `new_user_sessions`, `active_user_sessions`, `resurrected_user_sessions`, `cross_property_sessions`
FROM `sessionize`.`daily_metrics__data` AS _rows
WHERE _rows.gen >= base AND _rows.gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success');

CREATE VIEW IF NOT EXISTS `sessionize`.`daily_metrics__next` AS
WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = 'daily_metrics' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`))) AS base
SELECT `day`, `property`, `sessions`, `contacts`, `events`, `new_user_sessions`, `active_user_sessions`, `resurrected_user_sessions`, `cross_property_sessions`
FROM `sessionize`.`daily_metrics__data` AS _rows
WHERE _rows.gen >= base AND _rows.gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`));

CREATE VIEW IF NOT EXISTS `sessionize`.`daily_channels` AS
WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = 'daily_channels' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')) AS base
SELECT `day`, `property`, `channel`, `sessions`, `contacts`, `prompted_product_sessions`, `new_user_sessions`
FROM `sessionize`.`daily_channels__data` AS _rows
WHERE _rows.gen >= base AND _rows.gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success');

CREATE VIEW IF NOT EXISTS `sessionize`.`daily_channels__next` AS
WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = 'daily_channels' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`))) AS base
SELECT `day`, `property`, `channel`, `sessions`, `contacts`, `prompted_product_sessions`, `new_user_sessions`
FROM `sessionize`.`daily_channels__data` AS _rows
WHERE _rows.gen >= base AND _rows.gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`));

CREATE VIEW IF NOT EXISTS `sessionize`.`prompted_events` AS
WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = 'prompted_events' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')) AS base
SELECT `day`, `entry_property`, `entry_url`, `event`, `contact_sessions`, `contacts`, `events`, `new_user_sessions`
FROM `sessionize`.`prompted_events__data` AS _rows
WHERE _rows.gen >= base AND _rows.gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success');

CREATE VIEW IF NOT EXISTS `sessionize`.`prompted_events__next` AS
WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = 'prompted_events' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`))) AS base
SELECT `day`, `entry_property`, `entry_url`, `event`, `contact_sessions`, `contacts`, `events`, `new_user_sessions`
FROM `sessionize`.`prompted_events__data` AS _rows
WHERE _rows.gen >= base AND _rows.gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`));

CREATE VIEW IF NOT EXISTS `sessionize`.`rejected_events` AS
WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = 'rejected_events' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')) AS base
SELECT `event_id`, `source`, `timestamp`, `loaded_at`, `reason`
FROM `sessionize`.`rejected_events__data` AS _rows
WHERE _rows.gen >= base AND _rows.gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success');

CREATE VIEW IF NOT EXISTS `sessionize`.`rejected_events__next` AS
WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = 'rejected_events' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`))) AS base
SELECT `event_id`, `source`, `timestamp`, `loaded_at`, `reason`
FROM `sessionize`.`rejected_events__data` AS _rows
WHERE _rows.gen >= base AND _rows.gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`));

CREATE VIEW IF NOT EXISTS `sessionize`.`_sessionize_events` AS
WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_events' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')) AS base
SELECT `contact_id`, `source`, `property`, `event_id`, `ts`, `loaded_at`, `user_id`, `anonymous_id`, `event`, `url`, `referrer`, `pass_locale`
FROM `sessionize`.`_sessionize_events__data` AS _rows
LEFT JOIN (
  SELECT `event_id`, groupArray(gen) AS _dead_gens
  FROM `sessionize`.`_sessionize_events__dead`
  WHERE gen > base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  GROUP BY `event_id`
) AS _dead USING (`event_id`)
WHERE _rows.gen >= base AND _rows.gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  AND arrayAll(g -> g <= _rows.gen, _dead._dead_gens);

CREATE VIEW IF NOT EXISTS `sessionize`.`_sessionize_events__next` AS
WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_events' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`))) AS base
SELECT `contact_id`, `source`, `property`, `event_id`, `ts`, `loaded_at`, `user_id`, `anonymous_id`, `event`, `url`, `referrer`, `pass_locale`
FROM `sessionize`.`_sessionize_events__data` AS _rows
LEFT JOIN (
  SELECT `event_id`, groupArray(gen) AS _dead_gens
  FROM `sessionize`.`_sessionize_events__dead`
  WHERE gen > base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`))
  GROUP BY `event_id`
) AS _dead USING (`event_id`)
WHERE _rows.gen >= base AND _rows.gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`))
  AND arrayAll(g -> g <= _rows.gen, _dead._dead_gens);

CREATE VIEW IF NOT EXISTS `sessionize`.`_sessionize_identity` AS
WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_identity' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')) AS base
SELECT `anonymous_id`, `user_id`, `ts`, `id`
FROM `sessionize`.`_sessionize_identity__data` AS _rows
LEFT JOIN (
  SELECT `anonymous_id`, groupArray(gen) AS _dead_gens
  FROM `sessionize`.`_sessionize_identity__dead`
  WHERE gen > base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  GROUP BY `anonymous_id`
) AS _dead USING (`anonymous_id`)
WHERE _rows.gen >= base AND _rows.gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  AND arrayAll(g -> g <= _rows.gen, _dead._dead_gens);

CREATE VIEW IF NOT EXISTS `sessionize`.`_sessionize_identity__next` AS
WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_identity' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`))) AS base
SELECT `anonymous_id`, `user_id`, `ts`, `id`
FROM `sessionize`.`_sessionize_identity__data` AS _rows
LEFT JOIN (
  SELECT `anonymous_id`, groupArray(gen) AS _dead_gens
  FROM `sessionize`.`_sessionize_identity__dead`
  WHERE gen > base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`))
  GROUP BY `anonymous_id`
) AS _dead USING (`anonymous_id`)
WHERE _rows.gen >= base AND _rows.gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`))
  AND arrayAll(g -> g <= _rows.gen, _dead._dead_gens);

CREATE VIEW IF NOT EXISTS `sessionize`.`_sessionize_identifies` AS
WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_identifies' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')) AS base
SELECT `anonymous_id`, `user_id`, `ts`, `id`
FROM `sessionize`.`_sessionize_identifies__data` AS _rows
LEFT JOIN (
  SELECT `anonymous_id`, groupArray(gen) AS _dead_gens
  FROM `sessionize`.`_sessionize_identifies__dead`
  WHERE gen > base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  GROUP BY `anonymous_id`
) AS _dead USING (`anonymous_id`)
WHERE _rows.gen >= base AND _rows.gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  AND arrayAll(g -> g <= _rows.gen, _dead._dead_gens);

CREATE VIEW IF NOT EXISTS `sessionize`.`_sessionize_identifies__next` AS
WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_identifies' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`))) AS base
SELECT `anonymous_id`, `user_id`, `ts`, `id`
FROM `sessionize`.`_sessionize_identifies__data` AS _rows
LEFT JOIN (
  SELECT `anonymous_id`, groupArray(gen) AS _dead_gens
  FROM `sessionize`.`_sessionize_identifies__dead`
  WHERE gen > base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`))
  GROUP BY `anonymous_id`
) AS _dead USING (`anonymous_id`)
WHERE _rows.gen >= base AND _rows.gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`))
  AND arrayAll(g -> g <= _rows.gen, _dead._dead_gens);

CREATE VIEW IF NOT EXISTS `sessionize`.`_sessionize_rejected` AS
WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_rejected' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')) AS base
SELECT `table_pos`, `event_id`, `source`, `timestamp`, `loaded_at`, `reason`
FROM `sessionize`.`_sessionize_rejected__data` AS _rows
WHERE _rows.gen >= base AND _rows.gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success');

CREATE VIEW IF NOT EXISTS `sessionize`.`_sessionize_rejected__next` AS
WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_rejected' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`))) AS base
SELECT `table_pos`, `event_id`, `source`, `timestamp`, `loaded_at`, `reason`
FROM `sessionize`.`_sessionize_rejected__data` AS _rows
WHERE _rows.gen >= base AND _rows.gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`));

CREATE VIEW IF NOT EXISTS `sessionize`.`_sessionize_prompted` AS
WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_prompted' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')) AS base
SELECT `contact_id`, `contact_session_id`, `cs_start`, `day`, `entry_property`, `entry_url`, `event`, `events`, `is_new`
FROM `sessionize`.`_sessionize_prompted__data` AS _rows
LEFT JOIN (
  SELECT `contact_id`, groupArray(gen) AS _dead_gens, groupArray(since) AS _dead_since
  FROM `sessionize`.`_sessionize_prompted__dead`
  WHERE gen > base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  GROUP BY `contact_id`
) AS _dead USING (`contact_id`)
WHERE _rows.gen >= base AND _rows.gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  AND arrayAll((g, since) -> g <= _rows.gen OR assumeNotNull(_rows.`cs_start`) < since, _dead._dead_gens, _dead._dead_since);

CREATE VIEW IF NOT EXISTS `sessionize`.`_sessionize_prompted__next` AS
WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_prompted' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`))) AS base
SELECT `contact_id`, `contact_session_id`, `cs_start`, `day`, `entry_property`, `entry_url`, `event`, `events`, `is_new`
FROM `sessionize`.`_sessionize_prompted__data` AS _rows
LEFT JOIN (
  SELECT `contact_id`, groupArray(gen) AS _dead_gens, groupArray(since) AS _dead_since
  FROM `sessionize`.`_sessionize_prompted__dead`
  WHERE gen > base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`))
  GROUP BY `contact_id`
) AS _dead USING (`contact_id`)
WHERE _rows.gen >= base AND _rows.gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success' OR run_id = (SELECT run_id FROM `sessionize`.`_sessionize_work_run`))
  AND arrayAll((g, since) -> g <= _rows.gen OR assumeNotNull(_rows.`cs_start`) < since, _dead._dead_gens, _dead._dead_since);

-- Which kept tables this run writes whole: every one on a full run; on an
-- incremental run those without a part it replaces, and those whose
-- markers since their base reach an eighth of their rows or come from 16
-- runs, which the run compacts into a new base. The others it writes only
-- the replaced part of, with markers.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_bases` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT 'sessions' AS table_name,
  (
    WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = 'sessions' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')) AS base
    SELECT count() * 8 >= (
      SELECT count() FROM `sessionize`.`sessions__data`
      WHERE gen >= base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
    ) OR uniqExact(gen) >= 16
    FROM `sessionize`.`sessions__dead`
    WHERE gen > base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  ) AS whole
UNION ALL
SELECT 'contact_sessions' AS table_name,
  (
    WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = 'contact_sessions' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')) AS base
    SELECT count() * 8 >= (
      SELECT count() FROM `sessionize`.`contact_sessions__data`
      WHERE gen >= base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
    ) OR uniqExact(gen) >= 16
    FROM `sessionize`.`contact_sessions__dead`
    WHERE gen > base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  ) AS whole
UNION ALL
SELECT 'daily_metrics' AS table_name, true AS whole
UNION ALL
SELECT 'daily_channels' AS table_name, true AS whole
UNION ALL
SELECT 'prompted_events' AS table_name, true AS whole
UNION ALL
SELECT 'rejected_events' AS table_name, true AS whole
UNION ALL
SELECT '_sessionize_events' AS table_name,
  (
    WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_events' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')) AS base
    SELECT count() * 8 >= (
      SELECT count() FROM `sessionize`.`_sessionize_events__data`
      WHERE gen >= base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
    ) OR uniqExact(gen) >= 16
    FROM `sessionize`.`_sessionize_events__dead`
    WHERE gen > base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  ) AS whole
UNION ALL
SELECT '_sessionize_identity' AS table_name,
  (
    WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_identity' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')) AS base
    SELECT count() * 8 >= (
      SELECT count() FROM `sessionize`.`_sessionize_identity__data`
      WHERE gen >= base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
    ) OR uniqExact(gen) >= 16
    FROM `sessionize`.`_sessionize_identity__dead`
    WHERE gen > base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  ) AS whole
UNION ALL
SELECT '_sessionize_identifies' AS table_name,
  (
    WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_identifies' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')) AS base
    SELECT count() * 8 >= (
      SELECT count() FROM `sessionize`.`_sessionize_identifies__data`
      WHERE gen >= base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
    ) OR uniqExact(gen) >= 16
    FROM `sessionize`.`_sessionize_identifies__dead`
    WHERE gen > base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  ) AS whole
UNION ALL
SELECT '_sessionize_rejected' AS table_name, true AS whole
UNION ALL
SELECT '_sessionize_prompted' AS table_name,
  (
    WITH (SELECT max(gen) FROM `sessionize`.`_sessionize_bases` WHERE table_name = '_sessionize_prompted' AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')) AS base
    SELECT count() * 8 >= (
      SELECT count() FROM `sessionize`.`_sessionize_prompted__data`
      WHERE gen >= base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
    ) OR uniqExact(gen) >= 16
    FROM `sessionize`.`_sessionize_prompted__dead`
    WHERE gen > base AND gen IN (SELECT run_id FROM `sessionize`.`_sessionize_run_log` WHERE status = 'success')
  ) AS whole;

INSERT INTO `sessionize`.`_sessionize_bases` (table_name, gen)
SELECT table_name, (SELECT run_id FROM `sessionize`.`_sessionize_work_run`) FROM `sessionize`.`_sessionize_work_bases` WHERE whole;
