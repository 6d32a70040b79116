package engine

import (
	"context"
	"database/sql"
	"io"
	"strings"

	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/models"
)

// TableCopy is one table to copy: From in the source database, To in the
// target, each "schema.table".
type TableCopy struct {
	From, To string
}

// Copier is a driver that loads whole tables from a DuckDB database into
// its targets (see run.CopyTables): the demo's and the bench's data.
type Copier interface {
	CopyTables(ctx context.Context, src *sql.DB, t models.Target, tables []TableCopy, progress io.Writer) (int64, error)
}

// DuckSource is how src, a DuckDB database its caller opened as it is,
// names a model's table: a file through DuckDB's readers, a table by its
// name as written (src's catalog is named after its file, not the one a
// run attaches a target under).
func DuckSource(table string) (string, error) {
	d := dialects.DuckDB{}
	if models.IsFileTable(table) {
		return d.Relation(table, dialects.SourceColumns{})
	}
	parts := strings.Split(table, ".")
	for i, p := range parts {
		parts[i] = d.Quote(p)
	}
	return strings.Join(parts, "."), nil
}
