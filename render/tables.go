package render

import "github.com/sessionize/sessionize/dialects"

// Column kinds; the dialect turns each into its engine's type.
const (
	text    = "text"
	integer = "integer"
	bigint  = "bigint"
	double  = "double"
	boolean = "boolean"
	stamp   = "timestamp"
	date    = "date"
)

type columnSpec struct{ name, kind string }

// tableSpec is one table the pipeline owns: an output of SPEC §4 or a piece
// of state the incremental path keeps between runs.
type tableSpec struct {
	name    string
	key     []string // sort key and export order
	pk      bool     // the key is a primary key (no NULLs, no duplicates)
	columns []columnSpec
}

// Outputs are the tables of SPEC §4, in the SPEC's column order.
var Outputs = []tableSpec{
	{name: "sessions", key: []string{"session_id"}, pk: true, columns: []columnSpec{
		{"session_id", text}, {"contact_id", text}, {"property", text},
		{"property_type", text}, {"asset_class", text}, {"session_index", integer},
		{"session_start", stamp}, {"session_end", stamp}, {"duration_seconds", double},
		{"event_count", bigint}, {"source", text}, {"first_event", text}, {"first_url", text},
		{"contact_session_id", text}, {"user_lifecycle", text},
		{"days_since_prev_product_session", double},
	}},
	{name: "contact_sessions", key: []string{"contact_session_id"}, pk: true, columns: []columnSpec{
		{"contact_session_id", text}, {"contact_id", text}, {"session_index", integer},
		{"session_start", stamp}, {"session_end", stamp}, {"duration_seconds", double},
		{"event_count", bigint}, {"session_count", bigint}, {"properties", text},
		{"is_cross_property", boolean}, {"entry_property", text}, {"entry_session_id", text},
		{"entry_url", text}, {"has_product", boolean}, {"prompted_product", boolean},
		{"user_lifecycle", text},
	}},
	{name: "daily_metrics", key: []string{"day", "property"}, pk: true, columns: []columnSpec{
		{"day", date}, {"property", text}, {"sessions", bigint}, {"contacts", bigint},
		{"events", bigint}, {"new_user_sessions", bigint}, {"active_user_sessions", bigint},
		{"resurrected_user_sessions", bigint}, {"cross_property_sessions", bigint},
	}},
	{name: "prompted_events", key: []string{"day", "entry_property", "entry_url", "event"}, columns: []columnSpec{
		{"day", date}, {"entry_property", text}, {"entry_url", text}, {"event", text},
		{"contact_sessions", bigint}, {"contacts", bigint}, {"events", bigint},
		{"new_user_sessions", bigint},
	}},
	{name: "rejected_events", key: []string{"event_id", "source", "timestamp", "loaded_at", "reason"}, columns: []columnSpec{
		{"event_id", text}, {"source", text}, {"timestamp", stamp}, {"loaded_at", stamp},
		{"reason", text},
	}},
}

// stateTables are what an incremental run reads of earlier runs besides the
// outputs. The base templates create them from queries; engines that
// declare every table up front (ClickHouse) use these columns, in the
// order of those queries.
var stateTables = []tableSpec{
	{name: "_sessionize_events", key: []string{"contact_id", "property", "ts", "event_id"}, columns: []columnSpec{
		{"contact_id", text}, {"source", text}, {"property", text}, {"event_id", text},
		{"ts", stamp}, {"loaded_at", stamp}, {"user_id", text}, {"anonymous_id", text},
		{"event", text}, {"url", text},
	}},
	{name: "_sessionize_identity", key: []string{"anonymous_id"}, columns: []columnSpec{
		{"anonymous_id", text}, {"user_id", text},
	}},
	{name: "_sessionize_identifies", key: []string{"anonymous_id"}, columns: []columnSpec{
		{"anonymous_id", text}, {"user_id", text}, {"ts", stamp}, {"id", text},
	}},
	{name: "_sessionize_rejected", key: []string{"table_pos", "loaded_at"}, columns: []columnSpec{
		{"table_pos", integer}, {"event_id", text}, {"source", text}, {"timestamp", stamp},
		{"loaded_at", stamp}, {"reason", text},
	}},
	{name: "_sessionize_prompted", key: []string{"contact_id"}, columns: []columnSpec{
		{"contact_id", text}, {"contact_session_id", text}, {"cs_start", stamp}, {"day", date},
		{"entry_property", text}, {"entry_url", text}, {"event", text}, {"events", bigint},
		{"is_new", boolean},
	}},
}

// runsTable is SPEC §4's state table: one row per run.
var runsTable = tableSpec{name: "_sessionize_runs", key: []string{"run_id"}, pk: true, columns: []columnSpec{
	{"run_id", bigint}, {"model_hash", text}, {"dialect", text}, {"mode", text},
	{"started_at", stamp}, {"finished_at", stamp}, {"status", text}, {"watermark", stamp},
	{"events_read", bigint}, {"rejected", bigint}, {"contacts_affected", bigint},
	{"rows_written", bigint}, {"model", text}, {"error", text},
}}

// watermarksTable keeps each table's watermark (SPEC §5): every successful
// run adds one row per table the model reads, and the rows of the last
// successful run are the current watermarks. Rows of runs that failed are
// never read, so no engine needs a transaction to keep it right.
var watermarksTable = tableSpec{name: "_sessionize_watermarks", key: []string{"run_id", "table_pos"}, pk: true, columns: []columnSpec{
	{"run_id", bigint}, {"table_pos", integer}, {"source", text}, {"table_name", text},
	{"watermark", stamp}, {"max_loaded", stamp},
}}

// Output returns the spec of the output table with the given name.
func Output(name string) (Columns []string, Key []string, ok bool) {
	for _, t := range Outputs {
		if t.name == name {
			for _, c := range t.columns {
				Columns = append(Columns, c.name)
			}
			return Columns, t.key, true
		}
	}
	return nil, nil, false
}

// OutputNames lists the output tables in SPEC order.
func OutputNames() []string {
	names := make([]string, len(Outputs))
	for i, t := range Outputs {
		names[i] = t.name
	}
	return names
}

func (t tableSpec) dialectColumns(d dialects.Dialect) []dialects.Column {
	cols := make([]dialects.Column, len(t.columns))
	for i, c := range t.columns {
		cols[i] = dialects.Column{Name: c.name, Type: typeOf(d, c.kind)}
	}
	return cols
}

func typeOf(d dialects.Dialect, kind string) string {
	switch kind {
	case integer:
		return d.IntType()
	case bigint:
		return d.BigintType()
	case double:
		return d.DoubleType()
	case boolean:
		return d.BoolType()
	case stamp:
		return d.TimestampType()
	case date:
		return d.DateType()
	}
	return d.TextType()
}
