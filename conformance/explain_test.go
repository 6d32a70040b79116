package conformance

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/cli"
)

// TestExplainTrace runs the same full and incremental runs twice on each
// engine, once with SESSIONIZE_TRACE=explain: the plans are printed under
// the statements' times, and the outputs are the same, though DuckDB and
// PostgreSQL run each statement they explain through EXPLAIN ANALYZE
// instead of on its own.
func TestExplainTrace(t *testing.T) {
	// What only an engine's plans print: DuckDB's and PostgreSQL's
	// measured operators, ClickHouse's granules its keys leave to read.
	marks := map[string]string{"duckdb": "Total Time", "postgres": "actual time=", "clickhouse": "Granules:"}
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			plain, explained := setup(t, e, "UTC"), setup(t, e, "UTC")
			var stderr strings.Builder
			for i, f := range []*fixture{plain, explained} {
				f.bulk(0, 3000, "2024-03-01 00:00:00")
				if i == 1 {
					t.Setenv("SESSIONIZE_TRACE", "explain")
				}
				runs := func() {
					var out strings.Builder
					if code := cli.Run(context.Background(), []string{"run", "-f", f.model}, strings.NewReader(""), &out, &stderr); code != 0 {
						t.Fatalf("run: exit %d\n%s", code, stderr.String())
					}
				}
				runs()
				f.bulk(3000, 100, "2024-03-02 00:00:00")
				runs()
			}
			if modes := explained.runs(); len(modes) != 2 || modes[1].mode != "incremental" {
				t.Errorf("got runs %+v, want a full run, then an incremental one", modes)
			}
			log := stderr.String()
			if !strings.Contains(log, "        | ") || !strings.Contains(log, marks[e.name]) {
				t.Errorf("the trace lacks plans (lines under a statement starting with |, with %q):\n%.3000s", marks[e.name], log)
			}
			for _, table := range []string{"sessions", "contact_sessions", "daily_metrics"} {
				want, got := plain.export(table), explained.export(table)
				if len(want) < 2 || !slices.EqualFunc(want, got, slices.Equal) {
					t.Errorf("%s: got %d rows with explain, %d without; want the same rows, and some", table, len(got)-1, len(want)-1)
				}
			}
		})
	}
}
