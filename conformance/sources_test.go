package conformance

import (
	"crypto/md5"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/cli"
)

// sessionRows are the exported sessions as "contact property start end
// count" lines, in export order.
func sessionRows(t *testing.T, recs [][]string) []string {
	t.Helper()
	head := map[string]int{}
	for i, c := range recs[0] {
		head[c] = i
	}
	var out []string
	for _, r := range recs[1:] {
		out = append(out, strings.Join([]string{r[head["contact_id"]], r[head["property"]],
			r[head["session_start"]], r[head["session_end"]], r[head["event_count"]]}, " "))
	}
	return out
}

// TestTextTimestampsKeepTheirOffset: a text-typed timestamp column works
// (semantics §3.1) and all timestamps are UTC (semantics §3), so text with an offset
// is read at its UTC instant and text without one as UTC, on every engine.
// Read without the offset, 02:00+02:00 would lie two hours after the others
// and start a session of its own.
func TestTextTimestampsKeepTheirOffset(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			f := setup(t, e, "")
			f.exec("DROP TABLE "+f.raw+".web",
				fmt.Sprintf(`CREATE TABLE %s.web (id %s, "timestamp" %s, user_id %s, anonymous_id %s, received_at %s, event %s, url %s)`,
					f.raw, e.textType, e.textType, e.textType, e.textType, e.textType, e.textType, e.textType)+e.tableSuffix)
			var stmts []string
			for _, r := range [][2]string{
				{"e1", "2024-01-01T02:00:00+02:00"},   // 00:00:00 UTC
				{"e2", "2024-01-01 00:20:00"},         // UTC
				{"e3", "2023-12-31T19:10:00.5-05:00"}, // 00:10:00.5 UTC
				{"e4", "2024-01-01T00:49:59.999999Z"}, // 29:59.999999 after e2: same session
				{"e5", "2024-01-01T01:19:59.999999Z"}, // 30:00 after e4: a new one
			} {
				stmts = append(stmts, fmt.Sprintf(`INSERT INTO %s.web (id, "timestamp", anonymous_id, received_at) VALUES (%s, %s, 'a1', %s)`,
					f.raw, lit(r[0]), lit(r[1]), lit(r[1])))
			}
			f.exec(stmts...)
			f.sessionize(0, "run", "--full-refresh")
			got := sessionRows(t, f.export("sessions"))
			want := []string{
				"a1 marketing 2024-01-01 00:00:00 2024-01-01 00:49:59.999999 4",
				"a1 marketing 2024-01-01 01:19:59.999999 2024-01-01 01:19:59.999999 1",
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("sessions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestFileSources: DuckDB reads .json, .jsonl and .csv files (semantics §2). A
// JSON file where no object has one of the model's columns reads it as NULL
// (JSON writers leave out null keys: a batch of anonymous events has no
// user_id), an empty file is a source with no rows (semantics §3.1), text
// timestamps keep their offset, and ids are taken as they are (semantics §3): a
// CSV id not as the number DuckDB's sniffer makes of it, a JSON string id
// without quotes when other rows' ids are numbers (md5 of u1|w1 below).
func TestFileSources(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	web := write("web.jsonl", `{"id": "w1", "timestamp": "2024-01-01T02:00:00+02:00", "anonymous_id": "a1", "url": "https://x/pricing"}
{"id": "w2", "timestamp": "2024-01-01T00:10:00Z", "anonymous_id": "a1", "url": "https://x/signup"}
{"id": 3, "timestamp": "2024-01-01T00:05:00Z", "anonymous_id": "a1", "url": "https://x/docs"}
`)
	app := write("app.json", `[{"id": "p1", "timestamp": "2024-01-01 00:15:00", "user_id": "u1", "anonymous_id": "a1", "event": "signed_up"}]`)
	docs := write("docs.jsonl", "")
	ids := write("identifies.json", "[]")
	help := write("help.csv", "id,timestamp,user_id,anonymous_id,received_at,url\n1.50,2024-01-01 03:00:00,,007,2024-01-01 03:00:01,https://x/help\n")
	model := write("sessions.yaml", fmt.Sprintf(`version: 1
name: files
sources:
  - name: web
    type: marketing
    tables:
      - table: %q
        columns: {loaded_at: null, event: null}
  - name: app
    type: product
    tables:
      - table: %q
        columns: {loaded_at: null, url: null}
  - name: docs
    type: asset
    class: docs
    tables:
      - table: %q
        columns: {loaded_at: null}
  - name: help
    type: asset
    class: help-center
    tables:
      - table: %q
        columns: {event: null}
identifies:
  - table: %q
    columns: {loaded_at: null}
output:
  schema: sessionize
targets:
  local: {dialect: duckdb, path: %q}
default_target: local
`, web, app, docs, help, ids, filepath.Join(dir, "out.duckdb")))
	sessionize := func(args ...string) string {
		t.Helper()
		var out, errb strings.Builder
		full := append([]string{args[0], "-f", model}, args[1:]...)
		if code := cli.Run(t.Context(), full, strings.NewReader(""), &out, &errb); code != 0 {
			t.Fatalf("sessionize %s: exit %d\n%s", strings.Join(args, " "), code, errb.String())
		}
		return out.String()
	}
	sessionize("run", "--full-refresh")
	got := strings.TrimSpace(sessionize("export", "contact_sessions"))
	lines := strings.Split(got, "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[2], fmt.Sprintf("%x,u1,", md5.Sum([]byte("u1|w1")))) {
		t.Fatalf("contact_sessions:\n%s\nwant a row of 007 and then one of u1", got)
	}
	// The CSV row: contact "007" (not 7), session id over event id "1.50"
	// (not 1.5), in the asset:help-center property.
	help007 := fmt.Sprintf("%x,007,asset:help-center,asset,help-center,1,2024-01-01 03:00:00,", md5.Sum([]byte("007|asset:help-center|1.50")))
	if s := sessionize("export", "sessions"); !strings.Contains(s, "\n"+help007) {
		t.Errorf("sessions:\n%s\nwant a row starting %s", s, help007)
	}
	lines = lines[1:]
	// export takes its flags before the table as well as after it
	if a, b := sessionize("export", "--format", "jsonl", "sessions"), sessionize("export", "sessions", "--format", "jsonl"); a != b || !strings.HasPrefix(a, "{") {
		t.Errorf("export --format jsonl sessions:\n%s\nexport sessions --format jsonl:\n%s\nwant the same JSON lines", a, b)
	}
	// u1's one contact session: the two marketing events of a1 (stitched to
	// u1 by the app event) and the app event, from 00:00 to 00:15 UTC,
	// entered at the pricing page and prompting the product.
	for _, want := range []string{"u1,", `2024-01-01 00:00:00,2024-01-01 00:15:00,900,4,2,"marketing,product",true,marketing,`, "https://x/pricing,true,true,new"} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("contact_sessions row %q lacks %q", lines[1], want)
		}
	}
}
