package models

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// minimal is the smallest valid model; cases append to it.
const minimal = `version: 1
name: acme
sources:
  - name: app
    type: product
    tables:
      - table: app_prod.tracks
`

const localTarget = `targets:
  local: {dialect: duckdb}
`

func mustParse(t *testing.T, file, yaml string) *Model {
	t.Helper()
	m, err := Parse(file, []byte(yaml))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return m
}

func TestDefaults(t *testing.T) {
	m := mustParse(t, "sessions.yaml", minimal+localTarget)
	checks := []struct {
		name      string
		got, want any
	}{
		{"version", m.Version, 1},
		{"name", m.Name, "acme"},
		{"path", m.Path, "sessions.yaml"},
		{"source type", m.Sources[0].Type, Product},
		{"property", m.Sources[0].Property(), "product"},
		{"columns", m.Sources[0].Tables[0].Columns, DefaultEventColumns()},
		{"filter", m.Sources[0].Tables[0].Filter, ""},
		{"identifies", len(m.Identifies), 0},
		{"inactivity_timeout", m.Sessions.InactivityTimeout, 30 * time.Minute},
		{"cross_property_window", m.Sessions.CrossPropertyWindow, 30 * time.Minute},
		{"late_window", m.Sessions.LateWindow, 72 * time.Hour},
		{"lookback", m.Lifecycle.Lookback, 720 * time.Hour},
		{"timezone", m.Timezone, "UTC"},
		{"schema", m.Output.Schema, "sessionize"},
		{"default target", m.DefaultTarget, "local"},
		{"target", m.Targets["local"], Target{Name: "local", Dialect: DuckDB, Path: "sessionize.duckdb"}},
		{"hash length", len(m.Hash), 64},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestOverrides(t *testing.T) {
	t.Setenv("SESSIONIZE_TEST_PG_DSN", "postgres://u:p$w@db/acme")
	t.Setenv("SESSIONIZE_TEST_DIR", "/var/lib")
	m := mustParse(t, "conf/sessions.yaml", `version: 1
name: acme-2
sources:
  - name: docs
    type: asset
    class: docs
    tables:
      - table: raw.events
        filter: "source = 'docs'"
        columns: {event_id: message_id, url: context_page_url, event: null, loaded_at: null}
      - table: data/docs-*.parquet
identifies:
  - table: identifies
    columns: {id: null, loaded_at: null, user_id: uid}
sessions:
  inactivity_timeout: 1h30m
  cross_property_window: 1d12h
  late_window: 90s
lifecycle:
  lookback: 1.5d
timezone: America/New_York
output:
  schema: analytics
targets:
  local: {dialect: duckdb, path: db/acme.duckdb, memory_limit: 2GB, threads: 4}
  abs: {dialect: duckdb, path: "${SESSIONIZE_TEST_DIR}/acme.duckdb"}
  warehouse: {dialect: postgres, dsn: "${SESSIONIZE_TEST_PG_DSN}?sslmode=$disable"}
  olap: {dialect: clickhouse, dsn: "clickhouse://localhost/acme"}
default_target: warehouse
`)
	docs := m.Sources[0]
	wantCols := DefaultEventColumns()
	wantCols.EventID, wantCols.URL, wantCols.Event, wantCols.LoadedAt = "message_id", "context_page_url", "", ""
	checks := []struct {
		name      string
		got, want any
	}{
		{"property", docs.Property(), "asset:docs"},
		{"filter", docs.Tables[0].Filter, "source = 'docs'"},
		{"columns", docs.Tables[0].Columns, wantCols},
		{"file table", docs.Tables[1].Table, "data/docs-*.parquet"},
		{"identify columns", m.Identifies[0].Columns, IdentifyColumns{UserID: "uid", AnonymousID: "anonymous_id", Timestamp: "timestamp"}},
		{"inactivity_timeout", m.Sessions.InactivityTimeout, 90 * time.Minute},
		{"cross_property_window", m.Sessions.CrossPropertyWindow, 36 * time.Hour},
		{"late_window", m.Sessions.LateWindow, 90 * time.Second},
		{"lookback", m.Lifecycle.Lookback, 36 * time.Hour},
		{"timezone", m.Timezone, "America/New_York"},
		{"schema", m.Output.Schema, "analytics"},
		{"default target", m.DefaultTarget, "warehouse"},
		{"local", m.Targets["local"], Target{Name: "local", Dialect: DuckDB, Path: filepath.Join("conf", "db", "acme.duckdb"), MemoryLimit: "2GB", Threads: 4}},
		{"absolute path", m.Targets["abs"].Path, "/var/lib/acme.duckdb"},
		// Only the ${VAR} form expands: a lone $ in a password stays.
		{"warehouse", m.Targets["warehouse"], Target{Name: "warehouse", Dialect: Postgres, DSN: "postgres://u:p$w@db/acme?sslmode=$disable"}},
		{"olap", m.Targets["olap"].DSN, "clickhouse://localhost/acme"},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestTarget(t *testing.T) {
	t.Setenv("SESSIONIZE_TEST_NEVER_SET", "") // restored after the test
	os.Unsetenv("SESSIONIZE_TEST_NEVER_SET")
	m := mustParse(t, "sessions.yaml", minimal+`targets:
  local: {dialect: duckdb}
  warehouse: {dialect: postgres, dsn: "${SESSIONIZE_TEST_NEVER_SET}"}
default_target: local
`)
	cases := []struct {
		name, target, wantName, wantErr string
	}{
		{"default", "", "local", ""},
		{"named", "local", "local", ""},
		{"unknown", "prod", "", `sessions.yaml:8:1: unknown target "prod" (want local or warehouse)`},
		{"unset variable", "warehouse", "", "sessions.yaml:10:39: environment variable SESSIONIZE_TEST_NEVER_SET is not set (targets.warehouse.dsn uses ${SESSIONIZE_TEST_NEVER_SET})"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := m.Target(c.target)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
				if _, ok := err.(Errors); !ok {
					t.Errorf("got error type %T, want Errors", err)
				}
			}
			if got.Name != c.wantName || gotErr != c.wantErr {
				t.Errorf("got %q, %q; want %q, %q", got.Name, gotErr, c.wantName, c.wantErr)
			}
		})
	}
}

func TestAnchorsAndMerges(t *testing.T) {
	m := mustParse(t, "sessions.yaml", `version: 1
name: acme
sources:
  - name: app
    type: product
    tables:
      - table: app_prod.tracks
        columns: &cols {url: page_url, event: null}
      - table: app_prod.pages
        columns:
          <<: *cols
          url: context_page_url
      - table: app_prod.screens
        columns: *cols
`+localTarget)
	tables := m.Sources[0].Tables
	cases := []struct {
		name, got, want string
	}{
		{"anchor url", tables[0].Columns.URL, "page_url"},
		{"merged url overridden", tables[1].Columns.URL, "context_page_url"},
		{"merged event", tables[1].Columns.Event, ""},
		{"alias url", tables[2].Columns.URL, "page_url"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{in: "30m", want: 30 * time.Minute},
		{in: "90s", want: 90 * time.Second},
		{in: "1h", want: time.Hour},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "3d", want: 72 * time.Hour},
		{in: "1d12h", want: 36 * time.Hour},
		{in: "1.5d", want: 36 * time.Hour},
		{in: "30d", want: 720 * time.Hour},
		{in: "1d1s", want: 24*time.Hour + time.Second},
		{in: "250ms", want: 250 * time.Millisecond},
		{in: "-1d", want: -24 * time.Hour},
		{in: "0", want: 0},
		{in: "30", bad: true},
		{in: "", bad: true},
		{in: "d", bad: true},
		{in: "3days", bad: true},
		{in: "1h1d", bad: true},
		{in: "30 minutes", bad: true},
		{in: "1e3d", bad: true},
		{in: "99999999d", bad: true},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseDuration(c.in)
			if c.bad {
				if err == nil {
					t.Errorf("got %v, want an error", got)
				}
				return
			}
			if err != nil || got != c.want {
				t.Errorf("got %v, %v; want %v", got, err, c.want)
			}
		})
	}
}

func TestDurationFormat(t *testing.T) {
	cases := []struct {
		in   time.Duration
		want string
	}{
		{0, "0s"},
		{30 * time.Minute, "30m"},
		{90 * time.Second, "1m30s"},
		{90 * time.Minute, "1h30m"},
		{72 * time.Hour, "3d"},
		{720 * time.Hour, "30d"},
		{36 * time.Hour, "1d12h"},
		{24*time.Hour + time.Second, "1d1s"},
		{1500 * time.Millisecond, "1.5s"},
		{-time.Hour, "-1h"},
	}
	for _, c := range cases {
		got := Duration(c.in)
		if got != c.want {
			t.Errorf("Duration(%v): got %q, want %q", c.in, got, c.want)
		}
		if back, err := ParseDuration(got); err != nil || back != c.in {
			t.Errorf("ParseDuration(%q): got %v, %v; want %v", got, back, err, c.in)
		}
	}
}

func TestHash(t *testing.T) {
	base := mustParse(t, "sessions.yaml", minimal+localTarget)
	cases := []struct {
		name, yaml string
		same       bool
		changed    string // a line of the new canonical text
	}{
		{"other targets", minimal + "targets:\n  prod: {dialect: postgres, dsn: postgres://x}\n", true, ""},
		{"defaults spelled out", minimal + "sessions: {inactivity_timeout: 30m, late_window: 72h}\ntimezone: UTC\n" + localTarget, true, ""},
		{"comments and layout", "# hi\n" + strings.ReplaceAll(minimal, "name: acme", "name: 'acme'  # same") + localTarget, true, ""},
		{"column", minimal + "        columns: {url: page_url}\n" + localTarget, false, "sources.app.tables[0].columns.url: page_url"},
		{"filter", minimal + "        filter: \"event <> 'x'\"\n" + localTarget, false, `sources.app.tables[0].filter: "event <> 'x'"`},
		{"null column", minimal + "        columns: {event: null}\n" + localTarget, false, "sources.app.tables[0].columns.event: null"},
		{"column named null", minimal + "        columns: {event: \"null\"}\n" + localTarget, false, `sources.app.tables[0].columns.event: "null"`},
		{"timeout", minimal + "sessions: {inactivity_timeout: 20m}\n" + localTarget, false, "sessions.inactivity_timeout: 20m"},
		{"timezone", minimal + "timezone: Europe/Berlin\n" + localTarget, false, "timezone: Europe/Berlin"},
		{"schema", minimal + "output: {schema: out}\n" + localTarget, false, "output.schema: out"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := mustParse(t, "sessions.yaml", c.yaml)
			if got := m.Hash == base.Hash; got != c.same {
				t.Errorf("got same hash %v, want %v\n%s", got, c.same, m.Canonical())
			}
			if c.changed != "" && !strings.Contains(m.Canonical(), c.changed+"\n") {
				t.Errorf("got canonical text\n%s\nwant a line %q", m.Canonical(), c.changed)
			}
		})
	}
}

func TestGoodModels(t *testing.T) {
	paths, _ := filepath.Glob("../testdata/models/good/*.yaml")
	if len(paths) == 0 {
		t.Fatal("got no good models, want at least one")
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			m, err := Load(path)
			if err != nil {
				t.Fatalf("got %v, want no error", err)
			}
			if m.DefaultTarget == "" {
				// several targets and no default_target: each command
				// names one with --target
				if _, err := m.Target(""); err == nil || !strings.Contains(err.Error(), "want --target") {
					t.Errorf("no default target: got %v, want an error asking for --target", err)
				}
				for name := range m.Targets {
					if _, err := m.Target(name); err != nil {
						t.Errorf("target %s: got %v, want no error", name, err)
					}
				}
			} else if _, err := m.Target(""); err != nil {
				t.Errorf("default target: got %v, want no error", err)
			}
		})
	}
}

// TestReads: what a model reads, with the positions a target check
// reports at: the table's for a default column, the mapping's for a
// mapped one; a column declared null is not read.
func TestReads(t *testing.T) {
	m := mustParse(t, "conf/sessions.yaml", minimal+`        columns: {url: context_page_url, event: null}
      - table: data/*.csv
identifies:
  - table: ids
    columns: {id: null, loaded_at: uploaded}
`+localTarget)
	reads := m.Reads()
	var got []string
	for _, r := range reads {
		line := fmt.Sprintf("%s@%d:%d identifies=%v:", r.Table, r.At.Line, r.At.Col, r.Identifies)
		for _, c := range r.Columns {
			line += fmt.Sprintf(" %s=%s@%d:%d", c.Key, c.Name, c.At.Line, c.At.Col)
			if c.Mapped {
				line += "(mapped)"
			}
			if c.Time {
				line += "(time)"
			}
			if c.Optional {
				line += "?"
			}
		}
		got = append(got, line)
	}
	want := []string{
		"app_prod.tracks@7:16 identifies=false: event_id=id@7:16 timestamp=timestamp@7:16(time) user_id=user_id@7:16 anonymous_id=anonymous_id@7:16 loaded_at=received_at@7:16(time)? url=context_page_url@8:24(mapped)?",
		"data/*.csv@9:16 identifies=false: event_id=id@9:16 timestamp=timestamp@9:16(time) user_id=user_id@9:16 anonymous_id=anonymous_id@9:16 loaded_at=received_at@9:16(time)? event=event@9:16? url=url@9:16?",
		"ids@11:12 identifies=true: user_id=user_id@11:12 anonymous_id=anonymous_id@11:12 timestamp=timestamp@11:12(time) loaded_at=uploaded@12:36(mapped)(time)?",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r := reads[0]; r.At.Error() != "conf/sessions.yaml:7:16: " {
		t.Errorf("got position %q, want conf/sessions.yaml:7:16", r.At.Error())
	}
}

// TestLocated: a run reads relative file sources from the model file's
// folder, whatever the working directory; table names, absolute paths,
// home paths and URLs stay as written, and so do the model's own tables
// and hash (rendering it is independent of where it lies).
func TestLocated(t *testing.T) {
	m := mustParse(t, "/srv/x/sessions.yaml", minimal+`      - table: data/events-*.parquet
      - table: /data/abs.csv
      - table: ~/home.jsonl
      - table: s3://bucket/events.parquet
      - table: ../up/events.json
identifies:
  - table: ids/identifies.csv
`+localTarget)
	l := m.Located()
	var got []string
	for _, tb := range l.Sources[0].Tables {
		got = append(got, tb.Table)
	}
	got = append(got, l.Identifies[0].Table)
	want := []string{"app_prod.tracks", "/srv/x/data/events-*.parquet", "/data/abs.csv", "~/home.jsonl",
		"s3://bucket/events.parquet", "/srv/up/events.json", "/srv/x/ids/identifies.csv"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if m.Sources[0].Tables[1].Table != "data/events-*.parquet" || m.Identifies[0].Table != "ids/identifies.csv" {
		t.Errorf("Located changed the model's own tables: %q, %q", m.Sources[0].Tables[1].Table, m.Identifies[0].Table)
	}
	if l.Hash != m.Hash {
		t.Errorf("got hash %s, want the model's %s", l.Hash, m.Hash)
	}
	if got := mustParse(t, "sessions.yaml", minimal+localTarget).FileTable("data/x.csv"); got != "data/x.csv" {
		t.Errorf("model in the working directory: got %q, want data/x.csv", got)
	}
}
