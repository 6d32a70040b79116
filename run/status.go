package run

import (
	"context"
	"time"

	"github.com/sessionize/sessionize/engine"
	"github.com/sessionize/sessionize/models"
	"github.com/sessionize/sessionize/render"
)

// Status is what `sessionize status` shows of a target.
type Status struct {
	Watermark *time.Time
	// Tables are the watermarks of each table the model reads, in the
	// model's order; WatermarksKept is false on a target that keeps none
	// per table (built before they were kept).
	Tables         []TableWatermark
	WatermarksKept bool
	Runs           []runRow
	Counts         []TableCount
}

// TableCount is an output table's row count; -1 when the table is missing.
type TableCount struct {
	Table string
	Rows  int64
}

// ReadStatus reads the last runs, the watermark and the output row counts.
func ReadStatus(ctx context.Context, m *models.Model, t models.Target, limit int) (_ *Status, err error) {
	defer func() { err = engine.RedactErr(err, t.DSN) }()
	d, drv, err := engine.For(t)
	if err != nil {
		return nil, err
	}
	s, err := engine.OpenToRead(ctx, drv, t, m.Output.Schema)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	n := names{d, m.Output.Schema}
	st := &Status{}
	runs, err := Runs(ctx, s.Conn, d, m.Output.Schema, limit)
	if err != nil && !engine.IsMissingTable(err) {
		return nil, err
	}
	// Runs recorded before their errors were redacted show none either.
	for i := range runs {
		runs[i].Error.String = engine.Redact(t.DSN, runs[i].Error.String)
	}
	st.Runs = runs
	for _, r := range runs {
		if r.Status == "success" && r.Watermark.Valid {
			w := r.Watermark.Time.UTC()
			st.Watermark = &w
			break
		}
	}
	if st.Tables, st.WatermarksKept, err = readWatermarks(ctx, s.Conn, n); err != nil {
		return nil, err
	}
	for _, name := range render.OutputNames() {
		var c int64
		if err := s.Conn.GetContext(ctx, &c, "SELECT COUNT(*) FROM "+n.table(name)); err != nil {
			c = -1
		}
		st.Counts = append(st.Counts, TableCount{name, c})
	}
	return st, nil
}
