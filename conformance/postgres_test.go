package conformance

import (
	"context"
	"fmt"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/jmoiron/sqlx"
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
