package conformance

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sessionize/sessionize/cli"
	"github.com/sessionize/sessionize/models"
)

// batchEvery is how long the property test's batches take to load.
const batchEvery = 6 * time.Hour

// batchStarts are when n batches start loading: one after the other, or,
// in half of the cases, most of them days after the one before (a
// weekend without loads), so that a table lagging a few batches behind the
// others lags by more than the late window.
func batchStarts(r *rand.Rand, t0 time.Time, n int) []time.Time {
	apart := r.IntN(2) == 0
	starts := []time.Time{t0}
	for b := 1; b < n; b++ {
		gap := batchEvery
		if apart && r.IntN(3) > 0 {
			gap = time.Duration(1+r.IntN(5)) * 24 * time.Hour
		}
		starts = append(starts, starts[b-1].Add(gap))
	}
	return starts
}

// stampLayout is how the tests write timestamps.
const stampLayout = "2006-01-02 15:04:05.999999"

// arrive draws how the rows of a case reach the warehouse, as Segment's
// loads do (semantics §5): a table whose sync lags several batches behind the
// others (its rows keep the load times they were given), an earlier batch
// of one table loaded again, a table without load times of its own, and
// runs whose clock is behind some load times. Then it keeps only the rows
// that the documented promise covers (withinLateWindow).
func arrive(r *rand.Rand, starts []time.Time, rows []arrival) scenario {
	sc := scenario{arrivals: rows}
	for b := 1; b < len(starts); b++ {
		if starts[b].Sub(starts[b-1]) > batchEvery {
			sc.patterns = append(sc.patterns, "some batches load days apart")
			break
		}
	}
	tables := []string{"web", "app", "docs", "blog", "identifies"}
	last := 0
	for _, a := range rows {
		last = max(last, a.batch)
	}
	if r.IntN(2) == 0 {
		lagging, by := tables[r.IntN(len(tables))], 1+r.IntN(3)
		for i := range sc.arrivals {
			if sc.arrivals[i].table() == lagging {
				sc.arrivals[i].batch += by
			}
		}
		last += by
		sc.patterns = append(sc.patterns, fmt.Sprintf("table %s lags %d batches", lagging, by))
	}
	if r.IntN(4) == 0 && last > 0 {
		from := r.IntN(last)
		to := from + 1 + r.IntN(last-from)
		replayed := tables[r.IntN(len(tables))]
		for _, a := range sc.arrivals {
			if a.batch == from && a.table() == replayed {
				sc.arrivals = append(sc.arrivals, a.copyTo(to))
			}
		}
		sc.patterns = append(sc.patterns, fmt.Sprintf("batch %d of %s loaded again in batch %d", from, replayed, to))
	}
	if r.IntN(4) == 0 {
		bare := tables[r.IntN(len(tables))]
		for i := range sc.arrivals {
			if sc.arrivals[i].table() == bare {
				sc.arrivals[i] = sc.arrivals[i].copyTo(sc.arrivals[i].batch)
				sc.arrivals[i].setLoaded("")
			}
		}
		sc.patterns = append(sc.patterns, fmt.Sprintf("table %s has no load times", bare))
	}
	// The run after each batch: at the batch's end, or inside it, so that
	// some of its rows were loaded after the run started.
	early := r.IntN(3) == 0
	for b := 0; b <= last; b++ {
		clock := starts[b].Add(batchEvery)
		if early {
			clock = starts[b].Add(time.Duration(r.Int64N(int64(batchEvery)))).Truncate(time.Microsecond)
		}
		sc.clocks = append(sc.clocks, clock)
	}
	if early {
		sc.patterns = append(sc.patterns, "runs start before their batch has loaded")
	}
	if r.IntN(4) == 0 {
		// A loader whose clock is ahead stamps some rows hours to weeks
		// after the run that reads them.
		for i := range sc.arrivals {
			a := &sc.arrivals[i]
			if r.IntN(4) == 0 && a.loaded() != "" {
				*a = a.copyTo(a.batch)
				ahead := time.Duration(1+r.Int64N(int64(30*24*time.Hour))) + time.Hour
				a.setLoaded(sc.clocks[a.batch].Add(ahead).Truncate(time.Microsecond).Format(stampLayout))
			}
		}
		sc.patterns = append(sc.patterns, "load times ahead of the run's clock")
	}
	sc.arrivals = withinLateWindow(sc.arrivals, sc.clocks, models.DefaultLateWindow)
	return sc
}

// withinLateWindow keeps, batch by batch, the rows that arrive no more than
// late the late window below their table's watermark, the rows semantics §5's
// invariant covers. It follows the documented rule for the watermarks: after
// each batch's run, a table's watermark is the largest load time that run
// read from it (the rows at or above the old watermark minus late, all of
// them where it had none), or the old one if that is later, but never
// later than the run's start. Identifies rows are read only when they map
// something, as staging reads them.
func withinLateWindow(rows []arrival, clocks []time.Time, late time.Duration) []arrival {
	watermark := map[string]time.Time{} // absent: none yet
	var kept []arrival
	for b := range clocks {
		for _, a := range rows {
			if a.batch != b {
				continue
			}
			at, ok := a.loadTime()
			w, has := watermark[a.table()]
			if ok && has && at.Before(w.Add(-late)) {
				continue // later than the promise covers
			}
			kept = append(kept, a)
		}
		next := map[string]time.Time{}
		for _, a := range kept {
			at, ok := a.loadTime()
			w, has := watermark[a.table()]
			if !ok || (has && at.Before(w.Add(-late))) {
				continue
			}
			if m, seen := next[a.table()]; !seen || at.After(m) {
				next[a.table()] = at
			}
		}
		for t, at := range next {
			if w, has := watermark[t]; has && w.After(at) {
				at = w
			}
			if at.After(clocks[b]) {
				at = clocks[b]
			}
			watermark[t] = at
		}
	}
	return kept
}

// table is the source table a row is loaded into.
func (a arrival) table() string {
	if a.ev != nil {
		return a.ev.table
	}
	return "identifies"
}

// loaded is the row's own load time ("" for none).
func (a arrival) loaded() string {
	if a.ev != nil {
		return a.ev.loaded
	}
	return a.id.loaded
}

// setLoaded changes the row's own load time; the row must be its own copy
// (copyTo).
func (a arrival) setLoaded(v string) {
	if a.ev != nil {
		a.ev.loaded = v
	} else {
		a.id.loaded = v
	}
}

// loadTime is the row's loaded_at after the fallback to its timestamp
// (semantics §2), and whether it has one.
func (a arrival) loadTime() (time.Time, bool) {
	v := a.loaded()
	if v == "" {
		if a.ev != nil {
			v = a.ev.ts
		} else {
			v = a.id.ts
		}
	}
	if v == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(stampLayout, v)
	if err != nil {
		panic(fmt.Sprintf("test timestamp %q: %v", v, err))
	}
	return t, true
}

// copyTo is a copy of the row that arrives in batch b.
func (a arrival) copyTo(b int) arrival {
	c := arrival{batch: b}
	if a.ev != nil {
		ev := *a.ev
		c.ev = &ev
	} else {
		id := *a.id
		c.id = &id
	}
	return c
}

// TestRowsLaterThanTheLateWindow loads a row more than late_window below its
// table's watermark, which semantics §5 does not promise to read, beside one
// within it, which it does: the incremental run reads only the second,
// verify finds what the first changes (exit 5), and a full refresh clears
// it (verify exits 0).
func TestRowsLaterThanTheLateWindow(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			f := setup(t, e, "UTC")
			f.dropScratchAtEnd()
			f.load([]event{
				{table: "app", id: "p1", ts: "2024-03-09 10:00:00", user: "u1", loaded: "2024-03-10 00:00:00", name: "Query Run"},
				{table: "web", id: "w1", ts: "2024-03-09 12:00:00", user: "u2", loaded: "2024-03-10 00:00:00"},
			}, nil)
			f.sessionize(0, "run")
			f.load([]event{
				// 5 days below the app table's watermark: not read
				{table: "app", id: "p2", ts: "2024-03-09 10:10:00", user: "u1", loaded: "2024-03-05 00:00:00", name: "Query Run"},
				// 2 days below the web table's: read
				{table: "web", id: "w2", ts: "2024-03-09 12:10:00", user: "u2", loaded: "2024-03-08 00:00:00"},
			}, nil)
			f.sessionize(0, "run")
			if got, want := f.columns("sessions", "contact_id", "event_count"), []string{"u1|1", "u2|2"}; !slices.Equal(got, want) {
				t.Fatalf("after the incremental run, sessions (contact|events) = %v, want %v", got, want)
			}
			out, _ := f.verify(5)
			if !strings.Contains(out, "sessions") || !strings.Contains(out, "event_count") {
				t.Errorf("verify does not name the sessions row whose event_count the late row changes:\n%s", out)
			}
			f.sessionize(0, "run", "--full-refresh")
			if got, want := f.columns("sessions", "contact_id", "event_count"), []string{"u1|2", "u2|2"}; !slices.Equal(got, want) {
				t.Fatalf("after a full refresh, sessions (contact|events) = %v, want %v", got, want)
			}
			f.verify(0)
		})
	}
}

// verifyCode runs `sessionize verify` and returns its output and exit code.
func (f *fixture) verifyCode() (string, int) {
	var out strings.Builder
	code := cli.Run(context.Background(), []string{"verify", "-f", f.model}, strings.NewReader(""), &out, &out)
	return out.String(), code
}

// TestABetterCopyRemapsItsAnonymousId loads a copy of a kept event that an
// earlier load time makes the better one (semantics §3.1) and that carries
// another user_id. The kept copy's mapping of the anonymous_id must go with
// it: the anonymous event then belongs to the new copy's user, as in a full
// refresh. (ClickHouse's incremental run reads the kept events less the
// copies replaced; one that kept them would map the anonymous_id to the old
// copy's user, which sorts first.) A third copy, better than the replaced
// one but not than the kept one, then changes nothing: ClickHouse still
// stores the replaced copy, and a run that compared the third with it
// would take the third.
func TestABetterCopyRemapsItsAnonymousId(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			f := setup(t, e, "UTC")
			f.dropScratchAtEnd()
			// Another visitor's events, enough that ClickHouse marks the
			// replaced copy rather than write the kept events whole.
			events := []event{
				{table: "web", id: "w1", ts: "2024-03-09 09:50:00", anon: "a1", loaded: "2024-03-10 00:00:00"},
				{table: "app", id: "p1", ts: "2024-03-09 10:00:00", user: "u1", anon: "a1", loaded: "2024-03-10 00:00:00", name: "Query Run"},
			}
			for i := range 40 {
				events = append(events, event{table: "web", id: fmt.Sprintf("v%d", i), ts: fmt.Sprintf("2024-03-09 08:%02d:00", i), anon: "a9", loaded: "2024-03-10 00:00:00"})
			}
			f.load(events, nil)
			f.sessionize(0, "run")
			if got, want := f.columns("sessions", "contact_id", "property"), []string{"a9|marketing", "u1|marketing", "u1|product"}; !slices.Equal(got, want) {
				t.Fatalf("after the first run, sessions (contact|property) = %v, want %v", got, want)
			}
			// the same event, loaded an hour earlier (within the late window)
			f.load([]event{
				{table: "app", id: "p1", ts: "2024-03-09 10:00:00", user: "u2", anon: "a1", loaded: "2024-03-09 23:00:00", name: "Query Run"},
			}, nil)
			f.sessionize(0, "run")
			if got, want := f.columns("sessions", "contact_id", "property"), []string{"a9|marketing", "u2|marketing", "u2|product"}; !slices.Equal(got, want) {
				t.Fatalf("after the better copy, sessions (contact|property) = %v, want %v", got, want)
			}
			// A third copy, loaded between the two, is better than the
			// replaced one but not than the kept one: it changes nothing.
			// A later app row first moves the app table's watermark so that
			// the next run re-reads the third copy and the first but not the
			// kept one. (ClickHouse still stores the replaced copy, which
			// the run must not compare the third against.)
			f.load([]event{
				{table: "app", id: "p9", ts: "2024-03-12 10:00:00", anon: "a9", loaded: "2024-03-12 23:15:00", name: "Query Run"},
			}, nil)
			f.sessionize(0, "run")
			f.load([]event{
				{table: "app", id: "p1", ts: "2024-03-09 10:00:00", user: "u3", anon: "a1", loaded: "2024-03-09 23:30:00", name: "Query Run"},
			}, nil)
			f.sessionize(0, "run")
			if got, want := f.columns("sessions", "contact_id", "property"), []string{"a9|marketing", "a9|product", "u2|marketing", "u2|product"}; !slices.Equal(got, want) {
				t.Fatalf("after a copy between the two, sessions (contact|property) = %v, want %v", got, want)
			}
			incremental := outputs(f)
			f.verify(0)
			f.sessionize(0, "run", "--full-refresh")
			if full := outputs(f); !reflect.DeepEqual(incremental, full) {
				t.Errorf("incremental outputs differ from a full refresh:\n%v\n%v", incremental, full)
			}
		})
	}
}
