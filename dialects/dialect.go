// Package dialects is the one place that knows SQL engines differ.
//
// Templates never branch on an engine's name: they ask the Dialect for the
// fragment that differs (quoting, epoch arithmetic, md5 hex, local dates,
// string aggregation, table DDL) and write everything else once.
package dialects

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sessionize/sessionize/catalog"
)

// Dialect writes the SQL fragments that differ between engines.
type Dialect interface {
	// Name is the dialect's name as written in a model target.
	Name() string
	// Quote quotes one identifier. Callers validate names first (models
	// rejects names that cannot be quoted safely); Quote still escapes.
	Quote(ident string) string
	// Relation is the FROM-clause reference for a model's `table:` value:
	// a quoted schema.table, or on DuckDB a file reader for a path; cols
	// are the columns the model reads from it (see DuckDB.Relation).
	Relation(table string, cols SourceColumns) (string, error)
	// Table is the reference of the table name in schema of the target's
	// own database, and Schema that of the schema itself (CREATE SCHEMA).
	Table(schema, name string) string
	Schema(name string) string
	// Catalog is the name the runner opens the target's database under,
	// which every name above is qualified with, or "" where names are
	// schema.table (see DuckDB.Catalog).
	Catalog() string
	// Literal is a SQL string literal for s.
	Literal(s string) string
	// Inspect is how to learn the columns of a model's `table:` value on
	// the engine, to check the model against a target before a run (see
	// Inspection); cols are the columns the model reads from it.
	Inspect(table string, cols SourceColumns) (Inspection, error)
	// Classify says what a source column of the engine's type typ (as
	// Inspect's query names it) can hold.
	Classify(typ string) Class

	// Types of the output columns.
	Type(kind catalog.Kind) string

	// Text casts a source column to text that compares by bytes.
	Text(expr string) string
	// Timestamp casts a source column to a UTC timestamp, NULL when it
	// cannot be read as one (semantics §3.1: text-typed timestamps work).
	Timestamp(expr string) string
	// Missing is the condition that a source column holds no value: NULL,
	// or empty text. A value that Timestamp reads as NULL but is not
	// missing is there but no timestamp (semantics §3.1 invalid_timestamp).
	Missing(expr string) string
	// Micros is the timestamp expr as integer microseconds since the epoch.
	Micros(expr string) string
	// Seconds turns an integer microsecond difference into double seconds.
	Seconds(microsExpr string) string
	// Days turns an integer microsecond difference into double days.
	Days(microsExpr string) string
	// MinusMicros is a timestamp expr moved back by n microseconds.
	MinusMicros(expr string, n int64) string
	// MD5Hex is the lowercase hex MD5 of a text expression's UTF-8 bytes.
	MD5Hex(expr string) string
	// Concat joins text expressions (none NULL) with the SQL || operator or its equivalent.
	Concat(exprs ...string) string
	// LocalDate is the DATE of a UTC timestamp in the IANA time zone tz.
	LocalDate(expr, tz string) string
	// CountIf counts the rows where cond holds, as a bigint.
	CountIf(cond string) string
	// SumBigint sums an integer expression into a bigint (DuckDB's SUM is HUGEINT).
	SumBigint(expr string) string
	// Same is a NULL-safe equality test.
	Same(a, b string) string
	// Distinct is a NULL-safe inequality test.
	Distinct(a, b string) string
	// Now is the current UTC timestamp.
	Now() string
	// Lag is the window function giving expr on the previous row of the
	// window (PARTITION BY ... ORDER BY ...), NULL on a partition's first row.
	Lag(expr, window string) string
	// RegexpGroup is the first capture group of pattern's first match in
	// the text expr: "" or NULL where it does not match. Patterns use only
	// what RE2 and PostgreSQL's regular expressions read alike: classes,
	// (?:...), |, ^, $, ?, * and a backslash before a character that would
	// be special.
	RegexpGroup(expr, pattern string) string
	// URLDecode decodes a form value (docs/enrichment.md §3.6): + is a
	// space, %XX the byte it names; a value whose decoded bytes are not
	// UTF-8 or hold a zero byte is returned as written. schema is the
	// output schema, where an engine without such a function keeps its own
	// (created by the setup step).
	URLDecode(expr, schema string) string
	// Like is expr LIKE pattern, where pattern escapes %, _ and \ with a
	// backslash.
	Like(expr, pattern string) string
	// LowerASCII lower-cases the ASCII letters of a text expression and
	// leaves every other character as it is, the same on every engine
	// (their lower() differ beyond ASCII).
	LowerASCII(expr string) string
	// Fence ends a subquery (or a CTE's body) whose expressions the query
	// above reads more than once, so that the engine computes them once
	// per row: "OFFSET 0" where the engine would otherwise pull the
	// subquery up into its reader and repeat each expression at every
	// reference to it (PostgreSQL), "" where it computes each once anyway.
	Fence() string

	// Preamble is run before every file's statements (session time zone).
	Preamble() []string
	// CreateTable is the DDL for a table with the given columns, replacing
	// nothing: callers drop first when they mean to replace.
	CreateTable(table string, cols []Column, key []string, ifNotExists bool) string
	// CreateTableAs is the head of the DDL that creates (or replaces) a work
	// table from the query that follows it, ordered by key where that matters.
	CreateTableAs(table string, key []string) string
	// Uncompressed brackets the writing of a large state table that later
	// runs only read a little of: the statements that switch storage
	// compression off and back on, or "" where it costs nothing.
	Uncompressed() (off, on string)
	// Publish is how a run makes what it wrote visible all at once, so
	// that a failed run leaves the previous outputs whole (semantics §5):
	// the one place that decides it, for the runner and the templates.
	Publish() Publishing
	// Variable keeps a query's single value for the statements after it: set
	// is the statement that keeps it ("" where the engine has no session
	// variables) and get the expression that reads it (the query itself as a
	// scalar subquery where there is no set). DuckDB pushes a comparison
	// with a variable's value into a table scan and skips the row groups its
	// zone maps rule out, where a subquery inside an OR it cannot.
	Variable(name, query string) (set, get string)
	// WorkTable is the reference of a table that lives only during a run.
	WorkTable(schema, name string) string
	// CreateWorkTableAs is CreateTableAs for a work table.
	CreateWorkTableAs(table string, key []string) string
	// DropTable drops a table if it exists.
	DropTable(table string) string
	// AddColumn adds a column to a table that may have it already (one an
	// older version created without it), typed as CreateTable types it.
	AddColumn(table string, c Column) string
	// Analyze is the statement that gathers planner statistics on a table
	// just built, or "" where the engine needs none.
	Analyze(table string) string
	// Index is the statement that indexes a table on cols for the lookups of
	// incremental runs, or "" where the engine's own layout serves them.
	Index(table, name string, cols []string) string
	// PrimaryKey is the statement that adds a primary key on key to a table
	// created without one (CreateTable with no key) once its rows are in,
	// which builds the index in one sort instead of row by row; "" where
	// the engine keeps no primary key.
	PrimaryKey(table string, key []string) string
	// Explain is the statement that shows how the engine runs stmt, for
	// SESSIONIZE_TRACE=explain, or "" where it cannot be explained (DDL).
	// executes says the explaining statement also runs stmt (EXPLAIN
	// ANALYZE), so stmt must not run again; otherwise it only plans it.
	Explain(stmt string) (explain string, executes bool)
}

// statement is what Explain needs to know of a rendered statement: its
// kind ("select", "insert", "delete", "update", "create_as" for a CREATE
// TABLE … AS, or "" for anything else) and, for an insert or a CREATE
// TABLE … AS, its query: the lines from the first one after the head that
// starts with SELECT or WITH ("" when there is none, as for VALUES).
func statement(stmt string) (kind, query string) {
	lines := strings.Split(stmt, "\n")
	for i, l := range lines {
		l = strings.ToUpper(strings.TrimSpace(l))
		if l == "" || strings.HasPrefix(l, "--") {
			continue
		}
		head, _, _ := strings.Cut(l, " ")
		switch {
		case head == "SELECT" || head == "WITH":
			return "select", ""
		case head == "DELETE" || head == "UPDATE":
			return strings.ToLower(head), ""
		case head == "INSERT":
			return "insert", queryAfter(lines[i+1:])
		case head == "CREATE" && strings.Contains(l, " TABLE ") && strings.HasSuffix(l, " AS"):
			// The head of CreateTableAs and CreateWorkTableAs is one line
			// ending in AS; the query follows it.
			return "create_as", queryAfter(lines[i+1:])
		}
		return "", ""
	}
	return "", ""
}

// queryAfter is lines from the first that starts with SELECT or WITH.
func queryAfter(lines []string) string {
	for i, l := range lines {
		head, _, _ := strings.Cut(strings.ToUpper(strings.TrimSpace(l)), " ")
		if head == "SELECT" || head == "WITH" {
			return strings.Join(lines[i:], "\n")
		}
	}
	return ""
}

// Functions are the statements that create the SQL functions a dialect's
// fragments call in the output schema (Postgres.URLDecode's), each
// replacing an older one; none for most engines.
func Functions(d Dialect, schema string) []string {
	if f, ok := d.(interface{ functions(schema string) []string }); ok {
		return f.functions(schema)
	}
	return nil
}

// Publishing is how a run publishes what it wrote (Dialect.Publish).
type Publishing int

const (
	// InTransaction: the runner runs steps 1-7 in one transaction.
	InTransaction Publishing = iota
	// StagedFullRuns: as InTransaction, but a full run writes each table
	// it keeps as a new table beside the published one (<table>__next),
	// committing as it goes, and step 7 publishes them all in one short
	// transaction by renaming.
	StagedFullRuns
	// Versions: the engine has no transactions to speak of; every run
	// writes its version of each table it keeps under its run id, and the
	// last write of step 7 makes the views read them (templates/clickhouse).
	Versions
)

// Column is a name and a SQL type.
type Column struct {
	Name string
	Type string
}

// For returns the dialect with the given name.
func For(name string) (Dialect, error) {
	switch name {
	case "duckdb":
		return DuckDB{}, nil
	case "postgres":
		return Postgres{}, nil
	case "clickhouse":
		return ClickHouse{}, nil
	}
	return nil, fmt.Errorf("unknown dialect %q (want duckdb, postgres or clickhouse)", name)
}

// Literal is a SQL string literal for s, with single quotes doubled. It is
// the same on every engine we target (ClickHouse also accepts the doubling).
func Literal(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// Micros is d in whole microseconds.
func Micros(d time.Duration) int64 { return d.Microseconds() }

// quoteWith quotes ident with q, doubling any q inside.
func quoteWith(q, ident string) string {
	return q + strings.ReplaceAll(ident, q, q+q) + q
}

// SourceColumns are the columns a model reads from a source table, each
// once: its ids, event and url (Text), and its timestamp and load time.
type SourceColumns struct {
	Text, Timestamps []string
}

// All are the columns, text first.
func (c SourceColumns) All() []string { return append(slices.Clone(c.Text), c.Timestamps...) }

// qualified quotes a dotted [catalog.]schema.table name part by part.
func qualified(d Dialect, table string) string {
	parts := strings.Split(table, ".")
	for i, p := range parts {
		parts[i] = d.Quote(p)
	}
	return strings.Join(parts, ".")
}

// ColumnList renders "name type" pairs, one per line, as a CREATE TABLE
// lists them.
func ColumnList(d Dialect, cols []Column) string {
	lines := make([]string, len(cols))
	for i, c := range cols {
		lines[i] = "  " + d.Quote(c.Name) + " " + c.Type
	}
	return strings.Join(lines, ",\n")
}
