package dialects

import "strings"

// Inspection is how to learn, on one engine, the columns of a source the
// model reads, so a run can check the model against its target before it
// writes anything (a missing table or column, or a column of a type that
// cannot hold what the model maps to it, would fail the run later, or
// worse, read as NULL).
type Inspection struct {
	// Query lists the source's columns as staging reads them (a file
	// reader's own fix-ups applied), as rows of (name, type): no rows
	// when the table does not exist, where the engine can tell that
	// without an error.
	Query string
	// Missing are texts of the engine's error for a source that does not
	// exist, where Query fails instead.
	Missing []string
	// FoldCase says column names match whatever their case.
	FoldCase bool
}

// Class is what a source column's type can hold, as the check judges it.
type Class int

// The classes of source column types.
const (
	// Unjudged is text and whatever the check cannot tell about: staging
	// casts it, and a value it cannot read is NULL or fails the run.
	Unjudged Class = iota
	// Number is integers, decimals and floats: they hold no timestamp.
	Number
	// Boolean holds no timestamp, and no id, event name or url.
	Boolean
	// Time is timestamps and dates.
	Time
	// Other is a type that holds neither text nor time (intervals, times
	// of day, bytes, lists, ...): it holds no timestamp.
	Other
)

// Holds says whether a column of class c can hold a model column: a
// timestamp (timestamp, loaded_at) when timestamp is set, else text (ids,
// event, url).
func (c Class) Holds(timestamp bool) bool {
	if timestamp {
		return c == Unjudged || c == Time
	}
	return c != Boolean
}

// unwrap strips the wrappers a ClickHouse type name may carry:
// Nullable(T) and LowCardinality(T) hold what T holds.
func unwrap(typ string) string {
	for {
		inner, ok := strings.CutPrefix(typ, "Nullable(")
		if !ok {
			inner, ok = strings.CutPrefix(typ, "LowCardinality(")
		}
		if !ok || !strings.HasSuffix(inner, ")") {
			return typ
		}
		typ = strings.TrimSuffix(inner, ")")
	}
}

// hasAnyPrefix reports whether s starts with one of prefixes.
func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
