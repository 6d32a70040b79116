package dialects

import (
	"fmt"
	"strings"

	"github.com/sessionize/sessionize/catalog"
	"github.com/sessionize/sessionize/models"
)

// DuckDB is the embedded default engine.
type DuckDB struct{}

// Name implements Dialect.
func (DuckDB) Name() string { return "duckdb" }

// Quote implements Dialect.
func (DuckDB) Quote(ident string) string { return quoteWith(`"`, ident) }

// Catalog implements Dialect. DuckDB names the catalog of a database file
// after the file (sessionize.duckdb is "sessionize"), and resolves a.b as
// catalog a or schema a: with a schema of the file's name, "sessionize"."x"
// is ambiguous and the statement fails. So the runner attaches the file
// under this name and every name is written catalog.schema.table, which
// is never ambiguous, whatever the file and the schemas are called. To run
// the rendered files yourself, open the file the same way first, in the
// session that runs them: ATTACH 'sessionize.duckdb' AS target; USE target;
func (DuckDB) Catalog() string { return "target" }

// Table implements Dialect.
func (d DuckDB) Table(schema, name string) string {
	return d.Schema(schema) + "." + d.Quote(name)
}

// Schema implements Dialect.
func (d DuckDB) Schema(name string) string { return d.Quote(d.Catalog()) + "." + d.Quote(name) }

// table is a model's table name in the target's database: schema.table in
// its catalog, a bare table in its main schema, and catalog.schema.table
// as written.
func (d DuckDB) table(table string) string {
	switch parts := strings.Split(table, "."); len(parts) {
	case 1:
		return d.Table("main", parts[0])
	case 2:
		return d.Table(parts[0], parts[1])
	}
	return qualified(d, table)
}

// Relation implements Dialect: files are read with DuckDB's own readers.
// The CSV reader guesses column types, which would change ids ("007" would
// be read as 7, "1.50" as 1.5) against semantics §3 (ids are taken as they are):
// the model's text columns are read as text. JSON has no header: read_json
// knows only the keys it finds, so a file in which no object carries one of
// the model's columns (say user_id, in a batch of anonymous events), or an
// empty file, would fail the run; its reader is therefore united by name
// with an empty row of those columns, typed NULL, which leaves the file's
// own columns and types as they are and reads a missing one as NULL.
func (d DuckDB) Relation(table string, cols SourceColumns) (string, error) {
	if !models.IsFileTable(table) {
		return d.table(table), nil
	}
	path := Literal(table)
	switch t := strings.ToLower(table); {
	case strings.HasSuffix(t, ".csv"):
		return "read_csv(" + path + ", header = true" + d.textTypes(cols.Text) + ")", nil
	case strings.HasSuffix(t, ".parquet"):
		return "read_parquet(" + path + ")", nil
	case strings.HasSuffix(t, ".json"):
		return d.withColumns("read_json("+path+")", cols), nil
	case strings.HasSuffix(t, ".jsonl"):
		return d.withColumns("read_json("+path+", format = 'newline_delimited')", cols), nil
	}
	return "", fmt.Errorf("table %q: a file must end in .csv, .parquet, .json or .jsonl", table)
}

// Inspect implements Dialect: a table is described as it is, a file as
// Relation reads it (DESCRIBE of the reader without the model's columns,
// which would fail on a file that lacks one): a CSV file's text columns
// are text whatever the sniffer makes of them, and a JSON file's text
// columns are text and the model's columns it lacks read as NULL.
func (d DuckDB) Inspect(table string, cols SourceColumns) (Inspection, error) {
	ins := Inspection{
		FoldCase: true,
		Missing:  []string{"Catalog Error: Table with name", "No files found that match the pattern"},
	}
	if !models.IsFileTable(table) {
		ins.Query = "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM " + d.table(table) + ")"
		return ins, nil
	}
	reader, err := d.Relation(table, SourceColumns{})
	if err != nil {
		return Inspection{}, err
	}
	described := "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM " + reader + ")"
	t := strings.ToLower(table)
	json := strings.HasSuffix(t, ".json") || strings.HasSuffix(t, ".jsonl")
	if !json && !strings.HasSuffix(t, ".csv") || len(cols.All()) == 0 {
		ins.Query = described
		return ins, nil
	}
	names := func(cols []string) string {
		lits := make([]string, len(cols))
		for i, c := range cols {
			lits[i] = Literal(strings.ToLower(c))
		}
		return strings.Join(lits, ", ")
	}
	typ := "column_type"
	if len(cols.Text) > 0 {
		typ = "CASE WHEN lower(column_name) IN (" + names(cols.Text) + ") THEN 'VARCHAR' ELSE column_type END"
	}
	ins.Query = "WITH d AS (" + described + ")\nSELECT column_name, " + typ + " FROM d"
	if json {
		all := cols.All()
		rows := make([]string, len(all))
		for i, c := range all {
			rows[i] = "(" + Literal(c) + ")"
		}
		ins.Query += "\nUNION ALL SELECT c, 'NULL' FROM (VALUES " + strings.Join(rows, ", ") + ") AS m(c) WHERE lower(c) NOT IN (SELECT lower(column_name) FROM d)"
	}
	return ins, nil
}

// Classify implements Dialect.
func (DuckDB) Classify(typ string) Class {
	t := strings.ToUpper(typ)
	switch {
	case strings.HasSuffix(t, "]") || hasAnyPrefix(t, "STRUCT", "MAP", "UNION", "INTERVAL", "BLOB", "BIT", "UUID") ||
		t == "TIME" || hasAnyPrefix(t, "TIME WITH", "TIMETZ", "TIME_NS"):
		return Other
	case t == "BOOLEAN":
		return Boolean
	case strings.HasPrefix(t, "TIMESTAMP") || t == "DATE":
		return Time
	case hasAnyPrefix(t, "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
		"UINTEGER", "UBIGINT", "UHUGEINT", "DECIMAL", "FLOAT", "DOUBLE", "REAL", "BIGNUM", "VARINT"):
		return Number
	}
	return Unjudged
}

// textTypes is read_csv's types argument reading columns as text.
func (d DuckDB) textTypes(columns []string) string {
	if len(columns) == 0 {
		return ""
	}
	types := make([]string, len(columns))
	for i, c := range columns {
		types[i] = Literal(c) + ": 'VARCHAR'"
	}
	return ", types = {" + strings.Join(types, ", ") + "}"
}

// withColumns unites a JSON reader by name with an empty row of the
// model's columns. A key whose values mix numbers and strings is typed JSON,
// whose text keeps a string's quotes ("x" for x): the text columns are read
// with json_extract_string then (typeof is folded, as in Timestamp).
func (d DuckDB) withColumns(reader string, cols SourceColumns) string {
	all := cols.All()
	if len(all) == 0 {
		return reader
	}
	nulls := make([]string, len(all))
	for i, c := range all {
		nulls[i] = "NULL AS " + d.Quote(c)
	}
	united := "SELECT * FROM " + reader + " UNION ALL BY NAME SELECT " + strings.Join(nulls, ", ") + " WHERE false"
	if len(cols.Text) == 0 {
		return "(" + united + ")"
	}
	texts := make([]string, len(cols.Text))
	for i, c := range cols.Text {
		q := d.Quote(c)
		texts[i] = "CASE WHEN typeof(" + q + ") = 'JSON' THEN json_extract_string(" + q + ", '$') ELSE CAST(" + q + " AS VARCHAR) END AS " + q
	}
	return "(SELECT * REPLACE (" + strings.Join(texts, ", ") + ") FROM (" + united + "))"
}

// Type implements Dialect.
func (DuckDB) Type(kind catalog.Kind) string {
	switch kind {
	case catalog.Integer:
		return "INTEGER"
	case catalog.Bigint:
		return "BIGINT"
	case catalog.Double:
		return "DOUBLE"
	case catalog.Boolean:
		return "BOOLEAN"
	case catalog.Timestamp:
		return "TIMESTAMP"
	case catalog.Date:
		return "DATE"
	}
	return "VARCHAR"
}

func (DuckDB) Text(expr string) string { return "CAST(" + expr + " AS VARCHAR)" }

// Timestamp implements Dialect. A TIMESTAMP column is taken as it is and a
// TIMESTAMPTZ one at its UTC instant (the session runs in UTC); text goes
// through TIMESTAMPTZ so that an offset in it counts ('2024-01-01T02:00:00+02:00'
// is 00:00 UTC; text without one is read as UTC). TRY_CAST(text AS TIMESTAMP)
// would drop the offset. typeof() is folded when the query is bound, so a
// typed column pays nothing for the text path (the TIMESTAMPTZ round trip of a
// TIMESTAMP column cost 1.8 s per 6.4M rows) and its zone maps still prune.
func (DuckDB) Timestamp(expr string) string {
	return "CASE WHEN typeof(" + expr + ") = 'VARCHAR' THEN TRY_CAST(TRY_CAST(" + expr + " AS TIMESTAMPTZ) AS TIMESTAMP) ELSE TRY_CAST(" + expr + " AS TIMESTAMP) END"
}

// Missing implements Dialect; typeof() is folded as in Timestamp, so a
// typed column is only tested for NULL.
func (DuckDB) Missing(expr string) string {
	return "CASE WHEN typeof(" + expr + ") = 'VARCHAR' THEN coalesce(CAST(" + expr + " AS VARCHAR), '') = '' ELSE " + expr + " IS NULL END"
}

func (DuckDB) Micros(expr string) string { return "epoch_us(" + expr + ")" }
func (DuckDB) Seconds(m string) string   { return "CAST(" + m + " AS DOUBLE) / 1000000" }
func (DuckDB) Days(m string) string      { return "CAST(" + m + " AS DOUBLE) / 86400000000" }
func (DuckDB) MinusMicros(expr string, n int64) string {
	return fmt.Sprintf("%s - INTERVAL '%d microseconds'", expr, n)
}
func (DuckDB) MD5Hex(expr string) string     { return "md5(" + expr + ")" }
func (DuckDB) Concat(exprs ...string) string { return strings.Join(exprs, " || ") }
func (DuckDB) LocalDate(expr, tz string) string {
	if tz == "UTC" {
		return "CAST(" + expr + " AS DATE)"
	}
	return "CAST(timezone(" + Literal(tz) + ", CAST(" + expr + " AS TIMESTAMPTZ)) AS DATE)"
}
func (DuckDB) CountIf(cond string) string {
	return "COUNT(*) FILTER (WHERE " + cond + ")" // count_if gives NULL when cond is NULL on every row
}
func (DuckDB) SumBigint(expr string) string { return "CAST(SUM(" + expr + ") AS BIGINT)" }
func (DuckDB) Now() string                  { return "CAST(get_current_timestamp() AS TIMESTAMP)" }

// Preamble pins the session time zone so TIMESTAMPTZ sources cast to UTC.
func (DuckDB) Preamble() []string { return []string{"SET TimeZone = 'UTC'"} }

// CreateTable implements Dialect. DuckDB tables carry no primary key: its
// ART index would slow the bulk inserts and refuses a delete and re-insert
// of one key inside a transaction, which the incremental path does.
func (d DuckDB) CreateTable(table string, cols []Column, key []string, ifNotExists bool) string {
	ine := ""
	if ifNotExists {
		ine = "IF NOT EXISTS "
	}
	return "CREATE TABLE " + ine + table + " (\n" + ColumnList(d, cols) + "\n)"
}

// CreateTableAs implements Dialect.
func (DuckDB) CreateTableAs(table string, key []string) string {
	return "CREATE OR REPLACE TABLE " + table + " AS"
}

// DropTable implements Dialect.
func (DuckDB) DropTable(table string) string { return "DROP TABLE IF EXISTS " + table }

// AddColumn implements Dialect.
func (d DuckDB) AddColumn(table string, c Column) string {
	return "ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + d.Quote(c.Name) + " " + c.Type
}

// Literal implements Dialect.
func (DuckDB) Literal(s string) string { return Literal(s) }

// Lag implements Dialect.
func (DuckDB) Lag(expr, window string) string { return "LAG(" + expr + ") OVER (" + window + ")" }

// Same implements Dialect.
func (DuckDB) Same(a, b string) string { return a + " IS NOT DISTINCT FROM " + b }

// Distinct implements Dialect.
func (DuckDB) Distinct(a, b string) string { return a + " IS DISTINCT FROM " + b }

// Analyze implements Dialect: the engine keeps its statistics itself.
func (DuckDB) Analyze(table string) string { return "" }

// Index implements Dialect: DuckDB prunes scans with its zone maps, and an
// ART index would slow every bulk write.
func (DuckDB) Index(table, name string, cols []string) string { return "" }

// PrimaryKey implements Dialect: DuckDB tables carry none (CreateTable).
func (DuckDB) PrimaryKey(table string, key []string) string { return "" }

// WorkTable implements Dialect: work tables are TEMP tables, kept in memory
// (spilling to disk past memory_limit) and never compressed or logged: a
// run writes them once and reads them a few times. Run the rendered DuckDB
// files in one session, with the file attached as Catalog says:
// (echo "ATTACH 'FILE' AS target; USE target;"; cat *.sql) | duckdb
func (d DuckDB) WorkTable(schema, name string) string { return "temp.main." + d.Quote(name) }

// CreateWorkTableAs implements Dialect.
func (DuckDB) CreateWorkTableAs(table string, key []string) string {
	return "CREATE OR REPLACE TEMP TABLE " + table + " AS"
}

// Publish implements Dialect: full runs are staged. DuckDB reads the tables
// a transaction wrote itself from its transaction-local storage, which is
// slow: one transaction around a full run of 10M demo events took 55 s,
// the same statements committed one by one 35 s.
func (DuckDB) Publish() Publishing { return StagedFullRuns }

// Variable implements Dialect.
func (DuckDB) Variable(name, query string) (set, get string) {
	return "SET VARIABLE " + name + " = (" + query + ")", "getvariable('" + name + "')"
}

// Uncompressed implements Dialect: DuckDB analyses every string column for
// its compression as it writes, which makes writing 10M staged events four
// times slower; the events are kept for incremental runs, which read a few
// contacts of them at a time.
func (DuckDB) Uncompressed() (off, on string) {
	return "SET force_compression = 'uncompressed'", "RESET force_compression"
}

// RegexpGroup implements Dialect.
func (DuckDB) RegexpGroup(expr, pattern string) string {
	return "regexp_extract(" + expr + ", " + Literal(pattern) + ", 1)"
}

// URLDecode implements Dialect with the macro the setup step creates
// (functions).
func (d DuckDB) URLDecode(expr, schema string) string {
	return d.Table(schema, "_sessionize_url_decode") + "(" + expr + ")"
}

// functions is the macro URLDecode calls: url_decode fails on bytes that
// are not UTF-8, which try turns into NULL.
func (d DuckDB) functions(schema string) []string {
	return []string{`CREATE OR REPLACE MACRO ` + d.Table(schema, "_sessionize_url_decode") + `(value) AS
  CASE
    WHEN NOT contains(value, '%') THEN replace(value, '+', ' ')
    WHEN contains(coalesce(try(url_decode(replace(value, '+', ' '))), chr(0)), chr(0)) THEN value
    ELSE try(url_decode(replace(value, '+', ' ')))
  END`}
}

// Like implements Dialect: DuckDB's LIKE has no escape character unless
// one is named.
func (DuckDB) Like(expr, pattern string) string {
	if !strings.Contains(pattern, `\`) {
		return expr + " LIKE " + Literal(pattern)
	}
	return expr + " LIKE " + Literal(pattern) + ` ESCAPE '\'`
}

// LowerASCII implements Dialect: DuckDB's lower() folds beyond ASCII.
func (DuckDB) LowerASCII(expr string) string {
	return "translate(" + expr + ", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
}

// Explain implements Dialect: EXPLAIN ANALYZE, which runs the statement
// and times each operator, for queries, writes and CREATE TABLE … AS.
func (DuckDB) Explain(stmt string) (string, bool) {
	if kind, _ := statement(stmt); kind != "" {
		return "EXPLAIN ANALYZE " + stmt, true
	}
	return "", false
}

// Fence implements Dialect: DuckDB computes a projection's expressions
// once, however often the query above reads them.
func (DuckDB) Fence() string { return "" }
