package conformance

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/cli"
)

// runReport is what `run --json` prints, as orchestrators read it.
type runReport struct {
	RunID    int64  `json:"run_id"`
	Target   string `json:"target"`
	Mode     string `json:"mode"`
	Status   string `json:"status"`
	Error    string `json:"error"`
	ExitCode int    `json:"exit_code"`
}

// runJSON runs a command that prints one JSON object on stdout, wants exit
// code want, and returns the object.
func runJSON(t *testing.T, want int, args ...string) runReport {
	t.Helper()
	var out, errb strings.Builder
	if code := cli.Run(context.Background(), args, strings.NewReader(""), &out, &errb); code != want {
		t.Fatalf("sessionize %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out.String(), errb.String())
	}
	var r runReport
	if err := json.Unmarshal([]byte(out.String()), &r); err != nil {
		t.Fatalf("sessionize %s: stdout is not one JSON object (%v):\n%s", strings.Join(args, " "), err, out.String())
	}
	return r
}
