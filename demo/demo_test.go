package demo

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
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
