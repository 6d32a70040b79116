package render

import (
	"fmt"

	"github.com/sessionize/sessionize/catalog"
	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/models"
)

// Output returns the columns and key of the output table with the given
// name (catalog.Outputs) as model m writes it (nil: without pass-through
// columns).
func Output(m *models.Model, name string) (Columns []string, Key []string, ok bool) {
	t, ok := catalog.Output(name)
	if m != nil {
		t = catalog.WithPassThrough(t, m.Enrichment.PassThrough)
	}
	return t.ColumnNames(), t.Key, ok
}

// OutputNames lists the output tables in order.
func OutputNames() []string { return catalog.OutputNames() }

// spec is the catalog's table of that name with the model's pass-through
// columns, or an error naming it.
func spec(name string, pass []string) (catalog.Table, error) {
	t, ok := catalog.Lookup(name)
	if !ok {
		return catalog.Table{}, fmt.Errorf("no table %q in the catalog", name)
	}
	return catalog.WithPassThrough(t, pass), nil
}

// dialectColumns are a table's columns with the dialect's types.
func dialectColumns(d dialects.Dialect, t catalog.Table) []dialects.Column {
	cols := make([]dialects.Column, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = dialects.Column{Name: c.Name, Type: ColumnType(d, c.Kind)}
	}
	return cols
}

// ColumnType is the engine's type for a catalog column kind.
func ColumnType(d dialects.Dialect, kind catalog.Kind) string { return d.Type(kind) }
