package conformance

import (
	"context"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/cli"
)

// TestPostgresFailedRunKeepsNoSecret runs a model whose DSN carries its
// password as a query setting (postgres://u@h/db?password=...) and whose
// filter makes the server repeat the password (as a column it cannot find):
// the error of run, run --json, status and the runs table's error column
// say what failed with the password masked.
func TestPostgresFailedRunKeepsNoSecret(t *testing.T) {
	e, ok := postgresEngine(t)
	if !ok {
		t.Skip("no PostgreSQL here")
	}
	dsn := os.Getenv("SESSIONIZE_TEST_PG_DSN")
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	pw, ok := u.User.Password()
	if !ok || pw == "" {
		t.Skip("SESSIONIZE_TEST_PG_DSN has no password to keep secret")
	}
	f := setup(t, e, "UTC")
	u.User = url.User(u.User.Username())
	q := u.Query()
	q.Set("password", pw)
	u.RawQuery = q.Encode()
	src, _ := os.ReadFile(f.model)
	model := strings.Replace(string(src), dsn, u.String(), 1)
	model = strings.Replace(model, "- table: "+f.raw+".app\n", "- table: "+f.raw+".app\n        filter: '\""+strings.ReplaceAll(pw, "'", "''")+"\" IS NOT NULL'\n", 1)
	if err := os.WriteFile(f.model, []byte(model), 0o644); err != nil {
		t.Fatal(err)
	}
	// The password as a word of its own; a longer name that holds it
	// (_sessionize_runs, for the password sessionize) is not it.
	secret := regexp.MustCompile(`(^|[^A-Za-z0-9_])` + regexp.QuoteMeta(pw) + `($|[^A-Za-z0-9_])`)
	const masked = `column "xxxxx" does not exist`
	for _, args := range [][]string{{"run"}, {"run", "--json"}, {"status"}} {
		var out, errb strings.Builder
		code := cli.Run(context.Background(), append(args, "-f", f.model), strings.NewReader(""), &out, &errb)
		text := strings.ReplaceAll(out.String()+errb.String(), "sessionize: ", "") // the program's name
		if want := map[bool]int{true: 0, false: 1}[args[0] == "status"]; code != want {
			t.Errorf("%v: exit %d, want %d\n%s", args, code, want, text)
		}
		if secret.MatchString(text) {
			t.Errorf("%v printed the password:\n%s", args, text)
		}
		if !strings.Contains(text, masked) {
			t.Errorf("%v: output lacks %q:\n%s", args, masked, text)
		}
	}
	rows := f.runRows()
	if len(rows) == 0 {
		t.Fatal("no runs recorded")
	}
	for _, r := range rows {
		if secret.MatchString(r.err) || !strings.Contains(r.err, masked) {
			t.Errorf("runs table error %q: want %q and no password", r.err, masked)
		}
	}
}
