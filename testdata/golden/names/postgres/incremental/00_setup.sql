-- sessionize 00_setup: model 'semi;colon \ back', incremental run, dialect postgres.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
SET TIME ZONE 'UTC';
--
-- Step 0: setup. Creates the output schema and the runs table (§4), marks
-- runs that never finished as failed, numbers this run and records it as
-- running before anything is written, so a killed run stays visible.
-- The run reads each table from the watermark the last successful run left
-- it (§5).

CREATE SCHEMA IF NOT EXISTS "sessionize";

-- Decodes a url's campaign parameters (docs/enrichment.md §3.6): + is a
-- space, %XX the byte it names; a value that would not be UTF-8 once decoded
-- (or would hold a zero byte) is kept as written.
CREATE OR REPLACE FUNCTION "sessionize"."_sessionize_url_decode"(value TEXT)
RETURNS TEXT LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $body$
DECLARE
  bytes BYTEA;
BEGIN
  IF strpos(value, '%') = 0 THEN
    RETURN replace(value, '+', ' ');
  END IF;
  -- %XX as the byte it names, every other run of characters as its UTF-8
  SELECT string_agg(
    CASE WHEN part[1] ~ '^%[0-9A-Fa-f]{2}$' THEN decode(substr(part[1], 2), 'hex')
         ELSE convert_to(part[1], 'UTF8') END,
    ''::BYTEA ORDER BY n)
  INTO bytes
  FROM regexp_matches(replace(value, '+', ' '), '%[0-9A-Fa-f]{2}|[^%]+|%', 'g') WITH ORDINALITY AS t(part, n);
  -- not UTF-8 once decoded, or holding a zero byte: kept as written
  IF encode(bytes, 'hex') !~ '^(?:0[1-9a-f]|[1-7][0-9a-f]|(?:c[2-9a-f]|d[0-9a-f])[89ab][0-9a-f]|e0[ab][0-9a-f][89ab][0-9a-f]|(?:e[1-9abcef])[89ab][0-9a-f][89ab][0-9a-f]|ed[89][0-9a-f][89ab][0-9a-f]|f0(?:9[0-9a-f]|[ab][0-9a-f])[89ab][0-9a-f][89ab][0-9a-f]|f[1-3][89ab][0-9a-f][89ab][0-9a-f][89ab][0-9a-f]|f48[0-9a-f][89ab][0-9a-f][89ab][0-9a-f])*$' THEN
    RETURN value;
  END IF;
  RETURN convert_from(bytes, 'UTF8');
END
$body$;

CREATE TABLE IF NOT EXISTS "sessionize"."_sessionize_runs" (
  "run_id" BIGINT,
  "model_hash" TEXT COLLATE "C",
  "dialect" TEXT COLLATE "C",
  "mode" TEXT COLLATE "C",
  "started_at" TIMESTAMP,
  "finished_at" TIMESTAMP,
  "status" TEXT COLLATE "C",
  "watermark" TIMESTAMP,
  "events_read" BIGINT,
  "rejected" BIGINT,
  "contacts_affected" BIGINT,
  "rows_written" BIGINT,
  "model" TEXT COLLATE "C",
  "error" TEXT COLLATE "C",
  "tool_version" TEXT COLLATE "C",
  PRIMARY KEY (run_id)
);

-- A runs table an older version created gets the columns added since.
ALTER TABLE "sessionize"."_sessionize_runs" ADD COLUMN IF NOT EXISTS "tool_version" TEXT COLLATE "C";

-- Only one run holds the target's lock, so a run still marked running is one
-- that was killed before it committed: its writes were rolled back.
UPDATE "sessionize"."_sessionize_runs"
SET status = 'failed', error = 'the run ended before it committed; its writes were rolled back'
WHERE status = 'running';

DROP TABLE IF EXISTS "sessionize"."_sessionize_work_run";
CREATE UNLOGGED TABLE "sessionize"."_sessionize_work_run" AS
SELECT
  coalesce(max(run_id), 0) + 1 AS run_id,
  CAST(clock_timestamp() AT TIME ZONE 'UTC' AS TIMESTAMP) AS started_at
FROM "sessionize"."_sessionize_runs";

INSERT INTO "sessionize"."_sessionize_runs" (run_id, model_hash, dialect, mode, started_at, status)
SELECT run_id, '8563c81d3a1177535163a2656c5ef1586617610fb500b0a8a41ea49f4c8e667f', 'postgres', 'incremental', started_at, 'running'
FROM "sessionize"."_sessionize_work_run";


CREATE TABLE IF NOT EXISTS "sessionize"."_sessionize_watermarks" (
  "run_id" BIGINT,
  "table_pos" INTEGER,
  "source" TEXT COLLATE "C",
  "table_name" TEXT COLLATE "C",
  "watermark" TIMESTAMP,
  "max_loaded" TIMESTAMP,
  PRIMARY KEY (run_id, table_pos)
);

-- Each table's watermark, as the last successful run left it (§5). A
-- table without one (it had no rows yet) is read whole.
DROP TABLE IF EXISTS "sessionize"."_sessionize_work_since";
CREATE UNLOGGED TABLE "sessionize"."_sessionize_work_since" AS
SELECT table_pos, watermark AS since
FROM "sessionize"."_sessionize_watermarks"
WHERE run_id = (SELECT max(run_id) FROM "sessionize"."_sessionize_runs" WHERE status = 'success');
