package conformance

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestPsqlRunsRenderedFiles runs the rendered PostgreSQL files with psql, in
// order, as a reviewer or an orchestrator without our binary would, full and
// then incremental, and wants the same outputs as `sessionize run`.
func TestPsqlRunsRenderedFiles(t *testing.T) {
	var pg *engine
	for _, e := range engines(t) {
		if e.name == "postgres" {
			pg = &e
		}
	}
	if pg == nil {
		t.Skip("no PostgreSQL here (SESSIONIZE_TEST_PG_DSN unset)")
	}
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Fatal("psql is not installed: .ci/run installs postgresql")
	}
	dsn := os.Getenv("SESSIONIZE_TEST_PG_DSN")
	f := setup(t, *pg, "America/New_York")
	runFiles := func(mode string) {
		dir := t.TempDir()
		f.sessionize(0, "render", "--mode", mode, "-o", dir)
		files, _ := filepath.Glob(filepath.Join(dir, "*.sql"))
		if len(files) != 8 {
			t.Fatalf("rendered %d files, want 8", len(files))
		}
		for _, file := range files {
			out, err := exec.Command(psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-f", file).CombinedOutput()
			if err != nil {
				t.Fatalf("psql -f %s: %v\n%s", filepath.Base(file), err, out)
			}
		}
	}

	// The second batch is loaded after the first run's watermark: its rows
	// carry a load time of their own (semantics §5).
	renderedFilesEqualRuns(t, f, "psql", runFiles)
}
