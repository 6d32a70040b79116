package report

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sessionize/sessionize/catalog"
	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/models"
	rendering "github.com/sessionize/sessionize/render"
	"github.com/sessionize/sessionize/run"
)

// The fixture is a fortnight of output rows written by hand, small enough
// that every number the report shows can be worked out on paper: the
// tests below assert those numbers, on DuckDB always and on PostgreSQL and
// ClickHouse (chdb) when they are there. The tables are the catalog's, so
// the fixture has the columns a run writes.

// fxSession is a row of sessions; day and clock are UTC, the model's timezone.
type fxSession struct {
	id, contact, property, start string
	dur                          float64
	events                       int64
	url, channel                 string
	campaign, source, medium     string
	lifecycle, cs                string
}

// fxContactSession is a row of contact_sessions.
type fxContactSession struct {
	id, contact, start, entryProperty, entryURL string
	prompted                                    bool
	lifecycle                                   string
	campaign, source, medium, channel           string
}

// fxPrompted is a row of prompted_events.
type fxPrompted struct {
	day, entryProperty, entryURL, event string
	sessions, events, newUsers          int64
}

const (
	spring = "https://ex.com/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=spring"
	blogX  = "https://ex.com/blog/x?utm_source=newsletter&utm_medium=email&utm_campaign=spring"
	winter = "https://ex.com/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=winter"
)

// The week of Mar 8 to Mar 14, 2026, and the week before it.
var fxSessions = []fxSession{
	{"s1", "c1", "marketing", "2026-03-08 10:00:00", 30, 2, spring, "Email", "spring", "newsletter", "email", "", "cs1"},
	{"s2", "c1", "product", "2026-03-08 10:05:00", 600, 5, "https://app.ex.com/home", "Direct", "", "", "", "new", "cs1"},
	{"s3", "c2", "marketing", "2026-03-09 09:00:00", 0, 1, "https://ex.com/pricing?utm_source=twitter", "Organic Social", "", "twitter", "", "", "cs2"},
	{"s4", "c3", "marketing", "2026-03-10 12:00:00", 10, 2, "https://ex.com/pricing#plans", "Referral", "", "", "", "", "cs3"},
	{"s5", "c3", "product", "2026-03-10 12:01:00", 120, 4, "https://app.ex.com/home", "Direct", "", "", "", "active", "cs3"},
	{"s6", "c4", "marketing", "2026-03-11 08:00:00", 45, 4, "https://ex.com/pricing", "Organic Search", "", "", "", "", "cs4"},
	{"s7", "c4", "product", "2026-03-11 08:02:00", 0, 1, "https://app.ex.com/signup", "Direct", "", "", "", "new", "cs4"},
	{"s8", "c5", "marketing", "2026-03-12 15:00:00", 30, 3, blogX, "Email", "spring", "newsletter", "email", "", "cs5"},
	{"s9", "c5", "product", "2026-03-12 15:01:00", 1200, 9, "https://app.ex.com/home", "Direct", "", "", "", "resurrected", "cs5"},
	{"s10", "c6", "product", "2026-03-14 23:00:00", 0, 1, "https://app.ex.com/signup", "Direct", "", "", "", "new", "cs6"},
	{"s11", "c2", "product", "2026-03-13 11:00:00", 60, 3, "https://app.ex.com/home", "Organic Search", "", "", "", "active", "cs7"},

	{"p1", "c7", "marketing", "2026-03-01 09:00:00", 20, 2, winter, "Email", "winter", "newsletter", "email", "", "pcs1"},
	{"p2", "c7", "product", "2026-03-01 09:05:00", 300, 6, "https://app.ex.com/home", "Direct", "", "", "", "new", "pcs1"},
	{"p3", "c8", "product", "2026-03-03 14:00:00", 0, 1, "https://app.ex.com/signup", "Direct", "", "", "", "new", "pcs2"},
	{"p4", "c8", "product", "2026-03-05 14:00:00", 100, 2, "https://app.ex.com/home", "Direct", "", "", "", "active", "pcs3"},
	{"p5", "c8", "marketing", "2026-03-06 10:00:00", 0, 1, "https://ex.com/", "Organic Search", "", "", "", "", "pcs4"},
}

var fxContactSessions = []fxContactSession{
	{"cs1", "c1", "2026-03-08 10:00:00", "marketing", spring, true, "new", "spring", "newsletter", "email", "Email"},
	{"cs2", "c2", "2026-03-09 09:00:00", "marketing", "https://ex.com/pricing?utm_source=twitter", false, "", "", "twitter", "", "Organic Social"},
	{"cs3", "c3", "2026-03-10 12:00:00", "marketing", "https://ex.com/pricing#plans", true, "active", "", "", "", "Referral"},
	{"cs4", "c4", "2026-03-11 08:00:00", "marketing", "https://ex.com/pricing", true, "new", "", "", "", "Organic Search"},
	{"cs5", "c5", "2026-03-12 15:00:00", "marketing", blogX, true, "resurrected", "spring", "newsletter", "email", "Email"},
	{"cs6", "c6", "2026-03-14 23:00:00", "product", "https://app.ex.com/signup", false, "new", "", "", "", "Direct"},
	{"cs7", "c2", "2026-03-13 11:00:00", "product", "https://app.ex.com/home", false, "active", "", "", "", "Organic Search"},

	{"pcs1", "c7", "2026-03-01 09:00:00", "marketing", winter, true, "new", "winter", "newsletter", "email", "Email"},
	{"pcs2", "c8", "2026-03-03 14:00:00", "product", "https://app.ex.com/signup", false, "new", "", "", "", "Direct"},
	{"pcs3", "c8", "2026-03-05 14:00:00", "product", "https://app.ex.com/home", false, "active", "", "", "", "Direct"},
	{"pcs4", "c8", "2026-03-06 10:00:00", "marketing", "https://ex.com/", false, "", "", "", "", "Organic Search"},
}

var fxPromptedEvents = []fxPrompted{
	{"2026-03-08", "marketing", spring, "Report Viewed", 1, 2, 1},
	{"2026-03-10", "marketing", "https://ex.com/pricing#plans", "Report Viewed", 1, 1, 0},
	{"2026-03-10", "marketing", "https://ex.com/pricing#plans", "Query Run", 1, 3, 0},
	{"2026-03-11", "marketing", "https://ex.com/pricing", "Report Viewed", 1, 1, 1},
	{"2026-03-12", "marketing", blogX, "Query Run", 1, 2, 0},
	{"2026-03-01", "marketing", winter, "Report Viewed", 1, 1, 1},
}

// fxModel is the fixture's model; target is the YAML of its one target.
func fxModel(t *testing.T, dir, target, schema string) *models.Model {
	t.Helper()
	yaml := `version: 1
name: fixture
sources:
  - name: website
    type: marketing
    tables:
      - table: raw.pages
  - name: app
    type: product
    tables:
      - table: raw.tracks
sessions:
  inactivity_timeout: 30m
  cross_property_window: 30m
timezone: UTC
output:
  schema: ` + schema + `
targets:
  fx: ` + target + `
default_target: fx
`
	path := filepath.Join(dir, "sessions.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := models.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// fxLoad writes the fixture into the model's target and loads the report
// of the days from since to until ("" for unbounded).
func fxLoad(t *testing.T, m *models.Model, since, until string) *Data {
	t.Helper()
	tgt, err := m.Target("")
	if err != nil {
		t.Fatal(err)
	}
	opt := Options{Now: fixedNow}
	if since != "" {
		opt.Since, _ = time.Parse("2006-01-02", since)
	}
	if until != "" {
		opt.Until, _ = time.Parse("2006-01-02", until)
	}
	data, err := Load(context.Background(), m, tgt, opt)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return data
}

// writeFixture creates the output tables in the model's target and fills them.
func writeFixture(t *testing.T, m *models.Model) {
	t.Helper()
	ctx := context.Background()
	tgt, err := m.Target("")
	if err != nil {
		t.Fatal(err)
	}
	s, d, err := run.OpenToWrite(ctx, m, tgt)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	exec := func(q string) {
		t.Helper()
		if _, err := s.Conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	if d.Name() == "clickhouse" {
		exec("CREATE DATABASE IF NOT EXISTS " + d.Quote(m.Output.Schema))
	} else {
		exec("CREATE SCHEMA IF NOT EXISTS " + d.Schema(m.Output.Schema))
	}
	for _, name := range []string{"sessions", "contact_sessions", "daily_metrics", "daily_channels", "prompted_events"} {
		var table catalog.Table
		for _, tt := range catalog.Outputs {
			if tt.Name == name {
				table = tt
			}
		}
		if table.Name == "" {
			t.Fatalf("the catalog has no table %s", name)
		}
		var cols []dialects.Column
		for _, c := range table.Columns {
			cols = append(cols, dialects.Column{Name: c.Name, Type: rendering.ColumnType(d, c.Kind)})
		}
		ref := run.Table(d, m, name)
		exec(d.DropTable(ref))
		exec(d.CreateTable(ref, cols, table.Key, false))
	}
	for name, rows := range fxRows() {
		if len(rows.values) == 0 {
			continue
		}
		exec("INSERT INTO " + run.Table(d, m, name) + " (" + strings.Join(rows.columns, ", ") + ") VALUES\n" + strings.Join(rows.values, ",\n"))
	}
}

type fxTable struct {
	columns, values []string
}

// lit is a SQL literal: text, NULL for "", a number or a boolean.
func lit(v any) string {
	switch v := v.(type) {
	case string:
		if v == "" {
			return "NULL"
		}
		return dialects.Literal(v)
	case bool:
		if v {
			return "TRUE"
		}
		return "FALSE"
	case float64:
		return fmt.Sprint(v)
	case int64:
		return fmt.Sprint(v)
	case int:
		return fmt.Sprint(v)
	}
	panic(fmt.Sprintf("lit: %T", v))
}

func row(vs ...any) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = lit(v)
	}
	return "(" + strings.Join(out, ", ") + ")"
}

// fxRows are the fixture's rows per table, daily_metrics and
// daily_channels derived from sessions as a run derives them.
func fxRows() map[string]fxTable {
	sessions := fxTable{columns: []string{"session_id", "contact_id", "property", "property_type", "session_index",
		"session_start", "session_end", "duration_seconds", "event_count", "first_url", "contact_session_id",
		"user_lifecycle", "utm_source", "utm_medium", "utm_campaign", "channel", "is_bounce"}}
	prompted := map[string]bool{}
	for _, c := range fxContactSessions {
		prompted[c.id] = c.prompted
	}
	type dayProp struct{ day, property string }
	type dayChan struct{ day, property, channel string }
	type metrics struct {
		sessions, events, new, active, resurrected, prompted int64
		contacts                                             map[string]bool
	}
	dm, dc := map[dayProp]*metrics{}, map[dayChan]*metrics{}
	add := func(m *metrics, s fxSession) {
		m.sessions++
		m.events += s.events
		m.contacts[s.contact] = true
		switch s.lifecycle {
		case "new":
			m.new++
		case "active":
			m.active++
		case "resurrected":
			m.resurrected++
		}
		if prompted[s.cs] {
			m.prompted++
		}
	}
	for _, s := range fxSessions {
		start, _ := time.Parse("2006-01-02 15:04:05", s.start)
		end := start.Add(time.Duration(s.dur * float64(time.Second)))
		sessions.values = append(sessions.values, row(s.id, s.contact, s.property, s.property, 1,
			s.start, end.Format("2006-01-02 15:04:05"), s.dur, s.events, s.url, s.cs, s.lifecycle,
			s.source, s.medium, s.campaign, s.channel, s.events == 1))
		day := s.start[:10]
		kp, kc := dayProp{day, s.property}, dayChan{day, s.property, s.channel}
		if dm[kp] == nil {
			dm[kp] = &metrics{contacts: map[string]bool{}}
		}
		if dc[kc] == nil {
			dc[kc] = &metrics{contacts: map[string]bool{}}
		}
		add(dm[kp], s)
		add(dc[kc], s)
	}
	daily := fxTable{columns: []string{"day", "property", "sessions", "contacts", "events", "new_user_sessions",
		"active_user_sessions", "resurrected_user_sessions", "cross_property_sessions"}}
	for k, m := range dm {
		daily.values = append(daily.values, row(k.day, k.property, m.sessions, int64(len(m.contacts)), m.events, m.new, m.active, m.resurrected, int64(0)))
	}
	channels := fxTable{columns: []string{"day", "property", "channel", "sessions", "contacts", "prompted_product_sessions", "new_user_sessions"}}
	for k, m := range dc {
		channels.values = append(channels.values, row(k.day, k.property, k.channel, m.sessions, int64(len(m.contacts)), m.prompted, m.new))
	}
	sort.Strings(daily.values)
	sort.Strings(channels.values)
	contacts := fxTable{columns: []string{"contact_session_id", "contact_id", "session_index", "session_start", "session_end",
		"duration_seconds", "event_count", "session_count", "properties", "is_cross_property", "entry_property",
		"entry_url", "has_product", "prompted_product", "user_lifecycle", "utm_source", "utm_medium", "utm_campaign", "channel"}}
	for _, c := range fxContactSessions {
		cross := c.prompted || c.id == "cs2"
		contacts.values = append(contacts.values, row(c.id, c.contact, 1, c.start, c.start, 0.0, int64(1), int64(1), c.entryProperty,
			cross, c.entryProperty, c.entryURL, c.lifecycle != "", c.prompted, c.lifecycle, c.source, c.medium, c.campaign, c.channel))
	}
	events := fxTable{columns: []string{"day", "entry_property", "entry_url", "event", "contact_sessions", "contacts", "events", "new_user_sessions"}}
	for _, p := range fxPromptedEvents {
		events.values = append(events.values, row(p.day, p.entryProperty, p.entryURL, p.event, p.sessions, p.sessions, p.events, p.newUsers))
	}
	return map[string]fxTable{"sessions": sessions, "contact_sessions": contacts, "daily_metrics": daily,
		"daily_channels": channels, "prompted_events": events}
}

// fxEngine is one engine the fixture runs on: its target's YAML and the
// output schema, and the model to use.
type fxEngine struct {
	name  string
	model func(t *testing.T) *models.Model
}

// fxEngines are DuckDB, and PostgreSQL and ClickHouse (chdb) where the
// environment points at them.
func fxEngines() []fxEngine {
	engines := []fxEngine{{"duckdb", func(t *testing.T) *models.Model {
		dir := t.TempDir()
		path := filepath.Join(dir, "fixture.duckdb")
		db, err := sql.Open("duckdb", path)
		if err == nil {
			err = db.Ping()
			db.Close()
		}
		if err != nil {
			t.Fatal(err)
		}
		m := fxModel(t, dir, fmt.Sprintf("{dialect: duckdb, path: %q}", path), models.DefaultSchema)
		writeFixture(t, m)
		return m
	}}}
	if os.Getenv("SESSIONIZE_TEST_PG_DSN") != "" {
		engines = append(engines, fxEngine{"postgres", func(t *testing.T) *models.Model {
			schema := "report_fx_" + randomHex()
			m := fxModel(t, t.TempDir(), `{dialect: postgres, dsn: "${SESSIONIZE_TEST_PG_DSN}"}`, schema)
			t.Cleanup(func() { dropSchema(m, `DROP SCHEMA IF EXISTS "`+schema+`" CASCADE`) })
			writeFixture(t, m)
			return m
		}})
	}
	if os.Getenv("CHDB_LIB_PATH") != "" {
		engines = append(engines, fxEngine{"clickhouse", func(t *testing.T) *models.Model {
			schema := "report_fx_" + randomHex()
			m := fxModel(t, t.TempDir(), fmt.Sprintf("{dialect: clickhouse, dsn: %q}", "chdb://"+chdbDir(t)), schema)
			t.Cleanup(func() { dropSchema(m, "DROP DATABASE IF EXISTS "+schema) })
			writeFixture(t, m)
			return m
		}})
	}
	return engines
}

func randomHex() string {
	var b [4]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func dropSchema(m *models.Model, q string) {
	tgt, err := m.Target("")
	if err != nil {
		return
	}
	s, _, err := run.OpenToWrite(context.Background(), m, tgt)
	if err != nil {
		return
	}
	defer s.Close()
	s.Conn.ExecContext(context.Background(), q)
}

var chdbData struct {
	dir string
	err error
}

// chdbDir is the one chdb data directory of the test binary (chdb opens
// one per process), removed by TestMain.
func chdbDir(t *testing.T) string {
	t.Helper()
	if chdbData.dir == "" && chdbData.err == nil {
		chdbData.dir, chdbData.err = os.MkdirTemp("", "sessionize-report-chdb-")
	}
	if chdbData.err != nil {
		t.Fatal(chdbData.err)
	}
	return chdbData.dir
}
