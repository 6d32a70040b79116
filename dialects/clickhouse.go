package dialects

import (
	"fmt"
	"strings"
)

// ClickHouse is ClickHouse 23.8 or newer. Every column is Nullable where the
// SPEC allows NULL, so NULL means the same as on the other engines.
type ClickHouse struct{}

// Name implements Dialect.
func (ClickHouse) Name() string { return "clickhouse" }

// Quote implements Dialect.
func (ClickHouse) Quote(ident string) string {
	return "`" + strings.NewReplacer("\\", "\\\\", "`", "\\`").Replace(ident) + "`"
}

// Relation implements Dialect.
func (c ClickHouse) Relation(table string) (string, error) {
	if IsFile(table) {
		return "", fmt.Errorf("table %q: files are read only on duckdb; load it into a clickhouse table", table)
	}
	return qualified(c, table), nil
}

func (ClickHouse) TextType() string      { return "Nullable(String)" }
func (ClickHouse) IntType() string       { return "Int32" }
func (ClickHouse) BigintType() string    { return "Int64" }
func (ClickHouse) DoubleType() string    { return "Nullable(Float64)" }
func (ClickHouse) BoolType() string      { return "Bool" }
func (ClickHouse) TimestampType() string { return "Nullable(DateTime64(6, 'UTC'))" }
func (ClickHouse) DateType() string      { return "Date32" }

func (ClickHouse) Text(expr string) string { return "CAST(" + expr + " AS Nullable(String))" }
func (ClickHouse) Timestamp(expr string) string {
	return "toDateTime64OrNull(toString(" + expr + "), 6, 'UTC')"
}
func (ClickHouse) Micros(expr string) string { return "toUnixTimestamp64Micro(" + expr + ")" }
func (ClickHouse) Seconds(m string) string   { return "toFloat64(" + m + ") / 1000000" }
func (ClickHouse) Days(m string) string      { return "toFloat64(" + m + ") / 86400000000" }
func (ClickHouse) MinusMicros(expr string, n int64) string {
	return fmt.Sprintf("%s - toIntervalMicrosecond(%d)", expr, n)
}
func (ClickHouse) MD5Hex(expr string) string     { return "lower(hex(MD5(" + expr + ")))" }
func (ClickHouse) Concat(exprs ...string) string { return "concat(" + strings.Join(exprs, ", ") + ")" }
func (ClickHouse) LocalDate(expr, tz string) string {
	return "toDate32(" + expr + ", " + Literal(tz) + ")"
}
func (ClickHouse) SortedDistinctAgg(expr, sep string) string {
	return "arrayStringConcat(arraySort(groupUniqArray(" + expr + ")), " + Literal(sep) + ")"
}
func (ClickHouse) ArgMin(v, key, cond string) string {
	return "argMinIf(" + v + ", " + key + ", " + cond + ")"
}
func (ClickHouse) CountIf(cond string) string   { return "toInt64(countIf(" + cond + "))" }
func (ClickHouse) SumBigint(expr string) string { return "toInt64(sum(" + expr + "))" }
func (ClickHouse) Now() string                  { return "now64(6, 'UTC')" }

// Preamble implements Dialect: ClickHouse settings travel with each query.
func (ClickHouse) Preamble() []string { return nil }

// CreateTable implements Dialect, as a MergeTree ordered by the key.
func (c ClickHouse) CreateTable(table string, cols []Column, key []string, ifNotExists bool) string {
	ine := ""
	if ifNotExists {
		ine = "IF NOT EXISTS "
	}
	return "CREATE TABLE " + ine + table + " (\n" + columnList(c, cols) + "\n) ENGINE = MergeTree ORDER BY " + orderBy(key)
}

// CreateTableAs implements Dialect.
func (ClickHouse) CreateTableAs(table string, key []string) string {
	return "CREATE OR REPLACE TABLE " + table + " ENGINE = MergeTree ORDER BY " + orderBy(key) + " AS"
}

// DropTable implements Dialect.
func (ClickHouse) DropTable(table string) string { return "DROP TABLE IF EXISTS " + table }

func orderBy(key []string) string {
	if len(key) == 0 {
		return "tuple()"
	}
	return "(" + strings.Join(key, ", ") + ")"
}

// Same implements Dialect.
func (ClickHouse) Same(a, b string) string { return "isNotDistinctFrom(" + a + ", " + b + ")" }

// Distinct implements Dialect.
func (ClickHouse) Distinct(a, b string) string { return "NOT isNotDistinctFrom(" + a + ", " + b + ")" }

// Analyze implements Dialect: the engine keeps its statistics itself.
func (ClickHouse) Analyze(table string) string { return "" }

// Index implements Dialect: tables are ordered by their key instead.
func (ClickHouse) Index(table, name string, cols []string) string { return "" }
