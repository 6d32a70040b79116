package models

import (
	"path/filepath"
	"strings"
)

// Read is one table (or, on DuckDB, a file or glob) the model reads, with
// the columns it reads from it and where the model says so, for checking
// the model against a target before it runs there.
type Read struct {
	Table      string // as written
	Identifies bool   // an identifies table, else a source's table
	At         Error  // where `table:` is written (no file for a hand-built model)
	Columns    []ReadColumn
}

// ReadColumn is one column the model reads from a table.
type ReadColumn struct {
	Key      string // the model column: event_id, timestamp, user_id, ... or id for identifies
	Name     string // the table's column behind it
	Time     bool   // it holds a timestamp (timestamp, loaded_at); else text (ids, event, url)
	Optional bool   // the model may declare it absent with `Key: null`
	Mapped   bool   // written under `columns:`; else the Segment default
	At       Error  // where it is mapped, or the table's At for a default
}

// Reads lists what the model reads: each source's tables in order, then the
// identifies tables, each with the columns it reads from them in model
// order; a column declared absent (`url: null`) is not read.
func (m *Model) Reads() []Read {
	var out []Read
	for _, s := range m.Sources {
		for _, t := range s.Tables {
			c := t.Columns
			cols := []ReadColumn{
				{Key: "event_id", Name: c.EventID},
				{Key: "timestamp", Name: c.Timestamp, Time: true},
				{Key: "user_id", Name: c.UserID},
				{Key: "anonymous_id", Name: c.AnonymousID},
				{Key: "loaded_at", Name: c.LoadedAt, Time: true, Optional: true},
				{Key: "event", Name: c.Event, Optional: true},
				{Key: "url", Name: c.URL, Optional: true},
				{Key: "referrer", Name: c.Referrer, Optional: true},
				{Key: "user_agent", Name: c.UserAgent, Optional: true},
			}
			for i, name := range m.Enrichment.PassThrough {
				cols = append(cols, ReadColumn{Key: name, Name: c.PassThrough[i], Optional: true})
			}
			out = append(out, read(t.Table, false, t.at, t.columnsAt, cols))
		}
	}
	for _, t := range m.Identifies {
		c := t.Columns
		out = append(out, read(t.Table, true, t.at, t.columnsAt, []ReadColumn{
			{Key: "id", Name: c.ID, Optional: true},
			{Key: "user_id", Name: c.UserID},
			{Key: "anonymous_id", Name: c.AnonymousID},
			{Key: "timestamp", Name: c.Timestamp, Time: true},
			{Key: "loaded_at", Name: c.LoadedAt, Time: true, Optional: true},
		}))
	}
	return out
}

func read(table string, identifies bool, at Error, columnsAt map[string]Error, cols []ReadColumn) Read {
	r := Read{Table: table, Identifies: identifies, At: at}
	for _, c := range cols {
		if c.Name == "" {
			continue
		}
		c.At, c.Mapped = at, false
		if pos, ok := columnsAt[c.Key]; ok {
			c.At, c.Mapped = pos, true
		}
		r.Columns = append(r.Columns, c)
	}
	return r
}

// Dir is the folder of the model file: a DuckDB target's path, a chdb
// data directory and a file source are relative to it.
func (m *Model) Dir() string { return filepath.Dir(m.Path) }

// FileTable is a `table:` value as a run reads it: a file source (a path or
// glob, semantics §2) that is relative is joined to the model file's folder, so
// `sessionize run -f /srv/x/sessions.yaml` reads the same files from any
// working directory. Table names, absolute paths, ~/ paths and URLs
// (s3://...) are returned as they are.
func (m *Model) FileTable(table string) string {
	if !IsFileTable(table) || filepath.IsAbs(table) || strings.HasPrefix(table, "~") || strings.Contains(table, "://") {
		return table
	}
	return filepath.Join(m.Dir(), table)
}

// Located is a copy of m for running it: its file sources are FileTable's,
// so they are found wherever the run is started. m keeps them as written:
// rendering m stays independent of where the model file lies (the SQL
// `sessionize render` writes reads them relative to where it is run), and
// Hash and Canonical stay those of m.
func (m *Model) Located() *Model {
	c := *m
	c.Sources = make([]Source, len(m.Sources))
	for i, s := range m.Sources {
		s.Tables = append([]SourceTable(nil), s.Tables...)
		for j := range s.Tables {
			s.Tables[j].Table = m.FileTable(s.Tables[j].Table)
		}
		c.Sources[i] = s
	}
	c.Identifies = append([]IdentifiesTable(nil), m.Identifies...)
	for i := range c.Identifies {
		c.Identifies[i].Table = m.FileTable(c.Identifies[i].Table)
	}
	return &c
}
