package report

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/models"
	"github.com/sessionize/sessionize/run"
)

// TestRealRun runs a model on a dozen hand-written events and checks the
// report's enrichment numbers end to end: the channels and campaigns the
// run derives from urls and referrers, bounces, and entry assets grouped
// without query strings.
func TestRealRun(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sql.Open("duckdb", filepath.Join(dir, "raw.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"CREATE SCHEMA website",
		"CREATE SCHEMA app",
		`CREATE TABLE website.pages (id VARCHAR, "timestamp" TIMESTAMP, user_id VARCHAR, anonymous_id VARCHAR,
			received_at TIMESTAMP, url VARCHAR, referrer VARCHAR)`,
		`CREATE TABLE app.tracks (id VARCHAR, "timestamp" TIMESTAMP, user_id VARCHAR, anonymous_id VARCHAR,
			received_at TIMESTAMP, event VARCHAR, url VARCHAR)`,
		// u1 arrives from the newsletter, reads two pages, then uses the product once.
		// u2 arrives from Google on #plans and uses the product; u3 types the address.
		`INSERT INTO website.pages VALUES
			('w1', '2026-03-02 10:00:00', 'u1', NULL, '2026-03-02 10:00:01', 'https://ex.com/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=spring', NULL),
			('w2', '2026-03-02 10:03:00', 'u1', NULL, '2026-03-02 10:03:01', 'https://ex.com/docs', 'https://ex.com/pricing'),
			('w3', '2026-03-03 09:00:00', 'u2', NULL, '2026-03-03 09:00:01', 'https://ex.com/pricing#plans', 'https://www.google.com/search?q=ex'),
			('w4', '2026-03-04 12:00:00', 'u3', NULL, '2026-03-04 12:00:01', 'https://ex.com/pricing', NULL)`,
		`INSERT INTO app.tracks VALUES
			('a1', '2026-03-02 10:05:00', 'u1', NULL, '2026-03-02 10:05:01', 'Report Viewed', NULL),
			('a2', '2026-03-03 09:01:00', 'u2', NULL, '2026-03-03 09:01:01', 'Query Run', NULL),
			('a3', '2026-03-04 12:02:00', 'u3', NULL, '2026-03-04 12:02:01', 'Report Viewed', NULL),
			('a4', '2026-03-04 12:10:00', 'u3', NULL, '2026-03-04 12:10:01', 'Query Run', NULL)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	db.Close()
	yaml := `version: 1
name: real
sources:
  - name: website
    type: marketing
    tables:
      - table: website.pages
        columns: {event: null, referrer: referrer}
  - name: app
    type: product
    tables:
      - table: app.tracks
sessions:
  inactivity_timeout: 30m
  cross_property_window: 30m
timezone: UTC
targets:
  local: {dialect: duckdb, path: raw.duckdb}
default_target: local
`
	path := filepath.Join(dir, "sessions.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := models.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := m.Target("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run.Run(ctx, m, run.Options{Target: tgt, FullRefresh: true}); err != nil {
		t.Fatal(err)
	}
	d, err := Load(ctx, m, tgt, Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}

	// Product sessions take the channel of their own first event (no campaign,
	// no referrer): Direct, as does u3's visit. Every contact session is
	// prompted, so every session counts as prompted; the three product
	// sessions are their users' first.
	wantCh := []Channel{
		{Name: "Direct", Sessions: 4, Contacts: 3, Prompted: 4, Signups: 3},
		{Name: "Email", Sessions: 1, Contacts: 1, Prompted: 1},
		{Name: "Organic Search", Sessions: 1, Contacts: 1, Prompted: 1},
	}
	if !reflect.DeepEqual(d.Channels, wantCh) {
		t.Errorf("channels:\n got %+v\nwant %+v", d.Channels, wantCh)
	}
	wantCamp := []Campaign{{Campaign: "spring", Source: "newsletter", Medium: "email", Channel: "Email", Sessions: 1, Contacts: 1, Prompted: 1}}
	if !reflect.DeepEqual(d.Campaigns, wantCamp) {
		t.Errorf("campaigns:\n got %+v\nwant %+v", d.Campaigns, wantCamp)
	}
	// product: 0s, 0s (one event each) and 8 min; marketing: 3 min, then two of one event.
	if !reflect.DeepEqual(d.Properties, []string{"product", "marketing"}) {
		t.Fatalf("properties: got %v", d.Properties)
	}
	wantStats := []PropertyStats{{Sessions: 3, Bounces: 2, MedianSeconds: 0}, {Sessions: 3, Bounces: 2, MedianSeconds: 0}}
	if !reflect.DeepEqual(d.Stats, wantStats) {
		t.Errorf("stats: got %+v, want %+v", d.Stats, wantStats)
	}
	if len(d.TopPrompted) != 1 || d.TopPrompted[0].URL != "https://ex.com/pricing" || d.TopPrompted[0].Sessions != 3 {
		t.Errorf("entry assets: got %+v, want https://ex.com/pricing with 3 prompted sessions", d.TopPrompted)
	}
	// The three days are the whole data: the first and the last are partial.
	if p := d.partialDays(); len(p) != 2 || p[0].Index != 0 || p[1].Index != 2 {
		t.Errorf("partial days: got %+v, want the first and the third", p)
	}
	if page := render(t, d); strings.Contains(section(t, page, `data-table="assets-by-sessions"`, "</table>"), "utm_") {
		t.Errorf("an entry asset keeps its query string")
	}
}
