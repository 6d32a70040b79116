-- The hand-written chain, PostgreSQL: what an analytics engineer would
-- write instead of sessionize for the demo's model, as a chain of table
-- models (one CREATE TABLE AS each, rebuilt from the sources on every run,
-- as a dbt table materialization is: logged tables, no indexes). It keeps
-- no state beyond its own tables and writes no rejected_events or
-- prompted_events. The demo model's settings are written in: 30 minutes of
-- inactivity and across properties, 30 days of lifecycle lookback, days in
-- America/New_York; its bots patterns, its locale pass-through column, and
-- its channel rules (links from example.com are Direct, then the default
-- list of docs/enrichment.md §3.6).
--
-- Each step starts with a "-- step: name" line and is one statement; the
-- bench times each. The file is a Go template: src names a source table of
-- the demo, out a table of this chain, in a schema of its own.

-- step: drop_schema
DROP SCHEMA IF EXISTS {{schema}} CASCADE;

-- step: schema
CREATE SCHEMA {{schema}};

-- step: form_decode
-- A campaign parameter's value decoded as a form value, which PostgreSQL
-- has no function for: + is a space, %XX the byte it names. A value that
-- would not be UTF-8 once decoded, or would hold a zero byte, is kept as
-- written (a copy of sessionize's function, which checks the bytes against
-- UTF-8's patterns: catching convert_from's error would start a
-- subtransaction, which PostgreSQL refuses in a parallel query).
CREATE FUNCTION {{schema}}.form_decode(value TEXT)
RETURNS TEXT LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $body$
DECLARE
  bytes BYTEA;
BEGIN
  IF strpos(value, '%') = 0 THEN
    RETURN replace(value, '+', ' ');
  END IF;
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

-- step: stg_events
-- The five event tables, with Segment's columns as the model maps them:
-- empty ids are NULL, the load time falls back to the event's time.
CREATE TABLE {{out "stg_events"}} AS
SELECT 'website' AS source, 'marketing' AS property, NULLIF(id, '') AS event_id,
       CAST("timestamp" AS TIMESTAMP) AS ts, CAST(coalesce(received_at, "timestamp") AS TIMESTAMP) AS loaded_at,
       NULLIF(user_id, '') AS user_id, NULLIF(anonymous_id, '') AS anonymous_id,
       CAST(NULL AS TEXT) AS event, url, referrer,
       context_user_agent AS user_agent, context_locale AS locale
FROM {{src "website" "pages"}}
UNION ALL
SELECT 'website', 'marketing', NULLIF(id, ''),
       CAST("timestamp" AS TIMESTAMP), CAST(coalesce(received_at, "timestamp") AS TIMESTAMP),
       NULLIF(user_id, ''), NULLIF(anonymous_id, ''), event, url, context_page_referrer,
       context_user_agent, context_locale
FROM {{src "website" "tracks"}}
UNION ALL
SELECT 'app', 'product', NULLIF(id, ''),
       CAST("timestamp" AS TIMESTAMP), CAST(coalesce(received_at, "timestamp") AS TIMESTAMP),
       NULLIF(user_id, ''), NULLIF(anonymous_id, ''), event, context_page_url, context_page_referrer,
       context_user_agent, context_locale
FROM {{src "app_prod" "tracks"}}
UNION ALL
SELECT 'docs', 'asset:docs', NULLIF(id, ''),
       CAST("timestamp" AS TIMESTAMP), CAST(coalesce(received_at, "timestamp") AS TIMESTAMP),
       NULLIF(user_id, ''), NULLIF(anonymous_id, ''), NULL, url, referrer,
       context_user_agent, context_locale
FROM {{src "docs" "pages"}}
UNION ALL
SELECT 'blog', 'asset:articles', NULLIF(id, ''),
       CAST("timestamp" AS TIMESTAMP), CAST(coalesce(received_at, "timestamp") AS TIMESTAMP),
       NULLIF(user_id, ''), NULLIF(anonymous_id, ''), NULL, url, referrer,
       context_user_agent, context_locale
FROM {{src "blog" "pages"}};

-- step: stg_identifies
CREATE TABLE {{out "stg_identifies"}} AS
SELECT NULLIF(id, '') AS identify_id, NULLIF(user_id, '') AS user_id,
       NULLIF(anonymous_id, '') AS anonymous_id, CAST("timestamp" AS TIMESTAMP) AS ts
FROM {{src "app_prod" "identifies"}};

-- step: events
-- Rows that can be sessionized, crawlers left out, one per event_id: the
-- earliest loaded copy, then the earliest timestamp, then the smallest
-- source name. A crawler's user agent matches one of the bots patterns,
-- ignoring the case of ASCII letters only: lower() under the C collation
-- folds those alone.
CREATE TABLE {{out "events"}} AS
WITH sessionizable AS (
  SELECT *, lower(user_agent COLLATE "C") AS ua
  FROM {{out "stg_events"}}
  WHERE event_id IS NOT NULL AND ts IS NOT NULL AND (user_id IS NOT NULL OR anonymous_id IS NOT NULL)
)
SELECT source, property, event_id, ts, loaded_at, user_id, anonymous_id, event, url, referrer, locale
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY loaded_at, ts, source) AS copy
  FROM sessionizable
  WHERE ua IS NULL
     OR NOT (ua LIKE '%bot%' OR ua LIKE '%crawler%' OR ua LIKE '%spider%' OR ua LIKE '%headlesschrome%')
) AS copies
WHERE copy = 1;

-- step: identity_map
-- Each anonymous_id goes to the user_id of its earliest row carrying both,
-- among the events and the identifies (an identify without an id after the
-- events at the same time).
CREATE TABLE {{out "identity_map"}} AS
WITH candidates AS (
  SELECT anonymous_id, user_id, ts, event_id AS row_id
  FROM {{out "events"}}
  WHERE anonymous_id IS NOT NULL AND user_id IS NOT NULL
  UNION ALL
  SELECT anonymous_id, user_id, ts, identify_id
  FROM {{out "stg_identifies"}}
  WHERE anonymous_id IS NOT NULL AND user_id IS NOT NULL AND ts IS NOT NULL
)
SELECT DISTINCT ON (anonymous_id) anonymous_id, user_id
FROM candidates
ORDER BY anonymous_id, ts, row_id NULLS LAST, user_id;

-- step: events_sessionized
-- Each event with its contact, and its session's and contact session's
-- number: a gap of 30 minutes or more (or none before) starts one, per
-- (contact, property) and per contact; a gap of 30 minutes or more (or none)
-- after an event ends its session.
CREATE TABLE {{out "events_sessionized"}} AS
WITH identified AS (
  SELECT coalesce(e.user_id, m.user_id, e.anonymous_id) AS contact_id,
         e.property, e.event_id, e.ts, e.source, e.event, e.url, e.referrer, e.locale
  FROM {{out "events"}} AS e
  LEFT JOIN {{out "identity_map"}} AS m ON m.anonymous_id = e.anonymous_id
),
gaps AS (
  SELECT *,
         ts - LAG(ts) OVER (PARTITION BY contact_id, property ORDER BY ts, event_id) AS gap,
         LEAD(ts) OVER (PARTITION BY contact_id, property ORDER BY ts, event_id) - ts AS gap_after,
         ts - LAG(ts) OVER (PARTITION BY contact_id ORDER BY ts, event_id) AS contact_gap
  FROM identified
),
starts AS (
  SELECT *,
         CASE WHEN gap IS NULL OR gap >= INTERVAL '30 minutes' THEN 1 ELSE 0 END AS is_session_start,
         CASE WHEN gap_after IS NULL OR gap_after >= INTERVAL '30 minutes' THEN 1 ELSE 0 END AS is_session_end,
         CASE WHEN contact_gap IS NULL OR contact_gap >= INTERVAL '30 minutes' THEN 1 ELSE 0 END AS is_contact_session_start
  FROM gaps
)
SELECT contact_id, property, event_id, ts, source, event, url, referrer, locale,
       is_session_start, is_session_end, is_contact_session_start,
       SUM(is_session_start) OVER (PARTITION BY contact_id, property ORDER BY ts, event_id ROWS UNBOUNDED PRECEDING) AS session_index,
       SUM(is_contact_session_start) OVER (PARTITION BY contact_id ORDER BY ts, event_id ROWS UNBOUNDED PRECEDING) AS contact_session_index
FROM starts;

-- step: sessions
-- One row per session; its first event gives the id, source, event, url,
-- referrer and locale, its last event the last event and url. The campaign
-- is the first url's utm_ parameters, the channel the first of the model's
-- rules that matches (docs/enrichment.md §3.6), comparing source, medium
-- and referrer host with their ASCII letters lower-cased.
CREATE TABLE {{out "sessions"}} AS
WITH per_session AS (
  SELECT contact_id, property, session_index,
         min(ts) AS session_start,
         max(ts) AS session_end,
         count(*) AS event_count,
         min(contact_session_index) AS contact_session_index,
         max(is_contact_session_start) = 1 AS is_contact_session_entry,
         max(event_id) FILTER (WHERE is_session_start = 1) AS first_event_id,
         max(source) FILTER (WHERE is_session_start = 1) AS source,
         max(event) FILTER (WHERE is_session_start = 1) AS first_event,
         max(url) FILTER (WHERE is_session_start = 1) AS first_url,
         max(referrer) FILTER (WHERE is_session_start = 1) AS referrer,
         max(locale) FILTER (WHERE is_session_start = 1) AS locale,
         max(event) FILTER (WHERE is_session_end = 1) AS last_event,
         max(url) FILTER (WHERE is_session_end = 1) AS last_url
  FROM {{out "events_sessionized"}}
  GROUP BY contact_id, property, session_index
),
-- the query string: after the first ?, up to the first #
with_query AS (
  SELECT *, (regexp_match(first_url, '^[^#?]*[?]([^#]*)'))[1] AS query
  FROM per_session
),
-- each parameter's value: of the first part of the query named exactly so
campaign AS (
  SELECT *,
         NULLIF({{schema}}.form_decode((regexp_match(query, '(?:^|&)utm_source(?:=([^&]*))?(?:&|$)'))[1]), '') AS utm_source,
         NULLIF({{schema}}.form_decode((regexp_match(query, '(?:^|&)utm_medium(?:=([^&]*))?(?:&|$)'))[1]), '') AS utm_medium,
         NULLIF({{schema}}.form_decode((regexp_match(query, '(?:^|&)utm_campaign(?:=([^&]*))?(?:&|$)'))[1]), '') AS utm_campaign,
         NULLIF({{schema}}.form_decode((regexp_match(query, '(?:^|&)utm_term(?:=([^&]*))?(?:&|$)'))[1]), '') AS utm_term,
         NULLIF({{schema}}.form_decode((regexp_match(query, '(?:^|&)utm_content(?:=([^&]*))?(?:&|$)'))[1]), '') AS utm_content
  FROM with_query
),
-- what the channel rules compare: the referrer's host is what follows
-- scheme:// (and any user@) up to the first / ? # or :
matched AS (
  SELECT *,
         lower(utm_source COLLATE "C") AS source_lc,
         lower(utm_medium COLLATE "C") AS medium_lc,
         NULLIF(lower((regexp_match(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)'))[1] COLLATE "C"), '') AS referrer_host
  FROM campaign
)
SELECT md5(contact_id || '|' || property || '|' || first_event_id) AS session_id,
       contact_id, property,
       CAST(session_index AS INTEGER) AS session_index,
       session_start, session_end,
       CAST(EXTRACT(EPOCH FROM session_end - session_start) AS DOUBLE PRECISION) AS duration_seconds,
       event_count, source, first_event_id, first_event, first_url,
       contact_session_index, is_contact_session_entry,
       last_event, last_url, referrer,
       utm_source, utm_medium, utm_campaign, utm_term, utm_content,
       CASE
         -- the model's own rule: links from our own pages
         WHEN referrer_host = 'example.com' OR referrer_host LIKE '%.example.com' THEN 'Direct'
         -- the default list
         WHEN source_lc IS NULL AND medium_lc IS NULL AND referrer_host IS NULL THEN 'Direct'
         WHEN medium_lc IN ('cpc', 'ppc', 'paidsearch', 'paid-search', 'paid_search', 'sem') THEN 'Paid Search'
         WHEN medium_lc IN ('paid-social', 'paidsocial', 'paid_social', 'social-paid', 'social_paid') THEN 'Paid Social'
         WHEN medium_lc IN ('display', 'banner', 'cpm', 'expandable', 'interstitial') THEN 'Display'
         WHEN medium_lc IN ('affiliate', 'affiliates') THEN 'Affiliates'
         WHEN medium_lc IN ('email', 'e-mail', 'e_mail', 'newsletter')
           OR source_lc IN ('email', 'e-mail', 'e_mail', 'newsletter')
           OR referrer_host IN ('mail.google.com', 'com.google.android.gm', 'outlook.live.com', 'mail.yahoo.com') THEN 'Email'
         WHEN medium_lc IN ('social', 'social-network', 'social-media', 'sm', 'organic-social')
           OR source_lc IN ('facebook', 'instagram', 'linkedin', 'twitter', 'x', 'reddit', 'hackernews', 'youtube')
           OR source_lc IN ('facebook.com', 'instagram.com', 'linkedin.com', 'lnkd.in', 't.co', 'twitter.com', 'x.com',
                            'reddit.com', 'news.ycombinator.com', 'youtube.com')
           OR source_lc LIKE '%.facebook.com' OR source_lc LIKE '%.instagram.com' OR source_lc LIKE '%.linkedin.com'
           OR source_lc LIKE '%.reddit.com' OR source_lc LIKE '%.youtube.com'
           OR source_lc LIKE 'pinterest.%' OR source_lc LIKE '%.pinterest.%'
           OR referrer_host IN ('facebook.com', 'instagram.com', 'linkedin.com', 'lnkd.in', 't.co', 'twitter.com', 'x.com',
                                'reddit.com', 'news.ycombinator.com', 'youtube.com')
           OR referrer_host LIKE '%.facebook.com' OR referrer_host LIKE '%.instagram.com' OR referrer_host LIKE '%.linkedin.com'
           OR referrer_host LIKE '%.reddit.com' OR referrer_host LIKE '%.youtube.com'
           OR referrer_host LIKE 'pinterest.%' OR referrer_host LIKE '%.pinterest.%' THEN 'Organic Social'
         WHEN medium_lc = 'organic'
           OR referrer_host IN ('bing.com', 'duckduckgo.com', 'search.yahoo.com', 'baidu.com', 'ecosia.org', 'search.brave.com')
           OR referrer_host LIKE 'google.%' OR referrer_host LIKE '%.google.%' OR referrer_host LIKE '%.bing.com'
           OR referrer_host LIKE 'yandex.%' OR referrer_host LIKE '%.baidu.com' OR referrer_host LIKE '%.ecosia.org' THEN 'Organic Search'
         WHEN medium_lc = 'referral' OR referrer_host IS NOT NULL THEN 'Referral'
         ELSE 'Unassigned'
       END AS channel,
       event_count = 1 AS is_bounce,
       locale
FROM matched;

-- step: product_lifecycle
-- new: no earlier product session; active: within 30 days of the previous
-- one's end; resurrected: later.
CREATE TABLE {{out "product_lifecycle"}} AS
WITH previous AS (
  SELECT session_id, contact_id, session_start,
         LAG(session_end) OVER (PARTITION BY contact_id ORDER BY session_start) AS prev_end
  FROM {{out "sessions"}}
  WHERE property = 'product'
)
SELECT session_id, contact_id, session_start,
       CASE
         WHEN prev_end IS NULL THEN 'new'
         WHEN session_start - prev_end <= INTERVAL '30 days' THEN 'active'
         ELSE 'resurrected'
       END AS user_lifecycle,
       CAST(EXTRACT(EPOCH FROM session_start - prev_end) AS DOUBLE PRECISION) / 86400 AS days_since_prev_product_session
FROM previous;

-- step: contact_sessions
-- The entry session gives the property, url, campaign and channel.
CREATE TABLE {{out "contact_sessions"}} AS
SELECT md5(s.contact_id || '|' || max(s.first_event_id) FILTER (WHERE s.is_contact_session_entry)) AS contact_session_id,
       s.contact_id,
       CAST(s.contact_session_index AS INTEGER) AS session_index,
       min(s.session_start) AS session_start,
       max(s.session_end) AS session_end,
       CAST(EXTRACT(EPOCH FROM max(s.session_end) - min(s.session_start)) AS DOUBLE PRECISION) AS duration_seconds,
       CAST(sum(s.event_count) AS BIGINT) AS event_count,
       count(*) AS session_count,
       string_agg(DISTINCT s.property, ',' ORDER BY s.property) AS properties,
       count(DISTINCT s.property) > 1 AS is_cross_property,
       max(s.property) FILTER (WHERE s.is_contact_session_entry) AS entry_property,
       max(s.session_id) FILTER (WHERE s.is_contact_session_entry) AS entry_session_id,
       max(s.first_url) FILTER (WHERE s.is_contact_session_entry) AS entry_url,
       bool_or(s.property = 'product') AS has_product,
       bool_or(s.property = 'product') AND max(s.property) FILTER (WHERE s.is_contact_session_entry) <> 'product' AS prompted_product,
       (array_agg(l.user_lifecycle ORDER BY s.session_start) FILTER (WHERE s.property = 'product'))[1] AS user_lifecycle,
       max(s.utm_source) FILTER (WHERE s.is_contact_session_entry) AS utm_source,
       max(s.utm_medium) FILTER (WHERE s.is_contact_session_entry) AS utm_medium,
       max(s.utm_campaign) FILTER (WHERE s.is_contact_session_entry) AS utm_campaign,
       max(s.channel) FILTER (WHERE s.is_contact_session_entry) AS channel
FROM {{out "sessions"}} AS s
LEFT JOIN {{out "product_lifecycle"}} AS l ON l.session_id = s.session_id
GROUP BY s.contact_id, s.contact_session_index;

-- step: daily_metrics
CREATE TABLE {{out "daily_metrics"}} AS
SELECT CAST(s.session_start AT TIME ZONE 'UTC' AT TIME ZONE 'America/New_York' AS DATE) AS day,
       s.property,
       count(*) AS sessions,
       count(DISTINCT s.contact_id) AS contacts,
       CAST(sum(s.event_count) AS BIGINT) AS events,
       count(*) FILTER (WHERE l.user_lifecycle = 'new') AS new_user_sessions,
       count(*) FILTER (WHERE l.user_lifecycle = 'active') AS active_user_sessions,
       count(*) FILTER (WHERE l.user_lifecycle = 'resurrected') AS resurrected_user_sessions,
       count(*) FILTER (WHERE c.is_cross_property) AS cross_property_sessions
FROM {{out "sessions"}} AS s
LEFT JOIN {{out "product_lifecycle"}} AS l ON l.session_id = s.session_id
JOIN {{out "contact_sessions"}} AS c ON c.contact_id = s.contact_id AND c.session_index = s.contact_session_index
GROUP BY 1, 2;

-- step: daily_channels
CREATE TABLE {{out "daily_channels"}} AS
SELECT CAST(s.session_start AT TIME ZONE 'UTC' AT TIME ZONE 'America/New_York' AS DATE) AS day,
       s.property,
       s.channel,
       count(*) AS sessions,
       count(DISTINCT s.contact_id) AS contacts,
       count(*) FILTER (WHERE c.prompted_product) AS prompted_product_sessions,
       count(*) FILTER (WHERE l.user_lifecycle = 'new') AS new_user_sessions
FROM {{out "sessions"}} AS s
LEFT JOIN {{out "product_lifecycle"}} AS l ON l.session_id = s.session_id
JOIN {{out "contact_sessions"}} AS c ON c.contact_id = s.contact_id AND c.session_index = s.contact_session_index
GROUP BY 1, 2, 3;
