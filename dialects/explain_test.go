package dialects

import "testing"

// TestExplain wants each engine to explain the statements a run is made of
// (queries, writes and CREATE TABLE … AS, after any leading comments) and
// leave DDL alone; ClickHouse plans the query of a CREATE TABLE … AS.
func TestExplain(t *testing.T) {
	createAs := "-- The touched contacts.\nCREATE OR REPLACE TABLE w ENGINE = MergeTree ORDER BY tuple() AS\nSELECT 1 AS x"
	cases := []struct {
		d        Dialect
		stmt     string
		want     string
		executes bool
	}{
		{DuckDB{}, createAs, "EXPLAIN ANALYZE " + createAs, true},
		{DuckDB{}, "INSERT INTO t SELECT 1", "EXPLAIN ANALYZE INSERT INTO t SELECT 1", true},
		{DuckDB{}, "INSERT INTO t VALUES (1)", "EXPLAIN ANALYZE INSERT INTO t VALUES (1)", true},
		{DuckDB{}, "DELETE FROM t WHERE x = 1", "EXPLAIN ANALYZE DELETE FROM t WHERE x = 1", true},
		{DuckDB{}, "CREATE TABLE IF NOT EXISTS t (x INTEGER)", "", false},
		{DuckDB{}, "DROP TABLE IF EXISTS t", "", false},
		{Postgres{}, "  update t SET x = 2", "EXPLAIN (ANALYZE, BUFFERS)   update t SET x = 2", true},
		{Postgres{}, "WITH a AS (SELECT 1) SELECT * FROM a", "EXPLAIN (ANALYZE, BUFFERS) WITH a AS (SELECT 1) SELECT * FROM a", true},
		{Postgres{}, "ANALYZE t", "", false},
		{Postgres{}, "CREATE INDEX i ON t (x)", "", false},
		{ClickHouse{}, createAs, "EXPLAIN indexes = 1 SELECT 1 AS x", false},
		{ClickHouse{}, "INSERT INTO t (x)\nSELECT 1", "EXPLAIN indexes = 1 SELECT 1", false},
		{ClickHouse{}, "INSERT INTO t (x)\nWITH a AS (SELECT 1)\nSELECT * FROM a", "EXPLAIN indexes = 1 WITH a AS (SELECT 1)\nSELECT * FROM a", false},
		{ClickHouse{}, "INSERT INTO t (x) VALUES (1)", "", false},
		{ClickHouse{}, "CREATE OR REPLACE VIEW v AS\nSELECT 1", "", false},
		{DuckDB{}, "CREATE OR REPLACE VIEW v AS\nSELECT 1", "", false},
		{ClickHouse{}, "ALTER TABLE t DELETE WHERE x = 1", "", false},
		{ClickHouse{}, "DELETE FROM t WHERE x = 1", "", false},
		{ClickHouse{}, "-- only a comment", "", false},
	}
	for _, c := range cases {
		got, executes := c.d.Explain(c.stmt)
		if got != c.want || executes != c.executes {
			t.Errorf("%s.Explain(%q) = %q, %v; want %q, %v", c.d.Name(), c.stmt, got, executes, c.want, c.executes)
		}
	}
}
