-- The hand-written chain, ClickHouse: what an analytics engineer would
-- write instead of sessionize for the demo's model, as a chain of table
-- models (one CREATE TABLE AS each, a MergeTree without a sorting key,
-- rebuilt from the sources on every run, as a dbt table materialization
-- is), with window functions. It keeps no state beyond its own tables and
-- writes no rejected_events or prompted_events. The demo model's settings
-- are written in: 30 minutes of inactivity and across properties, 30 days
-- of lifecycle lookback, days in America/New_York; its bots patterns, its
-- locale pass-through column, and its channel rules (links from
-- example.com are Direct, then the default list of docs/enrichment.md
-- §3.6). ClickHouse's lower() folds ASCII letters only, as the patterns
-- want.
--
-- Each step starts with a "-- step: name" line and is one statement; the
-- bench times each. The file is a Go template: src names a source table of
-- the demo, out a table of this chain, in a database of its own.

-- step: schema
CREATE DATABASE IF NOT EXISTS {{schema}};

-- step: stg_events
-- The five event tables, with Segment's columns as the model maps them:
-- empty ids are NULL, the load time falls back to the event's time.
CREATE OR REPLACE TABLE {{out "stg_events"}} ENGINE = MergeTree ORDER BY tuple() AS
SELECT 'website' AS source, 'marketing' AS property, nullIf(id, '') AS event_id,
       toDateTime64("timestamp", 6, 'UTC') AS ts, toDateTime64(coalesce(received_at, "timestamp"), 6, 'UTC') AS loaded_at,
       nullIf(user_id, '') AS user_id, nullIf(anonymous_id, '') AS anonymous_id,
       CAST(NULL AS Nullable(String)) AS event, url, referrer,
       context_user_agent AS user_agent, context_locale AS locale
FROM {{src "website" "pages"}}
UNION ALL
SELECT 'website', 'marketing', nullIf(id, ''),
       toDateTime64("timestamp", 6, 'UTC'), toDateTime64(coalesce(received_at, "timestamp"), 6, 'UTC'),
       nullIf(user_id, ''), nullIf(anonymous_id, ''), event, url, context_page_referrer,
       context_user_agent, context_locale
FROM {{src "website" "tracks"}}
UNION ALL
SELECT 'app', 'product', nullIf(id, ''),
       toDateTime64("timestamp", 6, 'UTC'), toDateTime64(coalesce(received_at, "timestamp"), 6, 'UTC'),
       nullIf(user_id, ''), nullIf(anonymous_id, ''), event, context_page_url, context_page_referrer,
       context_user_agent, context_locale
FROM {{src "app_prod" "tracks"}}
UNION ALL
SELECT 'docs', 'asset:docs', nullIf(id, ''),
       toDateTime64("timestamp", 6, 'UTC'), toDateTime64(coalesce(received_at, "timestamp"), 6, 'UTC'),
       nullIf(user_id, ''), nullIf(anonymous_id, ''), NULL, url, referrer,
       context_user_agent, context_locale
FROM {{src "docs" "pages"}}
UNION ALL
SELECT 'blog', 'asset:articles', nullIf(id, ''),
       toDateTime64("timestamp", 6, 'UTC'), toDateTime64(coalesce(received_at, "timestamp"), 6, 'UTC'),
       nullIf(user_id, ''), nullIf(anonymous_id, ''), NULL, url, referrer,
       context_user_agent, context_locale
FROM {{src "blog" "pages"}};

-- step: stg_identifies
CREATE OR REPLACE TABLE {{out "stg_identifies"}} ENGINE = MergeTree ORDER BY tuple() AS
SELECT nullIf(id, '') AS identify_id, nullIf(user_id, '') AS user_id,
       nullIf(anonymous_id, '') AS anonymous_id, toDateTime64("timestamp", 6, 'UTC') AS ts
FROM {{src "app_prod" "identifies"}};

-- step: events
-- Rows that can be sessionized, crawlers left out, one per event_id: the
-- earliest loaded copy, then the earliest timestamp, then the smallest
-- source name. A crawler's user agent matches one of the bots patterns.
CREATE OR REPLACE TABLE {{out "events"}} ENGINE = MergeTree ORDER BY tuple() AS
SELECT source, property, event_id, ts, loaded_at, user_id, anonymous_id, event, url, referrer, locale
FROM {{out "stg_events"}}
WHERE event_id IS NOT NULL AND ts IS NOT NULL AND (user_id IS NOT NULL OR anonymous_id IS NOT NULL)
  AND (user_agent IS NULL
       OR NOT (lower(user_agent) LIKE '%bot%' OR lower(user_agent) LIKE '%crawler%'
               OR lower(user_agent) LIKE '%spider%' OR lower(user_agent) LIKE '%headlesschrome%'))
QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY loaded_at, ts, source) = 1;

-- step: identity_map
-- Each anonymous_id goes to the user_id of its earliest row carrying both,
-- among the events and the identifies (an identify without an id after the
-- events at the same time).
CREATE OR REPLACE TABLE {{out "identity_map"}} ENGINE = MergeTree ORDER BY tuple() AS
WITH candidates AS (
  SELECT anonymous_id, user_id, ts, event_id AS row_id
  FROM {{out "events"}}
  WHERE anonymous_id IS NOT NULL AND user_id IS NOT NULL
  UNION ALL
  SELECT anonymous_id, user_id, ts, identify_id
  FROM {{out "stg_identifies"}}
  WHERE anonymous_id IS NOT NULL AND user_id IS NOT NULL AND ts IS NOT NULL
)
SELECT anonymous_id, user_id
FROM candidates
QUALIFY row_number() OVER (PARTITION BY anonymous_id ORDER BY ts, row_id NULLS LAST, user_id) = 1;

-- step: events_sessionized
-- Each event with its contact, and its session's and contact session's
-- number: a gap of 30 minutes or more (or none before) starts one, per
-- (contact, property) and per contact; a gap of 30 minutes or more (or none)
-- after an event ends its session. (lagInFrame and leadInFrame are
-- ClickHouse's LAG and LEAD, over the whole partition as their frame; on a
-- Nullable ts the first row's previous and the last row's next are NULL.)
CREATE OR REPLACE TABLE {{out "events_sessionized"}} ENGINE = MergeTree ORDER BY tuple() AS
WITH identified AS (
  SELECT coalesce(e.user_id, m.user_id, e.anonymous_id) AS contact_id,
         e.property AS property, e.event_id AS event_id, e.ts AS ts,
         e.source AS source, e.event AS event, e.url AS url,
         e.referrer AS referrer, e.locale AS locale
  FROM {{out "events"}} AS e
  LEFT JOIN {{out "identity_map"}} AS m ON m.anonymous_id = e.anonymous_id
),
gaps AS (
  SELECT *,
         lagInFrame(toNullable(ts)) OVER in_property AS prev_ts,
         leadInFrame(toNullable(ts)) OVER in_property AS next_ts,
         lagInFrame(toNullable(ts)) OVER (PARTITION BY contact_id ORDER BY ts, event_id) AS prev_contact_ts
  FROM identified
  WINDOW in_property AS (PARTITION BY contact_id, property ORDER BY ts, event_id
                         ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
),
starts AS (
  SELECT *,
         if(prev_ts IS NULL OR ts >= prev_ts + INTERVAL 30 MINUTE, 1, 0) AS is_session_start,
         if(next_ts IS NULL OR next_ts >= ts + INTERVAL 30 MINUTE, 1, 0) AS is_session_end,
         if(prev_contact_ts IS NULL OR ts >= prev_contact_ts + INTERVAL 30 MINUTE, 1, 0) AS is_contact_session_start
  FROM gaps
)
SELECT contact_id, property, event_id, ts, source, event, url, referrer, locale,
       is_session_start, is_session_end, is_contact_session_start,
       sum(is_session_start) OVER (PARTITION BY contact_id, property ORDER BY ts, event_id ROWS UNBOUNDED PRECEDING) AS session_index,
       sum(is_contact_session_start) OVER (PARTITION BY contact_id ORDER BY ts, event_id ROWS UNBOUNDED PRECEDING) AS contact_session_index
FROM starts
SETTINGS join_use_nulls = 1;

-- step: sessions
-- One row per session; its first event gives the id, source, event, url,
-- referrer and locale, its last event the last event and url. The campaign
-- is the first url's utm_ parameters, the channel the first of the model's
-- rules that matches (docs/enrichment.md §3.6), comparing lower-cased
-- source, medium and referrer host.
CREATE OR REPLACE TABLE {{out "sessions"}} ENGINE = MergeTree ORDER BY tuple() AS
WITH per_session AS (
  SELECT contact_id, property, session_index,
         min(ts) AS session_start,
         max(ts) AS session_end,
         count() AS event_count,
         min(contact_session_index) AS contact_session_index,
         max(is_contact_session_start) = 1 AS is_contact_session_entry,
         anyIf(event_id, is_session_start = 1) AS first_event_id,
         anyIf(source, is_session_start = 1) AS source,
         anyIf(event, is_session_start = 1) AS first_event,
         anyIf(url, is_session_start = 1) AS first_url,
         anyIf(referrer, is_session_start = 1) AS referrer,
         anyIf(locale, is_session_start = 1) AS locale,
         anyIf(event, is_session_end = 1) AS last_event,
         anyIf(url, is_session_end = 1) AS last_url
  FROM {{out "events_sessionized"}}
  GROUP BY contact_id, property, session_index
),
-- each parameter's value: of the first part of the query string (after the
-- first ?, up to the first #) named exactly so, decoded as a form value
-- unless that would not be UTF-8 or would hold a zero byte
campaign AS (
  SELECT *,
         extract(first_url, '^[^#?]*[?]([^#]*)') AS query,
         extract(query, '(?:^|&)utm_source(?:=([^&]*))?(?:&|$)') AS source_raw,
         extract(query, '(?:^|&)utm_medium(?:=([^&]*))?(?:&|$)') AS medium_raw,
         extract(query, '(?:^|&)utm_campaign(?:=([^&]*))?(?:&|$)') AS campaign_raw,
         extract(query, '(?:^|&)utm_term(?:=([^&]*))?(?:&|$)') AS term_raw,
         extract(query, '(?:^|&)utm_content(?:=([^&]*))?(?:&|$)') AS content_raw,
         decodeURLFormComponent(source_raw) AS source_decoded,
         decodeURLFormComponent(medium_raw) AS medium_decoded,
         decodeURLFormComponent(campaign_raw) AS campaign_decoded,
         decodeURLFormComponent(term_raw) AS term_decoded,
         decodeURLFormComponent(content_raw) AS content_decoded,
         nullIf(if(isValidUTF8(source_decoded) AND position(source_decoded, char(0)) = 0, source_decoded, source_raw), '') AS utm_source,
         nullIf(if(isValidUTF8(medium_decoded) AND position(medium_decoded, char(0)) = 0, medium_decoded, medium_raw), '') AS utm_medium,
         nullIf(if(isValidUTF8(campaign_decoded) AND position(campaign_decoded, char(0)) = 0, campaign_decoded, campaign_raw), '') AS utm_campaign,
         nullIf(if(isValidUTF8(term_decoded) AND position(term_decoded, char(0)) = 0, term_decoded, term_raw), '') AS utm_term,
         nullIf(if(isValidUTF8(content_decoded) AND position(content_decoded, char(0)) = 0, content_decoded, content_raw), '') AS utm_content
  FROM per_session
),
-- what the channel rules compare: the referrer's host is what follows
-- scheme:// (and any user@) up to the first / ? # or :
matched AS (
  SELECT *,
         lower(utm_source) AS source_lc,
         lower(utm_medium) AS medium_lc,
         nullIf(lower(extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)')), '') AS referrer_host
  FROM campaign
)
SELECT lower(hex(MD5(contact_id || '|' || property || '|' || first_event_id))) AS session_id,
       contact_id, property,
       toInt32(session_index) AS session_index,
       session_start, session_end,
       dateDiff('microsecond', session_start, session_end) / 1e6 AS duration_seconds,
       event_count, source, first_event_id, first_event, first_url,
       toInt32(contact_session_index) AS contact_session_index, is_contact_session_entry,
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
       toBool(event_count = 1) AS is_bounce,
       locale
FROM matched;

-- step: product_lifecycle
-- new: no earlier product session; active: within 30 days of the previous
-- one's end; resurrected: later.
CREATE OR REPLACE TABLE {{out "product_lifecycle"}} ENGINE = MergeTree ORDER BY tuple() AS
WITH previous AS (
  SELECT session_id, contact_id, session_start,
         lagInFrame(toNullable(session_end)) OVER (PARTITION BY contact_id ORDER BY session_start) AS prev_end
  FROM {{out "sessions"}}
  WHERE property = 'product'
)
SELECT session_id, contact_id, session_start,
       multiIf(
         prev_end IS NULL, 'new',
         session_start <= prev_end + INTERVAL 30 DAY, 'active',
         'resurrected'
       ) AS user_lifecycle,
       dateDiff('microsecond', prev_end, session_start) / 86400e6 AS days_since_prev_product_session
FROM previous;

-- step: contact_sessions
-- The entry session gives the property, url, campaign and channel.
CREATE OR REPLACE TABLE {{out "contact_sessions"}} ENGINE = MergeTree ORDER BY tuple() AS
SELECT lower(hex(MD5(s.contact_id || '|' || anyIf(s.first_event_id, s.is_contact_session_entry)))) AS contact_session_id,
       s.contact_id AS contact_id,
       s.contact_session_index AS session_index,
       min(s.session_start) AS session_start,
       max(s.session_end) AS session_end,
       dateDiff('microsecond', min(s.session_start), max(s.session_end)) / 1e6 AS duration_seconds,
       toInt64(sum(s.event_count)) AS event_count,
       count() AS session_count,
       arrayStringConcat(arraySort(groupUniqArray(s.property)), ',') AS properties,
       toBool(uniqExact(s.property) > 1) AS is_cross_property,
       anyIf(s.property, s.is_contact_session_entry) AS entry_property,
       anyIf(s.session_id, s.is_contact_session_entry) AS entry_session_id,
       anyIf(s.first_url, s.is_contact_session_entry) AS entry_url,
       toBool(max(s.property = 'product')) AS has_product,
       toBool(has_product AND entry_property != 'product') AS prompted_product,
       argMinIf(l.user_lifecycle, s.session_start, s.property = 'product') AS user_lifecycle,
       anyIf(s.utm_source, s.is_contact_session_entry) AS utm_source,
       anyIf(s.utm_medium, s.is_contact_session_entry) AS utm_medium,
       anyIf(s.utm_campaign, s.is_contact_session_entry) AS utm_campaign,
       anyIf(s.channel, s.is_contact_session_entry) AS channel
FROM {{out "sessions"}} AS s
LEFT JOIN {{out "product_lifecycle"}} AS l ON l.session_id = s.session_id
GROUP BY s.contact_id, s.contact_session_index
SETTINGS join_use_nulls = 1;

-- step: daily_metrics
CREATE OR REPLACE TABLE {{out "daily_metrics"}} ENGINE = MergeTree ORDER BY tuple() AS
SELECT toDate(s.session_start, 'America/New_York') AS day,
       s.property AS property,
       count() AS sessions,
       uniqExact(s.contact_id) AS contacts,
       toInt64(sum(s.event_count)) AS events,
       countIf(l.user_lifecycle = 'new') AS new_user_sessions,
       countIf(l.user_lifecycle = 'active') AS active_user_sessions,
       countIf(l.user_lifecycle = 'resurrected') AS resurrected_user_sessions,
       countIf(c.is_cross_property) AS cross_property_sessions
FROM {{out "sessions"}} AS s
LEFT JOIN {{out "product_lifecycle"}} AS l ON l.session_id = s.session_id
JOIN {{out "contact_sessions"}} AS c ON c.contact_id = s.contact_id AND c.session_index = s.contact_session_index
GROUP BY day, property
SETTINGS join_use_nulls = 1;

-- step: daily_channels
CREATE OR REPLACE TABLE {{out "daily_channels"}} ENGINE = MergeTree ORDER BY tuple() AS
SELECT toDate(s.session_start, 'America/New_York') AS day,
       s.property AS property,
       s.channel AS channel,
       count() AS sessions,
       uniqExact(s.contact_id) AS contacts,
       countIf(c.prompted_product) AS prompted_product_sessions,
       countIf(l.user_lifecycle = 'new') AS new_user_sessions
FROM {{out "sessions"}} AS s
LEFT JOIN {{out "product_lifecycle"}} AS l ON l.session_id = s.session_id
JOIN {{out "contact_sessions"}} AS c ON c.contact_id = s.contact_id AND c.session_index = s.contact_session_index
GROUP BY day, s.property, s.channel
SETTINGS join_use_nulls = 1;
