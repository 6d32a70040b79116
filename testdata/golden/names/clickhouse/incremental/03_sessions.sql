-- sessionize 03_sessions: model 'semi;colon \\ back', incremental run, dialect clickhouse.
-- Rendered by `sessionize render`; the files run in order, 00 to 07. A rule
-- cited as §N is section N of sessionize's docs/semantics.md.
SET join_use_nulls = 1;
SET union_default_mode = 'DISTINCT';
SET prefer_column_name_to_alias = 1;
--
-- Step 3: sessions per property (§3.3).
-- Within each (contact_id, property), in event order (timestamp, event_id), an
-- event starts a session when it is the first or when it comes
-- inactivity_timeout (30m = 1800000000 µs) or more after the previous one:
-- exactly 30:00 apart starts a session, 29:59.999999 does not.
-- Sessions are numbered 1, 2, ... (session_index) in order.
-- Only the contacts this run touched are sessionized again, from their
-- restart point (step 2) on; their sessions are numbered after the kept ones.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_session_rows` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
SELECT
  contact_id,
  property,
  toInt32(kept + n) AS session_index,
  first_ev.1 AS session_start,
  last_ev.1 AS session_end,
  toUInt64(last_pos - first_pos + 1) AS event_count,
  first_ev.2 AS first_event_id,
  first_ev.3 AS source,
  first_ev.4 AS first_event,
  first_ev.5 AS first_url,
  last_ev.4 AS last_event,
  last_ev.5 AS last_url,
  first_ev.6 AS referrer,
  product_events
FROM (
  SELECT
    contact_id,
    property,
    -- sessions are numbered after the kept ones
    coalesce(k.kept_sessions, 0) AS kept,
    -- each session's first event and its last, in order
    arrayFilter((x, is_start) -> is_start = 1, evs, starts) AS firsts,
    arrayFilter((x, is_end) -> is_end = 1, evs, ends) AS lasts,
    arrayFilter((i, is_start) -> is_start = 1, arrayEnumerate(evs), starts) AS first_pos,
    arrayFilter((i, is_end) -> is_end = 1, arrayEnumerate(evs), ends) AS last_pos,
    -- the names of each session's events, for product sessions only
    if(
      g.property = 'product',
      arraySplit((x, is_start) -> is_start = 1, arrayMap(x -> x.4, evs), starts),
      arrayMap(x -> [], firsts)
    ) AS events_of
  FROM (
    SELECT
      e.contact_id AS contact_id,
      e.property AS property,
      arraySort(x -> (x.1, x.2), groupArray((e.ts, e.event_id, e.source, e.event, e.url, e.referrer))) AS evs,
      arrayMap(
        (gap, i) -> toUInt8(i = 1 OR gap >= 1800000000 /* 30m */),
        arrayDifference(arrayMap(x -> toUnixTimestamp64Micro(assumeNotNull(x.1)), evs)),
        arrayEnumerate(evs)
      ) AS starts,
      -- an event ends its session when the next one starts one, or is the last
      arrayPushBack(arrayPopFront(starts), 1) AS ends
    FROM (
  SELECT e.*
  FROM `sessionize`.`_sessionize_events__next` AS e
  JOIN `sessionize`.`_sessionize_work_touched` AS t ON t.contact_id = e.contact_id
  WHERE t.restart_ts IS NULL OR e.ts >= t.restart_ts
) AS e
    GROUP BY e.contact_id, e.property
  ) AS g
  LEFT JOIN `sessionize`.`_sessionize_work_kept` AS k
    ON k.contact_id = g.contact_id AND k.property = g.property
) AS grouped
ARRAY JOIN
  firsts AS first_ev,
  lasts AS last_ev,
  first_pos,
  last_pos,
  arrayEnumerate(firsts) AS n,
  events_of AS product_events;

-- One row per session, with its campaign and channel.
CREATE OR REPLACE TABLE `sessionize`.`_sessionize_work_sessions` ENGINE = MergeTree ORDER BY tuple() SETTINGS allow_nullable_key = 1, max_bytes_to_merge_at_max_space_in_pool = 0 AS
WITH per_session AS (
  SELECT * EXCEPT (product_events) FROM `sessionize`.`_sessionize_work_session_rows`
),
-- The first url's query string and the referrer's host. Each step below
-- computes its columns once per row; where the engine would put a step's
-- expressions in place of each reference to them instead (the channel rules
-- compare referrer_host some twenty times), the step ends in a fence.
located AS (
  SELECT
    per_session.*,
    extract(first_url, '^[^#?]*[?]([^#]*)') AS query,
    NULLIF(lower(extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)')), '') AS referrer_host
  FROM per_session
),
-- Each campaign parameter: the value of its first occurrence, as written
-- and then decoded.
written AS (
  SELECT
    located.*,
    extract(query, '(?:^|&)utm_source(?:=([^&]*))?(?:&|$)') AS written_source,
    extract(query, '(?:^|&)utm_medium(?:=([^&]*))?(?:&|$)') AS written_medium,
    extract(query, '(?:^|&)utm_campaign(?:=([^&]*))?(?:&|$)') AS written_campaign,
    extract(query, '(?:^|&)utm_term(?:=([^&]*))?(?:&|$)') AS written_term,
    extract(query, '(?:^|&)utm_content(?:=([^&]*))?(?:&|$)') AS written_content
  FROM located
),
campaign AS (
  SELECT
    written.*,
    NULLIF(if(isValidUTF8(decodeURLFormComponent(written_source)) AND position(decodeURLFormComponent(written_source), char(0)) = 0, decodeURLFormComponent(written_source), written_source), '') AS utm_source,
    NULLIF(if(isValidUTF8(decodeURLFormComponent(written_medium)) AND position(decodeURLFormComponent(written_medium), char(0)) = 0, decodeURLFormComponent(written_medium), written_medium), '') AS utm_medium,
    NULLIF(if(isValidUTF8(decodeURLFormComponent(written_campaign)) AND position(decodeURLFormComponent(written_campaign), char(0)) = 0, decodeURLFormComponent(written_campaign), written_campaign), '') AS utm_campaign,
    NULLIF(if(isValidUTF8(decodeURLFormComponent(written_term)) AND position(decodeURLFormComponent(written_term), char(0)) = 0, decodeURLFormComponent(written_term), written_term), '') AS utm_term,
    NULLIF(if(isValidUTF8(decodeURLFormComponent(written_content)) AND position(decodeURLFormComponent(written_content), char(0)) = 0, decodeURLFormComponent(written_content), written_content), '') AS utm_content
  FROM written
),
-- What the channel rules compare: ASCII letters lower-cased.
compared AS (
  SELECT
    campaign.*,
    lower(utm_source) AS source_lc,
    lower(utm_medium) AS medium_lc,
    lower(utm_campaign) AS campaign_lc
  FROM campaign
)
SELECT
  lower(hex(MD5(concat(contact_id, '|', property, '|', first_event_id)))) AS session_id,
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
