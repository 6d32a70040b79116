package render

import (
	"github.com/sessionize/sessionize/catalog"
	"github.com/sessionize/sessionize/dialects"
)

// The timestamps a run reads lie from firstTimestamp up to endTimestamp
// (excluded), UTC; others are no timestamps (semantics §3.1 invalid_timestamp).
// The range holds any event a product has sent, and every engine holds all
// of it: ClickHouse's DateTime64 covers 1900 to 2299, where DuckDB and
// PostgreSQL read 'infinity' and years such as 0001 or 294247, which would
// become sessions nobody could chart.
const (
	firstTimestamp = "1900-01-01 00:00:00"
	endTimestamp   = "2200-01-01 00:00:00"
)

// timestamp is a timestamp literal of the dialect.
func timestamp(d dialects.Dialect, s string) string {
	return "CAST(" + d.Literal(s) + " AS " + d.Type(catalog.Timestamp) + ")"
}

// bounded is the timestamp expr, or NULL where it lies outside the range a
// run reads.
func bounded(d dialects.Dialect, expr string) string {
	return "CASE WHEN " + expr + " >= " + timestamp(d, firstTimestamp) + " AND " + expr + " < " +
		timestamp(d, endTimestamp) + " THEN " + expr + " END"
}
