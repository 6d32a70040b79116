//go:build unix

package report

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The browser test opens the demo report in headless Chromium (Debian's
// chromium package; CI installs it with .ci/chromium.sh) and fails if the
// page logs a JavaScript error, requests anything but the file itself, or
// lacks the five charts. It keeps a screenshot as an artifact.
//
// Chromium is driven by its command line alone: --dump-dom prints the page
// after it loaded, and a probe script, inserted into a copy of the page right
// after its Content-Security-Policy, writes what it saw into attributes of
// <html>: JavaScript errors, CSP violations (any request off the file is
// one), and the resources the page fetched. Chromium's own console log on
// stderr is checked as well.

const defaultChromium = "/usr/bin/chromium"

// probe collects problems into data-probe-* attributes of <html>.
const probe = `<script>
(function () {
  var root = document.documentElement, problems = [];
  function note(s) {
    problems.push(String(s));
    root.setAttribute("data-probe-problems", JSON.stringify(problems));
  }
  window.addEventListener("error", function (e) {
    if (e instanceof ErrorEvent) {
      note("javascript error: " + e.message + " at " + e.filename + ":" + e.lineno);
    } else {
      var t = e.target || {};
      note("failed to load " + (t.src || t.href || t.tagName));
    }
  }, true);
  window.addEventListener("unhandledrejection", function (e) { note("unhandled rejection: " + e.reason); });
  document.addEventListener("securitypolicyviolation", function (e) {
    note("blocked request: " + e.blockedURI + " (" + e.violatedDirective + ")");
  });
  ["error", "warn"].forEach(function (level) {
    var orig = console[level];
    console[level] = function () {
      note("console." + level + ": " + Array.prototype.join.call(arguments, " "));
      return orig.apply(console, arguments);
    };
  });
  window.addEventListener("load", function () {
    setTimeout(function () {
      var names = performance.getEntriesByType("resource").map(function (r) { return r.name; });
      root.setAttribute("data-probe-resources", JSON.stringify(names));
      // Sort the first table by contacts, as a user would by clicking.
      var table = document.querySelector('table[data-table="assets-by-sessions"]');
      var th = table.tHead.rows[0].cells[4];
      th.click();
      var sorted = Array.prototype.map.call(table.tBodies[0].rows, function (r) { return Number(r.cells[4].getAttribute("data-v")); });
      root.setAttribute("data-probe-sorted", JSON.stringify(sorted));
      root.setAttribute("data-probe-done", "true");
    }, 50);
  });
})();
</script>`

// chromium returns the browser's path, or skips the test when it is
// missing outside CI; in CI (CI=true) a missing browser fails.
func chromium(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("SESSIONIZE_CHROMIUM")
	if bin == "" {
		bin = defaultChromium
	}
	if _, err := os.Stat(bin); err != nil {
		msg := "headless Chromium not found at " + bin + " (set SESSIONIZE_CHROMIUM, or install Debian's chromium: apt-get install chromium)"
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s; CI installs it with .ci/chromium.sh", msg)
		}
		t.Skip(msg)
	}
	return bin
}

// headless runs Chromium on a file:// page with args added, in a fresh
// profile, and returns its stdout and stderr.
func headless(t *testing.T, bin, page string, args ...string) (stdout, stderr []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	all := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
		"--user-data-dir=" + t.TempDir(), "--hide-scrollbars", "--virtual-time-budget=5000",
		"--enable-logging=stderr", "--v=0",
	}, args...)
	all = append(all, "file://"+page)
	cmd := exec.CommandContext(ctx, bin, all...)
	// Chromium starts helper processes; a timeout ends them all.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\nstderr:\n%s", strings.Join(args, " "), err, tail(errb.String(), 40))
	}
	return out.Bytes(), errb.Bytes()
}

// consoleLine is a message of the page's console in Chromium's log.
var consoleLine = regexp.MustCompile(`(?m)^.*:CONSOLE\b.*$`)

// inspection is what the probe found on one page.
type inspection struct {
	problems, resources []string
	sorted              []int64
	charts              []string
	ready, done         bool
	console             []string
	dom                 string
}

// inspect opens a copy of the page with the probe in it and reads what it found.
func inspect(t *testing.T, bin, html string) inspection {
	t.Helper()
	const csp = `<meta http-equiv="Content-Security-Policy"`
	i := strings.Index(html, csp)
	if i < 0 {
		t.Fatal("the page has no Content-Security-Policy meta tag to put the probe after")
	}
	i += strings.Index(html[i:], ">") + 1
	probed := html[:i] + "\n" + probe + html[i:]
	path := filepath.Join(t.TempDir(), "probed.html")
	if err := os.WriteFile(path, []byte(probed), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr := headless(t, bin, path, "--dump-dom")
	dom := string(stdout)
	var in inspection
	in.dom = dom
	in.console = consoleLine.FindAllString(string(stderr), -1)
	root := regexp.MustCompile(`<html[^>]*>`).FindString(dom) // the <html> start tag
	in.ready = strings.Contains(root, `data-ready="true"`)
	in.done = strings.Contains(root, `data-probe-done="true"`)
	jsonAttr := func(name string, v any) {
		m := regexp.MustCompile(name + `="([^"]*)"`).FindStringSubmatch(root)
		if m == nil {
			return
		}
		s := strings.NewReplacer("&quot;", `"`, "&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(m[1])
		if err := json.Unmarshal([]byte(s), v); err != nil {
			t.Errorf("%s: %v in %q", name, err, s)
		}
	}
	jsonAttr("data-probe-problems", &in.problems)
	jsonAttr("data-probe-resources", &in.resources)
	jsonAttr("data-probe-sorted", &in.sorted)
	for _, m := range regexp.MustCompile(`<svg [^>]*data-chart="([^"]+)"`).FindAllStringSubmatch(dom, -1) {
		in.charts = append(in.charts, m[1])
	}
	return in
}

func TestReportInBrowser(t *testing.T) {
	bin := chromium(t)
	_, page := renderDemo(t, Options{})

	dir := os.Getenv("SESSIONIZE_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	dir, _ = filepath.Abs(dir)
	report := filepath.Join(dir, "report.html")
	if err := os.WriteFile(report, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}

	t.Run("loads cleanly", func(t *testing.T) {
		in := inspect(t, bin, page)
		if !in.done {
			t.Fatalf("the probe did not finish; dumped DOM starts %q", tail(in.dom[:min(len(in.dom), 600)], 10))
		}
		if !in.ready {
			t.Errorf("the page's script did not finish (no data-ready on <html>)")
		}
		for _, p := range in.problems {
			t.Errorf("page problem: %s", p)
		}
		for _, c := range in.console {
			t.Errorf("page logged: %s", c)
		}
		if len(in.resources) > 0 {
			t.Errorf("the page requested %q; want nothing but the file itself", in.resources)
		}
		got, want := slices.Sorted(slices.Values(in.charts)), slices.Sorted(slices.Values(chartIDs))
		if !slices.Equal(got, want) {
			t.Errorf("charts in the DOM: got %q, want %q", got, want)
		}
		if len(in.sorted) < 2 {
			t.Errorf("sorted column: got %v, want the table's contacts", in.sorted)
		}
		for i := 1; i < len(in.sorted); i++ {
			if in.sorted[i] > in.sorted[i-1] {
				t.Errorf("clicking Contacts did not sort the table by contacts, descending: got %v", in.sorted)
				break
			}
		}
	})

	// The probe must catch what it is there to catch, or its silence means nothing.
	t.Run("probe catches problems", func(t *testing.T) {
		bad := strings.Replace(page, "</body>", `<img src="https://example.invalid/pixel.png" alt=""><script>notDefined();</script></body>`, 1)
		in := inspect(t, bin, bad)
		all := strings.Join(in.problems, "\n")
		for _, want := range []string{"blocked request: https://example.invalid/pixel.png", "javascript error: Uncaught ReferenceError: notDefined"} {
			if !strings.Contains(all, want) {
				t.Errorf("problems: got %q, want one containing %q", in.problems, want)
			}
		}
		if len(in.console) == 0 {
			t.Errorf("Chromium's log shows no console messages for a broken page")
		}
	})

	t.Run("screenshot", func(t *testing.T) {
		shot := filepath.Join(dir, "report.png")
		os.Remove(shot)
		headless(t, bin, report, "--window-size=1280,2400", "--screenshot="+shot)
		f, err := os.Open(shot)
		if err != nil {
			t.Fatalf("no screenshot: %v", err)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		b := img.Bounds()
		if b.Dx() != 1280 || b.Dy() != 2400 {
			t.Errorf("screenshot size: got %dx%d, want 1280x2400", b.Dx(), b.Dy())
		}
		// A blank page is one color; the report has many.
		colors := map[uint32]bool{}
		for y := b.Min.Y; y < b.Max.Y; y += 7 {
			for x := b.Min.X; x < b.Max.X; x += 7 {
				r, g, bb, _ := img.At(x, y).RGBA()
				colors[r>>11<<10|g>>11<<5|bb>>11] = true
			}
		}
		if len(colors) < 20 {
			t.Errorf("the screenshot looks blank: %d colors", len(colors))
		}
		t.Logf("screenshot of the demo report: %s (page: %s)", shot, report)
	})
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
