package conformance

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// statusReport is what `status --json` prints.
type statusReport struct {
	Target    string     `json:"target"`
	Dialect   string     `json:"dialect"`
	Schema    string     `json:"schema"`
	Watermark *time.Time `json:"watermark"`
	Tables    []struct {
		Source    *string    `json:"source"`
		Table     string     `json:"table"`
		Watermark *time.Time `json:"watermark"`
		MaxLoaded *time.Time `json:"max_loaded"`
	} `json:"tables"`
	Rows map[string]*int64 `json:"rows"`
	Runs []struct {
		RunID  int64  `json:"run_id"`
		Mode   string `json:"mode"`
		Status string `json:"status"`
	} `json:"runs"`
}

func (f *fixture) status() statusReport {
	f.t.Helper()
	var st statusReport
	out := f.sessionize(0, "status", "--json")
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		f.t.Fatalf("status --json: %v\n%s", err, out)
	}
	return st
}

// TestStatusShowsWatermarks: `status` and `status --json` show each table's
// watermark (semantics §5) as the last successful run left it, warn where a run
// read load times after its own start (the watermark stays at that start),
// and say so on a target that keeps no watermark per table.
func TestStatusShowsWatermarks(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			f := setup(t, e, "UTC")
			f.load(verifyEvents[0], nil)
			f.sessionize(0, "run")
			f.load([]event{{table: "web", id: "w9", ts: "2024-03-06 08:00:00", user: "u5", loaded: "2099-01-01 00:00:00"}}, nil)
			began := time.Now()
			f.sessionize(0, "run")
			ended := time.Now()

			st := f.status()
			if st.Target != "test" || st.Dialect != e.name || st.Schema != f.m.Output.Schema || st.Watermark == nil {
				t.Errorf("status --json: target %q, dialect %q, schema %q, watermark %v; want test, %s, %s and one", st.Target, st.Dialect, st.Schema, st.Watermark, e.name, f.m.Output.Schema)
			}
			if len(st.Runs) != 2 || st.Runs[0].RunID != 2 || st.Runs[0].Mode != "incremental" || st.Runs[0].Status != "success" {
				t.Errorf("status --json runs: %+v, want run 2 (incremental, success) first of 2", st.Runs)
			}
			if n := st.Rows["sessions"]; n == nil || *n == 0 {
				t.Errorf("status --json rows: %v, want the sessions counted", st.Rows)
			}
			wantTables := []string{"web", "app", "docs", "blog", ""}
			if len(st.Tables) != len(wantTables) {
				t.Fatalf("status --json tables: %+v, want one per table the model reads (%v)", st.Tables, wantTables)
			}
			for i, want := range wantTables {
				tb := st.Tables[i]
				source := ""
				if tb.Source != nil {
					source = *tb.Source
				}
				table := want
				if want == "" {
					table = "identifies"
				}
				if source != want || tb.Table != f.raw+"."+table {
					t.Errorf("table %d: source %q, table %q; want %q, %s.%s", i, source, tb.Table, want, f.raw, table)
				}
			}
			web, app := st.Tables[0], st.Tables[1]
			future := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
			if web.MaxLoaded == nil || !web.MaxLoaded.Equal(future) || web.Watermark == nil || web.Watermark.Before(began.Add(-time.Minute)) || web.Watermark.After(ended.Add(time.Minute)) {
				t.Errorf("web: watermark %v, max_loaded %v; want the run's start (%v to %v) and 2099-01-01", web.Watermark, web.MaxLoaded, began, ended)
			}
			if loaded := time.Date(2024, 3, 7, 0, 0, 0, 0, time.UTC); app.Watermark == nil || !app.Watermark.Equal(loaded) {
				t.Errorf("app: watermark %v, want %v", app.Watermark, loaded)
			}

			out := f.sessionize(0, "status")
			warning := "warning: load times up to 2099-01-01 00:00:00 are after the run that read them; the watermark stays at that run's start"
			var webLine string
			for _, l := range strings.Split(out, "\n") {
				if strings.Contains(l, f.raw+".web") {
					webLine = l
				}
			}
			if !strings.Contains(webLine, warning) || strings.Count(out, "warning:") != 1 {
				t.Errorf("status does not warn about web's load times, once, on its line:\n%s", out)
			}

			// A target built before watermarks were kept per table.
			f.exec("DROP TABLE " + f.m.Output.Schema + "._sessionize_watermarks")
			if st := f.status(); st.Tables == nil || len(st.Tables) != 0 {
				t.Errorf("status --json without a watermarks table: tables %v, want []", st.Tables)
			}
			if out := f.sessionize(0, "status"); !strings.Contains(out, "no watermark per table yet") {
				t.Errorf("status without a watermarks table does not say it keeps none:\n%s", out)
			}
		})
	}
}
