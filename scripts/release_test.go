// Package scripts holds the release script's test; the scripts themselves
// are shell.
package scripts

import (
	"bufio"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/version"
)

// TestReleaseBuild runs scripts/release.sh for this machine's platform, as
// `make release TARGETS=...` does, and wants the binary to match its line in
// SHA256SUMS, to run, to report its platform, and on Linux to need no
// libstdc++ of the machine that runs it. It builds for minutes on a cold
// cache, so it runs only with SESSIONIZE_TEST_RELEASE=1 or in CI.
func TestReleaseBuild(t *testing.T) {
	if os.Getenv("SESSIONIZE_TEST_RELEASE") != "1" && os.Getenv("CI") != "true" {
		t.Skip("set SESSIONIZE_TEST_RELEASE=1 to build a release binary (minutes on a cold cache)")
	}
	platform := runtime.GOOS + "/" + runtime.GOARCH
	name := "sessionize-" + runtime.GOOS + "-" + runtime.GOARCH
	switch platform {
	case "linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64":
	default:
		t.Skipf("no release target for %s", platform)
	}
	dist := t.TempDir()
	cmd := exec.Command("./release.sh", platform)
	cmd.Env = append(os.Environ(), "DIST="+dist)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("release.sh %s: %v\n%s", platform, err, out)
	}

	sums, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	want := hashFile(t, filepath.Join(dist, name)) + "  " + name + "\n"
	if string(sums) != want {
		t.Errorf("SHA256SUMS:\n%s\nwant:\n%s", sums, want)
	}
	if tool, err := exec.LookPath("sha256sum"); err == nil {
		check := exec.Command(tool, "-c", "SHA256SUMS")
		check.Dir = dist
		if out, err := check.CombinedOutput(); err != nil {
			t.Errorf("sha256sum -c SHA256SUMS: %v\n%s", err, out)
		}
	}

	out, err := exec.Command(filepath.Join(dist, name), "version", "--json").Output()
	if err != nil {
		t.Fatalf("%s version --json: %v", name, err)
	}
	var v version.Info
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s version --json: %v\n%s", name, err, out)
	}
	if v.Platform != platform || v.DuckDB == "" {
		t.Errorf("%s version: platform %q, duckdb %q; want %s and the DuckDB library's version", name, v.Platform, v.DuckDB, platform)
	}

	if runtime.GOOS == "linux" {
		f, err := elf.Open(filepath.Join(dist, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		libs, err := f.ImportedLibraries()
		if err != nil {
			t.Fatal(err)
		}
		for _, lib := range libs {
			if strings.HasPrefix(lib, "libstdc++") || strings.HasPrefix(lib, "libgcc_s") {
				t.Errorf("%s needs %s at run time (%v); want it linked in", name, lib, libs)
			}
		}
	}
}

// hashFile is the hex SHA-256 of the file at path.
func hashFile(t *testing.T, path string) string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, bufio.NewReader(f)); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}
