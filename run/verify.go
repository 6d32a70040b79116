package run

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/sessionize/sessionize/engine"
	"github.com/sessionize/sessionize/models"
	"github.com/sessionize/sessionize/render"
)

// VerifyOptions say how to verify a target's outputs.
type VerifyOptions struct {
	Target models.Target
	// Sample compares that many contacts (semantics §5: the same ones on every
	// run and engine); 0 compares them all.
	Sample int
	// Show is how many differences per table go to Difference; every one
	// is counted.
	Show int
	// Difference receives the differences, in each table's key order.
	Difference func(Difference) error
	// Progress receives one line per step of the recomputation; nil
	// discards it.
	Progress io.Writer
}

// VerifyReport is what a verify compared and found.
type VerifyReport struct {
	Target string `json:"target"`
	// Schema is the scratch schema the outputs were recomputed in (and
	// which is dropped again).
	Schema string `json:"schema"`
	// Sample is the sample asked for (0: all contacts), Sampled the
	// contacts it held.
	Sample  int   `json:"sample,omitempty"`
	Sampled int64 `json:"sampled,omitempty"`
	// ModelChanged names what changed when the model differs from the one
	// the outputs were published with: the recomputation uses the model as
	// it is now, so the differences include the change's.
	ModelChanged string          `json:"model_changed,omitempty"`
	Tables       []VerifiedTable `json:"tables"`
	Differences  int64           `json:"differences"`
	Seconds      float64         `json:"seconds"`
}

// VerifiedTable is one output's comparison.
type VerifiedTable struct {
	Table       string `json:"table"`
	Published   int64  `json:"published_rows"`
	Recomputed  int64  `json:"recomputed_rows"`
	Differences int64  `json:"differences"`
}

// Rows is how many rows the report compared, both sides together.
func (r *VerifyReport) Rows() int64 {
	var n int64
	for _, t := range r.Tables {
		n += t.Published + t.Recomputed
	}
	return n
}

// Verify recomputes the outputs of the model from its sources, as a full
// refresh would, in a scratch schema, compares them with the published
// ones and reports every difference (semantics §5). It holds the target's run
// lock, so nothing is published while it compares, and it writes nothing
// to the published outputs: the scratch schema is dropped before it starts
// (what a killed verify left) and when it ends.
func Verify(ctx context.Context, m *models.Model, opt VerifyOptions) (_ *VerifyReport, err error) {
	defer func() { err = engine.RedactErr(err, opt.Target.DSN) }()
	begin := time.Now()
	t := opt.Target
	d, drv, err := engine.For(t)
	if err != nil {
		return nil, err
	}
	if p, ok := drv.(engine.Builder); ok {
		if err := p.Built(t); err != nil {
			return nil, err
		}
	}
	plan, err := render.Verify(m.Located(), d, opt.Sample) // file sources from the model's folder, as a run reads them
	if err != nil {
		return nil, err
	}
	s, err := drv.Open(ctx, t, m.Output.Schema, true)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	n := names{d, m.Output.Schema}
	r := &VerifyReport{Target: t.Name, Schema: plan.Schema, Sample: opt.Sample}

	var last struct {
		RunID int64          `db:"run_id"`
		Hash  string         `db:"model_hash"`
		Model sql.NullString `db:"model"`
	}
	err = s.Conn.GetContext(ctx, &last, "SELECT run_id, model_hash, model FROM "+n.runs()+
		" WHERE status = 'success' ORDER BY run_id DESC LIMIT 1")
	if errors.Is(err, sql.ErrNoRows) || engine.IsMissingTable(err) {
		return nil, fmt.Errorf("target %s: nothing is published in %s yet (no successful run), so there is nothing to verify: `sessionize run` builds the outputs",
			t.Name, m.Output.Schema)
	}
	if err != nil {
		return nil, fmt.Errorf("target %s: read runs table: %w", t.Name, err)
	}
	if last.Hash != m.Hash {
		r.ModelChanged = fmt.Sprintf("since run %d: %s", last.RunID, describeChange(last.Model.String, m.Canonical()))
	}

	if _, err := s.Conn.ExecContext(ctx, plan.Drop); err != nil {
		return nil, fmt.Errorf("target %s: drop the scratch schema %s: %w", t.Name, plan.Schema, err)
	}
	defer func() {
		// Ctrl-C must still drop it: the context may be cancelled.
		s.Conn.ExecContext(context.WithoutCancel(ctx), plan.Drop)
	}()

	progress(opt.Progress, "verify: recomputing the outputs of model %s on target %s (%s) in %s\n", m.Name, t.Name, d.Name(), plan.Schema)
	steps := &Report{}
	for _, f := range plan.Steps {
		if err := execStatements(ctx, s.Conn, d, f, steps, opt.Progress); err != nil {
			return nil, fmt.Errorf("target %s: recompute: %w", t.Name, err)
		}
		if f.Name == plan.SampleAfter+".sql" {
			sample := render.File{Name: "verify_sample.sql", SQL: plan.Sample, Statements: plan.SampleStatements}
			if err := execStatements(ctx, s.Conn, d, sample, steps, opt.Progress); err != nil {
				return nil, fmt.Errorf("target %s: sample: %w", t.Name, err)
			}
			if err := s.Conn.GetContext(ctx, &r.Sampled, "SELECT COUNT(*) FROM "+names{d, plan.Schema}.table("_sessionize_verify_sample")); err != nil {
				return nil, fmt.Errorf("target %s: sample: %w", t.Name, err)
			}
		}
	}

	for _, c := range plan.Tables {
		vt, err := compare(ctx, s, c, opt)
		if err != nil {
			return nil, fmt.Errorf("target %s: compare %s: %w", t.Name, c.Table, err)
		}
		r.Tables = append(r.Tables, vt)
		r.Differences += vt.Differences
	}
	r.Seconds = time.Since(begin).Seconds()
	return r, nil
}

// compare counts the rows of one output on each side and reports the rows
// in which they differ.
func compare(ctx context.Context, s *Session, c render.Comparison, opt VerifyOptions) (VerifiedTable, error) {
	vt := VerifiedTable{Table: c.Table}
	var counts struct {
		Published  int64 `db:"published"`
		Recomputed int64 `db:"recomputed"`
	}
	if err := s.Conn.GetContext(ctx, &counts, c.Count); err != nil {
		return vt, err
	}
	vt.Published, vt.Recomputed = counts.Published, counts.Recomputed

	rows, err := s.Conn.QueryContext(ctx, c.Differences)
	if err != nil {
		return vt, err
	}
	defer rows.Close()
	emit := func(diff Difference) error {
		vt.Differences++
		if opt.Difference == nil || vt.Differences > int64(opt.Show) {
			return nil
		}
		return opt.Difference(diff)
	}
	// The rows come in key order, so the rows of one key are together.
	var group []sideRow
	flush := func() error {
		if len(group) == 0 {
			return nil
		}
		for _, diff := range differences(c, group) {
			if err := emit(diff); err != nil {
				return err
			}
		}
		group = group[:0]
		return nil
	}
	width := len(c.Columns)
	for rows.Next() {
		vals := make([]any, width+2)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return vt, err
		}
		row := sideRow{vals: vals[:width], published: toInt64(vals[width]), recomputed: toInt64(vals[width+1])}
		if len(group) > 0 && !sameKey(c, group[0].vals, row.vals) {
			if err := flush(); err != nil {
				return vt, err
			}
		}
		group = append(group, row)
	}
	if err := rows.Err(); err != nil {
		return vt, err
	}
	return vt, flush()
}

// sideRow is a row of a verify_differences query: the values, and how many
// times each side has them.
type sideRow struct {
	vals                  []any
	published, recomputed int64
}

// differences are those of one key's rows. A row that each side has once,
// with other values, differs in those columns; any other mismatch is a
// difference in how many times each side has a row.
func differences(c render.Comparison, group []sideRow) []Difference {
	key := keyValues(c, group[0].vals)
	if len(group) == 2 {
		p, r := group[0], group[1]
		if p.published == 0 {
			p, r = r, p
		}
		if p.published == 1 && p.recomputed == 0 && r.published == 0 && r.recomputed == 1 {
			var out []Difference
			for i, col := range c.Columns {
				if !sameValue(col, p.vals[i], r.vals[i]) {
					out = append(out, Difference{Table: c.Table, KeyColumns: c.Key, Key: key, Column: col, Published: p.vals[i], Recomputed: r.vals[i]})
				}
			}
			return out
		}
	}
	out := make([]Difference, len(group))
	for i, row := range group {
		out[i] = Difference{Table: c.Table, KeyColumns: c.Key, Key: keyValues(c, row.vals), Column: RowsColumn,
			Published: row.published, Recomputed: row.recomputed}
	}
	return out
}

func keyValues(c render.Comparison, vals []any) []any {
	key := make([]any, len(c.Key))
	for i, k := range c.Key {
		key[i] = vals[columnIndex(c, k)]
	}
	return key
}

func sameKey(c render.Comparison, a, b []any) bool {
	for _, k := range c.Key {
		i := columnIndex(c, k)
		if !sameValue(k, a[i], b[i]) {
			return false
		}
	}
	return true
}

func columnIndex(c render.Comparison, col string) int {
	for i, name := range c.Columns {
		if name == col {
			return i
		}
	}
	panic("verify: no column " + col + " in " + c.Table)
}

// sameValue compares two values as export writes them.
func sameValue(col string, a, b any) bool {
	if (a == nil) != (b == nil) {
		return false
	}
	return FormatValue(a, dateColumn(col)) == FormatValue(b, dateColumn(col))
}

func toInt64(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int:
		return int64(x)
	case uint64:
		return int64(x)
	case uint32:
		return int64(x)
	}
	return 0
}
