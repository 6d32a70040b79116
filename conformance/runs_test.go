package conformance

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sessionize/sessionize/cli"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// binary builds cmd/sessionize once, for tests that need a child process.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sessionize-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "sessionize")
		out, err := exec.Command("go", "build", "-o", binPath, "../cmd/sessionize").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// bulk loads n app events in one statement: contact u<k> gets runs of 50
// events 7 s apart, so sessions are long and the run takes a while.
func (f *fixture) bulk(from, n int, loaded string) {
	f.t.Helper()
	if f.e.bulkInsert != nil {
		f.exec(f.e.bulkInsert(f.raw, from, n, loaded))
		return
	}
	f.exec(fmt.Sprintf(`INSERT INTO %s.app (id, "timestamp", user_id, anonymous_id, received_at, event, url)
SELECT 'b' || CAST(i AS %s), CAST('2024-03-01' AS %s) + CAST(i * 7 AS INTEGER) * INTERVAL '1 second',
       'u' || CAST(CAST((i - i %% 50) / 50 AS INTEGER) %% 2000 AS %s), NULL, CAST('%s' AS %s), 'Query Run', NULL
FROM generate_series(%d, %d) AS g(i)`, f.raw, f.e.textType, f.e.tsType, f.e.textType, loaded, f.e.tsType, from, from+n-1))
}

// child starts `sessionize run` in another process and returns it with a
// channel of its progress lines.
func (f *fixture) child(t *testing.T, args ...string) (*exec.Cmd, <-chan string) {
	if f.e.beforeChild != nil {
		f.e.beforeChild()
	}
	cmd := exec.Command(binary(t), append([]string{"run", "-f", f.model}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	go func() {
		s := bufio.NewScanner(stderr)
		for s.Scan() {
			lines <- s.Text()
		}
		close(lines)
	}()
	return cmd, lines
}

// childUntil starts `sessionize run` in another process and returns it once
// it has printed step's progress line. A PostgreSQL server may still hold
// the lock of a run killed just before, until it notices its client is gone
// (within client_connection_check_interval, 1 s): a child refused for that
// (exit 3) is started again.
func (f *fixture) childUntil(t *testing.T, step string) *exec.Cmd {
	t.Helper()
	for try := 0; ; try++ {
		cmd, lines := f.child(t)
		var seen []string
		for l := range lines {
			seen = append(seen, l)
			if strings.Contains(l, step) {
				return cmd
			}
		}
		err := cmd.Wait()
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.ExitCode() == 3 && try < 20 {
			time.Sleep(250 * time.Millisecond)
			continue
		}
		t.Fatalf("the run ended before step %s (%v):\n%s", step, err, strings.Join(seen, "\n"))
	}
}

// waitFor reads progress lines until one contains want; false if the child
// ended first.
func waitFor(lines <-chan string, want string) bool {
	for l := range lines {
		if strings.Contains(l, want) {
			return true
		}
	}
	return false
}

// TestKilledRunLeavesOutputsWhole kills a run with SIGKILL after each of its
// steps and wants the outputs of the previous run intact every time; the
// next run then converges to what a full refresh gives.
func TestKilledRunLeavesOutputsWhole(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			f := setup(t, e, "UTC")
			f.bulk(0, 100000, "2024-04-01 00:00:00")
			f.sessionize(0, "run")
			before := outputs(f)
			f.bulk(100000, 10000, "2024-04-02 00:00:00")
			for _, step := range []string{"00_setup", "01_staging", "02_identity", "03_sessions", "05_contact_sessions", "06_daily_metrics"} {
				cmd := f.childUntil(t, step)
				cmd.Process.Signal(syscall.SIGKILL)
				cmd.Wait()
				if got := outputs(f); !reflect.DeepEqual(got, before) {
					t.Fatalf("after a kill following %s, the outputs differ from the last successful run", step)
				}
			}
			f.sessionize(0, "run")
			runs := f.runRows()
			killed := 0
			for _, r := range runs {
				if r.status == "failed" && strings.Contains(r.err, "ended before it committed") {
					killed++
				}
			}
			if killed != 6 {
				t.Errorf("runs table shows %d killed runs, want 6: %v", killed, runs)
			}
			if last := runs[len(runs)-1]; last.status != "success" || last.mode != "incremental" {
				t.Errorf("last run: %+v, want a successful incremental run", last)
			}
			incremental := outputs(f)
			f.sessionize(0, "run", "--full-refresh")
			if !reflect.DeepEqual(incremental, outputs(f)) {
				t.Error("after the kills, the incremental run differs from a full refresh")
			}
		})
	}
}

// TestSecondRunIsRefusedWhileLocked starts a run in another process and
// wants a second run to exit 3 at once, naming the holder.
func TestSecondRunIsRefusedWhileLocked(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			f := setup(t, e, "UTC")
			f.bulk(0, 200000, "2024-04-01 00:00:00")
			cmd, lines := f.child(t, "--full-refresh")
			defer func() { cmd.Process.Kill(); cmd.Wait() }()
			if !waitFor(lines, "00_setup") {
				t.Fatal("the first run ended early")
			}
			var out, errb strings.Builder
			start := time.Now()
			code := cli.Run(context.Background(), []string{"run", "-f", f.model}, strings.NewReader(""), &out, &errb)
			if code != 3 {
				t.Fatalf("second run: exit %d, want 3\n%s", code, errb.String())
			}
			if !strings.Contains(errb.String(), "locked by another run") || !strings.Contains(errb.String(), "since") {
				t.Errorf("second run's message does not say who holds the lock since when: %s", errb.String())
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("second run took %s to refuse; want at once", d)
			}
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			// The killed holder's lock goes with its process (on PostgreSQL
			// with its server session, which notices within a second).
			deadline := time.Now().Add(30 * time.Second)
			for {
				var out, errb strings.Builder
				code := cli.Run(context.Background(), []string{"run", "-f", f.model}, strings.NewReader(""), &out, &errb)
				if code == 0 {
					break
				}
				if code != 3 || time.Now().After(deadline) {
					t.Fatalf("run after the holder was killed: exit %d\n%s", code, errb.String())
				}
				time.Sleep(200 * time.Millisecond)
			}
		})
	}
}

// TestChangedModelIsRefused changes the model after a run and wants an
// incremental run refused (exit 4, semantics §6) with the change named, also as
// `run --json`'s report, and --full-refresh accepted.
func TestChangedModelIsRefused(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			f := setup(t, e, "UTC")
			f.load([]event{{table: "app", id: "e1", ts: "2024-03-01 10:00:00", user: "u1"}}, nil)
			f.sessionize(0, "run")
			src, _ := os.ReadFile(f.model)
			changed := strings.Replace(string(src), "timezone: UTC", "timezone: Europe/Berlin", 1)
			os.WriteFile(f.model, []byte(changed), 0o644)
			var out, errb strings.Builder
			code := cli.Run(context.Background(), []string{"run", "-f", f.model}, strings.NewReader(""), &out, &errb)
			if code != 4 {
				t.Fatalf("exit %d, want 4\n%s", code, errb.String())
			}
			for _, want := range []string{"timezone: Europe/Berlin", "timezone: UTC", "--full-refresh"} {
				if !strings.Contains(errb.String(), want) {
					t.Errorf("refusal does not mention %q: %s", want, errb.String())
				}
			}
			rep := runJSON(t, 4, "run", "-f", f.model, "--json")
			if rep.Status != "refused" || rep.ExitCode != 4 || !strings.Contains(rep.Error, "--full-refresh") {
				t.Errorf("run --json: got %+v, want status refused, exit_code 4 and the refusal", rep)
			}
			f.sessionize(0, "run", "--full-refresh")
			f.sessionize(0, "run")
		})
	}
}

// TestRunRecordsWhenItFinished: finished_at - started_at in the runs table
// covers the run, also on DuckDB, whose clock stands still inside the run's
// transaction.
func TestRunRecordsWhenItFinished(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			f := setup(t, e, "UTC")
			f.bulk(0, 20000, "2024-03-01 00:00:00")
			start := time.Now()
			f.sessionize(0, "run")
			wall := time.Since(start)
			db, err := f.connect()
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var row struct {
				Started  time.Time `db:"started_at"`
				Finished time.Time `db:"finished_at"`
			}
			if err := db.Get(&row, "SELECT started_at, finished_at FROM "+f.m.Output.Schema+"._sessionize_runs WHERE status = 'success'"); err != nil {
				t.Fatal(err)
			}
			if got := row.Finished.Sub(row.Started); got < wall/2 || got > wall {
				t.Errorf("got finished_at - started_at = %v, want about the run's %v", got, wall)
			}
		})
	}
}

// TestStagedFullRunLeavesNoNextTables: a DuckDB full run writes every table
// it keeps as <table>__next and publishes them by renaming in step 7. After
// it, only the published tables are left; and the <table>__next tables a
// killed full run leaves behind are dropped by the next run, incremental or
// full, without touching the published ones.
func TestStagedFullRunLeavesNoNextTables(t *testing.T) {
	f := setup(t, duckEngine(), "UTC")
	f.load([]event{
		{table: "web", id: "w1", ts: "2024-01-01 10:00:00", anon: "a1", url: "https://example.com/"},
		{table: "app", id: "p1", ts: "2024-01-01 10:10:00", user: "u1", anon: "a1", name: "Signed Up"},
	}, nil)
	f.sessionize(0, "run")
	tables := func() []string {
		db, err := f.connect()
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var names []string
		if err := db.Select(&names, "SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name", f.m.Output.Schema); err != nil {
			t.Fatal(err)
		}
		return names
	}
	published := tables()
	for _, name := range published {
		if strings.HasSuffix(name, "__next") {
			t.Errorf("after a full run: %s is left", name)
		}
	}
	if !slices.Contains(published, "sessions") || !slices.Contains(published, "_sessionize_events") {
		t.Fatalf("after a full run: tables %v lack the outputs or the kept events", published)
	}

	// What a full run killed in step 5 leaves: new versions of some tables.
	out := f.m.Output.Schema
	f.exec(
		"CREATE TABLE "+out+".sessions__next AS SELECT * FROM "+out+".sessions WHERE false",
		"CREATE TABLE "+out+"._sessionize_events__next AS SELECT * FROM "+out+"._sessionize_events",
	)
	f.load([]event{{table: "app", id: "p2", ts: "2024-01-01 10:20:00", user: "u1", name: "Report Viewed"}}, nil)
	f.sessionize(0, "run") // incremental
	if got := tables(); !slices.Equal(got, published) {
		t.Errorf("after the next run: tables %v, want %v", got, published)
	}
	got := f.columns("sessions", "property", "event_count")
	if want := []string{"marketing|1", "product|2"}; !slices.Equal(got, want) {
		t.Errorf("after the next run: sessions %v, want %v", got, want)
	}
}
