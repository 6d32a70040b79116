package run

import (
	"testing"
	"time"
)

// TestDifferenceLines: verify's lines keep every value apart, as export
// writes it: TSV escapes what would break a line or a field and writes NULL
// as \N; JSON Lines keeps numbers, booleans and null as they are.
func TestDifferenceLines(t *testing.T) {
	for _, c := range []struct {
		name      string
		d         Difference
		tsv, json string
	}{
		{
			name: "column",
			d: Difference{Table: "sessions", KeyColumns: []string{"session_id"}, Key: []any{"abc"}, Column: "first_url",
				Published: "https://x/a\tb\nc\\d", Recomputed: nil},
			tsv:  "sessions\tsession_id=abc\tfirst_url\thttps://x/a\\tb\\nc\\\\d\t\\N\n",
			json: `{"table":"sessions","key":{"session_id":"abc"},"column":"first_url","published":"https://x/a\tb\nc\\d","recomputed":null}` + "\n",
		},
		{
			name: "rows",
			d: Difference{Table: "daily_metrics", KeyColumns: []string{"day", "property"},
				Key: []any{time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), "product"}, Column: RowsColumn, Published: int64(0), Recomputed: int64(1)},
			tsv:  "daily_metrics\tday=2024-03-01 property=product\t(rows)\t0\t1\n",
			json: `{"table":"daily_metrics","key":{"day":"2024-03-01","property":"product"},"column":"(rows)","published":0,"recomputed":1}` + "\n",
		},
		{
			name: "values as export writes them",
			d: Difference{Table: "contact_sessions", KeyColumns: []string{"contact_session_id"}, Key: []any{"x"}, Column: "is_cross_property",
				Published: true, Recomputed: false},
			tsv:  "contact_sessions\tcontact_session_id=x\tis_cross_property\ttrue\tfalse\n",
			json: `{"table":"contact_sessions","key":{"contact_session_id":"x"},"column":"is_cross_property","published":true,"recomputed":false}` + "\n",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.d.TSV(); got != c.tsv {
				t.Errorf("TSV: got %q, want %q", got, c.tsv)
			}
			if got := c.d.JSON(); got != c.json {
				t.Errorf("JSON: got %q, want %q", got, c.json)
			}
		})
	}
}
