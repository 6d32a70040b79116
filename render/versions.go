package render

import (
	"slices"
	"strings"

	"github.com/sessionize/sessionize/catalog"
	"github.com/sessionize/sessionize/dialects"
)

// versions tracks which tables a run has written so far, while one model
// renders. Engines with transactions write the tables in place and never
// stage, so tbl is the quoted name. An engine without them (ClickHouse)
// writes a run's rows beside the published ones, as the run's own version
// of the table, and publishes every version at once when the run commits;
// its templates stage a table when they write it, and from then on every
// read of that table in the later statements of the run (tbl) reads the
// run's version, as a read inside a transaction would.
type versions struct {
	d      dialects.Dialect
	schema string
	// pass are the model's pass-through columns (catalog.WithPassThrough).
	pass   []string
	staged map[string]bool
	// step is the step being rendered.
	step func() string
	// work are the work tables named so far, each with the step that first
	// named it.
	work map[string]string
}

func (v *versions) name(table string) string {
	if isWork(table) {
		return v.d.WorkTable(v.schema, table)
	}
	return v.d.Table(v.schema, table)
}

// isWork reports whether a table lives only during a run.
func isWork(table string) bool { return strings.HasPrefix(table, "_sessionize_work_") }

func (v *versions) tbl(table string) string {
	if isWork(table) {
		if v.work == nil {
			v.work = map[string]string{}
		}
		if _, seen := v.work[table]; !seen {
			v.work[table] = v.step()
		}
	}
	if v.staged[table] {
		return v.name(table + "__next")
	}
	return v.name(table)
}

// stageAll stages every table a run writes before the first statement: a
// full run that writes them all beside the published ones (see
// dialects.StagedFullRuns).
func (v *versions) stageAll() {
	v.staged = map[string]bool{}
	for _, t := range versionedTables() {
		v.staged[t] = true
	}
}

// versionedTables are the tables a run writes: outputs and kept state.
func versionedTables() []string {
	var names []string
	for _, t := range catalog.Kept() {
		names = append(names, t.Name)
	}
	return names
}

// workTables are the work tables that the steps before this one named,
// sorted: those a step creates for itself it drops itself.
func (v *versions) workTables() []string {
	names := make([]string, 0, len(v.work))
	for t, step := range v.work {
		if step != v.step() {
			names = append(names, t)
		}
	}
	slices.Sort(names)
	return names
}

func (v *versions) funcs() map[string]any {
	return map[string]any{
		// stage marks a table as written by this run (see versions).
		"stage": func(table string) string {
			if v.staged == nil {
				v.staged = map[string]bool{}
			}
			v.staged[table] = true
			return ""
		},
		// published is a table as the last successful run left it.
		"published": v.name,
		// versioned are the tables a run writes: outputs and kept state.
		"versioned": versionedTables,
		// columns are a table's column definitions, one per line.
		"columns": func(table string) (string, error) {
			t, err := spec(table, v.pass)
			return dialects.ColumnList(v.d, dialectColumns(v.d, t)), err
		},
		// tableColumns are a table's columns with the engine's types.
		"tableColumns": func(table string) ([]dialects.Column, error) {
			t, err := spec(table, v.pass)
			return dialectColumns(v.d, t), err
		},
		// columnNames are a table's quoted column names, comma separated.
		"columnNames": func(table string) (string, error) {
			t, err := spec(table, v.pass)
			if err != nil {
				return "", err
			}
			names := make([]string, len(t.Columns))
			for i, c := range t.Columns {
				names[i] = v.d.Quote(c.Name)
			}
			return strings.Join(names, ", "), nil
		},
		// part is the part of a kept table an incremental run replaces
		// (catalog.Part), nil for a table it writes whole.
		"part": func(table string) (*catalog.Part, error) {
			t, err := spec(table, v.pass)
			return t.Part, err
		},
		// key is a table's sort key, comma separated.
		"key": func(table string) (string, error) {
			t, err := spec(table, v.pass)
			return v.key(t), err
		},
		// sortKey is the ORDER BY of a table an engine stores sorted: its
		// key in parentheses, or tuple() (as written) for an id key.
		"sortKey": func(table string) (string, error) {
			t, err := spec(table, v.pass)
			if err != nil || t.IDKey {
				return "tuple()", err
			}
			return "(" + v.key(t) + ")", nil
		},
	}
}

// key is t's key, its columns quoted and comma separated.
func (v *versions) key(t catalog.Table) string {
	names := make([]string, len(t.Key))
	for i, k := range t.Key {
		names[i] = v.d.Quote(k)
	}
	return strings.Join(names, ", ")
}
