package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sessionize/sessionize/models"
	"github.com/sessionize/sessionize/run"
)

// TestBenchDuckDB runs the whole bench small and checks that what it
// reports is sane. It asserts no timings: they depend on the machine.
func TestBenchDuckDB(t *testing.T) {
	dir := t.TempDir()
	var progress strings.Builder
	r, err := Run(context.Background(), Options{Events: 20000, Repeat: 1, Dir: dir, Progress: &progress})
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, progress.String())
	}
	if r.Engine != "duckdb" || r.Repeat != 1 {
		t.Errorf("got engine %s, repeat %d, want duckdb, 1", r.Engine, r.Repeat)
	}
	if r.Events < 19000 || r.Identifies <= 0 {
		t.Errorf("got %d events and %d identifies, want about 20000 and some", r.Events, r.Identifies)
	}
	for name, m := range map[string]Measure{"floor": r.Floor, "full": r.Full, "hand-written": r.Handwritten, "incremental": r.Incremental} {
		if len(m.Seconds) != 1 || m.MedianSeconds <= 0 || m.EventsPerSecond <= 0 || m.Events <= 0 {
			t.Errorf("%s: got seconds %v, median %v, %v events/s over %d events; want one positive time and rate",
				name, m.Seconds, m.MedianSeconds, m.EventsPerSecond, m.Events)
		}
		if m.PeakRSSBytes <= 0 {
			t.Errorf("%s: got peak RSS %d, want > 0", name, m.PeakRSSBytes)
		}
	}
	if r.FullOverFloor <= 0 || r.FullOverHandwritten <= 0 || r.IncrementalOverFull <= 0 {
		t.Errorf("got ratios full/floor %v, full/hand-written %v, incremental/full %v, want all > 0",
			r.FullOverFloor, r.FullOverHandwritten, r.IncrementalOverFull)
	}
	if len(r.HandwrittenSteps) == 0 || r.HandwrittenSteps[0].Name == "" || len(r.HandwrittenSteps[0].Seconds) != 1 {
		t.Errorf("got hand-written steps %+v, want each named and timed once", r.HandwrittenSteps)
	}
	if r.PeakRSSBytes <= 0 || r.MemoryScope != "process" {
		t.Errorf("got peak RSS %d (%s), want > 0 (process)", r.PeakRSSBytes, r.MemoryScope)
	}

	// The batch: about 1% of the events, some late, some identifies.
	if len(r.Incremental.Batches) != 1 {
		t.Fatalf("got %d batches, want 1", len(r.Incremental.Batches))
	}
	b := r.Incremental.Batches[0]
	if b.Events < r.Events/200 || b.Events > r.Events/50 || b.Late <= 0 || b.Late >= b.Events/2 || b.Identifies <= 0 {
		t.Errorf("got a batch of %d events (%d late) and %d identifies, want about 1%% of %d, ~10%% late, some identifies",
			b.Events, b.Late, b.Identifies, r.Events)
	}
	// It reads the batch and each table's last late_window (3d) again, not
	// the history.
	inc := r.Incremental.Runs[0]
	if inc.Mode != "incremental" || inc.EventsRead < b.Events || inc.EventsRead > r.Events/4 {
		t.Errorf("got an incremental run in mode %s reading %d events, want incremental, reading the batch's %d and the last 3 days of %d",
			inc.Mode, inc.EventsRead, b.Events, r.Events)
	}

	// The runs table itself records a full run, then the incremental one.
	m, err := models.Load(filepath.Join(dir, "sessions.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tg, err := m.Target("")
	if err != nil {
		t.Fatal(err)
	}
	s, d, err := run.Open(context.Background(), m, tg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var modes []string
	if err := s.Conn.SelectContext(context.Background(), &modes,
		"SELECT mode FROM "+run.Table(d, m, "_sessionize_runs")+" WHERE status = 'success' ORDER BY run_id"); err != nil {
		t.Fatal(err)
	}
	if want := []string{"full", "incremental"}; !slices.Equal(modes, want) {
		t.Errorf("got runs %v in the runs table, want %v", modes, want)
	}

	// The report is one JSON object and prints as a table.
	if _, err := json.Marshal(r); err != nil {
		t.Errorf("report does not marshal: %v", err)
	}
	var out strings.Builder
	r.Print(&out)
	for _, want := range []string{"floor", "full", "hand-written", "incremental", "x floor", "x full", "full / hand-written"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("printed table lacks %q:\n%s", want, out.String())
		}
	}
}

// TestBenchLateWindows wants an incremental run per late_window, each
// reading more source rows the longer the window. It skips the hand-written
// chain, and wants it left out of the report, its JSON and its table.
func TestBenchLateWindows(t *testing.T) {
	var progress strings.Builder
	windows := []time.Duration{time.Hour, 7 * 24 * time.Hour}
	r, err := Run(context.Background(), Options{Events: 20000, Repeat: 1, Progress: &progress, LateWindows: windows, NoHandwritten: true})
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, progress.String())
	}
	if len(r.Handwritten.Seconds) != 0 || len(r.HandwrittenSteps) != 0 || r.FullOverHandwritten != 0 {
		t.Errorf("with NoHandwritten: got hand-written times %v, steps %+v, full/hand-written %v; want none",
			r.Handwritten.Seconds, r.HandwrittenSteps, r.FullOverHandwritten)
	}
	if strings.Contains(progress.String(), "hand-written") {
		t.Errorf("with NoHandwritten: the progress mentions the hand-written chain:\n%s", progress.String())
	}
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(js), `"handwritten`) || strings.Contains(string(js), "full_over_handwritten") {
		t.Errorf("with NoHandwritten: the JSON has hand-written fields: %s", js)
	}
	if len(r.LateWindows) != 2 || r.LateWindows[0].LateWindow != "1h" || r.LateWindows[1].LateWindow != "7d" {
		t.Fatalf("got late windows %+v, want 1h and 7d", r.LateWindows)
	}
	short, long := r.LateWindows[0], r.LateWindows[1]
	if short.RowsRead < short.Measure.Events || long.RowsRead <= short.RowsRead || long.OverFull <= 0 {
		t.Errorf("got rows read %d (1h) and %d (7d) for batches of %d, ratio %v: want the batch at least, and more for the longer window",
			short.RowsRead, long.RowsRead, short.Measure.Events, long.OverFull)
	}
	var out strings.Builder
	r.Print(&out)
	if !strings.Contains(out.String(), "late 7d") {
		t.Errorf("printed table lacks the late 7d row:\n%s", out.String())
	}
	if strings.Contains(out.String(), "hand-written") || !strings.Contains(out.String(), "incremental / full") {
		t.Errorf("with NoHandwritten: want the table without hand-written, with incremental / full:\n%s", out.String())
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v): got %v, want %v", c.in, got, c.want)
		}
	}
}

func TestIDCut(t *testing.T) {
	for _, c := range []struct {
		share float64
		want  string
	}{
		{0.5, "8000"},
		{1.0 / 65536, "0001"},
		{1, "g"},
		{3, "g"},
	} {
		if got := idCut(c.share); got != c.want {
			t.Errorf("idCut(%v): got %q, want %q", c.share, got, c.want)
		}
	}
}

// TestBenchPostgres runs the bench on the PostgreSQL server of
// SESSIONIZE_TEST_PG_DSN: the tables are copied in, the runs work on them,
// and the bench's schemas are gone afterwards.
func TestBenchPostgres(t *testing.T) {
	dsn := os.Getenv("SESSIONIZE_TEST_PG_DSN")
	if dsn == "" {
		t.Skip("SESSIONIZE_TEST_PG_DSN is not set (source .ci/postgres.sh)")
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Other benches may share the server: only schemas this one made count.
	before := benchSchemas(t, db)

	tg := models.Target{Name: "pg", Dialect: models.Postgres, DSN: dsn}
	var progress strings.Builder
	r, err := Run(context.Background(), Options{Events: 20000, Repeat: 1, Target: tg, Progress: &progress})
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, progress.String())
	}
	if r.Engine != "postgres" || r.MemoryScope != "client" || r.CopySeconds <= 0 {
		t.Errorf("got engine %s, memory scope %s, copy %vs; want postgres, client, > 0", r.Engine, r.MemoryScope, r.CopySeconds)
	}
	if r.Full.MedianSeconds <= 0 || r.Floor.MedianSeconds <= 0 || r.Incremental.MedianSeconds <= 0 {
		t.Errorf("got times floor %v, full %v, incremental %v; want all > 0",
			r.Floor.MedianSeconds, r.Full.MedianSeconds, r.Incremental.MedianSeconds)
	}
	if got := r.Incremental.Runs[0].Mode; got != "incremental" {
		t.Errorf("got the run after the batch in mode %s, want incremental", got)
	}
	if r.Full.Runs[0].EventsRead != r.Events {
		t.Errorf("got a full run reading %d events, want the %d copied", r.Full.Runs[0].EventsRead, r.Events)
	}

	var left []string
	for s := range benchSchemas(t, db) {
		if !before[s] {
			left = append(left, s)
		}
	}
	if len(left) > 0 {
		t.Errorf("got schemas %v left after the bench, want none", left)
	}
}

// benchSchemas are the server's schemas named like the bench's.
func benchSchemas(t *testing.T, db *sql.DB) map[string]bool {
	t.Helper()
	rows, err := db.Query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'sessionize_bench_%'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got[s] = true
	}
	return got
}

func TestProcTicks(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	comm, ticks, ok := procTicks("/proc/self/stat")
	if !ok || comm == "" || ticks < 0 {
		t.Errorf("procTicks(/proc/self/stat): got %q, %d, %v; want a name, ticks >= 0, ok", comm, ticks, ok)
	}
	a := sampleCPU("")
	for i := 0; i < 5e7; i++ { // burn a little CPU
		_ = i * i
	}
	if share := othersShare(a, sampleCPU("")); share < -1 || share > 1 {
		t.Errorf("othersShare: got %v, want -1 or within [0, 1]", share)
	}
}

// TestBenchChdb runs the bench on ClickHouse in-process (chdb, libchdb.so at
// $CHDB_LIB_PATH): the tables are copied into a new data directory, the
// runs work on them, the incremental one as incremental. Without
// CHDB_LIB_PATH it fails in CI and is skipped elsewhere.
func TestBenchChdb(t *testing.T) {
	if os.Getenv("CHDB_LIB_PATH") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CHDB_LIB_PATH is not set: .ci/run installs chdb and sets it")
		}
		t.Skip("CHDB_LIB_PATH is not set, so the bench on ClickHouse (chdb) is not tested (run .ci/run to test it)")
	}
	tg := models.Target{Name: "ch", Dialect: models.ClickHouse}
	var progress strings.Builder
	r, err := Run(context.Background(), Options{Events: 20000, Repeat: 1, Target: tg, Progress: &progress})
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, progress.String())
	}
	if r.Engine != "clickhouse" || r.MemoryScope != "process" || r.CopySeconds <= 0 {
		t.Errorf("got engine %s, memory scope %s, copy %vs; want clickhouse, process, > 0", r.Engine, r.MemoryScope, r.CopySeconds)
	}
	if !strings.HasPrefix(r.Machine.EngineVersion, "ClickHouse ") {
		t.Errorf("got engine version %q, want ClickHouse ...", r.Machine.EngineVersion)
	}
	for name, m := range map[string]Measure{"floor": r.Floor, "full": r.Full, "incremental": r.Incremental} {
		if len(m.Seconds) != 1 || m.MedianSeconds <= 0 || m.EventsPerSecond <= 0 || m.Events <= 0 || m.PeakRSSBytes <= 0 {
			t.Errorf("%s: got seconds %v, median %v, %v events/s over %d events, peak RSS %d; want one positive time, rate and peak",
				name, m.Seconds, m.MedianSeconds, m.EventsPerSecond, m.Events, m.PeakRSSBytes)
		}
	}
	if r.Full.Runs[0].EventsRead != r.Events {
		t.Errorf("got a full run reading %d events, want the %d copied", r.Full.Runs[0].EventsRead, r.Events)
	}
	// chdb reports no affected rows, so the batch is counted: it must not be empty.
	b := r.Incremental.Batches[0]
	if b.Events < r.Events/200 || b.Events > r.Events/50 || b.Late <= 0 || b.Identifies <= 0 {
		t.Errorf("got a batch of %d events (%d late) and %d identifies, want about 1%% of %d, some late, some identifies",
			b.Events, b.Late, b.Identifies, r.Events)
	}
	// It reads the batch and each table's last late_window (3d) again, not
	// the history.
	inc := r.Incremental.Runs[0]
	if inc.Mode != "incremental" || inc.EventsRead < b.Events || inc.EventsRead > r.Events/4 {
		t.Errorf("got an incremental run in mode %s reading %d events, want incremental, reading the batch's %d and the last 3 days of %d",
			inc.Mode, inc.EventsRead, b.Events, r.Events)
	}
	var out strings.Builder
	r.Print(&out)
	if !strings.Contains(out.String(), "clickhouse (ClickHouse ") || strings.Contains(out.String(), "(client)") {
		t.Errorf("printed table: want clickhouse with its version and process memory:\n%s", out.String())
	}
}

// TestCompare benches two DuckDB targets (one thread, two threads) over the
// same data and wants each in a folder of its own, the same rows on both,
// and every ratio set against the first DuckDB target's.
func TestCompare(t *testing.T) {
	dir := t.TempDir()
	targets := []models.Target{
		{Name: "one", Dialect: models.DuckDB, Threads: 1},
		{Name: "two", Dialect: models.DuckDB, Threads: 2},
	}
	var progress strings.Builder
	c, err := Compare(context.Background(), Options{Events: 20000, Repeat: 1, Dir: dir, Progress: &progress}, targets)
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, progress.String())
	}
	if len(c.Reports) != 2 || len(c.Across) != 2 {
		t.Fatalf("got %d reports and %d lines across, want 2 and 2", len(c.Reports), len(c.Across))
	}
	one, two := c.Reports[0], c.Reports[1]
	if one.Events != two.Events || one.Identifies != two.Identifies {
		t.Errorf("got %d events + %d identifies and %d + %d, want the same data on both",
			one.Events, one.Identifies, two.Events, two.Identifies)
	}
	for i, label := range []string{"one", "two"} {
		a, r := c.Across[i], c.Reports[i]
		if a.Target != label || a.Engine != "duckdb" {
			t.Errorf("line %d: got target %s (%s), want %s (duckdb)", i, a.Target, a.Engine, label)
		}
		if _, err := os.Stat(filepath.Join(dir, label, "bench.duckdb")); err != nil {
			t.Errorf("target %s: want its database in a folder of its own: %v", label, err)
		}
		if a.FullSeconds != r.Full.MedianSeconds || a.IncrementalOverFull != r.IncrementalOverFull || a.FullOverHandwritten != r.FullOverHandwritten {
			t.Errorf("target %s: got %+v, want its report's figures (full %v, incremental/full %v, full/hand-written %v)",
				label, a, r.Full.MedianSeconds, r.IncrementalOverFull, r.FullOverHandwritten)
		}
		wantFull := r.Full.MedianSeconds / one.Full.MedianSeconds
		wantIncr := r.Incremental.MedianSeconds / one.Incremental.MedianSeconds
		if a.FullOverDuckDB != wantFull || a.IncrementalOverDuckDB != wantIncr {
			t.Errorf("target %s: got full/duckdb %v, incremental/duckdb %v, want %v and %v (against target one)",
				label, a.FullOverDuckDB, a.IncrementalOverDuckDB, wantFull, wantIncr)
		}
	}
	if c.Across[0].FullOverDuckDB != 1 {
		t.Errorf("got the first DuckDB target at %vx itself, want 1", c.Across[0].FullOverDuckDB)
	}

	var out strings.Builder
	c.Print(&out)
	for _, want := range []string{"sessionize bench: duckdb", "across targets (the same ", "full / duckdb full", "\none ", "\ntwo "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("printed comparison lacks %q:\n%s", want, out.String())
		}
	}
	if _, err := json.Marshal(c); err != nil {
		t.Errorf("comparison does not marshal: %v", err)
	}

	if _, err := Compare(context.Background(), Options{Events: 20000, Repeat: 1}, []models.Target{targets[0], targets[0]}); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Errorf("got %v for a target given twice, want an error naming it", err)
	}
}
