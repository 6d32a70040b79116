package report

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/demo"
	"github.com/sessionize/sessionize/models"
	"github.com/sessionize/sessionize/run"
)

// demoSchemas are the schemas of the tables demo.Generate writes.
var demoSchemas = []string{"website", "app_prod", "docs", "blog"}

// TestPostgresMatchesDuckDB copies the demo data into PostgreSQL (at
// $SESSIONIZE_TEST_PG_DSN, in schemas of the test's own), runs the model
// there, and checks that the report reads the same data as on DuckDB.
func TestPostgresMatchesDuckDB(t *testing.T) {
	if os.Getenv("SESSIONIZE_TEST_PG_DSN") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("SESSIONIZE_TEST_PG_DSN is not set: .ci/run starts PostgreSQL and sets it")
		}
		t.Skip("SESSIONIZE_TEST_PG_DSN is not set, so the report is not tested on PostgreSQL (run .ci/run to test it)")
	}
	matchesDuckDB(t, "pg", `{dialect: postgres, dsn: "${SESSIONIZE_TEST_PG_DSN}"}`, "postgres",
		func(schema string) string { return `DROP SCHEMA IF EXISTS "` + schema + `" CASCADE` })
}

// TestClickHouseMatchesDuckDB does the same on ClickHouse in-process (chdb,
// libchdb.so at $CHDB_LIB_PATH), whose outputs are views over versioned tables.
func TestClickHouseMatchesDuckDB(t *testing.T) {
	if os.Getenv("CHDB_LIB_PATH") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CHDB_LIB_PATH is not set: .ci/run installs chdb and sets it")
		}
		t.Skip("CHDB_LIB_PATH is not set, so the report is not tested on ClickHouse (run .ci/run to test it)")
	}
	matchesDuckDB(t, "ch", fmt.Sprintf("{dialect: clickhouse, dsn: %q}", "chdb://"+chdbDir(t)), "clickhouse",
		func(schema string) string { return "DROP DATABASE IF EXISTS " + schema })
}

// matchesDuckDB copies the demo data into the target of the given YAML,
// in schemas of the test's own, runs the model there, and checks that the
// report reads the same data as on DuckDB; drop drops one of the schemas.
func matchesDuckDB(t *testing.T, name, target, dialect string, drop func(schema string) string) {
	ctx := context.Background()
	duckModel, duckTarget := demoModel(t)

	var rnd [4]byte
	rand.Read(rnd[:])
	prefix := "report_test_" + hex.EncodeToString(rnd[:])
	yaml := demo.ModelYAML("demo.duckdb")
	head, _, ok := strings.Cut(yaml, "\ntargets:\n")
	if !ok {
		t.Fatal("the demo model has no targets section")
	}
	yaml = head + "\ntargets:\n  " + name + ": " + target + "\ndefault_target: " + name + "\n"
	for _, s := range demoSchemas {
		yaml = strings.ReplaceAll(yaml, "table: "+s+".", "table: "+prefix+"_"+s+".")
	}
	yaml = strings.Replace(yaml, "\n  schema: "+models.DefaultSchema, "\n  schema: "+prefix, 1)
	path := filepath.Join(t.TempDir(), "sessions.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := models.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := m.Target(name)
	if err != nil {
		t.Fatal(err)
	}
	if m.Output.Schema != prefix {
		t.Fatalf("output schema: got %s, want %s", m.Output.Schema, prefix)
	}
	t.Cleanup(func() {
		s, _, err := run.Open(context.Background(), m, tgt)
		if err != nil {
			return
		}
		defer s.Close()
		for _, schema := range append([]string{prefix}, prefixed(prefix)...) {
			s.Conn.ExecContext(context.Background(), drop(schema))
		}
	})

	var copies []run.TableCopy
	tables := append([]string(nil), tablesOf(m)...)
	for _, table := range tables {
		if !strings.HasPrefix(table, prefix+"_") {
			t.Fatalf("table %s is outside the test's schemas", table)
		}
		copies = append(copies, run.TableCopy{From: strings.TrimPrefix(table, prefix+"_"), To: table})
	}
	src, err := sql.Open("duckdb", duckTarget.Path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = run.CopyTables(ctx, src, tgt, copies, nil)
	src.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run.Run(ctx, m, run.Options{Target: tgt, FullRefresh: true}); err != nil {
		t.Fatal(err)
	}

	other, err := Load(ctx, m, tgt, Options{Now: fixedNow})
	if err != nil {
		t.Fatalf("Load on %s: %v", dialect, err)
	}
	duck, err := Load(ctx, duckModel, duckTarget, Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if other.Dialect != dialect || other.Target != name {
		t.Errorf("target: got %s (%s), want %s (%s)", other.Target, other.Dialect, name, dialect)
	}
	other.Target, other.Dialect = duck.Target, duck.Dialect
	compare := []struct {
		name      string
		got, want any
	}{
		{"days", other.Days, duck.Days},
		{"range", []any{other.From, other.To}, []any{duck.From, duck.To}},
		{"properties", other.Properties, duck.Properties},
		{"contacts", other.Contacts, duck.Contacts},
		{"durations", other.Durations, duck.Durations},
		{"top by sessions", other.TopPrompted, duck.TopPrompted},
		{"top by sign-ups", other.TopSignups, duck.TopSignups},
		{"events", other.Events, duck.Events},
		{"extent", []any{other.FirstDay, other.LastDay}, []any{duck.FirstDay, duck.LastDay}},
		{"property stats", other.Stats, duck.Stats},
		{"channels", other.Channels, duck.Channels},
		{"campaigns", other.Campaigns, duck.Campaigns},
		{"previous period", other.Previous, duck.Previous},
	}
	for _, c := range compare {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s on %s differ from DuckDB:\n got %+v\nwant %+v", c.name, dialect, c.got, c.want)
		}
	}
	var a, b bytes.Buffer
	if err := other.Render(&a); err != nil {
		t.Fatal(err)
	}
	if err := duck.Render(&b); err != nil {
		t.Fatal(err)
	}
	checkStructure(t, a.String())
	if a.String() != b.String() {
		t.Errorf("the %s and DuckDB pages differ", dialect)
	}
}

func prefixed(prefix string) []string {
	var out []string
	for _, s := range demoSchemas {
		out = append(out, prefix+"_"+s)
	}
	return out
}

// tablesOf lists the model's source and identifies tables.
func tablesOf(m *models.Model) []string {
	var ts []string
	for _, s := range m.Sources {
		for _, t := range s.Tables {
			ts = append(ts, t.Table)
		}
	}
	for _, t := range m.Identifies {
		ts = append(ts, t.Table)
	}
	return ts
}
