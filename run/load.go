package run

import (
	"context"
	"database/sql"
	"fmt"
	"io"

	"github.com/sessionize/sessionize/engine"
	"github.com/sessionize/sessionize/models"
)

// CopyTables copies whole tables from src (a database/sql handle, such as a
// DuckDB file the demo generator wrote) into the target t, and returns the
// number of rows copied. Each To table is created, with its schema when
// missing, with the source's column names and matching types; a To table
// that already exists is an error, so a copy never mixes into real data.
// The tables are analyzed afterwards, as a bulk load should be.
//
// PostgreSQL targets take copies through pgx's COPY protocol: rows stream
// from src, never held in memory. chdb targets (ClickHouse in-process) read
// a Parquet file src writes of each table (engine/clickhouse).
func CopyTables(ctx context.Context, src *sql.DB, t models.Target, tables []TableCopy, progress io.Writer) (_ int64, err error) {
	defer func() { err = engine.RedactErr(err, t.DSN) }()
	drv, err := engine.DriverFor(t)
	if err != nil {
		return 0, err
	}
	c, ok := drv.(engine.Copier)
	if !ok {
		return 0, fmt.Errorf("target %s: copying tables into %s is not supported (want a postgres or chdb:// target)", t.Name, t.Dialect)
	}
	return c.CopyTables(ctx, src, t, tables, progress)
}
