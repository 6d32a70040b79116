package conformance

import (
	"bufio"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sessionize/sessionize/cli"
	"github.com/sessionize/sessionize/render"
)

// verifyEvents are published by a full run (first) and an incremental one:
// contacts u1-u5, a late event, an identify that re-attributes an
// anonymous visitor's past event, and rows rejected on the way.
var verifyEvents = [2][]event{{
	{table: "web", id: "w1", ts: "2024-03-01 10:00:00", anon: "a1", loaded: "2024-03-07 00:00:00", url: "https://example.com/blog"},
	{table: "app", id: "p1", ts: "2024-03-01 10:10:00", user: "u1", anon: "a1", loaded: "2024-03-07 00:00:00", name: "Signed Up"},
	{table: "app", id: "p2", ts: "2024-03-01 10:20:00", user: "u1", loaded: "2024-03-07 00:00:00", name: "Report Viewed"},
	{table: "docs", id: "d1", ts: "2024-03-02 09:00:00", user: "u2", loaded: "2024-03-07 00:00:00", url: "/docs/a"},
	{table: "app", id: "p3", ts: "2024-03-02 09:05:00", user: "u2", loaded: "2024-03-07 00:00:00", name: "Query Run"},
	{table: "blog", id: "b1", ts: "2024-03-03 12:00:00", anon: "a9", loaded: "2024-03-07 00:00:00", url: "/blog/x"},
	{table: "web", id: "w2", ts: "2024-03-04 08:00:00", user: "u3", loaded: "2024-03-07 00:00:00"},
	{table: "app", id: "p4", ts: "2024-03-04 09:00:00", user: "u3", loaded: "2024-03-07 00:00:00", name: "Query Run"},
	{table: "app", id: "p5", ts: "2024-03-05 09:00:00", user: "u4", loaded: "2024-03-07 00:00:00", name: "Query Run"},
	{table: "app", id: "r1", ts: "2024-03-05 10:00:00", loaded: "2024-03-07 00:00:00", name: "Query Run"},
	{table: "web", id: "w3", ts: "2024-03-06 07:00:00", user: "u5", loaded: "2024-03-07 00:00:00"},
}, {
	{table: "app", id: "p6", ts: "2024-03-10 09:00:00", user: "u1", loaded: "2024-03-11 00:00:00", name: "Query Run"},
	{table: "app", id: "p7", ts: "2024-03-01 10:25:00", user: "u1", loaded: "2024-03-11 00:00:00", name: "Query Run"},
	{table: "docs", id: "r2", user: "u2", loaded: "2024-03-11 00:00:00"},
}}

var verifyIdentifies = []identify{{id: "i1", user: "u5", anon: "a9", ts: "2024-03-03 11:00:00", loaded: "2024-03-11 00:00:00"}}

// publishVerifyEvents loads the events in two batches and runs after each.
func publishVerifyEvents(f *fixture) {
	f.load(verifyEvents[0], nil)
	f.sessionize(0, "run")
	f.load(verifyEvents[1], verifyIdentifies)
	f.sessionize(0, "run")
}

// dropScratchAtEnd drops verify's scratch schema when the test ends, should
// a failure leave it (on a server, or chdb's shared data directory).
func (f *fixture) dropScratchAtEnd() {
	scratch := render.VerifySchema(f.m.Output.Schema)
	drop := "DROP SCHEMA IF EXISTS " + scratch + " CASCADE"
	if f.e.name == "clickhouse" {
		drop = "DROP DATABASE IF EXISTS " + scratch
	}
	f.t.Cleanup(func() {
		if db, err := f.connect(); err == nil {
			db.Exec(drop)
			db.Close()
		}
	})
}

// verify runs `sessionize verify` with args, wants exit code want, and
// returns its stdout and stderr.
func (f *fixture) verify(want int, args ...string) (stdout, stderr string) {
	f.t.Helper()
	var out, errb strings.Builder
	full := append([]string{"verify", "-f", f.model}, args...)
	if code := cli.Run(context.Background(), full, strings.NewReader(""), &out, &errb); code != want {
		f.t.Fatalf("sessionize %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(full, " "), code, want, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

// scratchLeft reports whether verify's scratch schema exists.
func (f *fixture) scratchLeft() bool {
	f.t.Helper()
	db, err := f.connect()
	if err != nil {
		f.t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.Get(&n, "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = '"+render.VerifySchema(f.m.Output.Schema)+"'"); err != nil {
		f.t.Fatal(err)
	}
	return n > 0
}

// corrupt changes the published outputs behind sessionize's back. On
// ClickHouse the published rows are those of the last successful run in
// <table>__data (see templates/clickhouse/00_setup).
func (f *fixture) corrupt(sessionEvents, deleteContactSession, duplicateRejected string) {
	f.t.Helper()
	out := f.m.Output.Schema
	var stmts []string
	if f.e.name == "clickhouse" {
		gen := "(SELECT max(run_id) FROM " + out + "._sessionize_run_log WHERE status = 'success')"
		if sessionEvents != "" {
			stmts = append(stmts, "ALTER TABLE "+out+".sessions__data UPDATE event_count = event_count + 1 WHERE session_id = '"+sessionEvents+"' SETTINGS mutations_sync = 2")
		}
		if deleteContactSession != "" {
			stmts = append(stmts, "ALTER TABLE "+out+".contact_sessions__data DELETE WHERE contact_session_id = '"+deleteContactSession+"' SETTINGS mutations_sync = 2")
		}
		if duplicateRejected != "" {
			stmts = append(stmts, "INSERT INTO "+out+".rejected_events__data SELECT * FROM "+out+".rejected_events__data WHERE gen = "+gen+" AND event_id = '"+duplicateRejected+"'")
		}
	} else {
		if sessionEvents != "" {
			stmts = append(stmts, "UPDATE "+out+".sessions SET event_count = event_count + 1 WHERE session_id = '"+sessionEvents+"'")
		}
		if deleteContactSession != "" {
			stmts = append(stmts, "DELETE FROM "+out+".contact_sessions WHERE contact_session_id = '"+deleteContactSession+"'")
		}
		if duplicateRejected != "" {
			stmts = append(stmts, "INSERT INTO "+out+".rejected_events SELECT * FROM "+out+".rejected_events WHERE event_id = '"+duplicateRejected+"'")
		}
	}
	f.exec(stmts...)
}

// sampled are the first n of the contacts by lowercase hex md5, as verify
// --sample n chooses them (semantics §5), computed here independently of SQL.
func sampled(n int, contacts ...string) []string {
	hexOf := func(s string) string { sum := md5.Sum([]byte(s)); return hex.EncodeToString(sum[:]) }
	sort.Slice(contacts, func(i, j int) bool { return hexOf(contacts[i]) < hexOf(contacts[j]) })
	return contacts[:n]
}

// lines are the non-empty lines of s, sorted.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

var sessionsCompared = regexp.MustCompile(`sessions +(\d+) published +(\d+) recomputed rows`)

// TestVerify publishes the outputs of a full and an incremental run and
// wants verify to find them equal to a full recomputation (exit 0), then
// corrupts published rows one by one and wants each named, with the
// column and both values, and exit 5; --sample compares the sampled
// contacts only and catches a corrupted one. Verify writes nothing to the
// published outputs and leaves no scratch schema behind.
func TestVerify(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			f := setup(t, e, "UTC")
			f.dropScratchAtEnd()
			publishVerifyEvents(f)
			before := outputs(f)

			stdout, stderr := f.verify(0)
			if stdout != "" {
				t.Errorf("verify of exact outputs printed differences:\n%s", stdout)
			}
			if !strings.Contains(stderr, "compared 6 tables over all contacts") || !strings.Contains(stderr, " 0 differences") {
				t.Errorf("verify's summary does not say it compared the 6 tables and found nothing:\n%s", stderr)
			}
			if f.scratchLeft() {
				t.Error("verify left its scratch schema behind")
			}

			// The sample: two of the five contacts, the same ones on every
			// engine; a corrupted session of a contact outside it goes
			// unseen, one inside it is caught.
			sample := sampled(2, "u1", "u2", "u3", "u4", "u5")
			var outside string
			for _, c := range []string{"u1", "u2", "u3", "u4", "u5"} {
				if !slices.Contains(sample, c) {
					outside = c
					break
				}
			}
			firstEvent := map[string]string{"u1": "p1", "u2": "p3", "u3": "p4", "u4": "p5", "u5": ""}
			if outside == "u5" {
				t.Fatalf("sample %v: this test wants a contact with product events outside it", sample)
			}
			_, stderr = f.verify(0, "--sample", "2")
			if !strings.Contains(stderr, "a sample of 2 contacts") || !strings.Contains(stderr, "compared 2 tables") {
				t.Errorf("verify --sample 2 does not say it compared 2 tables over 2 contacts:\n%s", stderr)
			}
			want := 0
			for _, r := range f.export("sessions")[1:] {
				if slices.Contains(sample, r[1]) {
					want++
				}
			}
			if m := sessionsCompared.FindStringSubmatch(stderr); m == nil || m[1] != fmt.Sprint(want) || m[2] != fmt.Sprint(want) {
				t.Errorf("verify --sample 2 compared %v sessions, want %d published and recomputed (those of %v):\n%s", m, want, sample, stderr)
			}

			if !mapsEqual(outputs(f), before) {
				t.Error("verify changed the published outputs")
			}

			outsideSession := id(outside, "product", firstEvent[outside])
			inside := sample[0]
			if firstEvent[inside] == "" {
				inside = sample[1]
			}
			insideSession := id(inside, "product", firstEvent[inside])
			f.corrupt(outsideSession, "", "")
			f.corrupt(insideSession, "", "")
			count := map[string]int{"u1": 3, "u2": 1, "u3": 1, "u4": 1} // events of each first product session
			stdout, _ = f.verify(5, "--sample", "2", "--json")
			var diffs []string
			for _, l := range lines(stdout) {
				var d struct {
					Table      string            `json:"table"`
					Key        map[string]string `json:"key"`
					Column     string            `json:"column"`
					Published  any               `json:"published"`
					Recomputed any               `json:"recomputed"`
				}
				if err := json.Unmarshal([]byte(l), &d); err != nil {
					t.Fatalf("verify --json: %v: %s", err, l)
				}
				diffs = append(diffs, fmt.Sprintf("%s %v %s %v %v", d.Table, d.Key, d.Column, d.Published, d.Recomputed))
			}
			wantDiffs := []string{fmt.Sprintf("sessions map[session_id:%s] event_count %d %d", insideSession, count[inside]+1, count[inside])}
			if !slices.Equal(diffs, wantDiffs) {
				t.Errorf("verify --sample 2 --json (sample %v, %s corrupted outside it):\ngot  %q\nwant %q", sample, outside, diffs, wantDiffs)
			}

			f.corrupt("", id("u2", "d1"), "r1")
			stdout, stderr = f.verify(5)
			wantLines := []string{
				"contact_sessions\tcontact_session_id=" + id("u2", "d1") + "\t(rows)\t0\t1",
				"rejected_events\tevent_id=r1 source=app timestamp=2024-03-05 10:00:00 loaded_at=2024-03-07 00:00:00 reason=missing_identity\t(rows)\t2\t1",
			}
			for _, c := range []string{inside, outside} {
				wantLines = append(wantLines, fmt.Sprintf("sessions\tsession_id=%s\tevent_count\t%d\t%d", id(c, "product", firstEvent[c]), count[c]+1, count[c]))
			}
			sort.Strings(wantLines)
			if got := lines(stdout); !slices.Equal(got, wantLines) {
				t.Errorf("verify:\ngot  %q\nwant %q", got, wantLines)
			}
			if !strings.Contains(stderr, " 4 differences") {
				t.Errorf("verify's summary does not count 4 differences:\n%s", stderr)
			}
			if f.scratchLeft() {
				t.Error("verify left its scratch schema behind")
			}
		})
	}
}

func mapsEqual(a, b map[string][][]string) bool {
	for k := range a {
		if !slices.EqualFunc(a[k], b[k], slices.Equal) {
			return false
		}
	}
	return len(a) == len(b)
}

// TestVerifyHoldsTheLock starts a verify in another process and wants a run
// and a second verify refused with exit 3 while it recomputes (nothing
// publishes mid-compare), `run --json` to report the refusal, and, after
// the verify is killed, the next verify to drop the scratch schema it left
// and succeed. Before anything is published, verify exits 1.
func TestVerifyHoldsTheLock(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			f := setup(t, e, "UTC")
			f.dropScratchAtEnd()
			if _, stderr := f.verify(1); !strings.Contains(stderr, "nothing is published") {
				t.Errorf("verify before any run does not say nothing is published: %s", stderr)
			}
			f.bulk(0, 200000, "2024-04-01 00:00:00")
			f.sessionize(0, "run")

			if e.beforeChild != nil {
				e.beforeChild()
			}
			cmd := exec.Command(binary(t), "verify", "-f", f.model)
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { cmd.Process.Kill(); cmd.Wait() }()
			progress := make(chan string, 100)
			go func() {
				s := bufio.NewScanner(stderr)
				for s.Scan() {
					progress <- s.Text()
				}
				close(progress)
			}()
			if !waitFor(progress, "00_setup") {
				t.Fatal("the verify ended before it began recomputing")
			}
			var out, errb strings.Builder
			if code := cli.Run(context.Background(), []string{"run", "-f", f.model}, strings.NewReader(""), &out, &errb); code != 3 {
				t.Fatalf("run while verify holds the lock: exit %d, want 3\n%s", code, errb.String())
			}
			rep := runJSON(t, 3, "run", "-f", f.model, "--json")
			if rep.Status != "refused" || rep.ExitCode != 3 || !strings.Contains(rep.Error, "locked by another run") {
				t.Errorf("run --json while locked: got %+v, want status refused, exit_code 3 and who holds the lock", rep)
			}
			f.verify(3)
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			if !f.scratchLeft() {
				t.Error("the killed verify left no scratch schema; this test wants one to see the next verify drop it")
			}

			// The killed verify's lock goes with its process (on PostgreSQL
			// with its server session, which notices within a second).
			for try := 0; ; try++ {
				var out, errb strings.Builder
				code := cli.Run(context.Background(), []string{"verify", "-f", f.model}, strings.NewReader(""), &out, &errb)
				if code == 0 {
					break
				}
				if code != 3 || try > 100 {
					t.Fatalf("verify after the first was killed: exit %d\n%s%s", code, out.String(), errb.String())
				}
				time.Sleep(200 * time.Millisecond)
			}
			if f.scratchLeft() {
				t.Error("the scratch schema of the killed verify is left")
			}
		})
	}
}
