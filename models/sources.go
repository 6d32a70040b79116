package models

import (
	"slices"

	"gopkg.in/yaml.v3"
)

var sourceTypes = []string{string(Product), string(Marketing), string(Asset)}

// sources reads the `sources:` list (semantics §1, §2); // passThrough are the model's pass-through columns, which each table may
// map. It returns, by source name, where each source's own
// inactivity_timeout is written.
func (p *problems) sources(n *yaml.Node, passThrough []string) ([]Source, map[string]*yaml.Node) {
	if isNull(n) {
		p.at(n, "sources is empty (want at least one source)")
		return nil, nil
	}
	items, ok := p.list(n, "sources")
	if !ok {
		return nil, nil
	}
	if len(items) == 0 {
		p.at(n, "sources is empty (want at least one source)")
		return nil, nil
	}
	var out []Source
	firstLine := map[string]int{}
	timeoutAt := map[string]*yaml.Node{}
	for _, item := range items {
		s, ok := p.source(item, passThrough)
		if !ok {
			continue
		}
		if line, dup := firstLine[s.Name]; dup {
			p.at(s.nameNode, "duplicate source name %s (first at line %d)", shown(s.Name), line)
			continue
		}
		firstLine[s.Name] = s.nameNode.Line
		timeoutAt[s.Name] = s.timeoutNode
		out = append(out, s.Source)
	}
	return out, timeoutAt
}

// parsedSource is a source with the node of its name, for duplicate checks.
type parsedSource struct {
	Source
	nameNode, timeoutNode *yaml.Node
}

// source reads one entry of `sources:`; ok is false when it has no usable name.
func (p *problems) source(n *yaml.Node, passThrough []string) (parsedSource, bool) {
	fs := p.fields(n, "source", "name", "type", "class", "tables", "inactivity_timeout")
	if fs == nil {
		return parsedSource{}, false
	}
	p.require(n, fs, "source", "name", "type")
	var s parsedSource
	label := "source"
	if f, ok := fs["name"]; ok {
		if name, ok := p.str(f.val, "source name"); ok {
			s.Name, s.nameNode = name, f.val
			label = "source " + shown(name)
			if !nameRe.MatchString(name) || len(name) > maxIdent {
				p.at(f.val, "bad source name %s (want up to %d letters, digits, _ and -)", shown(name), maxIdent)
			}
		}
	}
	if f, ok := fs["type"]; ok {
		if t, ok := p.str(f.val, "source type"); ok {
			s.Type = SourceType(t)
			if !contains(sourceTypes, t) {
				p.at(f.val, "unknown source type %s (want %s)", shown(t), oneOf(sourceTypes, "or"))
			}
		}
	}
	class, hasClass := fs["class"]
	switch {
	case s.Type == Asset && !hasClass:
		p.at(n, "asset %s is missing required key \"class\" (the <class> of its property asset:<class>, e.g. class: docs)", label)
	case s.Type == Asset:
		if c, ok := p.str(class.val, "class"); ok {
			s.Class = c
			if why := labelProblem(c, true); why != "" {
				p.at(class.val, "bad asset class %s: %s", shown(c), why)
			}
		}
	case hasClass && contains(sourceTypes, string(s.Type)):
		p.at(class.key, "class is only for asset sources (%s has type %s; remove class or use type: asset)", label, s.Type)
	}
	if f, ok := fs["inactivity_timeout"]; ok {
		s.InactivityTimeout, s.timeoutNode = p.duration(f, "inactivity_timeout of "+label, 0)
	}
	tables, hasTables := fs["tables"]
	switch {
	case !hasTables:
		p.at(n, "%s has no tables (want a list under tables:, e.g. - table: schema.table)", label)
	case isNull(tables.val):
		p.at(tables.val, "%s has no tables (want at least one entry under tables)", label)
	default:
		if items, ok := p.list(tables.val, label+" tables"); ok {
			if len(items) == 0 {
				p.at(tables.val, "%s has no tables (want at least one entry under tables)", label)
			}
			for _, item := range items {
				if t, ok := p.eventTable(item, passThrough); ok {
					s.Tables = append(s.Tables, t)
				}
			}
		}
	}
	return s, s.nameNode != nil
}

// eventTable reads one entry of a source's `tables:`.
func (p *problems) eventTable(n *yaml.Node, passThrough []string) (SourceTable, bool) {
	fs, table, filter, ok := p.tableEntry(n)
	if !ok {
		return SourceTable{}, false
	}
	t := SourceTable{Table: table, Filter: filter, Columns: DefaultEventColumns(), at: p.pos(fs["table"].val)}
	c := &t.Columns
	cols := []column{
		{"event_id", &c.EventID, false},
		{"timestamp", &c.Timestamp, false},
		{"user_id", &c.UserID, false},
		{"anonymous_id", &c.AnonymousID, false},
		{"loaded_at", &c.LoadedAt, true},
		{"event", &c.Event, true},
		{"url", &c.URL, true},
		{"referrer", &c.Referrer, true},
		{"user_agent", &c.UserAgent, true},
	}
	// A pass-through column is read by its own name unless mapped.
	c.PassThrough = slices.Clone(passThrough)
	for i, name := range passThrough {
		cols = append(cols, column{name, &c.PassThrough[i], true})
	}
	t.columnsAt = p.columns(fs["columns"].val, "event", cols)
	return t, true
}

// identifies reads the optional `identifies:` list.
func (p *problems) identifies(n *yaml.Node) []IdentifiesTable {
	items, ok := p.list(n, "identifies")
	if !ok {
		return nil
	}
	var out []IdentifiesTable
	for _, item := range items {
		fs, table, filter, ok := p.tableEntry(item)
		if !ok {
			continue
		}
		t := IdentifiesTable{Table: table, Filter: filter, Columns: DefaultIdentifyColumns(), at: p.pos(fs["table"].val)}
		c := &t.Columns
		t.columnsAt = p.columns(fs["columns"].val, "identifies", []column{
			{"id", &c.ID, true},
			{"user_id", &c.UserID, false},
			{"anonymous_id", &c.AnonymousID, false},
			{"timestamp", &c.Timestamp, false},
			{"loaded_at", &c.LoadedAt, true},
		})
		out = append(out, t)
	}
	return out
}

// tableEntry reads the keys every table entry has: table and filter.
func (p *problems) tableEntry(n *yaml.Node) (fs map[string]field, table, filter string, ok bool) {
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		p.at(n, "table entry must be a mapping, got a string (write - table: %s)", bare(n.Value))
		return nil, "", "", false
	}
	fs = p.fields(n, "table entry", "table", "filter", "columns")
	if fs == nil {
		return nil, "", "", false
	}
	p.require(n, fs, "table entry", "table")
	if f, has := fs["table"]; has {
		if table, ok = p.str(f.val, "table"); ok {
			if why := tableProblem(table); why != "" {
				p.at(f.val, "bad table %s: %s", shown(table), why)
			}
		}
	}
	if f, has := fs["filter"]; has && !isNull(f.val) {
		filter, _ = p.str(f.val, "filter")
	}
	return fs, table, filter, ok
}

// column is one model column a table maps, with where its name goes and
// whether `null` (the table lacks it) is allowed.
type column struct {
	key      string
	dst      *string
	nullable bool
}

// columns applies a `columns:` mapping (nil for none) over the defaults
// already in cols' destinations; kind is "event" or "identifies". It
// returns where each column it maps to a name is mapped.
func (p *problems) columns(n *yaml.Node, kind string, cols []column) map[string]Error {
	if isNull(n) {
		return nil
	}
	at := map[string]Error{}
	keys := make([]string, len(cols))
	var nullable []string
	for i, c := range cols {
		keys[i] = c.key
		if c.nullable {
			nullable = append(nullable, c.key)
		}
	}
	fs := p.fields(n, kind+" columns", keys...)
	for _, c := range cols {
		f, ok := fs[c.key]
		if !ok {
			continue
		}
		if isNull(f.val) {
			if !c.nullable {
				p.at(f.val, "column %s cannot be null in %s tables (only %s may be null)", c.key, kind, oneOf(nullable, "and"))
			}
			*c.dst = ""
			continue
		}
		name, ok := p.str(f.val, "column "+c.key)
		if !ok {
			continue
		}
		*c.dst = name
		at[c.key] = p.pos(f.val)
		if why := identProblem(name); why != "" {
			p.at(f.val, "bad column name %s for %s: it %s", shown(name), c.key, why)
		}
	}
	return at
}
