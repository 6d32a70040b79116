package dialects

import (
	"fmt"
	"strings"

	"github.com/sessionize/sessionize/catalog"
	"github.com/sessionize/sessionize/models"
)

// ClickHouse is ClickHouse 23.8 or newer (window functions, DateTime64,
// Date32, Bool, CREATE OR REPLACE TABLE). Every column is Nullable where the
// The semantics allow NULL, so NULL means the same as on the other engines; the
// settings in Preamble make joins and unions behave as standard SQL.
type ClickHouse struct{}

// Name implements Dialect.
func (ClickHouse) Name() string { return "clickhouse" }

// Quote implements Dialect.
func (ClickHouse) Quote(ident string) string {
	return "`" + strings.NewReplacer("\\", "\\\\", "`", "\\`").Replace(ident) + "`"
}

// Table implements Dialect.
func (c ClickHouse) Table(schema, name string) string { return c.Quote(schema) + "." + c.Quote(name) }

// Schema implements Dialect: a database of the server.
func (c ClickHouse) Schema(name string) string { return c.Quote(name) }

// Catalog implements Dialect: names are database.table.
func (ClickHouse) Catalog() string { return "" }

// Relation implements Dialect.
func (c ClickHouse) Relation(table string, _ SourceColumns) (string, error) {
	if models.IsFileTable(table) {
		return "", fmt.Errorf("table %q: files are read only on duckdb; load it into a clickhouse table", table)
	}
	return qualified(c, table), nil
}

// Literal implements Dialect. A backslash in a ClickHouse string literal
// starts an escape, so it is escaped too.
func (ClickHouse) Literal(s string) string {
	return "'" + strings.NewReplacer("\\", "\\\\", "'", "\\'").Replace(s) + "'"
}

// Inspect implements Dialect: the columns from system.columns, of the
// connection's current database for an unqualified table.
func (c ClickHouse) Inspect(table string, _ SourceColumns) (Inspection, error) {
	if models.IsFileTable(table) {
		return Inspection{}, fmt.Errorf("%s is a file, which only duckdb targets read; load it into a clickhouse table", table)
	}
	parts := strings.Split(table, ".")
	db := "currentDatabase()"
	switch len(parts) {
	case 2:
		db = c.Literal(parts[0])
	case 3:
		return Inspection{}, fmt.Errorf("%s names a catalog, and ClickHouse has none (want database.table)", table)
	}
	return Inspection{Query: "SELECT name, type FROM system.columns WHERE database = " + db +
		" AND table = " + c.Literal(parts[len(parts)-1]) + " ORDER BY position"}, nil
}

// Classify implements Dialect: Nullable(T) and LowCardinality(T) hold
// what T holds, and an integer a DateTime's seconds, but the model wants
// a timestamp the same way on every engine.
func (ClickHouse) Classify(typ string) Class {
	t := unwrap(typ)
	switch {
	case t == "Bool":
		return Boolean
	case hasAnyPrefix(t, "Date"):
		return Time
	case hasAnyPrefix(t, "Int", "UInt", "Float", "BFloat", "Decimal"):
		return Number
	case hasAnyPrefix(t, "UUID", "IPv", "Array", "Map", "Tuple", "Nested", "Interval", "Time", "Point", "Ring", "Polygon", "MultiPolygon", "LineString"):
		return Other
	}
	return Unjudged
}

// Type implements Dialect.
func (ClickHouse) Type(kind catalog.Kind) string {
	switch kind {
	case catalog.Integer:
		return "Int32"
	case catalog.Bigint:
		return "Nullable(Int64)"
	case catalog.Double:
		return "Nullable(Float64)"
	case catalog.Boolean:
		return "Bool"
	case catalog.Timestamp:
		return "Nullable(DateTime64(6, 'UTC'))"
	case catalog.Date:
		return "Date32"
	}
	return "Nullable(String)"
}

func (ClickHouse) Text(expr string) string { return "CAST(" + expr + " AS Nullable(String))" }

// Timestamp implements Dialect: a DateTime or DateTime64 column of any time
// zone keeps its instant; text is read as UTC; what cannot be read is NULL.
func (ClickHouse) Timestamp(expr string) string {
	return "accurateCastOrNull(" + expr + ", 'DateTime64(6, ''UTC'')')"
}

// Missing implements Dialect. toTypeName is a constant, so a column of a
// time type is only tested for NULL.
func (ClickHouse) Missing(expr string) string {
	return "(" + expr + " IS NULL OR (toTypeName(" + expr + ") LIKE '%String%' AND CAST(" + expr + " AS Nullable(String)) = ''))"
}

func (ClickHouse) Micros(expr string) string { return "toUnixTimestamp64Micro(" + expr + ")" }
func (ClickHouse) Seconds(m string) string   { return "toFloat64(" + m + ") / 1000000" }
func (ClickHouse) Days(m string) string      { return "toFloat64(" + m + ") / 86400000000" }
func (ClickHouse) MinusMicros(expr string, n int64) string {
	return fmt.Sprintf("%s - toIntervalMicrosecond(%d)", expr, n)
}
func (ClickHouse) MD5Hex(expr string) string     { return "lower(hex(MD5(" + expr + ")))" }
func (ClickHouse) Concat(exprs ...string) string { return "concat(" + strings.Join(exprs, ", ") + ")" }
func (c ClickHouse) LocalDate(expr, tz string) string {
	return "toDate32(" + expr + ", " + c.Literal(tz) + ")"
}
func (ClickHouse) CountIf(cond string) string   { return "toInt64(countIf(" + cond + "))" }
func (ClickHouse) SumBigint(expr string) string { return "toInt64(sum(" + expr + "))" }
func (ClickHouse) Now() string                  { return "now64(6, 'UTC')" }

// Lag implements Dialect. ClickHouse 23.8 has no LAG; lagInFrame reads the
// frame, so the frame is spelled out, and it gives the type's default (not
// NULL) on the first row unless the type is Nullable, so it is made so.
func (ClickHouse) Lag(expr, window string) string {
	return "lagInFrame(toNullable(" + expr + ")) OVER (" + window + " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
}

// Preamble implements Dialect. The rendered files set what they rely on, so
// they run the same from sessionize and from clickhouse-client:
// join_use_nulls: an outer join's missing side is NULL, not the type's default;
// union_default_mode: a bare UNION is UNION DISTINCT;
// prefer_column_name_to_alias: a name is the column before an alias of the
// same SELECT (MIN(session_start) AS session_start).
func (ClickHouse) Preamble() []string {
	return []string{
		"SET join_use_nulls = 1",
		"SET union_default_mode = 'DISTINCT'",
		"SET prefer_column_name_to_alias = 1",
	}
}

// mergeTree is the engine clause of every table: a MergeTree sorted by the
// key, which may hold Nullable columns (text is Nullable, as the semantics
// allow), with any further settings.
func mergeTree(key []string, partition string, settings ...string) string {
	s := "ENGINE = MergeTree"
	if partition != "" {
		s += " PARTITION BY " + partition
	}
	settings = append([]string{"allow_nullable_key = 1"}, settings...)
	return s + " ORDER BY " + orderBy(key) + " SETTINGS " + strings.Join(settings, ", ")
}

// CreateTable implements Dialect, as a MergeTree ordered by the key.
func (c ClickHouse) CreateTable(table string, cols []Column, key []string, ifNotExists bool) string {
	ine := ""
	if ifNotExists {
		ine = "IF NOT EXISTS "
	}
	return "CREATE TABLE " + ine + table + " (\n" + ColumnList(c, cols) + "\n) " + mergeTree(key, "")
}

// CreateTableAs implements Dialect.
func (ClickHouse) CreateTableAs(table string, key []string) string {
	return "CREATE OR REPLACE TABLE " + table + " " + mergeTree(key, "") + " AS"
}

// DropTable implements Dialect.
func (ClickHouse) DropTable(table string) string { return "DROP TABLE IF EXISTS " + table }

// AddColumn implements Dialect.
func (c ClickHouse) AddColumn(table string, col Column) string {
	return "ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + c.Quote(col.Name) + " " + col.Type
}

func orderBy(key []string) string {
	if len(key) == 0 {
		return "tuple()"
	}
	return "(" + strings.Join(key, ", ") + ")"
}

// Same implements Dialect. isNotDistinctFrom serves only JOIN ON before
// ClickHouse 24, so it is spelled out.
func (ClickHouse) Same(a, b string) string {
	return "((" + a + " IS NULL AND " + b + " IS NULL) OR ifNull(" + a + " = " + b + ", false))"
}

// Distinct implements Dialect.
func (c ClickHouse) Distinct(a, b string) string { return "NOT " + c.Same(a, b) }

// Analyze implements Dialect: the engine keeps its statistics itself.
func (ClickHouse) Analyze(table string) string { return "" }

// Index implements Dialect: tables are ordered by their key instead.
func (ClickHouse) Index(table, name string, cols []string) string { return "" }

// PrimaryKey implements Dialect: a MergeTree's sort key is set when it is
// created.
func (ClickHouse) PrimaryKey(table string, key []string) string { return "" }

// WorkTable implements Dialect.
func (c ClickHouse) WorkTable(schema, name string) string { return c.Table(schema, name) }

// CreateWorkTableAs implements Dialect. A work table is read whole, by hash
// joins and aggregations, never looked up by its key, so its rows are not
// sorted as they are written. It lives for one run and is read once or
// twice, so its parts are never merged (max_bytes_to_merge_at_max_space_in_pool
// = 0): merging them in the background rewrote most of each large work
// table while the run's next statements waited for the cores. Measured on
// chdb (2 cores): writing 10M rows of five columns took 7.0-7.2 s of CPU
// with the merges that followed it, 3.4-4.1 s without.
func (ClickHouse) CreateWorkTableAs(table string, key []string) string {
	return "CREATE OR REPLACE TABLE " + table + " " +
		mergeTree(nil, "", "max_bytes_to_merge_at_max_space_in_pool = 0") + " AS"
}

// Publish implements Dialect: versions, which the ClickHouse templates
// write and publish (see templates/clickhouse/00_setup).
func (ClickHouse) Publish() Publishing { return Versions }

// Variable implements Dialect: the query, as a scalar subquery.
func (ClickHouse) Variable(name, query string) (set, get string) { return "", "(" + query + ")" }

// Uncompressed implements Dialect.
func (ClickHouse) Uncompressed() (off, on string) { return "", "" }

// RegexpGroup implements Dialect.
func (c ClickHouse) RegexpGroup(expr, pattern string) string {
	return "extract(" + expr + ", " + c.Literal(pattern) + ")"
}

// URLDecode implements Dialect: ClickHouse strings hold any bytes, so the
// decoded value is checked.
func (ClickHouse) URLDecode(expr, _ string) string {
	decoded := "decodeURLFormComponent(" + expr + ")"
	return "if(isValidUTF8(" + decoded + ") AND position(" + decoded + ", char(0)) = 0, " + decoded + ", " + expr + ")"
}

// Like implements Dialect: ClickHouse's LIKE escapes with a backslash, which
// its string literal escapes again.
func (c ClickHouse) Like(expr, pattern string) string {
	return expr + " LIKE " + c.Literal(pattern)
}

// LowerASCII implements Dialect: ClickHouse's lower() folds ASCII letters
// alone (lowerUTF8 is the one that goes beyond).
func (ClickHouse) LowerASCII(expr string) string { return "lower(" + expr + ")" }

// Explain implements Dialect: ClickHouse has no EXPLAIN ANALYZE, and
// explains only queries, so it is EXPLAIN indexes = 1 (the plan with the
// parts and granules each table's partitions and primary key leave to
// read) of a query, or of the query an INSERT or a CREATE TABLE … AS
// writes; the statement then runs as usual.
func (ClickHouse) Explain(stmt string) (string, bool) {
	switch kind, query := statement(stmt); {
	case kind == "select":
		return "EXPLAIN indexes = 1 " + stmt, false
	case (kind == "insert" || kind == "create_as") && query != "":
		return "EXPLAIN indexes = 1 " + query, false
	}
	return "", false
}

// Fence implements Dialect: ClickHouse computes each expression once.
func (ClickHouse) Fence() string { return "" }
