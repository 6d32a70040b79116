package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run runs the command line in-process from the repository root.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb strings.Builder
	code = Run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// TestValidateBadModels runs `sessionize validate` on every bad model and
// wants exit 2 and exactly the FILE:LINE:COL errors in its .err file.
func TestValidateBadModels(t *testing.T) {
	t.Chdir("..")
	for _, v := range []string{"SESSIONIZE_TEST_UNSET_USER", "SESSIONIZE_TEST_UNSET_DB"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	paths, _ := filepath.Glob("testdata/models/bad/*.yaml")
	if len(paths) < 20 {
		t.Fatalf("got %d bad models, want at least 20", len(paths))
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			want, err := os.ReadFile(strings.TrimSuffix(path, ".yaml") + ".err")
			if err != nil {
				t.Fatal(err)
			}
			code, _, stderr := runCLI(t, "validate", "-f", path)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if stderr != string(want) {
				t.Errorf("stderr:\n%s\nwant:\n%s", stderr, want)
			}
		})
	}
}

func TestValidateGoodModel(t *testing.T) {
	t.Chdir("..")
	code, stdout, stderr := runCLI(t, "validate")
	if code != 0 || !strings.Contains(stdout, "sessions.yaml: ok") {
		t.Errorf("validate sessions.yaml: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	t.Chdir("..")
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"run", "--no-such-flag"},
		{"render", "--dialect", "oracle"},
		{"render", "--mode", "sometimes"},
		{"export"},
		{"export", "no_such_table"},
		{"export", "sessions", "--format", "xml"},
		{"export", "--format", "xml", "sessions"},
		{"export", "sessions", "contact_sessions"},
		{"export", "--format", "csv", "sessions", "contact_sessions"},
		{"run", "--target", "nowhere"},
	} {
		if code, _, stderr := runCLI(t, args...); code != 2 {
			t.Errorf("sessionize %s: exit %d, want 2\n%s", strings.Join(args, " "), code, stderr)
		}
	}
}

// TestSeveralTargetsWithoutDefault: a model may leave default_target out
// when it has several targets (semantics §6: --target defaults to it); a command
// then needs --target, and says so (exit 2) without one.
func TestSeveralTargetsWithoutDefault(t *testing.T) {
	model := "../testdata/models/good/no_default_target.yaml"
	if code, _, stderr := runCLI(t, "validate", "-f", model); code != 0 {
		t.Errorf("validate: exit %d, want 0\n%s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "render", "-f", model); code != 2 || !strings.Contains(stderr, "--target") {
		t.Errorf("render without --target: exit %d, want 2 and a message naming --target\n%s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "render", "-f", model, "--target", "warehouse"); code != 0 {
		t.Errorf("render --target warehouse: exit %d, want 0\n%s", code, stderr)
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	t.Chdir("..")
	for _, d := range []string{"duckdb", "postgres", "clickhouse"} {
		_, a, _ := runCLI(t, "render", "--dialect", d, "--mode", "incremental")
		_, b, _ := runCLI(t, "render", "--dialect", d, "--mode", "incremental")
		if a == "" || a != b {
			t.Errorf("%s: two renders differ or are empty", d)
		}
	}
}
