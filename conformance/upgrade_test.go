package conformance

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/sessionize/sessionize/cli"
)

// TestUpgradeFromAnOlderTarget runs the current sessionize on a DuckDB
// target an older version wrote (testdata/upgrade): the first run rebuilds
// it in full and says why, the next one is incremental, and the outputs
// equal a full refresh's, with verify finding nothing.
func TestUpgradeFromAnOlderTarget(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "v0.duckdb")
	gunzip(t, filepath.Join("..", "testdata", "upgrade", "v0.duckdb.gz"), db)
	model, err := os.ReadFile(filepath.Join("..", "testdata", "upgrade", "sessions.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "sessions.yaml")
	if err := os.WriteFile(path, model, 0o644); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, e: duckEngine(), model: path, connect: func() (*sqlx.DB, error) { return sqlx.Open("duckdb", db) }, raw: "raw"}

	report := func() map[string]any {
		t.Helper()
		var out, errb strings.Builder
		if code := cli.Run(context.Background(), []string{"run", "-f", path, "--json"}, strings.NewReader(""), &out, &errb); code != 0 {
			t.Fatalf("run: exit %d\n%s%s", code, out.String(), errb.String())
		}
		var r map[string]any
		if err := json.Unmarshal([]byte(out.String()), &r); err != nil {
			t.Fatalf("run --json: %v\n%s", err, out.String())
		}
		return r
	}
	r := report()
	if r["mode"] != "full" || !strings.Contains(r["why"].(string), "is missing") {
		t.Fatalf("the first run on an older target was %v (%v), want a full run naming a table it lacks", r["mode"], r["why"])
	}
	f.load([]event{{table: "app", id: "p4", ts: "2024-03-04 08:10:00", user: "u1", loaded: "2024-03-04 10:00:00", name: "Query Run"}}, nil)
	if r := report(); r["mode"] != "incremental" {
		t.Fatalf("the run after it was %v (%v), want incremental", r["mode"], r["why"])
	}
	incremental := outputs(f)
	f.verify(0)
	f.sessionize(0, "run", "--full-refresh")
	if full := outputs(f); !reflect.DeepEqual(incremental, full) {
		t.Errorf("after the upgrade, incremental outputs differ from a full refresh:\n%v\n%v", incremental, full)
	}
	if got := len(incremental["sessions"]) - 1; got != 7 {
		t.Errorf("got %d sessions, want the fixture's 6 and one more", got)
	}

	// The runs table gained the tool version: recorded for the runs since
	// the upgrade, none for the two before it.
	var st struct {
		Runs []struct {
			RunID       int64   `json:"run_id"`
			ToolVersion *string `json:"tool_version"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(f.sessionize(0, "status", "--json")), &st); err != nil {
		t.Fatal(err)
	}
	for _, r := range st.Runs {
		switch recorded := r.ToolVersion != nil && strings.HasPrefix(*r.ToolVersion, "sessionize "); {
		case r.RunID <= 2 && r.ToolVersion != nil:
			t.Errorf("run %d, of the older version, records tool version %q, want none", r.RunID, *r.ToolVersion)
		case r.RunID > 2 && !recorded:
			t.Errorf("run %d records tool version %v, want this sessionize's", r.RunID, r.ToolVersion)
		}
	}
}

// gunzip writes the gzipped file src to dst.
func gunzip(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	z, err := gzip.NewReader(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, z); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestClickHouseTargetOfAnOlderVersion: a ClickHouse target whose tables an
// older version created, without columns this one writes (sessions without
// channel and is_bounce, no daily_channels), is rebuilt by a full run that
// adds the columns and shows them, and the incremental run after it works.
func TestClickHouseTargetOfAnOlderVersion(t *testing.T) {
	e, ok := clickhouseEngine(t)
	if !ok {
		t.Skip("ClickHouse (chdb) is not configured")
	}
	f := setup(t, e, "")
	f.enrich("2h")
	f.load([]event{
		{table: "web", id: "w1", ts: "2024-03-01 10:00:00", user: "u1", url: "/?utm_medium=email", loaded: "2024-03-01 10:00:01"},
		{table: "app", id: "a1", ts: "2024-03-01 10:05:00", user: "u1", name: "Query Run", loaded: "2024-03-01 10:05:01"},
	}, nil)
	f.sessionize(0, "run")
	want := f.export("sessions")
	out := f.m.Output.Schema
	var keep []string
	for _, c := range f.export("sessions")[0] {
		if c != "channel" && c != "is_bounce" {
			keep = append(keep, "`"+c+"`")
		}
	}
	f.exec(
		"DROP VIEW "+out+".daily_channels",
		"DROP VIEW "+out+".daily_channels__next",
		"DROP TABLE "+out+".daily_channels__data",
		"DROP VIEW "+out+".sessions",
		"ALTER TABLE "+out+".sessions__data DROP COLUMN channel, DROP COLUMN is_bounce",
		"CREATE VIEW "+out+".sessions AS SELECT "+strings.Join(keep, ", ")+" FROM "+out+".sessions__data",
	)
	f.sessionize(0, "run")
	if got := f.export("sessions"); !reflect.DeepEqual(got, want) {
		t.Errorf("sessions after the full run on the older target:\n%s\nwant\n%s", table(got), table(want))
	}
	f.load([]event{{table: "app", id: "a2", ts: "2024-03-01 10:06:00", user: "u1", name: "Report Viewed", loaded: "2024-03-02 09:00:00"}}, nil)
	if runs := f.runs(); len(runs) != 2 || runs[1].mode != "full" {
		t.Fatalf("runs %+v, want the second full", runs)
	}
	f.sessionize(0, "run")
	if runs := f.runs(); runs[2].mode != "incremental" {
		t.Errorf("the run after it was %s, want incremental", runs[2].mode)
	}
	got := f.columns("sessions", "property", "event_count", "last_event", "channel")
	check(t, "sessions after the incremental run", got, "marketing|1||Email", "product|2|Report Viewed|Direct")
}

// TestAnIdentityMapWithoutItsWinnerIsRebuilt: the identity map keeps each
// mapping's ts and id since incremental runs weigh new candidates against
// them. On a target an older version wrote, whose map has only the
// anonymous_id and user_id, the next run is a full one that names the
// column, and the runs after it are incremental and exact.
func TestAnIdentityMapWithoutItsWinnerIsRebuilt(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			f := setup(t, e, "UTC")
			f.load([]event{
				{table: "web", id: "w1", ts: "2024-03-01 09:50:00", anon: "a1", loaded: "2024-03-02 00:00:00"},
				{table: "app", id: "p1", ts: "2024-03-01 10:00:00", user: "u1", anon: "a1", loaded: "2024-03-02 00:00:00", name: "Query Run"},
			}, nil)
			f.sessionize(0, "run")
			out := f.m.Output.Schema
			switch e.name {
			case "clickhouse":
				// the view an older version created shows the two columns its
				// rows have
				f.exec(
					"ALTER TABLE "+out+"._sessionize_identity__data DROP COLUMN ts, DROP COLUMN id",
					"CREATE OR REPLACE VIEW "+out+"._sessionize_identity AS SELECT anonymous_id, user_id FROM "+out+"._sessionize_identity__data",
				)
			case "duckdb":
				// (DuckDB alters no table with an index)
				f.exec("CREATE OR REPLACE TABLE " + out + "._sessionize_identity AS SELECT anonymous_id, user_id FROM " + out + "._sessionize_identity")
			default:
				f.exec("ALTER TABLE " + out + "._sessionize_identity DROP COLUMN ts, DROP COLUMN id")
			}
			// an earlier identify maps a1 to u2 from then on
			f.load(nil, []identify{{id: "i1", user: "u2", anon: "a1", ts: "2024-03-01 09:00:00", loaded: "2024-03-02 06:00:00"}})
			var r struct{ Mode, Why string }
			if err := json.Unmarshal([]byte(f.sessionize(0, "run", "--json")), &r); err != nil {
				t.Fatal(err)
			}
			if r.Mode != "full" || r.Why != "table _sessionize_identity has no column ts" {
				t.Fatalf("the run on the older identity map was %s (%s), want a full run naming the column", r.Mode, r.Why)
			}
			f.load([]event{{table: "web", id: "w2", ts: "2024-03-01 10:05:00", anon: "a1", loaded: "2024-03-02 07:00:00"}}, nil)
			if err := json.Unmarshal([]byte(f.sessionize(0, "run", "--json")), &r); err != nil {
				t.Fatal(err)
			}
			if r.Mode != "incremental" {
				t.Fatalf("the run after it was %s (%s), want incremental", r.Mode, r.Why)
			}
			check(t, "sessions", f.columns("sessions", "contact_id", "property", "event_count"), "u1|product|1", "u2|marketing|2")
			incremental := outputs(f)
			f.sessionize(0, "run", "--full-refresh")
			if full := outputs(f); !reflect.DeepEqual(incremental, full) {
				t.Errorf("incremental outputs differ from a full refresh:\n%v\n%v", incremental, full)
			}
		})
	}
}
