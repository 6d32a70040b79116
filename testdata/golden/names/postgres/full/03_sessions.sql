-- sessionize 03_sessions: model 'semi;colon \ back', full run, dialect postgres.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
SET TIME ZONE 'UTC';
--
-- Step 3: sessions per property (§3.3).
-- Within each (contact_id, property), in event order (timestamp, event_id), an
-- event starts a session when it is the first or when it comes
-- inactivity_timeout (30m = 1800000000 µs) or more after the previous one:
-- exactly 30:00 apart starts a session, 29:59.999999 does not.
-- Sessions are numbered 1, 2, ... (session_index) in order.

DROP TABLE IF EXISTS "sessionize"."_sessionize_work_sessions";
CREATE UNLOGGED TABLE "sessionize"."_sessionize_work_sessions" AS
WITH per_session AS (
  WITH positioned AS (
    SELECT
      e.contact_id,
      e.property,
      e.ts,
      e.event_id,
      CAST(EXTRACT(EPOCH FROM e.ts) * 1000000 AS BIGINT) - CAST(EXTRACT(EPOCH FROM LAG(e.ts) OVER w) * 1000000 AS BIGINT) AS gap_before,
      CAST(EXTRACT(EPOCH FROM LEAD(e.ts) OVER w) * 1000000 AS BIGINT) - CAST(EXTRACT(EPOCH FROM e.ts) * 1000000 AS BIGINT) AS gap_after,
      ROW_NUMBER() OVER w AS n
    FROM "sessionize"."_sessionize_events" AS e
    WINDOW w AS (PARTITION BY e.contact_id, e.property ORDER BY e.ts, e.event_id)
  ),
  edges AS (
    SELECT
      contact_id,
      property,
      ts,
      event_id,
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
      CASE WHEN is_end THEN event_id ELSE LEAD(event_id) OVER v END AS last_event_id,
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
      s.start_number AS INTEGER
    ) AS session_index,
    s.session_start,
    s.session_end,
    CAST(s.event_count AS BIGINT) AS event_count,
    s.first_event_id,
    f.source,
    f.event AS first_event,
    f.url AS first_url,
    l.event AS last_event,
    l.url AS last_url, f.referrer
  FROM spans AS s
  JOIN "sessionize"."_sessionize_events" AS f ON f.event_id = s.first_event_id
  JOIN "sessionize"."_sessionize_events" AS l ON l.event_id = s.last_event_id
  WHERE s.is_start
),
-- The first url's query string and the referrer's host. Each step below
-- computes its columns once per row; where the engine would put a step's
-- expressions in place of each reference to them instead (the channel rules
-- compare referrer_host some twenty times), the step ends in a fence.
located AS (
  SELECT
    per_session.*,
    (regexp_match(first_url, '^[^#?]*[?]([^#]*)'))[1] AS query,
    NULLIF(lower((regexp_match(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)'))[1] COLLATE "C"), '') AS referrer_host
  FROM per_session
  OFFSET 0
),
-- Each campaign parameter: the value of its first occurrence, as written
-- and then decoded.
written AS (
  SELECT
    located.*,
    (regexp_match(query, '(?:^|&)utm_source(?:=([^&]*))?(?:&|$)'))[1] AS written_source,
    (regexp_match(query, '(?:^|&)utm_medium(?:=([^&]*))?(?:&|$)'))[1] AS written_medium,
    (regexp_match(query, '(?:^|&)utm_campaign(?:=([^&]*))?(?:&|$)'))[1] AS written_campaign,
    (regexp_match(query, '(?:^|&)utm_term(?:=([^&]*))?(?:&|$)'))[1] AS written_term,
    (regexp_match(query, '(?:^|&)utm_content(?:=([^&]*))?(?:&|$)'))[1] AS written_content
  FROM located
),
campaign AS (
  SELECT
    written.*,
    NULLIF("sessionize"."_sessionize_url_decode"(written_source), '') AS utm_source,
    NULLIF("sessionize"."_sessionize_url_decode"(written_medium), '') AS utm_medium,
    NULLIF("sessionize"."_sessionize_url_decode"(written_campaign), '') AS utm_campaign,
    NULLIF("sessionize"."_sessionize_url_decode"(written_term), '') AS utm_term,
    NULLIF("sessionize"."_sessionize_url_decode"(written_content), '') AS utm_content
  FROM written
  OFFSET 0
),
-- What the channel rules compare: ASCII letters lower-cased.
compared AS (
  SELECT
    campaign.*,
    lower(utm_source COLLATE "C") AS source_lc,
    lower(utm_medium COLLATE "C") AS medium_lc,
    lower(utm_campaign COLLATE "C") AS campaign_lc
  FROM campaign
  OFFSET 0
)
SELECT
  md5(contact_id || '|' || property || '|' || first_event_id) AS session_id,
  contact_id, property, session_index, session_start, session_end, event_count,
  first_event_id, source, first_event, first_url, last_event, last_url, referrer,
  utm_source, utm_medium, utm_campaign, utm_term, utm_content,
  -- the first channel rule that matches (docs/enrichment.md §3.6)
  CASE
    WHEN source_lc IS NULL AND medium_lc IS NULL AND referrer_host IS NULL THEN 'Direct'
    WHEN medium_lc IN ('cpc', 'ppc', 'paidsearch', 'paid-search', 'paid_search', 'sem') THEN 'Paid Search'
    WHEN medium_lc IN ('paid-social', 'paidsocial', 'paid_social', 'social-paid', 'social_paid') THEN 'Paid Social'
    WHEN medium_lc IN ('display', 'banner', 'cpm', 'expandable', 'interstitial') THEN 'Display'
    WHEN medium_lc IN ('affiliate', 'affiliates') THEN 'Affiliates'
    WHEN medium_lc IN ('email', 'e-mail', 'e_mail', 'newsletter') THEN 'Email'
    WHEN source_lc IN ('email', 'e-mail', 'e_mail', 'newsletter') THEN 'Email'
    WHEN referrer_host IN ('mail.google.com', 'com.google.android.gm', 'outlook.live.com', 'mail.yahoo.com') THEN 'Email'
    WHEN medium_lc IN ('social', 'social-network', 'social-media', 'sm', 'organic-social') THEN 'Organic Social'
    WHEN (source_lc IN ('facebook', 'instagram', 'linkedin', 'twitter', 'x', 'reddit', 'hackernews', 'youtube', 'facebook.com', 'instagram.com', 'linkedin.com', 'lnkd.in', 't.co', 'twitter.com', 'x.com', 'reddit.com', 'news.ycombinator.com', 'youtube.com') OR source_lc LIKE '%.facebook.com' OR source_lc LIKE '%.instagram.com' OR source_lc LIKE '%.linkedin.com' OR source_lc LIKE '%.reddit.com' OR source_lc LIKE 'pinterest.%' OR source_lc LIKE '%.pinterest.%' OR source_lc LIKE '%.youtube.com') THEN 'Organic Social'
    WHEN (referrer_host IN ('facebook.com', 'instagram.com', 'linkedin.com', 'lnkd.in', 't.co', 'twitter.com', 'x.com', 'reddit.com', 'news.ycombinator.com', 'youtube.com') OR referrer_host LIKE '%.facebook.com' OR referrer_host LIKE '%.instagram.com' OR referrer_host LIKE '%.linkedin.com' OR referrer_host LIKE '%.reddit.com' OR referrer_host LIKE 'pinterest.%' OR referrer_host LIKE '%.pinterest.%' OR referrer_host LIKE '%.youtube.com') THEN 'Organic Social'
    WHEN medium_lc = 'organic' THEN 'Organic Search'
    WHEN (referrer_host IN ('bing.com', 'duckduckgo.com', 'search.yahoo.com', 'baidu.com', 'ecosia.org', 'search.brave.com') OR referrer_host LIKE 'google.%' OR referrer_host LIKE '%.google.%' OR referrer_host LIKE '%.bing.com' OR referrer_host LIKE 'yandex.%' OR referrer_host LIKE '%.baidu.com' OR referrer_host LIKE '%.ecosia.org') THEN 'Organic Search'
    WHEN medium_lc = 'referral' THEN 'Referral'
    WHEN referrer_host IS NOT NULL THEN 'Referral'
    ELSE 'Unassigned'
  END AS channel
FROM compared;

ANALYZE "sessionize"."_sessionize_work_sessions";
