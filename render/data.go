package render

import (
	"cmp"
	"slices"
	"sort"
	"time"

	"github.com/sessionize/sessionize/catalog"
	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/models"
)

// data is what every template sees as dot.
type data struct {
	Step        string
	Name        string
	Hash        string
	Dialect     string
	Mode        Mode
	Incremental bool
	Schema      string
	Timezone    string

	Events     []eventTable
	Identifies []identifyTable
	// Tables are every table the model reads, events then identifies, each
	// with the position that keys its watermark (semantics §5).
	Tables []tableRef
	// Properties are the model's properties, sorted by bytes.
	Properties []string
	// FirstTimestamp and EndTimestamp bound the timestamps a run reads
	// (see bounded).
	FirstTimestamp, EndTimestamp string
	// StagesFullRuns: the dialect publishes by dialects.StagedFullRuns.
	StagesFullRuns bool

	// start is when the run starts, or zero for the engine's clock.
	start time.Time
	// model is the model itself, for the enrichment functions.
	model *models.Model

	InactivityTimeout, CrossPropertyWindow, LateWindow, Lookback string
	TimeoutMicros, WindowMicros, LateMicros, LookbackMicros      int64
	// MaxDuration caps sessions (docs/enrichment.md §3.3); "" and 0
	// without a cap.
	MaxDuration       string
	MaxDurationMicros int64
	// PassThrough are the model's pass-through columns, in order.
	PassThrough []passColumn
	// Bots says the model has bot patterns, OwnTimeouts that a property
	// has a timeout of its own.
	Bots, OwnTimeouts bool
}

// passColumn is one pass-through column: Name on sessions, Col in the
// staged events and work tables (prefixed, so that it takes no name of
// theirs), both quoted.
type passColumn struct{ Name, Col string }

// tableRef is one table the model reads: its position among them (1, 2, ...
// in the model's order, events then identifies), the source it belongs to
// ("" for an identifies table) and its name as the model writes it. A
// model that changes is refused for incremental runs, so a position names
// the same table from one run to the next.
type tableRef struct {
	Pos           int
	Source, Table string
}

// eventTable is one source table with each model column as a cast SQL
// expression over the table's own (quoted) column, or a typed NULL.
type eventTable struct {
	Pos                                               int
	Source, Property, Table, Relation, Filter         string
	EventID, Timestamp, UserID, AnonymousID, LoadedAt string
	// TimestampMissing is the condition that the row has no timestamp
	// (NULL or empty), as against one that cannot be read.
	TimestampMissing string
	// LoadTime is the table's own column that loaded_at comes from: its
	// load time, or its timestamp where it has none.
	LoadTime   string
	Event, URL string
	// Referrer and UserAgent are text or typed NULLs; Pass the
	// pass-through columns, in the model's order.
	Referrer, UserAgent string
	Pass                []passValue
}

// passValue is a pass-through column of a source table: Expr, its value as
// text, goes into the staged events' column Col (quoted).
type passValue struct{ Expr, Col string }

// identifyTable is one identifies table, as eventTable.
type identifyTable struct {
	Pos                                          int
	Table, Relation, Filter                      string
	ID, UserID, AnonymousID, Timestamp, LoadedAt string
	LoadTime                                     string
}

func newData(m *models.Model, d dialects.Dialect, mode Mode) (*data, error) {
	x := &data{
		Name:                m.Name,
		Hash:                m.Hash,
		Dialect:             d.Name(),
		Mode:                mode,
		Incremental:         mode == Incremental,
		StagesFullRuns:      d.Publish() == dialects.StagedFullRuns,
		Schema:              m.Output.Schema,
		Timezone:            m.Timezone,
		InactivityTimeout:   models.Duration(m.Sessions.InactivityTimeout),
		CrossPropertyWindow: models.Duration(m.Sessions.CrossPropertyWindow),
		LateWindow:          models.Duration(m.Sessions.LateWindow),
		Lookback:            models.Duration(m.Lifecycle.Lookback),
		TimeoutMicros:       m.Sessions.InactivityTimeout.Microseconds(),
		WindowMicros:        m.Sessions.CrossPropertyWindow.Microseconds(),
		LateMicros:          m.Sessions.LateWindow.Microseconds(),
		LookbackMicros:      m.Lifecycle.Lookback.Microseconds(),
		FirstTimestamp:      firstTimestamp,
		EndTimestamp:        endTimestamp,
		MaxDurationMicros:   m.Sessions.MaxDuration.Microseconds(),
		Bots:                len(m.Enrichment.Bots) > 0,
		model:               m,
	}
	for _, p := range m.Properties() {
		x.OwnTimeouts = x.OwnTimeouts || m.Timeout(p) != m.Sessions.InactivityTimeout
	}
	if m.Sessions.MaxDuration > 0 {
		x.MaxDuration = models.Duration(m.Sessions.MaxDuration)
	}
	for _, name := range m.Enrichment.PassThrough {
		x.PassThrough = append(x.PassThrough, passColumn{Name: d.Quote(name), Col: d.Quote(catalog.PassPrefix + name)})
	}
	c := columns{d}
	for _, s := range m.Sources {
		for _, t := range s.Tables {
			rel, err := d.Relation(t.Table, EventColumns(t.Columns))
			if err != nil {
				return nil, err
			}
			pass := make([]passValue, len(t.Columns.PassThrough))
			for i, col := range t.Columns.PassThrough {
				pass[i] = passValue{Expr: c.text(col), Col: x.PassThrough[i].Col}
			}
			x.Tables = append(x.Tables, tableRef{Pos: len(x.Tables) + 1, Source: s.Name, Table: t.Table})
			x.Events = append(x.Events, eventTable{
				Pos:              len(x.Tables),
				Source:           s.Name,
				Property:         s.Property(),
				Table:            t.Table,
				Relation:         rel,
				Filter:           t.Filter,
				EventID:          c.id(t.Columns.EventID),
				Timestamp:        c.timestamp(t.Columns.Timestamp),
				UserID:           c.id(t.Columns.UserID),
				AnonymousID:      c.id(t.Columns.AnonymousID),
				LoadedAt:         c.timestamp(t.Columns.LoadedAt),
				LoadTime:         c.timestamp(cmp.Or(t.Columns.LoadedAt, t.Columns.Timestamp)),
				Event:            c.text(t.Columns.Event),
				URL:              c.text(t.Columns.URL),
				Referrer:         c.text(t.Columns.Referrer),
				UserAgent:        c.text(t.Columns.UserAgent),
				Pass:             pass,
				TimestampMissing: c.missing(t.Columns.Timestamp),
			})
		}
	}
	seen := map[string]bool{}
	for _, e := range x.Events {
		if !seen[e.Property] {
			seen[e.Property] = true
			x.Properties = append(x.Properties, e.Property)
		}
	}
	sort.Strings(x.Properties)
	for _, t := range m.Identifies {
		rel, err := d.Relation(t.Table, IdentifyColumns(t.Columns))
		if err != nil {
			return nil, err
		}
		x.Tables = append(x.Tables, tableRef{Pos: len(x.Tables) + 1, Table: t.Table})
		x.Identifies = append(x.Identifies, identifyTable{
			Pos:         len(x.Tables),
			Table:       t.Table,
			Relation:    rel,
			Filter:      t.Filter,
			ID:          c.id(t.Columns.ID),
			UserID:      c.id(t.Columns.UserID),
			AnonymousID: c.id(t.Columns.AnonymousID),
			Timestamp:   c.timestamp(t.Columns.Timestamp),
			LoadedAt:    c.timestamp(t.Columns.LoadedAt),
			LoadTime:    c.timestamp(cmp.Or(t.Columns.LoadedAt, t.Columns.Timestamp)),
		})
	}
	return x, nil
}

// columns casts a source column to its documented type (semantics §3.1).
type columns struct{ d dialects.Dialect }

// id is a text id where the empty string counts as NULL.
func (c columns) id(col string) string {
	if col == "" {
		return c.d.Text("NULL")
	}
	return "NULLIF(" + c.d.Text(c.d.Quote(col)) + ", '')"
}

func (c columns) text(col string) string {
	if col == "" {
		return c.d.Text("NULL")
	}
	return c.d.Text(c.d.Quote(col))
}

func (c columns) timestamp(col string) string {
	if col == "" {
		return "CAST(NULL AS " + c.d.Type(catalog.Timestamp) + ")"
	}
	return c.d.Timestamp(c.d.Quote(col))
}

// missing is the condition that a source column holds no value.
func (c columns) missing(col string) string {
	if col == "" {
		return "true"
	}
	return c.d.Missing(c.d.Quote(col))
}

// EventColumns are the columns a model reads from an events table.
func EventColumns(c models.EventColumns) dialects.SourceColumns {
	return dialects.SourceColumns{
		Text:       distinct(slices.Concat([]string{c.EventID, c.UserID, c.AnonymousID, c.Event, c.URL, c.Referrer, c.UserAgent}, c.PassThrough)...),
		Timestamps: distinct(c.Timestamp, c.LoadedAt),
	}
}

// IdentifyColumns are the columns a model reads from an identifies table.
func IdentifyColumns(c models.IdentifyColumns) dialects.SourceColumns {
	return dialects.SourceColumns{
		Text:       distinct(c.ID, c.UserID, c.AnonymousID),
		Timestamps: distinct(c.Timestamp, c.LoadedAt),
	}
}

// distinct are the named columns, each once.
func distinct(cols ...string) []string {
	var out []string
	for _, c := range cols {
		if c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}
