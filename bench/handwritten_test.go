package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sessionize/sessionize/demo"
	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/models"
	"github.com/sessionize/sessionize/run"
)

// TestHandwrittenMatchesSessionize keeps the hand-written chain honest: on
// the demo data, after a full run, its sessions, contact sessions, daily
// metrics and daily channels, enrichment columns included, equal
// sessionize's outputs row for row, so the bench compares two programs that
// compute the same thing.
func TestHandwrittenMatchesSessionize(t *testing.T) {
	targets := []models.Target{{Name: "duck", Dialect: models.DuckDB}}
	if dsn := os.Getenv("SESSIONIZE_TEST_PG_DSN"); dsn != "" {
		targets = append(targets, models.Target{Name: "pg", Dialect: models.Postgres, DSN: dsn})
	}
	if os.Getenv("CHDB_LIB_PATH") != "" {
		targets = append(targets, models.Target{Name: "ch", Dialect: models.ClickHouse})
	}
	for _, tg := range targets {
		t.Run(string(tg.Dialect), func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			var progress strings.Builder
			opt := Options{Events: 20000, Dir: dir, Target: tg, Progress: &progress}.withDefaults()
			p, err := prepare(ctx, dir, opt, &progress)
			if p != nil {
				t.Cleanup(func() {
					if err := p.cleanup(context.Background()); err != nil {
						t.Error(err)
					}
				})
			}
			if err != nil {
				t.Fatalf("prepare: %v\n%s", err, progress.String())
			}
			if _, err := run.Run(ctx, p.model, run.Options{Target: p.target, FullRefresh: true}); err != nil {
				t.Fatalf("full run: %v", err)
			}
			steps, err := p.chain()
			if err != nil {
				t.Fatal(err)
			}
			var m Measure
			if err := p.handwritten(ctx, &m, steps, make([]StepTimes, len(steps)), io.Discard); err != nil {
				t.Fatal(err)
			}

			s, d, err := run.Open(ctx, p.model, p.target)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			out := func(name string) string { return run.Table(d, p.model, name) }
			hw := p.chainTable
			// The demo data must exercise what is compared: equal outputs
			// say little if no row was a bot's or no url carried a campaign.
			for _, q := range []string{
				`SELECT count(*) FROM ` + out("rejected_events") + ` WHERE reason = 'bot'`,
				`SELECT count(*) FROM ` + out("sessions") + ` WHERE utm_source IS NOT NULL`,
				`SELECT count(*) FROM ` + out("sessions") + ` WHERE utm_campaign LIKE '% %'`,
				`SELECT count(*) FROM ` + out("sessions") + ` WHERE referrer IS NOT NULL`,
				`SELECT count(*) FROM ` + out("sessions") + ` WHERE channel NOT IN ('Direct', 'Referral', 'Unassigned')`,
				`SELECT count(*) FROM ` + out("sessions") + ` WHERE locale IS NOT NULL`,
			} {
				if rows := rowsOf(t, s, q); len(rows) != 1 || rows[0] == "0" {
					t.Errorf("got %v from %s, want rows", rows, q)
				}
			}
			for _, c := range []struct {
				table       string
				sessionize  string
				handwritten string
			}{
				{
					"sessions",
					`SELECT session_id, contact_id, property, session_index, session_start, session_end,
					        duration_seconds, event_count, source, first_event, first_url,
					        contact_session_id, user_lifecycle, days_since_prev_product_session,
					        last_event, last_url, referrer, utm_source, utm_medium, utm_campaign, utm_term,
					        utm_content, channel, is_bounce, locale
					 FROM ` + out("sessions"),
					`SELECT s.session_id, s.contact_id, s.property, s.session_index, s.session_start, s.session_end,
					        s.duration_seconds, s.event_count, s.source, s.first_event, s.first_url,
					        c.contact_session_id, l.user_lifecycle, l.days_since_prev_product_session,
					        s.last_event, s.last_url, s.referrer, s.utm_source, s.utm_medium, s.utm_campaign, s.utm_term,
					        s.utm_content, s.channel, s.is_bounce, s.locale
					 FROM ` + hw("sessions") + ` AS s
					 JOIN ` + hw("contact_sessions") + ` AS c
					   ON c.contact_id = s.contact_id AND c.session_index = s.contact_session_index
					 LEFT JOIN ` + hw("product_lifecycle") + ` AS l ON l.session_id = s.session_id`,
				},
				{
					"contact_sessions",
					`SELECT contact_session_id, contact_id, session_index, session_start, session_end,
					        duration_seconds, event_count, session_count, properties, is_cross_property,
					        entry_property, entry_session_id, entry_url, has_product, prompted_product, user_lifecycle,
					        utm_source, utm_medium, utm_campaign, channel
					 FROM ` + out("contact_sessions"),
					`SELECT contact_session_id, contact_id, session_index, session_start, session_end,
					        duration_seconds, event_count, session_count, properties, is_cross_property,
					        entry_property, entry_session_id, entry_url, has_product, prompted_product, user_lifecycle,
					        utm_source, utm_medium, utm_campaign, channel
					 FROM ` + hw("contact_sessions"),
				},
				{
					"daily_metrics",
					`SELECT * FROM ` + out("daily_metrics"),
					`SELECT day, property, sessions, contacts, events, new_user_sessions, active_user_sessions,
					        resurrected_user_sessions, cross_property_sessions
					 FROM ` + hw("daily_metrics"),
				},
				{
					"daily_channels",
					`SELECT * FROM ` + out("daily_channels"),
					`SELECT day, property, channel, sessions, contacts, prompted_product_sessions, new_user_sessions
					 FROM ` + hw("daily_channels"),
				},
			} {
				want := rowsOf(t, s, c.sessionize)
				got := rowsOf(t, s, c.handwritten)
				if len(want) == 0 {
					t.Errorf("%s: sessionize wrote no rows", c.table)
				}
				missing, extra := difference(want, got), difference(got, want)
				if len(missing) > 0 || len(extra) > 0 {
					t.Errorf("%s: the hand-written chain has %d rows, sessionize %d; %d of sessionize's are not in the chain's, %d of the chain's not in sessionize's:\nmissing: %s\nextra:   %s",
						c.table, len(got), len(want), len(missing), len(extra), head(missing), head(extra))
				}
			}
		})
	}
}

// rowsOf reads a query's rows as text, sorted, with times and fractions
// written alike on every engine: doubles to 9 places, whose last bits
// differ with the order of the arithmetic.
func rowsOf(t *testing.T, s *run.Session, q string) []string {
	t.Helper()
	rows, err := s.Conn.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		f := make([]string, len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case nil:
				f[i] = "NULL"
			case float64:
				f[i] = fmt.Sprintf("%.9f", v)
			case float32:
				f[i] = fmt.Sprintf("%.9f", v)
			case time.Time:
				f[i] = v.UTC().Format("2006-01-02 15:04:05.999999")
			case []byte:
				f[i] = string(v)
			default:
				f[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(f, " | "))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// difference is the rows of a not in b, as multisets; both are sorted.
func difference(a, b []string) []string {
	var d []string
	i, j := 0, 0
	for i < len(a) {
		switch {
		case j >= len(b) || a[i] < b[j]:
			d = append(d, a[i])
			i++
		case a[i] > b[j]:
			j++
		default:
			i++
			j++
		}
	}
	return d
}

// head is the first few rows, one a line.
func head(rows []string) string {
	if len(rows) > 5 {
		rows = append(rows[:5:5], fmt.Sprintf("… and %d more", len(rows)-5))
	}
	return strings.Join(rows, "\n         ")
}

func TestSplitSteps(t *testing.T) {
	for _, c := range []struct {
		name, text string
		want       []chainStep
		err        string
	}{
		{"two steps", "-- the chain\n\n-- step: a\nCREATE SCHEMA x;\n\n-- step: b\n-- why\nCREATE TABLE y AS\nSELECT 1;\n",
			[]chainStep{{"a", "CREATE SCHEMA x"}, {"b", "-- why\nCREATE TABLE y AS\nSELECT 1"}}, ""},
		{"statement before the first step", "SELECT 1;\n-- step: a\nSELECT 2;\n", nil, "a statement before the first step"},
		{"two statements in a step", "-- step: a\nSELECT 1;\nSELECT 2;\n", nil, "step a must be one statement"},
		{"a function's body", "-- step: f\nCREATE FUNCTION f() RETURNS INT LANGUAGE plpgsql AS $body$\nBEGIN\n  RETURN 1;\nEND\n$body$;\n",
			[]chainStep{{"f", "CREATE FUNCTION f() RETURNS INT LANGUAGE plpgsql AS $body$\nBEGIN\n  RETURN 1;\nEND\n$body$"}}, ""},
		{"a statement after a function", "-- step: f\nCREATE FUNCTION f() RETURNS INT LANGUAGE sql AS $$SELECT 1;\n$$;\nSELECT 2;\n", nil, "step f must be one statement"},
		{"empty step", "-- step: a\n-- step: b\nSELECT 2;\n", nil, "step a must be one statement"},
		{"no steps", "-- nothing\n", nil, "has no steps"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := splitSteps("f.sql", c.text)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("got error %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, c.want) {
				t.Errorf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

// TestChainFiles wants a hand-written chain for every engine the bench
// runs on, each naming only tables of the demo model.
func TestChainFiles(t *testing.T) {
	for _, d := range []models.DialectName{models.DuckDB, models.Postgres, models.ClickHouse} {
		t.Run(string(d), func(t *testing.T) {
			dir := t.TempDir()
			dl, err := dialects.For(string(d))
			if err != nil {
				t.Fatal(err)
			}
			p := &place{target: models.Target{Name: "t", Dialect: d}, d: dl}
			if d == models.Postgres {
				p.prefix = "sessionize_bench_0"
			}
			targets := "targets:\n  t: {dialect: duckdb, path: x.duckdb}\ndefault_target: t\n"
			if err := p.writeModel(dir, demo.ModelYAML("x.duckdb"), p.prefix, targets); err != nil {
				t.Fatal(err)
			}
			steps, err := p.chain()
			if err != nil {
				t.Fatal(err)
			}
			if len(steps) < 8 {
				t.Errorf("got %d steps, want the whole chain", len(steps))
			}
		})
	}
}
