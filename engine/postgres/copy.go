package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/engine"
	"github.com/sessionize/sessionize/models"
)

// CopyTables implements engine.Copier through pgx's COPY protocol: rows
// stream from src, never held in memory.
func (d pgDriver) CopyTables(ctx context.Context, src *sql.DB, t models.Target, tables []engine.TableCopy, progress io.Writer) (int64, error) {
	s, err := d.Open(ctx, t, "", false)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	var total int64
	for _, tc := range tables {
		began := time.Now()
		n, err := copyTable(ctx, src, s, tc)
		if err != nil {
			return total, fmt.Errorf("copy %s to target %s as %s: %w", tc.From, t.Name, tc.To, err)
		}
		total += n
		if progress != nil {
			fmt.Fprintf(progress, "  copied %-45s %10d rows %8.2fs\n", tc.To, n, time.Since(began).Seconds())
		}
	}
	return total, nil
}

// pgTypes maps the source's column types (as database/sql names them) to
// PostgreSQL's. A type missing here is refused rather than guessed.
var pgTypes = map[string]string{
	"VARCHAR":                  "text",
	"TEXT":                     "text",
	"TIMESTAMP":                "timestamp",
	"TIMESTAMPTZ":              "timestamptz",
	"TIMESTAMP WITH TIME ZONE": "timestamptz",
	"DATE":                     "date",
	"BOOLEAN":                  "boolean",
	"INTEGER":                  "integer",
	"BIGINT":                   "bigint",
	"DOUBLE":                   "double precision",
}

func copyTable(ctx context.Context, src *sql.DB, s *engine.Session, tc engine.TableCopy) (int64, error) {
	from, err := engine.DuckSource(tc.From)
	if err != nil {
		return 0, err
	}
	schema, name, ok := strings.Cut(tc.To, ".")
	if !ok || schema == "" || name == "" || strings.Contains(name, ".") {
		return 0, fmt.Errorf("bad table name %q (want schema.table)", tc.To)
	}
	rows, err := src.QueryContext(ctx, "SELECT * FROM "+from)
	if err != nil {
		return 0, fmt.Errorf("read source: %w", err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return 0, fmt.Errorf("read source columns: %w", err)
	}
	pg := dialects.Postgres{}
	cols := make([]string, len(types))
	defs := make([]string, len(types))
	for i, ct := range types {
		typ, ok := pgTypes[strings.ToUpper(ct.DatabaseTypeName())]
		if !ok {
			return 0, fmt.Errorf("column %s has type %s, which cannot be copied yet", ct.Name(), ct.DatabaseTypeName())
		}
		cols[i] = ct.Name()
		defs[i] = pg.Quote(ct.Name()) + " " + typ
	}
	ddl := []string{
		"CREATE SCHEMA IF NOT EXISTS " + pg.Quote(schema),
		"CREATE TABLE " + pg.Quote(schema) + "." + pg.Quote(name) + " (" + strings.Join(defs, ", ") + ")",
	}
	for _, q := range ddl {
		if _, err := s.Conn.ExecContext(ctx, q); err != nil {
			return 0, fmt.Errorf("%s: %w", q, err)
		}
	}
	var n int64
	err = s.Conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("connection is not pgx's (got %T)", dc)
		}
		var err error
		n, err = c.Conn().CopyFrom(ctx, pgx.Identifier{schema, name}, cols, newRowSource(rows, len(cols)))
		return err
	})
	if err != nil {
		return n, err
	}
	if _, err := s.Conn.ExecContext(ctx, "ANALYZE "+pg.Quote(schema)+"."+pg.Quote(name)); err != nil {
		return n, fmt.Errorf("analyze: %w", err)
	}
	return n, nil
}

// rowSource feeds database/sql rows to pgx's CopyFrom. pgx encodes each row
// before it asks for the next, so one slice of values serves every row.
type rowSource struct {
	rows *sql.Rows
	vals []any
	ptrs []any
	err  error
}

func newRowSource(rows *sql.Rows, n int) *rowSource {
	r := &rowSource{rows: rows, vals: make([]any, n), ptrs: make([]any, n)}
	for i := range r.vals {
		r.ptrs[i] = &r.vals[i]
	}
	return r
}

func (r *rowSource) Next() bool {
	if r.err != nil || !r.rows.Next() {
		return false
	}
	r.err = r.rows.Scan(r.ptrs...)
	return r.err == nil
}

func (r *rowSource) Values() ([]any, error) { return r.vals, r.err }

func (r *rowSource) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.rows.Err()
}
