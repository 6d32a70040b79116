package conformance

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
)

// TestClickHouseIncrementalWritesOnlyWhatChanged: on ClickHouse an
// incremental run writes the rows of the contacts it touched, with markers
// of the rows they replace, instead of a new copy of every kept table; once
// the markers since a table's base reach an eighth of its rows, the next
// run writes that table whole again (a new base). The outputs equal a full
// refresh after either kind of run.
func TestClickHouseIncrementalWritesOnlyWhatChanged(t *testing.T) {
	e, ok := clickhouseEngine(t)
	if !ok {
		t.Skip("ClickHouse (chdb) is not configured")
	}
	f := setup(t, e, "")
	out := f.m.Output.Schema
	// 400 contacts (u0 to u399) with one session of 50 events each.
	f.bulk(0, 20000, "2024-03-05 00:00:00")
	f.sessionize(0, "run")

	// gen is the number the last run wrote its rows under.
	count := func(q string) int64 {
		t.Helper()
		db, err := f.connect()
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int64
		if err := db.Get(&n, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	lastRun := func() int64 {
		return count("SELECT max(run_id) FROM " + out + "._sessionize_runs WHERE status = 'success'")
	}
	written := func(table string, gen int64) int64 {
		return count(fmt.Sprintf("SELECT count() FROM %s.%s__data WHERE gen = %d", out, table, gen))
	}
	isBase := func(table string, gen int64) bool {
		return count(fmt.Sprintf("SELECT count() FROM %s._sessionize_bases WHERE table_name = '%s' AND gen = %d", out, table, gen)) > 0
	}
	equalsFullRefresh := func(when string) {
		t.Helper()
		tables := []string{"sessions", "contact_sessions", "daily_metrics", "prompted_events"}
		got := map[string][][]string{}
		for _, tbl := range tables {
			got[tbl] = f.export(tbl)
		}
		f.sessionize(0, "run", "--full-refresh")
		for _, tbl := range tables {
			if want := f.export(tbl); !reflect.DeepEqual(got[tbl], want) {
				t.Errorf("%s %s differs from a full refresh:\n%s\nwant\n%s", when, tbl, table(got[tbl]), table(want))
			}
		}
	}

	full := lastRun()
	if !isBase("sessions", full) || written("sessions", full) != 400 {
		t.Fatalf("the full run wrote %d sessions (base %v), want all 400 as a base", written("sessions", full), isBase("sessions", full))
	}

	// A late event of u1, inside its session: one contact changes.
	f.load([]event{{table: "app", id: "late1", ts: "2024-03-01 00:06:00", user: "u1", name: "Report Viewed", loaded: "2024-03-06 00:00:00"}}, nil)
	f.sessionize(0, "run")
	inc := lastRun()
	if runs := f.runs(); runs[len(runs)-1].mode != "incremental" {
		t.Fatalf("the run after the full one was %s, want incremental", runs[len(runs)-1].mode)
	}
	for table, most := range map[string]int64{"sessions": 1, "contact_sessions": 1, "_sessionize_events": 51} {
		if n := written(table, inc); n == 0 || n > most {
			t.Errorf("the incremental run wrote %d rows of %s, want 1 to %d", n, table, most)
		}
		if isBase(table, inc) {
			t.Errorf("the incremental run wrote %s whole", table)
		}
	}
	if n := count("SELECT count() FROM " + out + ".sessions"); n != 400 {
		t.Errorf("sessions shows %d rows after the incremental run, want 400", n)
	}
	if got := f.columns("sessions", "contact_id", "event_count"); !slices.Contains(got, "u1|51") {
		t.Errorf("u1's session does not count the late event: %v", got[:3])
	}
	equalsFullRefresh("after the incremental run")

	// 80 contacts get a session days later: this run still writes only
	// their rows (their sessions from their restart point on), and as its
	// markers and the late run's reach an eighth of the rows sessions__data
	// holds, the run after it compacts sessions into a new base.
	var batch []event
	for i := 0; i < 80; i++ {
		batch = append(batch, event{table: "app", id: fmt.Sprintf("n%d", i), ts: "2024-03-04 12:00:00", user: fmt.Sprintf("u%d", i), name: "Query Run", loaded: "2024-03-07 00:00:00"})
	}
	f.load(batch, nil)
	f.sessionize(0, "run")
	inc = lastRun()
	t.Logf("the run for 80 contacts wrote %d sessions, %d contact sessions, %d staged events", written("sessions", inc), written("contact_sessions", inc), written("_sessionize_events", inc))
	if isBase("sessions", inc) || written("sessions", inc) < 80 || written("sessions", inc) > 160 {
		t.Errorf("the run for 80 contacts wrote %d sessions (base %v), want their 80 new ones and at most their 80 earlier ones", written("sessions", inc), isBase("sessions", inc))
	}
	f.load([]event{{table: "app", id: "late2", ts: "2024-03-04 12:10:00", user: "u2", name: "Query Run", loaded: "2024-03-08 00:00:00"}}, nil)
	f.sessionize(0, "run")
	compacted := lastRun()
	if !isBase("sessions", compacted) || written("sessions", compacted) != 480 {
		t.Errorf("the run after it wrote %d sessions (base %v), want all 480 as a new base", written("sessions", compacted), isBase("sessions", compacted))
	}
	if !isBase("daily_metrics", compacted) {
		t.Errorf("daily_metrics is not written whole")
	}
	equalsFullRefresh("after the compacting run")
}
