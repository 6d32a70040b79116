// Package catalog is the one list of the tables sessionize owns: the
// outputs users read, the state incremental runs keep, and the runs and
// watermarks every run adds to. Everything else that names them derives
// from here: the DDL the renderer writes, the tables a ClickHouse run
// versions, the tables whose absence makes a run full, export's columns,
// keys and date columns, and the outputs the conformance suite compares.
// (Work tables, which live only during a run, are named by the templates
// that create them; the renderer records them as it goes and drops them
// at the end.)
package catalog

import "slices"

// Kind is a column's type, which each dialect maps to its engine's own.
type Kind string

// The column kinds.
const (
	Text      Kind = "text"
	Integer   Kind = "integer"
	Bigint    Kind = "bigint"
	Double    Kind = "double"
	Boolean   Kind = "boolean"
	Timestamp Kind = "timestamp"
	Date      Kind = "date"
)

// Column is one column of a table.
type Column struct {
	Name string
	Kind Kind
}

// Table is one table sessionize owns.
type Table struct {
	Name string
	// Key is the sort key and export order.
	Key []string
	// PrimaryKey says the key has no NULLs and no duplicates.
	PrimaryKey bool
	// IDKey says the key is an id hashed from other columns (md5), whose
	// order is random: an engine that stores its tables sorted
	// (ClickHouse) stores this one in the order its rows are written.
	// Sorting 2M sessions by session_id as they were written took 3-5 s
	// at 10M demo events, and served no lookup a run makes.
	IDKey   bool
	Columns []Column
	// Part is the part of the table an incremental run replaces, nil for
	// a table it writes whole.
	Part *Part
}

// Part is the part of a kept table an incremental run replaces: for each
// value of By the run touches, the rows from Since on (Since >= the run's
// restart point for that value), or every row when Since is "" or the
// point is NULL. Engines with transactions delete and insert those rows;
// an engine that publishes versions (ClickHouse) writes only them, with a
// marker of what they replace, instead of a copy of the whole table.
type Part struct {
	By    string
	Since string
}

// ColumnNames are the table's column names, in order.
func (t Table) ColumnNames() []string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return names
}

// KindOf is the kind of the named column ("" when the table has none).
func (t Table) KindOf(column string) Kind {
	for _, c := range t.Columns {
		if c.Name == column {
			return c.Kind
		}
	}
	return ""
}

func cols(pairs ...any) []Column {
	out := make([]Column, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, Column{pairs[i].(string), pairs[i+1].(Kind)})
	}
	return out
}

// Outputs are the tables users read, in the documented column order
// (docs/tables.md).
var Outputs = []Table{
	{Name: "sessions", Key: []string{"session_id"}, PrimaryKey: true, IDKey: true, Part: byContact("session_start"), Columns: cols(
		"session_id", Text, "contact_id", Text, "property", Text,
		"property_type", Text, "asset_class", Text, "session_index", Integer,
		"session_start", Timestamp, "session_end", Timestamp, "duration_seconds", Double,
		"event_count", Bigint, "source", Text, "first_event", Text, "first_url", Text,
		"contact_session_id", Text, "user_lifecycle", Text,
		"days_since_prev_product_session", Double,
		// enrichment (docs/enrichment.md §4); pass-through columns follow
		"last_event", Text, "last_url", Text, "referrer", Text,
		"utm_source", Text, "utm_medium", Text, "utm_campaign", Text,
		"utm_term", Text, "utm_content", Text, "channel", Text, "is_bounce", Boolean,
	)},
	{Name: "contact_sessions", Key: []string{"contact_session_id"}, PrimaryKey: true, IDKey: true, Part: byContact("session_start"), Columns: cols(
		"contact_session_id", Text, "contact_id", Text, "session_index", Integer,
		"session_start", Timestamp, "session_end", Timestamp, "duration_seconds", Double,
		"event_count", Bigint, "session_count", Bigint, "properties", Text,
		"is_cross_property", Boolean, "entry_property", Text, "entry_session_id", Text,
		"entry_url", Text, "has_product", Boolean, "prompted_product", Boolean,
		"user_lifecycle", Text,
		// enrichment: the entry session's
		"utm_source", Text, "utm_medium", Text, "utm_campaign", Text, "channel", Text,
	)},
	{Name: "daily_metrics", Key: []string{"day", "property"}, PrimaryKey: true, Columns: cols(
		"day", Date, "property", Text, "sessions", Bigint, "contacts", Bigint,
		"events", Bigint, "new_user_sessions", Bigint, "active_user_sessions", Bigint,
		"resurrected_user_sessions", Bigint, "cross_property_sessions", Bigint,
	)},
	{Name: "daily_channels", Key: []string{"day", "property", "channel"}, PrimaryKey: true, Columns: cols(
		"day", Date, "property", Text, "channel", Text, "sessions", Bigint, "contacts", Bigint,
		"prompted_product_sessions", Bigint, "new_user_sessions", Bigint,
	)},
	{Name: "prompted_events", Key: []string{"day", "entry_property", "entry_url", "event"}, Columns: cols(
		"day", Date, "entry_property", Text, "entry_url", Text, "event", Text,
		"contact_sessions", Bigint, "contacts", Bigint, "events", Bigint,
		"new_user_sessions", Bigint,
	)},
	{Name: "rejected_events", Key: []string{"event_id", "source", "timestamp", "loaded_at", "reason"}, Columns: cols(
		"event_id", Text, "source", Text, "timestamp", Timestamp, "loaded_at", Timestamp,
		"reason", Text,
	)},
}

// State are the tables an incremental run reads of earlier runs besides
// the outputs. The base templates create them from queries; engines that
// declare every table up front (ClickHouse) use these columns, in the
// order of those queries.
var State = []Table{
	// An incremental run replaces the events it read better copies of and
	// those whose contact changed, by event_id.
	{Name: "_sessionize_events", Key: []string{"contact_id", "property", "ts", "event_id"}, Part: &Part{By: "event_id"}, Columns: cols(
		"contact_id", Text, "source", Text, "property", Text, "event_id", Text,
		"ts", Timestamp, "loaded_at", Timestamp, "user_id", Text, "anonymous_id", Text,
		"event", Text, "url", Text, "referrer", Text,
	)},
	{Name: "_sessionize_identity", Key: []string{"anonymous_id"}, Part: &Part{By: "anonymous_id"}, Columns: cols(
		"anonymous_id", Text, "user_id", Text, "ts", Timestamp, "id", Text,
	)},
	{Name: "_sessionize_identifies", Key: []string{"anonymous_id"}, Part: &Part{By: "anonymous_id"}, Columns: cols(
		"anonymous_id", Text, "user_id", Text, "ts", Timestamp, "id", Text,
	)},
	// The rejected rows with the position of the table they came from, so
	// that the rows a run reads again replace those an earlier run read of
	// the same table; rejected_events is these rows without it.
	{Name: "_sessionize_rejected", Key: []string{"table_pos", "loaded_at"}, Columns: cols(
		"table_pos", Integer, "event_id", Text, "source", Text, "timestamp", Timestamp,
		"loaded_at", Timestamp, "reason", Text,
	)},
	{Name: "_sessionize_prompted", Key: []string{"contact_id"}, Part: byContact("cs_start"), Columns: cols(
		"contact_id", Text, "contact_session_id", Text, "cs_start", Timestamp, "day", Date,
		"entry_property", Text, "entry_url", Text, "event", Text, "events", Bigint,
		"is_new", Boolean,
	)},
}

// Runs has one row per run.
var Runs = Table{Name: "_sessionize_runs", Key: []string{"run_id"}, PrimaryKey: true, Columns: cols(
	"run_id", Bigint, "model_hash", Text, "dialect", Text, "mode", Text,
	"started_at", Timestamp, "finished_at", Timestamp, "status", Text, "watermark", Timestamp,
	"events_read", Bigint, "rejected", Bigint, "contacts_affected", Bigint,
	"rows_written", Bigint, "model", Text, "error", Text, "tool_version", Text,
)}

// RunsAdded are the runs table's columns that versions after its first
// added, in order: a runs table an older version created gets them.
var RunsAdded = []string{"tool_version"}

// Watermarks keeps each table's watermark: every successful run adds one
// row per table the model reads, and the rows of the last successful run
// are the current watermarks. Rows of runs that failed are never read, so
// no engine needs a transaction to keep it right.
var Watermarks = Table{Name: "_sessionize_watermarks", Key: []string{"run_id", "table_pos"}, PrimaryKey: true, Columns: cols(
	"run_id", Bigint, "table_pos", Integer, "source", Text, "table_name", Text,
	"watermark", Timestamp, "max_loaded", Timestamp,
)}

// Bases records, on an engine that publishes versions (ClickHouse), the
// runs that wrote each kept table whole: a full run all of them, an
// incremental run those it writes whole (Table.Part nil) and those whose
// replaced parts had grown enough to be worth compacting. The table's
// published rows are those of its last such run and of the successful runs
// after it, less the rows their markers replace.
var Bases = Table{Name: "_sessionize_bases", Key: []string{"table_name", "gen"}, PrimaryKey: true, Columns: cols(
	"table_name", Text, "gen", Bigint,
)}

// byContact is the part of a table an incremental run replaces from each
// touched contact's restart point on (the rule of semantics.md §5).
func byContact(since string) *Part { return &Part{By: "contact_id", Since: since} }

// Logs are the tables every run adds rows to, created once and never
// replaced.
var Logs = []Table{Runs, Watermarks}

// Kept are the tables a run writes as a whole new version (on ClickHouse)
// or in place: the outputs and the state. A target missing one of them is
// rebuilt by a full run.
func Kept() []Table { return slices.Concat(Outputs, State) }

// PassPrefix starts the name of a pass-through column in the staged
// events, where the name alone could take one of theirs.
const PassPrefix = "pass_"

// WithPassThrough is t with a model's pass-through columns (text, in their
// order) where it keeps them: sessions by their names, the staged events
// prefixed; other tables as they are.
func WithPassThrough(t Table, names []string) Table {
	prefix := ""
	switch t.Name {
	case "sessions":
	case "_sessionize_events":
		prefix = PassPrefix
	default:
		return t
	}
	t.Columns = slices.Clone(t.Columns)
	for _, n := range names {
		t.Columns = append(t.Columns, Column{prefix + n, Text})
	}
	return t
}

// OutputsWith are the outputs of a model with the given pass-through
// columns.
func OutputsWith(names []string) []Table {
	out := make([]Table, len(Outputs))
	for i, t := range Outputs {
		out[i] = WithPassThrough(t, names)
	}
	return out
}

// Output is the output table with the given name.
func Output(name string) (Table, bool) { return find(Outputs, name) }

// OutputNames are the output tables' names, in order.
func OutputNames() []string {
	names := make([]string, len(Outputs))
	for i, t := range Outputs {
		names[i] = t.Name
	}
	return names
}

// Lookup is any table of the catalog by name.
func Lookup(name string) (Table, bool) {
	return find(slices.Concat(Kept(), Logs, []Table{Bases}), name)
}

func find(ts []Table, name string) (Table, bool) {
	for _, t := range ts {
		if t.Name == name {
			return t, true
		}
	}
	return Table{}, false
}
