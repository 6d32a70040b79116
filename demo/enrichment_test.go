package demo

import "testing"

// views are the page views of people and crawlers, without the duplicated and
// the bad rows, each with its gap to the browser's previous view of the same
// table: a gap under 30 minutes means the same visit.
const views = `WITH views AS (
  SELECT *, "timestamp" - lag("timestamp") OVER (PARTITION BY tbl, anonymous_id ORDER BY "timestamp") AS gap
  FROM EVENTS
  WHERE tbl LIKE '%.pages' AND "timestamp" IS NOT NULL AND coalesce(anonymous_id, '') <> ''
    AND id IN (SELECT id FROM EVENTS GROUP BY id HAVING count(*) = 1)),
firsts AS (SELECT * FROM views WHERE gap IS NULL OR gap >= INTERVAL 30 MINUTE)
`

// ours says a referrer is a page of the demo's own sites.
const ours = `(coalesce(referrer, '') SIMILAR TO 'https://(www|docs|app)\.example\.com/.*')`

func TestGenerateEnrichment(t *testing.T) {
	const want = 20000
	db, stats := generate(t, Options{Events: want, Seed: 7})
	t.Logf("stats: %+v", stats)

	checks := []struct {
		name   string
		query  string
		lo, hi int
	}{
		// Referrers: an arrival's on a visit's first page, the page before on the others.
		{"later pages whose referrer is not the page before", views + `SELECT count(*) FROM views WHERE gap < INTERVAL 30 MINUTE AND NOT ` + ours, 0, 0},
		{"later pages with campaign parameters", views + `SELECT count(*) FROM views WHERE gap < INTERVAL 30 MINUTE AND url LIKE '%utm_%'`, 0, 0},
		{"first pages", views + `SELECT count(*) FROM firsts`, want / 20, want / 4},
		{"first pages without a referrer (percent)", views + `SELECT round(100 * count(*) FILTER (referrer IS NULL) / count(*)) FROM firsts`, 15, 45},
		{"first pages from a search engine (percent)", views + `SELECT round(100 * count(*) FILTER (referrer SIMILAR TO 'https://(www\.google\.[a-z.]+|www\.bing\.com|duckduckgo\.com|www\.ecosia\.org)/.*') / count(*)) FROM firsts`, 20, 50},
		{"first pages from google", views + `SELECT count(*) FROM firsts WHERE referrer LIKE 'https://www.google.%'`, 10, want},
		{"first pages from bing", views + `SELECT count(*) FROM firsts WHERE referrer = 'https://www.bing.com/'`, 1, want},
		{"first pages from duckduckgo", views + `SELECT count(*) FROM firsts WHERE referrer = 'https://duckduckgo.com/'`, 1, want},
		{"first pages from t.co", views + `SELECT count(*) FROM firsts WHERE referrer LIKE 'https://t.co/%'`, 1, want},
		{"first pages from linkedin", views + `SELECT count(*) FROM firsts WHERE referrer = 'https://www.linkedin.com/'`, 1, want},
		{"first pages from hacker news", views + `SELECT count(*) FROM firsts WHERE referrer = 'https://news.ycombinator.com/'`, 1, want},
		{"first pages from reddit", views + `SELECT count(*) FROM firsts WHERE referrer LIKE 'https://www.reddit.com/%'`, 1, want},
		{"first pages from partners", views + `SELECT count(*) FROM firsts WHERE referrer LIKE 'https://github.com/%' OR referrer LIKE 'https://www.g2.com/%'`, 1, want},
		{"website clicks whose referrer is not their page's", `SELECT count(*) FROM EVENTS t WHERE tbl = 'website.tracks' AND event <> 'Email Opened' AND NOT EXISTS (
			SELECT 1 FROM EVENTS p WHERE p.tbl = 'website.pages' AND p.anonymous_id = t.anonymous_id AND p.url = t.url AND p.referrer IS NOT DISTINCT FROM t.referrer)`, 0, want / 500},
		{"app loads from our docs", `SELECT count(*) FROM EVENTS WHERE tbl = 'app_prod.tracks' AND referrer LIKE 'https://docs.example.com/%'`, 1, want},

		// Campaign urls, with the spellings §3.6 decodes.
		{"paid search", `SELECT count(*) FROM EVENTS WHERE url LIKE '%utm_medium=cpc%'`, want / 400, want / 20},
		{"paid social", `SELECT count(*) FROM EVENTS WHERE url LIKE '%utm_medium=paid_social%'`, 1, want / 20},
		{"email", `SELECT count(*) FROM EVENTS WHERE lower(url) LIKE '%utm_medium=email%'`, 1, want / 10},
		{"a space as %20", `SELECT count(*) FROM EVENTS WHERE url LIKE '%utm_campaign=black\%20friday%' ESCAPE '\'`, 1, want},
		{"a space as +", `SELECT count(*) FROM EVENTS WHERE url LIKE '%utm_campaign=black+friday%'`, 1, want},
		{"a repeated key", `SELECT count(*) FROM EVENTS WHERE url LIKE '%?utm_source=%&utm_source=%'`, 1, want},
		{"a fragment after the query", `SELECT count(*) FROM EVENTS WHERE url LIKE '%?%utm_%#%'`, 1, want},
		{"a fragment without a query", `SELECT count(*) FROM EVENTS WHERE url LIKE '%#%' AND url NOT LIKE '%?%'`, 1, want},

		// People's browsers and locales; crawlers.
		{"bot rows", `SELECT count(*) FROM EVENTS WHERE IS_BOT`, stats.Bots, stats.Bots},
		{"bot rows in all", `SELECT count(*) FROM EVENTS WHERE IS_BOT`, want / 300, want / 30},
		{"bot rows outside pages tables (percent)", `SELECT round(100 * count(*) FILTER (tbl NOT LIKE '%.pages') / count(*)) FROM EVENTS WHERE IS_BOT`, 0, 20},
		{"bot user agents", `SELECT count(DISTINCT user_agent) FROM EVENTS WHERE IS_BOT`, 5, 10},
		{"bots with a user id", `SELECT count(*) FROM EVENTS WHERE IS_BOT AND user_id IS NOT NULL`, 0, 0},
		{"bots sharing a browser with people", `SELECT count(*) FROM (SELECT anonymous_id FROM EVENTS GROUP BY 1 HAVING bool_or(IS_BOT) AND bool_or(NOT IS_BOT))`, 0, 0},
		{"browser events without a user agent", `SELECT count(*) FROM EVENTS WHERE user_agent IS NULL AND event IS DISTINCT FROM 'Email Opened'`, 0, 0},
		{"email opens with a user agent or locale", `SELECT count(*) FROM EVENTS WHERE event = 'Email Opened' AND (user_agent IS NOT NULL OR locale IS NOT NULL)`, 0, 0},
		{"browsers with two user agents", `SELECT count(*) FROM (SELECT anonymous_id FROM EVENTS WHERE anonymous_id <> '' GROUP BY 1 HAVING count(DISTINCT user_agent) > 1)`, 0, 0},
		{"people's user agents", `SELECT count(DISTINCT user_agent) FROM EVENTS WHERE NOT IS_BOT`, 8, 20},
		{"locales", `SELECT count(DISTINCT locale) FROM EVENTS`, 8, 20},
		{"people's events without a locale", `SELECT count(*) FROM EVENTS WHERE locale IS NULL AND NOT IS_BOT AND event IS DISTINCT FROM 'Email Opened'`, 0, 0},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if got := queryInt(t, db, c.query); got < c.lo || got > c.hi {
				t.Errorf("got %d, want %d..%d", got, c.lo, c.hi)
			} else if testing.Verbose() {
				t.Logf("got %d", got)
			}
		})
	}
}
