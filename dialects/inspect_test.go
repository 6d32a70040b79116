package dialects

import (
	"strings"
	"testing"
)

// TestClassify: what each engine's source column types can hold, as the
// target check judges them; a type it does not know is left unjudged.
func TestClassify(t *testing.T) {
	cases := []struct {
		d     Dialect
		types map[string]Class
	}{
		{DuckDB{}, map[string]Class{
			"VARCHAR": Unjudged, "JSON": Unjudged, "NULL": Unjudged, "ENUM('a', 'b')": Unjudged,
			"BIGINT": Number, "INTEGER": Number, "UBIGINT": Number, "DECIMAL(18,3)": Number, "DOUBLE": Number,
			"BOOLEAN":   Boolean,
			"TIMESTAMP": Time, "TIMESTAMP WITH TIME ZONE": Time, "TIMESTAMP_NS": Time, "DATE": Time,
			"TIME": Other, "INTERVAL": Other, "BLOB": Other, "UUID": Other, "TIMESTAMP[]": Other, "STRUCT(a INTEGER)": Other,
		}},
		{Postgres{}, map[string]Class{
			"text": Unjudged, "character varying(20)": Unjudged, "citext": Unjudged,
			"bigint": Number, "numeric(10,2)": Number, "double precision": Number,
			"boolean":                     Boolean,
			"timestamp without time zone": Time, "timestamp(3) with time zone": Time, "date": Time,
			"time without time zone": Other, "interval": Other, "jsonb": Other, "uuid": Other, "text[]": Other,
		}},
		{ClickHouse{}, map[string]Class{
			"String": Unjudged, "LowCardinality(Nullable(String))": Unjudged, "Enum8('a' = 1)": Unjudged,
			"Nullable(Int64)": Number, "UInt8": Number, "Decimal(18, 3)": Number, "Float64": Number,
			"Bool": Boolean, "Nullable(Bool)": Boolean,
			"DateTime64(6, 'UTC')": Time, "Nullable(DateTime)": Time, "Date32": Time,
			"UUID": Other, "Array(String)": Other, "IPv4": Other,
		}},
	}
	for _, c := range cases {
		for typ, want := range c.types {
			if got := c.d.Classify(typ); got != want {
				t.Errorf("%s %s: got class %d, want %d", c.d.Name(), typ, got, want)
			}
		}
	}
	for _, c := range []struct {
		class           Class
		timestamp, text bool
	}{
		{Unjudged, true, true}, {Number, false, true}, {Boolean, false, false}, {Time, true, true}, {Other, false, true},
	} {
		if c.class.Holds(true) != c.timestamp || c.class.Holds(false) != c.text {
			t.Errorf("class %d: got holds timestamp %v, text %v; want %v, %v", c.class, c.class.Holds(true), c.class.Holds(false), c.timestamp, c.text)
		}
	}
}

// TestInspect: the queries that describe a source as staging reads it.
func TestInspect(t *testing.T) {
	cols := SourceColumns{Text: []string{"id", "URL"}, Timestamps: []string{"ts"}}
	cases := []struct {
		d                Dialect
		table            string
		want             []string // parts of the query
		fold, hasMissing bool
		err              string
	}{
		// a table is in the catalog the runner attaches the file under
		// (DuckDB.Catalog), whatever the file is called
		{DuckDB{}, "raw.events", []string{`DESCRIBE SELECT * FROM "target"."raw"."events")`}, true, true, ""},
		{DuckDB{}, "events", []string{`DESCRIBE SELECT * FROM "target"."main"."events")`}, true, true, ""},
		{DuckDB{}, "c.raw.events", []string{`DESCRIBE SELECT * FROM "c"."raw"."events")`}, true, true, ""},
		{DuckDB{}, "data/*.csv", []string{`read_csv('data/*.csv', header = true)`, `lower(column_name) IN ('id', 'url') THEN 'VARCHAR'`}, true, true, ""},
		{DuckDB{}, "e.jsonl", []string{`read_json('e.jsonl', format = 'newline_delimited')`, `SELECT c, 'NULL' FROM (VALUES ('id'), ('URL'), ('ts'))`}, true, true, ""},
		{DuckDB{}, "e.parquet", []string{`DESCRIBE SELECT * FROM read_parquet('e.parquet')`}, true, true, ""},
		{Postgres{}, "raw.events", []string{`to_regclass('"raw"."events"')`}, false, false, ""},
		{Postgres{}, "e.csv", nil, false, false, "only duckdb targets read"},
		{ClickHouse{}, "raw.events", []string{`database = 'raw' AND table = 'events'`}, false, false, ""},
		{ClickHouse{}, "events", []string{`database = currentDatabase() AND table = 'events'`}, false, false, ""},
		{ClickHouse{}, "c.raw.events", nil, false, false, "want database.table"},
	}
	for _, c := range cases {
		ins, err := c.d.Inspect(c.table, cols)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s %s: got %v, want an error saying %q", c.d.Name(), c.table, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %s: %v", c.d.Name(), c.table, err)
			continue
		}
		for _, part := range c.want {
			if !strings.Contains(ins.Query, part) {
				t.Errorf("%s %s: query\n%s\nlacks %s", c.d.Name(), c.table, ins.Query, part)
			}
		}
		if ins.FoldCase != c.fold || (len(ins.Missing) > 0) != c.hasMissing {
			t.Errorf("%s %s: got fold %v, missing %q", c.d.Name(), c.table, ins.FoldCase, ins.Missing)
		}
	}
}
