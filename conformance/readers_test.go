package conformance

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sessionize/sessionize/cli"
)

// TestReadersWhileARunHoldsTheTarget starts a run in another process and,
// while it holds a DuckDB file or a chdb directory (which only one process
// at a time may open), wants status, export and report to exit 3 at once
// naming the run's process, and with --wait to read once the run is gone.
// PostgreSQL and ClickHouse servers let readers read during a run.
func TestReadersWhileARunHoldsTheTarget(t *testing.T) {
	for _, e := range engines(t) {
		if e.name == "postgres" {
			continue
		}
		t.Run(e.name, func(t *testing.T) { readersWhileARunHoldsIt(t, e) })
	}
}

func readersWhileARunHoldsIt(t *testing.T, e engine) {
	f := setup(t, e, "UTC")
	f.load([]event{{table: "app", id: "e1", ts: "2024-03-01 10:00:00", user: "u1", name: "Query Run"}}, nil)
	f.sessionize(0, "run")
	f.bulk(0, 200000, "2024-04-01 00:00:00")
	cmd, lines := f.child(t, "--full-refresh")
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if !waitFor(lines, "00_setup") {
		t.Fatal("the run ended early")
	}
	holder := fmt.Sprintf("pid %d ", cmd.Process.Pid)
	if e.name == "duckdb" {
		host, _ := os.Hostname()
		holder = fmt.Sprintf("pid %d on %s since ", cmd.Process.Pid, host)
	}
	readers := [][]string{{"status"}, {"export", "sessions"}, {"report", "-o", "-"}}
	for _, args := range readers {
		var out, errb strings.Builder
		start := time.Now()
		code := cli.Run(context.Background(), append(args, "-f", f.model), strings.NewReader(""), &out, &errb)
		if code != 3 || !strings.Contains(errb.String(), holder) || !strings.Contains(errb.String(), "--wait") {
			t.Errorf("%v during a run: exit %d, want 3 and a message naming %q and --wait:\n%s", args, code, holder, errb.String())
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%v took %s to refuse; want at once", args, d)
		}
	}
	// The run is killed half a second into the readers' wait, or once its
	// step 1 is done if that comes first: a fast engine would otherwise
	// commit before the half second is out (DuckDB's run of these 200,000
	// events sometimes did), and the outputs below must be the first run's.
	time.AfterFunc(500*time.Millisecond, func() { cmd.Process.Kill() })
	go func() {
		if waitFor(lines, "01_staging") {
			cmd.Process.Kill()
		}
	}()
	for _, args := range readers {
		var out, errb strings.Builder
		if code := cli.Run(context.Background(), append(args, "-f", f.model, "--wait", "2m"), strings.NewReader(""), &out, &errb); code != 0 {
			t.Errorf("%v --wait 2m: exit %d, want 0\n%s", args, code, errb.String())
		}
	}
	if got := f.columns("sessions", "session_id"); len(got) != 1 {
		t.Errorf("after the killed run: %d sessions, want the first run's 1", len(got))
	}
}
