package dialects

import (
	"fmt"
	"strings"

	"github.com/sessionize/sessionize/catalog"
	"github.com/sessionize/sessionize/models"
)

// Postgres is PostgreSQL 15 or newer. Text is cast and declared with
// COLLATE "C" so every comparison, sort and aggregate order is by bytes.
type Postgres struct{}

// Name implements Dialect.
func (Postgres) Name() string { return "postgres" }

// Quote implements Dialect.
func (Postgres) Quote(ident string) string { return quoteWith(`"`, ident) }

// Table implements Dialect.
func (p Postgres) Table(schema, name string) string { return p.Quote(schema) + "." + p.Quote(name) }

// Schema implements Dialect: a schema of the server.
func (p Postgres) Schema(name string) string { return p.Quote(name) }

// Catalog implements Dialect: names are schema.table.
func (Postgres) Catalog() string { return "" }

// Relation implements Dialect.
func (p Postgres) Relation(table string, _ SourceColumns) (string, error) {
	if models.IsFileTable(table) {
		return "", fmt.Errorf("table %q: files are read only on duckdb; load it into a postgres table", table)
	}
	return qualified(p, table), nil
}

// Inspect implements Dialect. The table is found as the run's query finds
// it (to_regclass follows the search_path and sees views, materialized
// views and foreign tables, which information_schema.columns leaves out);
// a column of a domain type is described by its base type.
func (p Postgres) Inspect(table string, _ SourceColumns) (Inspection, error) {
	if models.IsFileTable(table) {
		return Inspection{}, fmt.Errorf("%s is a file, which only duckdb targets read; load it into a postgres table", table)
	}
	return Inspection{Query: `SELECT a.attname, CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) ELSE format_type(a.atttypid, a.atttypmod) END
FROM pg_attribute AS a JOIN pg_type AS t ON t.oid = a.atttypid
WHERE a.attrelid = to_regclass(` + Literal(qualified(p, table)) + `) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`}, nil
}

// Classify implements Dialect, for the type names format_type gives.
func (Postgres) Classify(typ string) Class {
	t := strings.ToLower(typ)
	switch {
	case strings.HasSuffix(t, "]") || hasAnyPrefix(t, "interval", "time ", "time(", "bytea", "uuid", "bit", "json", "inet", "cidr", "macaddr", "point", "tsvector"):
		return Other
	case t == "boolean":
		return Boolean
	case hasAnyPrefix(t, "timestamp", "date"):
		return Time
	case hasAnyPrefix(t, "smallint", "integer", "bigint", "numeric", "real", "double precision", "money"):
		return Number
	}
	return Unjudged
}

// Type implements Dialect.
func (Postgres) Type(kind catalog.Kind) string {
	switch kind {
	case catalog.Integer:
		return "INTEGER"
	case catalog.Bigint:
		return "BIGINT"
	case catalog.Double:
		return "DOUBLE PRECISION"
	case catalog.Boolean:
		return "BOOLEAN"
	case catalog.Timestamp:
		return "TIMESTAMP"
	case catalog.Date:
		return "DATE"
	}
	return "TEXT"
}

func (Postgres) Text(expr string) string { return "CAST(" + expr + ` AS TEXT) COLLATE "C"` }

// Timestamp implements Dialect. PostgreSQL has no TRY_CAST: text that is not
// a timestamp fails the run with PostgreSQL's own message naming the value.
// The value goes through timestamptz so that an offset in text counts
// ('2024-01-01T02:00:00+02:00' is 00:00 UTC; CAST(text AS timestamp) drops
// the offset); the session runs in UTC, so text without an offset and
// timestamp columns come out unchanged, and timestamptz ones at their UTC
// instant.
func (Postgres) Timestamp(expr string) string {
	return "CAST(CAST(" + expr + " AS TIMESTAMPTZ) AS TIMESTAMP)"
}

// Missing implements Dialect: NULL. Empty text fails the cast in
// Timestamp, and the run with it, as any other text that is no timestamp.
func (Postgres) Missing(expr string) string { return expr + " IS NULL" }

func (Postgres) Micros(expr string) string {
	return "CAST(EXTRACT(EPOCH FROM " + expr + ") * 1000000 AS BIGINT)"
}
func (Postgres) Seconds(m string) string { return "CAST(" + m + " AS DOUBLE PRECISION) / 1000000" }
func (Postgres) Days(m string) string {
	return "CAST(" + m + " AS DOUBLE PRECISION) / 86400000000"
}
func (Postgres) MinusMicros(expr string, n int64) string {
	return fmt.Sprintf("%s - INTERVAL '%d microseconds'", expr, n)
}
func (Postgres) MD5Hex(expr string) string     { return "md5(" + expr + ")" }
func (Postgres) Concat(exprs ...string) string { return strings.Join(exprs, " || ") }
func (Postgres) LocalDate(expr, tz string) string {
	if tz == "UTC" {
		return "CAST(" + expr + " AS DATE)"
	}
	return "CAST((" + expr + " AT TIME ZONE 'UTC') AT TIME ZONE " + Literal(tz) + " AS DATE)"
}
func (Postgres) CountIf(cond string) string   { return "COUNT(*) FILTER (WHERE " + cond + ")" }
func (Postgres) SumBigint(expr string) string { return "CAST(SUM(" + expr + ") AS BIGINT)" }
func (Postgres) Now() string                  { return "CAST(clock_timestamp() AT TIME ZONE 'UTC' AS TIMESTAMP)" }

// Preamble pins the session time zone so timestamptz sources cast to UTC.
func (Postgres) Preamble() []string { return []string{"SET TIME ZONE 'UTC'"} }

// CreateTable implements Dialect, with the key as primary key.
func (p Postgres) CreateTable(table string, cols []Column, key []string, ifNotExists bool) string {
	ine := ""
	if ifNotExists {
		ine = "IF NOT EXISTS "
	}
	collated := make([]Column, len(cols))
	for i, c := range cols {
		collated[i] = collate(c)
	}
	body := ColumnList(p, collated)
	if len(key) > 0 {
		body += ",\n  PRIMARY KEY (" + strings.Join(key, ", ") + ")"
	}
	return "CREATE TABLE " + ine + table + " (\n" + body + "\n)"
}

// CreateTableAs implements Dialect: a kept table is logged like any other,
// so it survives a crash of the server and reaches its replicas.
func (Postgres) CreateTableAs(table string, key []string) string {
	return "DROP TABLE IF EXISTS " + table + ";\nCREATE TABLE " + table + " AS"
}

// DropTable implements Dialect.
func (Postgres) DropTable(table string) string { return "DROP TABLE IF EXISTS " + table }

// AddColumn implements Dialect.
func (p Postgres) AddColumn(table string, c Column) string {
	c = collate(c)
	return "ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + p.Quote(c.Name) + " " + c.Type
}

// collate makes a text column compare by bytes (semantics §3).
func collate(c Column) Column {
	if c.Type == "TEXT" {
		c.Type = `TEXT COLLATE "C"`
	}
	return c
}

// Literal implements Dialect.
func (Postgres) Literal(s string) string { return Literal(s) }

// Lag implements Dialect.
func (Postgres) Lag(expr, window string) string { return "LAG(" + expr + ") OVER (" + window + ")" }

// Same implements Dialect.
func (Postgres) Same(a, b string) string { return a + " IS NOT DISTINCT FROM " + b }

// Distinct implements Dialect.
func (Postgres) Distinct(a, b string) string { return a + " IS DISTINCT FROM " + b }

// Analyze implements Dialect: a table built by CREATE TABLE AS has no
// statistics until autovacuum comes by, and joins on it plan badly.
func (Postgres) Analyze(table string) string { return "ANALYZE " + table }

// Index implements Dialect.
func (Postgres) Index(table, name string, cols []string) string {
	return "CREATE INDEX " + name + " ON " + table + " (" + strings.Join(cols, ", ") + ")"
}

// PrimaryKey implements Dialect.
func (Postgres) PrimaryKey(table string, key []string) string {
	return "ALTER TABLE " + table + " ADD PRIMARY KEY (" + strings.Join(key, ", ") + ")"
}

// WorkTable implements Dialect: work tables live in the output schema, so
// the rendered files also run one psql session at a time.
func (p Postgres) WorkTable(schema, name string) string { return p.Table(schema, name) }

// CreateWorkTableAs implements Dialect. Work tables are UNLOGGED: they live
// only during a run, so writing them to the WAL buys nothing. (A crash
// empties them, and the run they belonged to rolls back anyway.)
func (Postgres) CreateWorkTableAs(table string, key []string) string {
	return "DROP TABLE IF EXISTS " + table + ";\nCREATE UNLOGGED TABLE " + table + " AS"
}

// Publish implements Dialect: a run is one transaction.
func (Postgres) Publish() Publishing { return InTransaction }

// Variable implements Dialect: the query, as a scalar subquery.
func (Postgres) Variable(name, query string) (set, get string) { return "", "(" + query + ")" }

// Uncompressed implements Dialect.
func (Postgres) Uncompressed() (off, on string) { return "", "" }

// RegexpGroup implements Dialect.
func (Postgres) RegexpGroup(expr, pattern string) string {
	return "(regexp_match(" + expr + ", " + Literal(pattern) + "))[1]"
}

// URLDecode implements Dialect with the function the setup step creates
// (URLDecodeFunction).
func (p Postgres) URLDecode(expr, schema string) string {
	return p.Table(schema, "_sessionize_url_decode") + "(" + expr + ")"
}

// utf8Hex matches the hex of a byte string that is UTF-8 without a zero
// byte: each character's bytes as the Unicode standard allows them (no
// overlong forms, no surrogates, nothing past U+10FFFF).
const utf8Hex = `^(?:0[1-9a-f]|[1-7][0-9a-f]` +
	`|(?:c[2-9a-f]|d[0-9a-f])[89ab][0-9a-f]` +
	`|e0[ab][0-9a-f][89ab][0-9a-f]` +
	`|(?:e[1-9abcef])[89ab][0-9a-f][89ab][0-9a-f]` +
	`|ed[89][0-9a-f][89ab][0-9a-f]` +
	`|f0(?:9[0-9a-f]|[ab][0-9a-f])[89ab][0-9a-f][89ab][0-9a-f]` +
	`|f[1-3][89ab][0-9a-f][89ab][0-9a-f][89ab][0-9a-f]` +
	`|f48[0-9a-f][89ab][0-9a-f][89ab][0-9a-f])*$`

// URLDecodeFunction is the DDL of the function URLDecode calls. It checks
// the decoded bytes before converting them rather than catching the error
// of a conversion: an exception block would start a subtransaction, which
// PostgreSQL refuses in the parallel queries the function runs in.
func (p Postgres) URLDecodeFunction(schema string) string {
	return `CREATE OR REPLACE FUNCTION ` + p.Table(schema, "_sessionize_url_decode") + `(value TEXT)
RETURNS TEXT LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $body$
DECLARE
  bytes BYTEA;
BEGIN
  IF strpos(value, '%') = 0 THEN
    RETURN replace(value, '+', ' ');
  END IF;
  -- %XX as the byte it names, every other run of characters as its UTF-8
  SELECT string_agg(
    CASE WHEN part[1] ~ '^%[0-9A-Fa-f]{2}$' THEN decode(substr(part[1], 2), 'hex')
         ELSE convert_to(part[1], 'UTF8') END,
    ''::BYTEA ORDER BY n)
  INTO bytes
  FROM regexp_matches(replace(value, '+', ' '), '%[0-9A-Fa-f]{2}|[^%]+|%', 'g') WITH ORDINALITY AS t(part, n);
  -- not UTF-8 once decoded, or holding a zero byte: kept as written
  IF encode(bytes, 'hex') !~ '` + utf8Hex + `' THEN
    RETURN value;
  END IF;
  RETURN convert_from(bytes, 'UTF8');
END
$body$`
}

func (p Postgres) functions(schema string) []string {
	return []string{p.URLDecodeFunction(schema)}
}

// Like implements Dialect: the backslash is PostgreSQL's LIKE escape.
func (Postgres) Like(expr, pattern string) string {
	return expr + " LIKE " + Literal(pattern)
}

// LowerASCII implements Dialect: lower() in the C collation folds ASCII
// letters alone, at a twentieth of translate()'s cost on a user agent.
func (Postgres) LowerASCII(expr string) string {
	if strings.HasSuffix(expr, `COLLATE "C"`) { // a source column, as Text casts it
		return "lower(" + expr + ")"
	}
	return "lower(" + expr + ` COLLATE "C")`
}

// Explain implements Dialect: EXPLAIN (ANALYZE, BUFFERS), which runs the
// statement, for queries, writes and CREATE TABLE … AS.
func (Postgres) Explain(stmt string) (string, bool) {
	if kind, _ := statement(stmt); kind != "" {
		return "EXPLAIN (ANALYZE, BUFFERS) " + stmt, true
	}
	return "", false
}

// Fence implements Dialect: PostgreSQL pulls a subquery up into the query
// that reads it and puts each of its expressions in place of every
// reference, so a regexp_match the channel rules compare twenty times runs
// twenty times per row. It does not pull up a subquery with an OFFSET.
func (Postgres) Fence() string { return "OFFSET 0" }
