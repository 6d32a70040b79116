package demo

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"gopkg.in/yaml.v3"

	"github.com/sessionize/sessionize/models"
)

// allEvents unions the five event tables with the documented column names.
const allEvents = `(
  SELECT 'website.pages' AS tbl, id, anonymous_id, user_id, "timestamp", received_at, NULL AS event, url,
    referrer, context_user_agent AS user_agent, context_locale AS locale FROM website.pages
  UNION ALL SELECT 'website.tracks', id, anonymous_id, user_id, "timestamp", received_at, event, url,
    context_page_referrer, context_user_agent, context_locale FROM website.tracks
  UNION ALL SELECT 'app_prod.tracks', id, anonymous_id, user_id, "timestamp", received_at, event, context_page_url,
    context_page_referrer, context_user_agent, context_locale FROM app_prod.tracks
  UNION ALL SELECT 'docs.pages', id, anonymous_id, user_id, "timestamp", received_at, NULL, url,
    referrer, context_user_agent, context_locale FROM docs.pages
  UNION ALL SELECT 'blog.pages', id, anonymous_id, user_id, "timestamp", received_at, NULL, url,
    referrer, context_user_agent, context_locale FROM blog.pages
)`

// isBot is the demo model's bots: patterns (*bot*, *crawler*, *spider*,
// *headlesschrome*, ignoring case) as a condition on user_agent.
const isBot = `regexp_matches(lower(coalesce(user_agent, '')), 'bot|crawler|spider|headlesschrome')`

func generate(t *testing.T, opts Options) (*sql.DB, Stats) {
	t.Helper()
	db, err := sql.Open("duckdb", filepath.Join(t.TempDir(), "demo.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	stats, err := Generate(context.Background(), db, opts)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return db, stats
}

func queryInt(t *testing.T, db *sql.DB, q string) int {
	t.Helper()
	var n int
	q = strings.NewReplacer("EVENTS", allEvents, "IS_BOT", isBot).Replace(q)
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestGenerate(t *testing.T) {
	const want = 20000
	db, stats := generate(t, Options{Events: want, Seed: 7})
	t.Logf("stats: %+v", stats)

	checks := []struct {
		name   string
		query  string
		lo, hi int
	}{
		{"event rows", `SELECT count(*) FROM EVENTS`, want * 95 / 100, want * 105 / 100},
		{"every table has rows", `SELECT min(n) FROM (SELECT count(*) AS n FROM EVENTS GROUP BY tbl)`, 200, want},
		{"people", `SELECT count(DISTINCT anonymous_id) FROM EVENTS WHERE NOT IS_BOT`, want / 60, want / 20},
		{"duplicates", `SELECT count(id) - count(DISTINCT id) FROM EVENTS WHERE id <> ''`, stats.Duplicates, stats.Duplicates},
		{"duplicates across tables", `SELECT count(*) FROM (SELECT id FROM EVENTS WHERE id <> '' GROUP BY id HAVING count(DISTINCT tbl) > 1)`, 1, want},
		{"bad rows", `SELECT count(*) FROM EVENTS WHERE coalesce(id, '') = '' OR "timestamp" IS NULL
			OR (coalesce(user_id, '') = '' AND coalesce(anonymous_id, '') = '')`, stats.BadRows, stats.BadRows},
		{"bad rows of each kind", `SELECT least(count(*) FILTER (id IS NULL), count(*) FILTER (id = ''), count(*) FILTER ("timestamp" IS NULL),
			count(*) FILTER (user_id IS NULL AND anonymous_id IS NULL), count(*) FILTER (user_id = '' AND anonymous_id = '')) FROM EVENTS`, 1, want},
		{"identifies", `SELECT count(*) FROM app_prod.identifies`, want / 200, want / 10},
		{"identifies without anonymous events", `SELECT count(*) FROM app_prod.identifies i
			WHERE NOT EXISTS (SELECT 1 FROM EVENTS e WHERE e.anonymous_id = i.anonymous_id AND e.user_id IS NULL AND e."timestamp" <= i."timestamp")`, 0, 0},
		{"second devices", `SELECT count(*) FROM (SELECT user_id FROM app_prod.identifies GROUP BY user_id HAVING count(DISTINCT anonymous_id) > 1)`, 1, want},
		{"timestamps without microseconds", `SELECT count(*) FROM EVENTS WHERE epoch_us("timestamp") % 1000 = 0 OR epoch_us(received_at) % 1000 = 0`, 0, want / 200}, // 1 in 1000 by chance
		{"timestamps outside the range", `SELECT count(*) FROM EVENTS WHERE "timestamp" < TIMESTAMP '2026-01-01' OR "timestamp" >= TIMESTAMP '2026-04-01'`, 0, 0},
		{"received before the event", `SELECT count(*) FROM EVENTS WHERE received_at < "timestamp"`, 0, 0},
		{"loaded an hour or more late", `SELECT count(*) FROM EVENTS WHERE received_at >= "timestamp" + INTERVAL 1 HOUR`, want / 300, want / 50},
		{"signups", `SELECT count(*) FROM app_prod.tracks WHERE event = 'Account Created'`, want / 400, want / 20},
		{"signups whose first product event is not Account Created", `SELECT count(*) FROM (
			SELECT user_id, arg_min(event, "timestamp") AS first FROM app_prod.tracks
			WHERE user_id IN (SELECT user_id FROM app_prod.tracks WHERE event = 'Account Created') GROUP BY user_id)
			WHERE first <> 'Account Created'`, 0, want / 1000},
		{"gaps over 30 minutes within a day", `SELECT count(*) FROM (SELECT "timestamp" - lag("timestamp") OVER (PARTITION BY anonymous_id ORDER BY "timestamp") AS gap FROM EVENTS)
			WHERE gap BETWEEN INTERVAL 30 MINUTE AND INTERVAL 4 HOUR`, 20, want / 10},
		{"product use minutes after marketing", `SELECT count(*) FROM (SELECT tbl, lag(tbl) OVER w AS prev, "timestamp" - lag("timestamp") OVER w AS gap
			FROM EVENTS WHERE user_id IS NOT NULL WINDOW w AS (PARTITION BY user_id ORDER BY "timestamp"))
			WHERE tbl = 'app_prod.tracks' AND prev <> tbl AND gap < INTERVAL 30 MINUTE`, 50, want},
		{"users back after 30 quiet days", `SELECT count(DISTINCT user_id) FROM (SELECT user_id, "timestamp" - lag("timestamp") OVER (PARTITION BY user_id ORDER BY "timestamp") AS gap
			FROM app_prod.tracks WHERE user_id IS NOT NULL) WHERE gap > INTERVAL 30 DAY`, 5, want},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if got := queryInt(t, db, c.query); got < c.lo || got > c.hi {
				t.Errorf("got %d, want %d..%d", got, c.lo, c.hi)
			}
		})
	}
	if got := queryInt(t, db, `SELECT count(*) FROM EVENTS`); got != stats.Events {
		t.Errorf("stats.Events = %d, table rows %d", stats.Events, got)
	}
}

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

func checksum(t *testing.T, db *sql.DB) string {
	t.Helper()
	var parts []string
	for _, td := range tableDefs {
		var sum string
		q := `SELECT md5(string_agg(CAST(r AS VARCHAR), chr(10) ORDER BY CAST(r AS VARCHAR))) FROM "` +
			td.schema + `"."` + td.name + `" AS r`
		if err := db.QueryRow(q).Scan(&sum); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		parts = append(parts, sum)
	}
	return strings.Join(parts, ",")
}

func TestGenerateDeterministic(t *testing.T) {
	opts := Options{Events: 5000, Seed: 42, Start: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), Days: 30}
	a, sa := generate(t, opts)
	b, sb := generate(t, opts)
	if ca, cb := checksum(t, a), checksum(t, b); ca != cb {
		t.Errorf("same seed, different rows: %s vs %s", ca, cb)
	}
	if sa.Events != sb.Events || sa.Duplicates != sb.Duplicates || sa.BadRows != sb.BadRows {
		t.Errorf("same seed, different stats: %+v vs %+v", sa, sb)
	}
	opts.Seed = 43
	c, _ := generate(t, opts)
	if checksum(t, a) == checksum(t, c) {
		t.Error("seeds 42 and 43 gave the same rows")
	}
}

func TestGenerateReplacesTables(t *testing.T) {
	db, _ := generate(t, Options{Events: 3000, Seed: 5})
	stats, err := Generate(context.Background(), db, Options{Events: 1000, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if got := queryInt(t, db, `SELECT count(*) FROM EVENTS`); got != stats.Events {
		t.Errorf("got %d rows after the second Generate, want %d", got, stats.Events)
	}
}

func TestModelYAML(t *testing.T) {
	src := ModelYAML(`out/demo "x".duckdb`)
	var m struct {
		Version int
		Name    string
		Sources []struct {
			Name, Type, Class string
			Tables            []struct {
				Table   string
				Columns map[string]*string
			}
		}
		Identifies  []struct{ Table string }
		PassThrough []string `yaml:"pass_through"`
		Bots        []string
		Sessions    map[string]string
		Lifecycle   map[string]string
		Timezone    string
		Output      map[string]string
		Targets     map[string]map[string]string
		Default     string `yaml:"default_target"`
	}
	if err := yaml.Unmarshal([]byte(src), &m); err != nil {
		t.Fatalf("ModelYAML is not YAML: %v\n%s", err, src)
	}
	var got []string
	for _, s := range m.Sources {
		for _, tb := range s.Tables {
			cols := []string{}
			for k, v := range tb.Columns {
				if v == nil {
					cols = append(cols, k+"=null")
				} else {
					cols = append(cols, k+"="+*v)
				}
			}
			slices.Sort(cols)
			got = append(got, s.Name+":"+s.Type+":"+s.Class+":"+tb.Table+":"+strings.Join(cols, ","))
		}
	}
	want := []string{
		"website:marketing::website.pages:event=null,locale=context_locale,referrer=referrer,user_agent=context_user_agent",
		"website:marketing::website.tracks:locale=context_locale,referrer=context_page_referrer,user_agent=context_user_agent",
		"app:product::app_prod.tracks:locale=context_locale,referrer=context_page_referrer,url=context_page_url,user_agent=context_user_agent",
		"docs:asset:docs:docs.pages:event=null,locale=context_locale,referrer=referrer,user_agent=context_user_agent",
		"blog:asset:articles:blog.pages:event=null,locale=context_locale,referrer=referrer,user_agent=context_user_agent",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sources:\ngot  %q\nwant %q", got, want)
	}
	checks := []struct{ name, got, want string }{
		{"name", m.Name, "demo"},
		{"identifies", m.Identifies[0].Table, "app_prod.identifies"},
		{"inactivity_timeout", m.Sessions["inactivity_timeout"], "30m"},
		{"cross_property_window", m.Sessions["cross_property_window"], "30m"},
		{"late_window", m.Sessions["late_window"], "3d"},
		{"lookback", m.Lifecycle["lookback"], "30d"},
		{"timezone", m.Timezone, "America/New_York"},
		{"output schema", m.Output["schema"], "sessionize"},
		{"dialect", m.Targets["local"]["dialect"], "duckdb"},
		{"path", m.Targets["local"]["path"], `out/demo "x".duckdb`},
		{"default_target", m.Default, "local"},
		{"pass_through", strings.Join(m.PassThrough, ","), "locale"},
		{"bots", strings.Join(m.Bots, ","), "*bot*,*crawler*,*spider*,*headlesschrome*"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if m.Version != 1 || len(m.Targets) != 1 {
		t.Errorf("got version %d and %d targets, want 1 and 1", m.Version, len(m.Targets))
	}
}

func BenchmarkGenerate(b *testing.B) {
	const events = 200000
	db, err := sql.Open("duckdb", "")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	n := 0
	for b.Loop() {
		if _, err := Generate(context.Background(), db, Options{Events: events, Seed: 1}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(events*n)/b.Elapsed().Seconds(), "events/s")
}

// TestModelYAMLLoads wants the model to load and to read every enrichment
// column the tables have.
func TestModelYAMLLoads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.yaml")
	if err := os.WriteFile(path, []byte(ModelYAML("demo.duckdb")), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := models.Load(path)
	if err != nil {
		t.Fatalf("models.Load: %v", err)
	}
	if got := strings.Join(m.Enrichment.PassThrough, ","); got != "locale" {
		t.Errorf("pass_through: got %q, want locale", got)
	}
	for _, s := range m.Sources {
		for _, tb := range s.Tables {
			c := tb.Columns
			wantRef := "referrer"
			if strings.HasSuffix(tb.Table, ".tracks") {
				wantRef = "context_page_referrer"
			}
			if c.Referrer != wantRef || c.UserAgent != "context_user_agent" || strings.Join(c.PassThrough, ",") != "context_locale" {
				t.Errorf("%s: got referrer %q, user_agent %q, pass-through %q; want %q, context_user_agent, context_locale",
					tb.Table, c.Referrer, c.UserAgent, c.PassThrough, wantRef)
			}
		}
	}

	// Crawlers are bots to the model, people are not (enrichment §2.1 patterns).
	for _, c := range crawlers {
		if !slices.ContainsFunc(m.Enrichment.Bots, func(p string) bool { return matchPattern(p, c.v.ua) }) {
			t.Errorf("crawler %q matches none of bots: %q", c.v.ua, m.Enrichment.Bots)
		}
	}
	for _, ua := range userAgents {
		for _, p := range m.Enrichment.Bots {
			if matchPattern(p, ua.v) {
				t.Errorf("a person's user agent %q matches bots: pattern %q", ua.v, p)
			}
		}
	}
}

// matchPattern is enrichment §2.1's match: the whole value, ASCII letters
// in either case, * for any run of characters.
func matchPattern(pattern, s string) bool {
	parts := strings.Split(strings.ToLower(pattern), "*")
	s = strings.ToLower(s)
	if len(parts) == 1 {
		return s == parts[0]
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// TestRootModelIsTheDemoModel wants the repository's example sessions.yaml,
// which documents the demo's model, to be that model: the same hash, which
// covers everything but the targets (semantics §5).
func TestRootModelIsTheDemoModel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.yaml")
	if err := os.WriteFile(path, []byte(ModelYAML("demo.duckdb")), 0o644); err != nil {
		t.Fatal(err)
	}
	demo, err := models.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	root, err := models.Load(filepath.Join("..", "sessions.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if root.Hash != demo.Hash {
		t.Errorf("../sessions.yaml hashes to %s, the demo's model to %s: keep them the same model", root.Hash, demo.Hash)
	}
}
