-- sessionize 00_setup: model 'semi;colon \ back', full run, dialect duckdb.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
-- Names are qualified with the catalog target, whatever the database file is
-- called: run the files in one session that opened it under that name, as
-- sessionize does (ATTACH 'FILE' AS target; USE target;).
SET TimeZone = 'UTC';
--
-- Step 0: setup. Creates the output schema and the runs table (§4), marks
-- runs that never finished as failed, numbers this run and records it as
-- running before anything is written, so a killed run stays visible.

CREATE SCHEMA IF NOT EXISTS "target"."sessionize";

-- Decodes a url's campaign parameters (docs/enrichment.md §3.6): + is a
-- space, %XX the byte it names; a value that would not be UTF-8 once decoded
-- (or would hold a zero byte) is kept as written.
CREATE OR REPLACE MACRO "target"."sessionize"."_sessionize_url_decode"(value) AS
  CASE
    WHEN NOT contains(value, '%') THEN replace(value, '+', ' ')
    WHEN contains(coalesce(try(url_decode(replace(value, '+', ' '))), chr(0)), chr(0)) THEN value
    ELSE try(url_decode(replace(value, '+', ' ')))
  END;

CREATE TABLE IF NOT EXISTS "target"."sessionize"."_sessionize_runs" (
  "run_id" BIGINT,
  "model_hash" VARCHAR,
  "dialect" VARCHAR,
  "mode" VARCHAR,
  "started_at" TIMESTAMP,
  "finished_at" TIMESTAMP,
  "status" VARCHAR,
  "watermark" TIMESTAMP,
  "events_read" BIGINT,
  "rejected" BIGINT,
  "contacts_affected" BIGINT,
  "rows_written" BIGINT,
  "model" VARCHAR,
  "error" VARCHAR,
  "tool_version" VARCHAR
);

-- A runs table an older version created gets the columns added since.
ALTER TABLE "target"."sessionize"."_sessionize_runs" ADD COLUMN IF NOT EXISTS "tool_version" VARCHAR;

-- Only one run holds the target's lock, so a run still marked running is one
-- that was killed before it committed: nothing it wrote was published.
UPDATE "target"."sessionize"."_sessionize_runs"
SET status = 'failed', error = 'the run ended before it committed; nothing it wrote was published'
WHERE status = 'running';

-- A full run writes each table it keeps as <table>__next and renames them
-- all in step 7, in one transaction; a full run killed before that leaves
-- them behind, unpublished.
DROP TABLE IF EXISTS "target"."sessionize"."sessions__next";
DROP TABLE IF EXISTS "target"."sessionize"."contact_sessions__next";
DROP TABLE IF EXISTS "target"."sessionize"."daily_metrics__next";
DROP TABLE IF EXISTS "target"."sessionize"."daily_channels__next";
DROP TABLE IF EXISTS "target"."sessionize"."prompted_events__next";
DROP TABLE IF EXISTS "target"."sessionize"."rejected_events__next";
DROP TABLE IF EXISTS "target"."sessionize"."_sessionize_events__next";
DROP TABLE IF EXISTS "target"."sessionize"."_sessionize_identity__next";
DROP TABLE IF EXISTS "target"."sessionize"."_sessionize_identifies__next";
DROP TABLE IF EXISTS "target"."sessionize"."_sessionize_rejected__next";
DROP TABLE IF EXISTS "target"."sessionize"."_sessionize_prompted__next";

CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_run" AS
SELECT
  coalesce(max(run_id), 0) + 1 AS run_id,
  CAST(get_current_timestamp() AS TIMESTAMP) AS started_at
FROM "target"."sessionize"."_sessionize_runs";

INSERT INTO "target"."sessionize"."_sessionize_runs" (run_id, model_hash, dialect, mode, started_at, status)
SELECT run_id, '8563c81d3a1177535163a2656c5ef1586617610fb500b0a8a41ea49f4c8e667f', 'duckdb', 'full', started_at, 'running'
FROM temp.main."_sessionize_work_run";


CREATE TABLE IF NOT EXISTS "target"."sessionize"."_sessionize_watermarks" (
  "run_id" BIGINT,
  "table_pos" INTEGER,
  "source" VARCHAR,
  "table_name" VARCHAR,
  "watermark" TIMESTAMP,
  "max_loaded" TIMESTAMP
);
