package run

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/sessionize/sessionize/engine"
)

// TableWatermark is the watermark of one table the model reads (semantics §5), as
// the last successful run left it in _sessionize_watermarks.
type TableWatermark struct {
	// Source is the source the table belongs to; "" for an identifies table.
	Source string
	Table  string
	// Watermark is where the next run reads the table from (less
	// late_window); MaxLoaded the largest load time the run read from it,
	// which is later than the watermark when load times lie past the run's
	// start: the watermark stays at that run's start.
	Watermark, MaxLoaded *time.Time
}

// Late reports whether load times up to MaxLoaded were read that lie after
// the watermark: after the run that read them started.
func (w TableWatermark) Late() bool {
	return w.Watermark != nil && w.MaxLoaded != nil && w.MaxLoaded.After(*w.Watermark)
}

// readWatermarks reads the current watermark of each table: the rows the
// last successful run wrote. kept is false on a target built before
// watermarks were kept per table, which has no such table.
func readWatermarks(ctx context.Context, q queryer, n names) (tables []TableWatermark, kept bool, err error) {
	var rows []struct {
		Source    sql.NullString `db:"source"`
		Table     string         `db:"table_name"`
		Watermark sql.NullTime   `db:"watermark"`
		MaxLoaded sql.NullTime   `db:"max_loaded"`
	}
	err = q.SelectContext(ctx, &rows, "SELECT source, table_name, watermark, max_loaded FROM "+n.table("_sessionize_watermarks")+
		" WHERE run_id = (SELECT max(run_id) FROM "+n.runs()+" WHERE status = 'success') ORDER BY table_pos")
	if engine.IsMissingTable(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read watermarks: %w", err)
	}
	for _, r := range rows {
		tables = append(tables, TableWatermark{Source: r.Source.String, Table: r.Table,
			Watermark: utcTime(r.Watermark), MaxLoaded: utcTime(r.MaxLoaded)})
	}
	return tables, true, nil
}

func utcTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}
