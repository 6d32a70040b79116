// Package examples holds the scheduling examples and their tests: the shell
// wrapper and the cron entry run against DuckDB and PostgreSQL, the systemd
// units go through systemd-analyze, and the Python and YAML ones are parsed.
package examples

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"
)

var (
	buildOnce sync.Once
	binDir    string
	binErr    error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// sessionize builds the binary once for all the tests, as a user would from
// a clone, and returns its path.
func sessionize(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "sessionize-examples-"); binErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, "sessionize"), "./cmd/sessionize")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return filepath.Join(binDir, "sessionize")
}

// outcome is what one run of the wrapper did.
type outcome struct {
	code           int
	stderr, log    string
	report         map[string]any // the JSON report it kept, if any
	reportReadable bool
}

// wrapper runs sessionize-scheduled.sh in dir with env added, logging to a
// file of its own, and keeping the report.
func wrapper(t *testing.T, dir string, env ...string) outcome {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash here")
	}
	script, err := filepath.Abs("sessionize-scheduled.sh")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	logFile, reportFile := filepath.Join(tmp, "log"), filepath.Join(tmp, "report.json")
	cmd := exec.Command(script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SESSIONIZE_LOG="+logFile, "SESSIONIZE_REPORT="+reportFile, "SESSIONIZE_LOCK_WAIT=0")
	cmd.Env = append(cmd.Env, env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err = cmd.Run()
	o := outcome{stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		o.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	log, _ := os.ReadFile(logFile)
	o.log = string(log)
	if b, err := os.ReadFile(reportFile); err == nil {
		o.reportReadable = json.Unmarshal(b, &o.report) == nil
	}
	return o
}

// want fails the test unless the wrapper exited with code, logged each of
// logs, and printed each of stderr on stderr (nothing when there are none:
// cron would mail it).
func (o outcome) want(t *testing.T, what string, code int, logs []string, stderr ...string) {
	t.Helper()
	if o.code != code {
		t.Errorf("%s: exit %d, want %d\nlog:\n%sstderr:\n%s", what, o.code, code, o.log, o.stderr)
	}
	for _, l := range logs {
		if !strings.Contains(o.log, l) {
			t.Errorf("%s: the log lacks %q:\n%s", what, l, o.log)
		}
	}
	if len(stderr) == 0 && o.stderr != "" {
		t.Errorf("%s: stderr should be empty (cron would mail it), got:\n%s", what, o.stderr)
	}
	for _, s := range stderr {
		if !strings.Contains(o.stderr, s) {
			t.Errorf("%s: stderr lacks %q:\n%s", what, s, o.stderr)
		}
	}
}

// stub writes a fake sessionize that answers `run --json` with a report
// whose exit code is taken from the file runs (one code a line, a line per
// call; the last one repeats) and `verify` with a difference and $VERIFY_CODE.
func stub(t *testing.T, runs ...int) (bin string, env []string) {
	t.Helper()
	dir := t.TempDir()
	var codes strings.Builder
	for _, c := range runs {
		fmt.Fprintln(&codes, c)
	}
	if err := os.WriteFile(filepath.Join(dir, "codes"), []byte(codes.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(dir, "sessionize")
	script := `#!/usr/bin/env bash
dir=$(dirname "$0")
if [ "$1" = verify ]; then
	echo "sessions	abc	event_count	3	4"
	exit "${VERIFY_CODE:-0}"
fi
code=$(head -1 "$dir/codes")
if [ "$(wc -l <"$dir/codes")" -gt 1 ]; then sed -i.bak 1d "$dir/codes"; fi
status=success
case $code in 3|4) status=refused ;; 0) ;; *) status=failed ;; esac
error=""
[ "$code" -ne 0 ] && error="stub error $code"
echo "sessionize: stub stderr $code" >&2
cat <<JSON
{
  "run_id": 7,
  "target": "local",
  "mode": "incremental",
  "status": "$status",
  "events_read": 120,
  "rejected": 2,
  "contacts_affected": 9,
  "rows_written": 31,
  "seconds": 0.25,
  "steps": [
    {
      "name": "01_staging",
      "rows": 99
    }
  ],
  "error": "$error",
  "exit_code": $code
}
JSON
exit "$code"
`
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, []string{"SESSIONIZE=" + bin}
}

// TestScheduledScriptExitCodes runs the wrapper over a stub sessionize that
// ends with each exit code, and wants what the script's header promises.
func TestScheduledScriptExitCodes(t *testing.T) {
	const person = "needs a person"
	for _, tc := range []struct {
		name   string
		runs   []int
		env    []string
		code   int
		logs   []string
		stderr []string
	}{
		{name: "done", runs: []int{0}, code: 0,
			logs: []string{"run 7 done (incremental): read 120 rows (2 rejected), touched 9 contacts, wrote 31 rows in 0.25s"}},
		{name: "failed", runs: []int{1}, code: 1,
			logs: []string{"run failed (exit 1): stub error 1", "stub stderr 1"}, stderr: []string{"run failed (exit 1)"}},
		{name: "invalid model", runs: []int{2}, code: 2,
			logs: []string{"invalid model or command line (exit 2), " + person + ": stub error 2"}, stderr: []string{person}},
		{name: "locked, then free", runs: []int{3, 3, 0}, env: []string{"SESSIONIZE_LOCK_RETRIES=2"}, code: 0,
			logs: []string{"trying again in 0s (1 of 2): stub error 3", "(2 of 2)", "run 7 done"}},
		{name: "locked throughout", runs: []int{3}, env: []string{"SESSIONIZE_LOCK_RETRIES=1"}, code: 3,
			logs: []string{"(1 of 1)", "still locked by another run after 1 tries (exit 3); the next scheduled run catches up"}},
		{name: "model changed", runs: []int{4}, code: 4,
			logs:   []string{"refused (exit 4), " + person + ": stub error 4", "sessionize run --full-refresh -f sessions.yaml"},
			stderr: []string{person, "--full-refresh"}},
		{name: "verify equal", runs: []int{0}, env: []string{"SESSIONIZE_VERIFY_SAMPLE=10"}, code: 0,
			logs: []string{"run 7 done", "verify: a sample of 10 contacts equals its recomputation"}},
		{name: "verify differs", runs: []int{0}, env: []string{"SESSIONIZE_VERIFY_SAMPLE=10", "VERIFY_CODE=5"}, code: 5,
			logs:   []string{"verify found differences (exit 5), " + person, "verify: sessions\tabc\tevent_count\t3\t4"},
			stderr: []string{"verify found differences"}},
		{name: "no verify after a failure", runs: []int{1}, env: []string{"SESSIONIZE_VERIFY_SAMPLE=10", "VERIFY_CODE=5"}, code: 1,
			logs: []string{"run failed"}, stderr: []string{"run failed"}},
		{name: "unknown exit", runs: []int{9}, code: 9,
			logs: []string{"run ended with exit 9: stub error 9"}, stderr: []string{"exit 9"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, env := stub(t, tc.runs...)
			o := wrapper(t, t.TempDir(), append(env, tc.env...)...)
			o.want(t, tc.name, tc.code, tc.logs, tc.stderr...)
			if !o.reportReadable {
				t.Errorf("the kept report does not parse as JSON")
			}
		})
	}
}

// TestSystemdUnits checks the unit files with systemd-analyze verify, with
// ExecStart pointed at the wrapper here.
func TestSystemdUnits(t *testing.T) {
	tool, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("no systemd-analyze here")
	}
	script, _ := filepath.Abs("sessionize-scheduled.sh")
	dir := t.TempDir()
	for _, name := range []string{"sessionize.service", "sessionize.timer"} {
		b, err := os.ReadFile(filepath.Join("systemd", name))
		if err != nil {
			t.Fatal(err)
		}
		unit := strings.ReplaceAll(string(b), "/srv/sessionize/sessionize-scheduled.sh", script)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(unit), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(tool, "verify", "./sessionize.service", "./sessionize.timer")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestPythonExamplesCompile byte-compiles the Airflow DAG and the Dagster
// asset (neither Airflow nor Dagster is needed for that).
func TestPythonExamplesCompile(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 here")
	}
	for _, f := range []string{"airflow/sessionize_dag.py", "dagster/sessionize_asset.py"} {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// compile() checks the syntax without writing __pycache__ here.
		cmd := exec.Command(py, "-c", "import sys; compile(sys.stdin.read(), sys.argv[1], 'exec')", f)
		cmd.Stdin = strings.NewReader(string(src))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", f, err, out)
		}
	}
}

// TestWorkflowParses reads the GitHub Actions workflow as YAML and wants its
// schedule and the step that runs the wrapper.
func TestWorkflowParses(t *testing.T) {
	b, err := os.ReadFile("github-actions/sessionize.yml")
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		On struct {
			Schedule []struct{ Cron string } `yaml:"schedule"`
		} `yaml:"on"`
		Jobs map[string]struct {
			Steps []map[string]any `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatalf("github-actions/sessionize.yml: %v", err)
	}
	if len(wf.On.Schedule) == 0 || wf.On.Schedule[0].Cron == "" {
		t.Errorf("no schedule: %+v", wf.On)
	}
	var runs bool
	for _, s := range wf.Jobs["run"].Steps {
		if r, _ := s["run"].(string); strings.Contains(r, "sessionize-scheduled.sh") {
			runs = true
		}
	}
	if !runs {
		t.Errorf("no step of job run runs sessionize-scheduled.sh")
	}
}
