package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoHints wants the demo's hints to name commands that work as
// printed, however sessionize was started.
func TestDemoHints(t *testing.T) {
	clone := t.TempDir()
	if err := os.WriteFile(filepath.Join(clone, "go.mod"), []byte("module "+modulePath+"\n\ngo 1.26.8\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "demo")
	goRun := filepath.Join(os.TempDir(), "go-build123456", "b001", "exe", "sessionize")
	cd := func(dir, inv string) string {
		return "cd " + dir + "\n" + inv + " status\n" + inv + " export sessions | head\n" + inv + " render -o sql\n" + inv + " report --since 2026-03-01"
	}
	for _, tc := range []struct {
		name, arg0, cwd, dir, want string
	}{
		{"on the PATH", "sessionize", clone, "sessionize-demo", cd("sessionize-demo", "sessionize")},
		{"built in the clone", "./sessionize", clone, "sessionize-demo", cd("sessionize-demo", "../sessionize")},
		{"built, demo beside it", "./sessionize", clone, ".", cd(".", "./sessionize")},
		{"absolute path", "/opt/sessionize/bin/sessionize", clone, "d", cd("d", "/opt/sessionize/bin/sessionize")},
		{"paths with spaces", "/opt/my tools/sessionize", clone, "my demo", cd("'my demo'", "'/opt/my tools/sessionize'")},
		{"go run in the clone", goRun, clone, "sessionize-demo", cd("sessionize-demo", "go run ../cmd/sessionize")},
		{"go run from cmd/sessionize", goRun, filepath.Join(clone, "cmd", "sessionize"), "d", cd("d", "go run ..")},
		{"go run, demo outside the clone", goRun, clone, outside, strings.Join([]string{
			"go run ./cmd/sessionize status -f " + outside + "/sessions.yaml",
			"go run ./cmd/sessionize export -f " + outside + "/sessions.yaml sessions | head",
			"go run ./cmd/sessionize render -f " + outside + "/sessions.yaml -o " + outside + "/sql",
			"go run ./cmd/sessionize report -f " + outside + "/sessions.yaml -o " + outside + "/report.html --since 2026-03-01",
		}, "\n")},
		{"go run outside a clone", goRun, other, "d", cd("d", "go run "+modulePath+"/cmd/sessionize@latest")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := strings.Join(demoHints(tc.arg0, tc.cwd, tc.dir), "\n"); got != tc.want {
				t.Errorf("demoHints(%q, %q, %q):\n%s\nwant:\n%s", tc.arg0, tc.cwd, tc.dir, got, tc.want)
			}
		})
	}
}
