package version

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestBinary builds sessionize as a user would from a clone and wants
// `sessionize version --json` to name the driver modules at the versions
// go.mod selects, the commit that is checked out, and `--version` to print
// the same as `version`.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	// Others may commit while it builds: the binary's commit is HEAD as it
	// was before the build or after it.
	heads := map[string]bool{gitHead(t, root): true}
	bin := filepath.Join(t.TempDir(), "sessionize")
	// -buildvcs=auto stamps the commit when the tree is a clone and git is
	// installed, whatever GOFLAGS says.
	build := exec.Command("go", "build", "-buildvcs=auto", "-o", bin, "./cmd/sessionize")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		if !strings.Contains(string(out), "obtaining VCS status") {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		// git is there but cannot read the clone (another owner, say).
		t.Logf("building without the commit: %s", out)
		heads = map[string]bool{"": true}
		build = exec.Command("go", "build", "-buildvcs=false", "-o", bin, "./cmd/sessionize")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
	heads[gitHead(t, root)] = true

	out, err := exec.Command(bin, "version", "--json").Output()
	if err != nil {
		t.Fatalf("sessionize version --json: %v", err)
	}
	var got Info
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("sessionize version --json: %v\n%s", err, out)
	}
	if got.Go != runtime.Version() || got.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("go %q on %q, want %q on %s/%s", got.Go, got.Platform, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	}
	if got.DuckDB == "" {
		t.Errorf("duckdb (the library version) is empty")
	}
	for mod, v := range map[string]string{duckdbModule: got.DuckDBGo, pgxModule: got.Pgx, clickhouseModule: got.ClickHouseGo} {
		list := exec.Command("go", "list", "-m", "-f", "{{.Version}}", mod)
		list.Dir = root
		want, err := list.Output()
		if err != nil {
			t.Fatalf("go list -m %s: %v", mod, err)
		}
		if v != strings.TrimSpace(string(want)) {
			t.Errorf("%s: got %q, want %q (go list -m)", mod, v, strings.TrimSpace(string(want)))
		}
	}
	if !heads[""] {
		if !heads[got.Commit] || got.CommitTime == "" {
			t.Errorf("commit %q at %q, want HEAD (%v) and its time", got.Commit, got.CommitTime, heads)
		}
	}

	human, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("sessionize version: %v", err)
	}
	flag, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatalf("sessionize --version: %v", err)
	}
	if string(flag) != string(human) {
		t.Errorf("--version printed\n%s\nversion printed\n%s", flag, human)
	}
	for _, want := range []string{got.String(), got.DuckDB, got.Pgx, got.ClickHouseGo, got.Go} {
		if !strings.Contains(string(human), want) {
			t.Errorf("sessionize version lacks %q:\n%s", want, human)
		}
	}
}

// gitHead is the commit checked out in root, or "" when root is not a clone
// or git is not installed (then the binary carries no commit either).
func gitHead(t *testing.T, root string) string {
	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil {
		return ""
	}
	if _, err := exec.LookPath("git"); err != nil {
		return ""
	}
	rev := exec.Command("git", "rev-parse", "HEAD")
	rev.Dir = root
	head, err := rev.Output()
	if err != nil {
		t.Fatalf("git rev-parse HEAD: %v", err)
	}
	return strings.TrimSpace(string(head))
}
