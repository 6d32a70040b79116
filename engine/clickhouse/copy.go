package clickhouse

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/engine"
	"github.com/sessionize/sessionize/models"
)

// CopyTables implements engine.Copier for chdb targets: it copies tables from src (DuckDB) into a chdb target: DuckDB
// writes each table to a Parquet file, which ClickHouse reads into a new
// MergeTree table (text columns Nullable, timestamps DateTime64(6) in UTC).
func (d chDriver) CopyTables(ctx context.Context, src *sql.DB, t models.Target, tables []engine.TableCopy, progress io.Writer) (int64, error) {
	if !strings.HasPrefix(t.DSN, "chdb://") {
		return 0, fmt.Errorf("target %s: copying tables into a ClickHouse server is not supported (want a postgres or chdb:// target)", t.Name)
	}
	s, err := d.Open(ctx, t, "", false)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	tmp, err := os.MkdirTemp("", "sessionize-copy-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	ch := dialects.ClickHouse{}
	var total int64
	for i, tc := range tables {
		began := time.Now()
		from, err := engine.DuckSource(tc.From)
		if err != nil {
			return total, err
		}
		schema, name, ok := strings.Cut(tc.To, ".")
		if !ok || schema == "" || name == "" || strings.Contains(name, ".") {
			return total, fmt.Errorf("bad table name %q (want schema.table)", tc.To)
		}
		file := filepath.Join(tmp, fmt.Sprintf("%d.parquet", i))
		if _, err := src.ExecContext(ctx, "COPY (SELECT * FROM "+from+") TO "+dialects.Literal(file)+" (FORMAT parquet)"); err != nil {
			return total, fmt.Errorf("copy %s to %s: write parquet: %w", tc.From, file, err)
		}
		to := ch.Quote(schema) + "." + ch.Quote(name)
		for _, q := range []string{
			"CREATE DATABASE IF NOT EXISTS " + ch.Quote(schema),
			"CREATE TABLE " + to + " ENGINE = MergeTree ORDER BY tuple() AS SELECT * FROM file(" + ch.Literal(file) +
				", Parquet) SETTINGS session_timezone = 'UTC'",
		} {
			if _, err := s.Conn.ExecContext(ctx, q); err != nil {
				return total, fmt.Errorf("copy %s to target %s as %s: %w", tc.From, t.Name, tc.To, err)
			}
		}
		var n int64
		if err := s.Conn.GetContext(ctx, &n, "SELECT count() FROM "+to); err != nil {
			return total, err
		}
		total += n
		if progress != nil {
			fmt.Fprintf(progress, "  copied %-45s %10d rows %8.2fs\n", tc.To, n, time.Since(began).Seconds())
		}
	}
	return total, nil
}
