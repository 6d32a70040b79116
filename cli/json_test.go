package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeModel writes a one-source model with the given targets block.
func writeModel(t *testing.T, targets string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sessions.yaml")
	model := "version: 1\nname: acme\nsources:\n  - name: app\n    type: product\n    tables:\n      - table: app_prod.tracks\n" + targets
	if err := os.WriteFile(path, []byte(model), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRunJSONEveryOutcome: `run --json` prints one JSON report on stdout
// whatever the outcome (semantics §5), also when the run never began: the
// target cannot be reached, names a target the model lacks, or the model is
// invalid; with the status, the error and the exit code it exits with.
func TestRunJSONEveryOutcome(t *testing.T) {
	unreachable := writeModel(t, "targets:\n  warehouse: {dialect: postgres, dsn: \"postgres://sessionize:secret@127.0.0.1:1/nowhere?connect_timeout=5\"}\n")
	invalid := writeModel(t, "targets:\n  local: {dialect: oracle}\n")
	for _, c := range []struct {
		name   string
		args   []string
		code   int
		target string
		errHas string
	}{
		{"cannot connect", []string{"run", "-f", unreachable, "--json"}, 1, "warehouse", "cannot connect to PostgreSQL"},
		{"unknown target", []string{"run", "-f", unreachable, "--target", "nowhere", "--json"}, 2, "nowhere", "nowhere"},
		{"invalid model", []string{"run", "-f", invalid, "--json"}, 2, "", "oracle"},
		{"bad flag after --json", []string{"run", "--json", "--no-such-flag"}, 2, "", "no-such-flag"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, stdout, stderr)
			}
			var r struct {
				Target   string          `json:"target"`
				Status   string          `json:"status"`
				Error    string          `json:"error"`
				ExitCode int             `json:"exit_code"`
				Steps    json.RawMessage `json:"steps"`
			}
			if err := json.Unmarshal([]byte(stdout), &r); err != nil {
				t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout)
			}
			if r.Status != "failed" || r.ExitCode != c.code || r.Target != c.target || !strings.Contains(r.Error, c.errHas) {
				t.Errorf("got status %q, exit_code %d, target %q, error %q; want failed, %d, %q and an error naming %q",
					r.Status, r.ExitCode, r.Target, r.Error, c.code, c.target, c.errHas)
			}
			if string(r.Steps) != "[]" {
				t.Errorf("got steps %s, want []", r.Steps)
			}
		})
	}
}

// TestVerifyNothingPublished: verify on a DuckDB target that was never
// built says so and exits 1, and leaves no database file behind.
func TestVerifyNothingPublished(t *testing.T) {
	db := filepath.Join(t.TempDir(), "never.duckdb")
	model := writeModel(t, "targets:\n  local: {dialect: duckdb, path: \""+db+"\"}\n")
	code, stdout, stderr := runCLI(t, "verify", "-f", model)
	if code != 1 || stdout != "" || !strings.Contains(stderr, "nothing is published") {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1, no stdout and a message saying nothing is published", code, stdout, stderr)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("verify left %s behind (%v)", db, err)
	}
	if code, _, _ := runCLI(t, "verify", "-f", model, "--sample", "-1"); code != 2 {
		t.Errorf("verify --sample -1: exit %d, want 2", code)
	}
}
