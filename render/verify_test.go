package render

import (
	"slices"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/models"
)

// TestVerifySchema: the scratch schema is <schema>__verify, and never a
// name PostgreSQL would cut short into the published schema's own.
func TestVerifySchema(t *testing.T) {
	if got := VerifySchema("sessionize"); got != "sessionize__verify" {
		t.Errorf("got %q, want sessionize__verify", got)
	}
	long := strings.Repeat("s", 63)
	got := VerifySchema(long)
	if len(got) > 63 || strings.HasPrefix(long, got) || !strings.HasSuffix(got, "__verify") || got != VerifySchema(long) {
		t.Errorf("VerifySchema(%d bytes) = %q (%d bytes); want at most 63 bytes, ending __verify, not a prefix of the schema, the same every time", len(long), got, len(got))
	}
	if other := VerifySchema(strings.Repeat("s", 62) + "t"); other == got {
		t.Errorf("two long schemas share the scratch schema %q", got)
	}
}

// TestVerifyTables: verify compares every output, and with a sample the
// per-contact ones, each restricted to the sample; the sample cuts the
// recomputation after step 2.
func TestVerifyTables(t *testing.T) {
	m, err := models.Load("../sessions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []dialects.Dialect{dialects.DuckDB{}, dialects.Postgres{}, dialects.ClickHouse{}} {
		all, err := Verify(m, d, 0)
		if err != nil {
			t.Fatal(err)
		}
		sample, err := Verify(m, d, 10)
		if err != nil {
			t.Fatal(err)
		}
		names := func(v *Verification) (out []string) {
			for _, c := range v.Tables {
				out = append(out, c.Table)
			}
			return out
		}
		if got := names(all); !slices.Equal(got, OutputNames()) {
			t.Errorf("%s: compares %v, want %v", d.Name(), got, OutputNames())
		}
		if got := names(sample); !slices.Equal(got, []string{"sessions", "contact_sessions"}) {
			t.Errorf("%s --sample: compares %v, want sessions and contact_sessions", d.Name(), got)
		}
		if all.Sample != "" || sample.SampleAfter != "02_identity" || !strings.Contains(sample.Sample, "LIMIT 10") {
			t.Errorf("%s: sample step %q after %q; want none without a sample, and LIMIT 10 after 02_identity", d.Name(), all.Sample, sample.SampleAfter)
		}
		for _, c := range sample.Tables {
			if strings.Count(c.Differences, "_sessionize_verify_sample") != 2 {
				t.Errorf("%s --sample: %s does not restrict both sides to the sample:\n%s", d.Name(), c.Table, c.Differences)
			}
		}
		for _, f := range all.Steps {
			if strings.Contains(f.SQL, d.Quote(m.Output.Schema)+".") {
				t.Errorf("%s: the recomputation's %s writes into the published schema", d.Name(), f.Name)
			}
		}
	}
}
