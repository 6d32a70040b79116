package run

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sessionize/sessionize/catalog"
	"github.com/sessionize/sessionize/engine"
	"github.com/sessionize/sessionize/models"
	"github.com/sessionize/sessionize/render"
)

// Export writes an output table ordered by its key (semantics §6): CSV with a
// header row, or JSON Lines. Timestamps are `YYYY-MM-DD HH:MM:SS[.ffffff]`
// UTC, dates `YYYY-MM-DD`, booleans true/false, NULL empty (CSV) or null.
func Export(ctx context.Context, m *models.Model, t models.Target, table, format string, w io.Writer) (err error) {
	defer func() { err = engine.RedactErr(err, t.DSN) }()
	cols, key, ok := render.Output(m, table)
	if !ok {
		return fmt.Errorf("unknown table %q (want one of %s)", table, strings.Join(render.OutputNames(), ", "))
	}
	if format != "csv" && format != "jsonl" {
		return fmt.Errorf("unknown format %q (want csv or jsonl)", format)
	}
	d, drv, err := engine.For(t)
	if err != nil {
		return err
	}
	s, err := engine.OpenToRead(ctx, drv, t, m.Output.Schema)
	if err != nil {
		return err
	}
	defer s.Close()

	n := names{d, m.Output.Schema}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = d.Quote(c)
	}
	order := make([]string, len(key))
	for i, k := range key {
		order[i] = d.Quote(k) + " NULLS FIRST"
	}
	rows, err := s.Conn.QueryxContext(ctx, "SELECT "+strings.Join(quoted, ", ")+" FROM "+n.table(table)+
		" ORDER BY "+strings.Join(order, ", "))
	if err != nil {
		if engine.IsMissingTable(err) {
			return fmt.Errorf("target %s has no table %s.%s: run `sessionize run` first (%w)", t.Name, m.Output.Schema, table, err)
		}
		return fmt.Errorf("export %s: %w", table, err)
	}
	defer rows.Close()

	bw := bufio.NewWriter(w)
	defer bw.Flush()
	var cw *csv.Writer
	if format == "csv" {
		cw = csv.NewWriter(bw)
		cw.Write(cols)
	}
	vals := make([]any, len(cols))
	for rows.Next() {
		for i := range vals {
			vals[i] = nil
		}
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("export %s: %w", table, err)
		}
		if cw != nil {
			rec := make([]string, len(cols))
			for i, v := range vals {
				rec[i] = FormatValue(v, dateColumn(cols[i]))
			}
			cw.Write(rec)
			continue
		}
		if err := writeJSONLine(bw, cols, vals); err != nil {
			return err
		}
	}
	if cw != nil {
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
	}
	return rows.Err()
}

// dateColumn reports whether an output column is a DATE. It is asked for
// every exported or compared value, so the catalog is read once.
func dateColumn(name string) bool { return dateColumns[name] }

var dateColumns = func() map[string]bool {
	dates := map[string]bool{}
	for _, t := range catalog.Outputs {
		for _, c := range t.Columns {
			if c.Kind == catalog.Date {
				dates[c.Name] = true
			}
		}
	}
	return dates
}()

// FormatValue is the semantics §6 text of one exported value.
func FormatValue(v any, isDate bool) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		x = x.UTC()
		if isDate {
			return x.Format("2006-01-02")
		}
		if x.Nanosecond() == 0 {
			return x.Format("2006-01-02 15:04:05")
		}
		return x.Format("2006-01-02 15:04:05.000000")
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case []byte:
		return string(x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

func writeJSONLine(w io.Writer, cols []string, vals []any) error {
	var b strings.Builder
	b.WriteByte('{')
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(c)
		b.Write(k)
		b.WriteByte(':')
		writeJSONValue(&b, vals[i], dateColumn(c))
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeJSONValue writes one exported value as JSON: numbers and booleans as
// they are, NULL as null, everything else as its FormatValue text.
func writeJSONValue(b *strings.Builder, v any, isDate bool) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case float64, float32, int, int8, int16, int32, int64, uint8, uint16, uint32, uint64:
		b.WriteString(FormatValue(x, false))
	default:
		s, _ := json.Marshal(FormatValue(x, isDate))
		b.Write(s)
	}
}
