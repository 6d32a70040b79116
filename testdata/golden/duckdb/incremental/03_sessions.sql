-- sessionize 03_sessions: model 'demo', incremental run, dialect duckdb.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
-- Names are qualified with the catalog target, whatever the database file is
-- called: run the files in one session that opened it under that name, as
-- sessionize does (ATTACH 'FILE' AS target; USE target;).
SET TimeZone = 'UTC';
--
-- Step 3: sessions per property (§3.3).
-- Within each (contact_id, property), in event order (timestamp, event_id), an
-- event starts a session when it is the first or when it comes
-- inactivity_timeout (30m = 1800000000 µs) or more after the previous one:
-- exactly 30:00 apart starts a session, 29:59.999999 does not.
-- Sessions are numbered 1, 2, ... (session_index) in order.
-- Only the contacts this run touched are sessionized again, from their
-- restart point (step 2) on; their sessions are numbered after the kept ones.

CREATE OR REPLACE TEMP TABLE temp.main."_sessionize_work_sessions" AS
WITH per_session AS (
WITH positioned AS (
  SELECT
    e.contact_id,
    e.property,
    e.ts,
    e.event_id,
    e.source,
    e.event,
    e.url, e.referrer, e."pass_locale",
    epoch_us(e.ts) - epoch_us(LAG(e.ts) OVER w) AS gap_before,
    epoch_us(LEAD(e.ts) OVER w) - epoch_us(e.ts) AS gap_after,
    ROW_NUMBER() OVER w AS n
  FROM (
  SELECT e.*
  FROM "target"."sessionize"."_sessionize_events" AS e
  JOIN temp.main."_sessionize_work_touched" AS t ON t.contact_id = e.contact_id
  WHERE t.restart_ts IS NULL OR e.ts >= t.restart_ts
) AS e
  WINDOW w AS (PARTITION BY e.contact_id, e.property ORDER BY e.ts, e.event_id)
),
edges AS (
  SELECT
    contact_id,
    property,
    ts,
    event_id,
    source,
    event,
    url, referrer, "pass_locale",
    n,
    coalesce(gap_before >= 1800000000 /* 30m */, true) AS is_start,
    coalesce(gap_after >= 1800000000 /* 30m */, true) AS is_end
  FROM positioned
  WHERE coalesce(gap_before >= 1800000000 /* 30m */, true)
     OR coalesce(gap_after >= 1800000000 /* 30m */, true)
),
-- A session's first event is followed, among the edges, by its last (or is
-- its last too): a start row takes the end's timestamp and position.
spans AS (
  SELECT
    contact_id,
    property,
    ts AS session_start,
    CASE WHEN is_end THEN ts ELSE LEAD(ts) OVER v END AS session_end,
    CASE WHEN is_end THEN n ELSE LEAD(n) OVER v END - n + 1 AS event_count,
    -- the session's number: the starts up to this row, in the same sort
    SUM(CASE WHEN is_start THEN 1 ELSE 0 END) OVER (
      PARTITION BY contact_id, property ORDER BY n ROWS UNBOUNDED PRECEDING
    ) AS start_number,
    event_id AS first_event_id,
    source,
    event AS first_event,
    url AS first_url,
    CASE WHEN is_end THEN event ELSE LEAD(event) OVER v END AS last_event,
    CASE WHEN is_end THEN url ELSE LEAD(url) OVER v END AS last_url, referrer, "pass_locale",
    is_start,
    n
  FROM edges
  WINDOW v AS (PARTITION BY contact_id, property ORDER BY n)
)
-- The first event gives the session its source, first_event, first_url,
-- referrer and pass-through columns, the last its last_event and last_url.
SELECT
  s.contact_id,
  s.property,
  CAST(
    coalesce(k.kept_sessions, 0) +
    s.start_number AS INTEGER
  ) AS session_index,
  s.session_start,
  s.session_end,
  CAST(s.event_count AS BIGINT) AS event_count,
  s.first_event_id,
  s.source,
  s.first_event,
  s.first_url,
  s.last_event,
  s.last_url, s.referrer, s."pass_locale"
FROM spans AS s
LEFT JOIN temp.main."_sessionize_work_kept" AS k
  ON k.contact_id = s.contact_id AND k.property = s.property
WHERE s.is_start
),
campaign AS (
  SELECT
    per_session.*,
    NULLIF(CASE WHEN NOT contains(regexp_extract(q, '(?:^|&)utm_source(?:=([^&]*))?(?:&|$)', 1), '%') THEN replace(regexp_extract(q, '(?:^|&)utm_source(?:=([^&]*))?(?:&|$)', 1), '+', ' ') WHEN contains(coalesce(try(url_decode(replace(regexp_extract(q, '(?:^|&)utm_source(?:=([^&]*))?(?:&|$)', 1), '+', ' '))), chr(0)), chr(0)) THEN regexp_extract(q, '(?:^|&)utm_source(?:=([^&]*))?(?:&|$)', 1) ELSE try(url_decode(replace(regexp_extract(q, '(?:^|&)utm_source(?:=([^&]*))?(?:&|$)', 1), '+', ' '))) END, '') AS utm_source,
    NULLIF(CASE WHEN NOT contains(regexp_extract(q, '(?:^|&)utm_medium(?:=([^&]*))?(?:&|$)', 1), '%') THEN replace(regexp_extract(q, '(?:^|&)utm_medium(?:=([^&]*))?(?:&|$)', 1), '+', ' ') WHEN contains(coalesce(try(url_decode(replace(regexp_extract(q, '(?:^|&)utm_medium(?:=([^&]*))?(?:&|$)', 1), '+', ' '))), chr(0)), chr(0)) THEN regexp_extract(q, '(?:^|&)utm_medium(?:=([^&]*))?(?:&|$)', 1) ELSE try(url_decode(replace(regexp_extract(q, '(?:^|&)utm_medium(?:=([^&]*))?(?:&|$)', 1), '+', ' '))) END, '') AS utm_medium,
    NULLIF(CASE WHEN NOT contains(regexp_extract(q, '(?:^|&)utm_campaign(?:=([^&]*))?(?:&|$)', 1), '%') THEN replace(regexp_extract(q, '(?:^|&)utm_campaign(?:=([^&]*))?(?:&|$)', 1), '+', ' ') WHEN contains(coalesce(try(url_decode(replace(regexp_extract(q, '(?:^|&)utm_campaign(?:=([^&]*))?(?:&|$)', 1), '+', ' '))), chr(0)), chr(0)) THEN regexp_extract(q, '(?:^|&)utm_campaign(?:=([^&]*))?(?:&|$)', 1) ELSE try(url_decode(replace(regexp_extract(q, '(?:^|&)utm_campaign(?:=([^&]*))?(?:&|$)', 1), '+', ' '))) END, '') AS utm_campaign,
    NULLIF(CASE WHEN NOT contains(regexp_extract(q, '(?:^|&)utm_term(?:=([^&]*))?(?:&|$)', 1), '%') THEN replace(regexp_extract(q, '(?:^|&)utm_term(?:=([^&]*))?(?:&|$)', 1), '+', ' ') WHEN contains(coalesce(try(url_decode(replace(regexp_extract(q, '(?:^|&)utm_term(?:=([^&]*))?(?:&|$)', 1), '+', ' '))), chr(0)), chr(0)) THEN regexp_extract(q, '(?:^|&)utm_term(?:=([^&]*))?(?:&|$)', 1) ELSE try(url_decode(replace(regexp_extract(q, '(?:^|&)utm_term(?:=([^&]*))?(?:&|$)', 1), '+', ' '))) END, '') AS utm_term,
    NULLIF(CASE WHEN NOT contains(regexp_extract(q, '(?:^|&)utm_content(?:=([^&]*))?(?:&|$)', 1), '%') THEN replace(regexp_extract(q, '(?:^|&)utm_content(?:=([^&]*))?(?:&|$)', 1), '+', ' ') WHEN contains(coalesce(try(url_decode(replace(regexp_extract(q, '(?:^|&)utm_content(?:=([^&]*))?(?:&|$)', 1), '+', ' '))), chr(0)), chr(0)) THEN regexp_extract(q, '(?:^|&)utm_content(?:=([^&]*))?(?:&|$)', 1) ELSE try(url_decode(replace(regexp_extract(q, '(?:^|&)utm_content(?:=([^&]*))?(?:&|$)', 1), '+', ' '))) END, '') AS utm_content
  FROM (SELECT *, regexp_extract(first_url, '^[^#?]*[?]([^#]*)', 1) AS q FROM per_session) AS per_session
)
SELECT
  md5(contact_id || '|' || property || '|' || first_event_id) AS session_id,
  contact_id, property, session_index, session_start, session_end, event_count,
  first_event_id, source, first_event, first_url, last_event, last_url, referrer, "pass_locale",
  utm_source, utm_medium, utm_campaign, utm_term, utm_content,
  CASE
    WHEN (NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') = 'example.com' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') LIKE '%.example.com' ESCAPE '\') THEN 'Direct'
    WHEN translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') IS NULL AND translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') IS NULL AND NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') IS NULL THEN 'Direct'
    WHEN (translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'cpc' OR translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'ppc' OR translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'paidsearch' OR translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'paid-search' OR translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'paid_search' OR translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'sem') THEN 'Paid Search'
    WHEN (translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'paid-social' OR translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'paidsocial' OR translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'paid_social' OR translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'social-paid' OR translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'social_paid') THEN 'Paid Social'
    WHEN (translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'display' OR translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'banner' OR translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'cpm' OR translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'expandable' OR translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'interstitial') THEN 'Display'
    WHEN (translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'affiliate' OR translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'affiliates') THEN 'Affiliates'
    WHEN (translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'email' OR translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'e-mail' OR translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'e_mail' OR translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'newsletter') THEN 'Email'
    WHEN (translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'email' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'e-mail' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'e_mail' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'newsletter') THEN 'Email'
    WHEN (NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') = 'mail.google.com' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') = 'com.google.android.gm' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') = 'outlook.live.com' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') = 'mail.yahoo.com') THEN 'Email'
    WHEN (translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'social' OR translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'social-network' OR translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'social-media' OR translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'sm' OR translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'organic-social') THEN 'Organic Social'
    WHEN (translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'facebook' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'instagram' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'linkedin' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'twitter' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'x' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'reddit' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'hackernews' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'youtube' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'facebook.com' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE '%.facebook.com' ESCAPE '\' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'instagram.com' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE '%.instagram.com' ESCAPE '\' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'linkedin.com' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE '%.linkedin.com' ESCAPE '\' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'lnkd.in' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 't.co' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'twitter.com' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'x.com' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'reddit.com' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE '%.reddit.com' ESCAPE '\' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'news.ycombinator.com' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE 'pinterest.%' ESCAPE '\' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE '%.pinterest.%' ESCAPE '\' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'youtube.com' OR translate(utm_source, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE '%.youtube.com' ESCAPE '\') THEN 'Organic Social'
    WHEN (NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') = 'facebook.com' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') LIKE '%.facebook.com' ESCAPE '\' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') = 'instagram.com' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') LIKE '%.instagram.com' ESCAPE '\' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') = 'linkedin.com' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') LIKE '%.linkedin.com' ESCAPE '\' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') = 'lnkd.in' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') = 't.co' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') = 'twitter.com' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') = 'x.com' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') = 'reddit.com' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') LIKE '%.reddit.com' ESCAPE '\' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') = 'news.ycombinator.com' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') LIKE 'pinterest.%' ESCAPE '\' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') LIKE '%.pinterest.%' ESCAPE '\' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') = 'youtube.com' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') LIKE '%.youtube.com' ESCAPE '\') THEN 'Organic Social'
    WHEN translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'organic' THEN 'Organic Search'
    WHEN (NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') LIKE 'google.%' ESCAPE '\' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') LIKE '%.google.%' ESCAPE '\' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') = 'bing.com' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') LIKE '%.bing.com' ESCAPE '\' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') = 'duckduckgo.com' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') = 'search.yahoo.com' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') LIKE 'yandex.%' ESCAPE '\' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') = 'baidu.com' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') LIKE '%.baidu.com' ESCAPE '\' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') = 'ecosia.org' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') LIKE '%.ecosia.org' ESCAPE '\' OR NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') = 'search.brave.com') THEN 'Organic Search'
    WHEN translate(utm_medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'referral' THEN 'Referral'
    WHEN NULLIF(translate(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '') LIKE '%' ESCAPE '\' THEN 'Referral'
    ELSE 'Unassigned'
  END AS channel
FROM campaign;
