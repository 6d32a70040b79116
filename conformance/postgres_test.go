package conformance

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/jmoiron/sqlx"

	"github.com/sessionize/sessionize/cli"
)

// postgresEngine is PostgreSQL at $SESSIONIZE_TEST_PG_DSN, with schemas of
// the test's own. Without a DSN it is missing: a failure in CI, else a skip.
func postgresEngine(t *testing.T) (engine, bool) {
	dsn := os.Getenv("SESSIONIZE_TEST_PG_DSN")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("SESSIONIZE_TEST_PG_DSN is not set: .ci/run starts PostgreSQL and sets it")
		}
		t.Log("postgres: SESSIONIZE_TEST_PG_DSN is not set, so PostgreSQL is not tested (run .ci/run to test it)")
		return engine{}, false
	}
	return engine{
		name:     "postgres",
		textType: "TEXT",
		tsType:   "TIMESTAMP",
		open: func(t *testing.T) (string, string, string, func() (*sqlx.DB, error)) {
			n := seq.Add(1)
			raw := fmt.Sprintf("raw_%d_%d", os.Getpid(), n)
			out := fmt.Sprintf("out_%d_%d", os.Getpid(), n)
			connect := func() (*sqlx.DB, error) { return sqlx.Open("pgx", dsn) }
			t.Cleanup(func() {
				db, err := connect()
				if err != nil {
					return
				}
				defer db.Close()
				db.ExecContext(context.Background(), "DROP SCHEMA IF EXISTS "+raw+" CASCADE")
				db.ExecContext(context.Background(), "DROP SCHEMA IF EXISTS "+out+" CASCADE")
			})
			return fmt.Sprintf("{dialect: postgres, dsn: %q}", dsn), raw, out, connect
		},
	}, true
}

// TestPostgresErrorsNameWhatToDo wants a missing source table (exit 2) and
// a wrong password (exit 1) to end with a message naming the target and
// what to do, and never the password.
func TestPostgresErrorsNameWhatToDo(t *testing.T) {
	e, ok := postgresEngine(t)
	if !ok {
		t.Skip("no PostgreSQL here")
	}
	f := setup(t, e, "UTC")
	f.exec("DROP TABLE " + f.raw + ".docs")
	var out, errb strings.Builder
	// The run's check of the target finds it before step 0 (exit 2: the
	// model does not fit the target).
	if code := cli.Run(context.Background(), []string{"run", "-f", f.model}, strings.NewReader(""), &out, &errb); code != 2 {
		t.Fatalf("missing table: exit %d, want 2\n%s", code, errb.String())
	}
	for _, want := range []string{"target test", f.raw + ".docs", "does not exist", "create it"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("missing table: message lacks %q: %s", want, errb.String())
		}
	}

	u, err := url.Parse(os.Getenv("SESSIONIZE_TEST_PG_DSN"))
	if err != nil {
		t.Fatal(err)
	}
	const secret = "Wr0ng-s3cret-pw"
	u.User = url.UserPassword(u.User.Username(), secret)
	src, _ := os.ReadFile(f.model)
	bad := strings.Replace(string(src), os.Getenv("SESSIONIZE_TEST_PG_DSN"), u.String(), 1)
	os.WriteFile(f.model, []byte(bad), 0o644)
	for _, args := range [][]string{{"run"}, {"run", "--json"}, {"status"}, {"export", "sessions"}} {
		out.Reset()
		errb.Reset()
		code := cli.Run(context.Background(), append(args, "-f", f.model), strings.NewReader(""), &out, &errb)
		if code != 1 {
			t.Errorf("%v with a wrong password: exit %d, want 1", args, code)
		}
		if strings.Contains(out.String()+errb.String(), secret) {
			t.Errorf("%v printed the password: %s%s", args, out.String(), errb.String())
		}
		if !strings.Contains(errb.String()+out.String(), "target test") {
			t.Errorf("%v: message does not name the target: %s", args, errb.String())
		}
	}
}

// TestPostgresKeepsLoggedTables wants every table a run leaves behind (the
// outputs and the state incremental runs read) logged: an UNLOGGED table is
// emptied when the server crashes and never reaches a replica, so the kept
// events would silently vanish under the next incremental run.
func TestPostgresKeepsLoggedTables(t *testing.T) {
	e, ok := postgresEngine(t)
	if !ok {
		t.Skip("no PostgreSQL here")
	}
	f := setup(t, e, "UTC")
	f.load([]event{{table: "app", id: "e1", ts: "2024-01-01 10:00:00", user: "u1", name: "Signed Up"}}, nil)
	f.sessionize(0, "run")
	db, err := f.connect()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables []struct {
		Name        string `db:"relname"`
		Persistence string `db:"relpersistence"`
	}
	err = db.SelectContext(context.Background(), &tables,
		`SELECT c.relname, c.relpersistence::text AS relpersistence
		 FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
		 WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY c.relname`, f.m.Output.Schema)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) < 10 {
		t.Fatalf("found %d tables in %s, want the outputs and the kept state: %v", len(tables), f.m.Output.Schema, tables)
	}
	for _, tb := range tables {
		if tb.Persistence != "p" {
			t.Errorf("%s.%s has relpersistence %q, want \"p\" (logged)", f.m.Output.Schema, tb.Name, tb.Persistence)
		}
		if strings.HasPrefix(tb.Name, "_sessionize_work_") {
			t.Errorf("work table %s outlived the run", tb.Name)
		}
	}
}
