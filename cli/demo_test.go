package cli

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDemo runs `sessionize demo` end to end on DuckDB and wants the
// crawlers' rows rejected with the bad rows, and sessions in every channel
// of the default list (enrichment §3.6).
func TestDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	code, stdout, stderr := runCLI(t, "demo", "--events", "20000", "--dir", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	num := func(re, s string) int {
		t.Helper()
		m := regexp.MustCompile(re).FindStringSubmatch(s)
		if m == nil {
			t.Fatalf("no match for %s in\n%s", re, s)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	bad := num(`(\d+) bad rows`, stderr)
	bots := num(`(\d+) from crawlers`, stderr)
	if bots == 0 {
		t.Errorf("no rows from crawlers:\n%s", stderr)
	}
	if got := num(`(?m)^rejected rows: (\d+)$`, stdout); got != bad+bots {
		t.Errorf("rejected rows: got %d, want %d bad rows + %d from crawlers", got, bad, bots)
	}
	_, table, ok := strings.Cut(stdout, "\nsessions per channel:\n")
	if !ok {
		t.Fatalf("no sessions per channel in\n%s", stdout)
	}
	for _, ch := range []string{"Direct", "Paid Search", "Paid Social", "Display", "Affiliates", "Email",
		"Organic Social", "Organic Search", "Referral", "Unassigned"} {
		if num(`(?m)^`+ch+` +(\d+) `, table) == 0 {
			t.Errorf("channel %s has no sessions", ch)
		}
	}
}
