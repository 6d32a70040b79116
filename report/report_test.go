package report

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/sessionize/sessionize/demo"
	"github.com/sessionize/sessionize/models"
	"github.com/sessionize/sessionize/run"
)

// chartIDs are the report's charts, as data-chart values.
var chartIDs = []string{"sessions-by-property", "sessions-by-channel", "product-lifecycle", "cross-property-share", "entry-assets", "session-lengths"}

// fixedNow is the clock of every test report, so pages compare byte for byte.
func fixedNow() time.Time { return time.Date(2026, 4, 2, 9, 30, 0, 0, time.UTC) }

var (
	demoOnce   sync.Once
	demoDir    string
	demoErr    error
	demoModelM *models.Model
	demoTarget models.Target
)

// demoModel builds the demo data (20k events over 90 days) into a DuckDB
// file, runs the model on it once per test binary, and returns the model.
func demoModel(t *testing.T) (*models.Model, models.Target) {
	t.Helper()
	demoOnce.Do(func() {
		demoDir, demoErr = os.MkdirTemp("", "sessionize-report-test-")
		if demoErr != nil {
			return
		}
		demoModelM, demoTarget, demoErr = buildDemo(context.Background(), demoDir)
	})
	if demoErr != nil {
		t.Fatalf("demo data: %v", demoErr)
	}
	return demoModelM, demoTarget
}

func buildDemo(ctx context.Context, dir string) (*models.Model, models.Target, error) {
	db, err := sql.Open("duckdb", filepath.Join(dir, "demo.duckdb"))
	if err != nil {
		return nil, models.Target{}, err
	}
	_, err = demo.Generate(ctx, db, demo.Options{Events: 20000, Seed: 1})
	db.Close()
	if err != nil {
		return nil, models.Target{}, err
	}
	path := filepath.Join(dir, "sessions.yaml")
	if err := os.WriteFile(path, []byte(demo.ModelYAML("demo.duckdb")), 0o644); err != nil {
		return nil, models.Target{}, err
	}
	m, err := models.Load(path)
	if err != nil {
		return nil, models.Target{}, err
	}
	tgt, err := m.Target("")
	if err != nil {
		return nil, models.Target{}, err
	}
	if _, err := run.Run(ctx, m, run.Options{Target: tgt, FullRefresh: true}); err != nil {
		return nil, models.Target{}, err
	}
	return m, tgt, nil
}

func TestMain(m *testing.M) {
	code := m.Run()
	if demoDir != "" {
		os.RemoveAll(demoDir)
	}
	if chdbData.dir != "" {
		os.RemoveAll(chdbData.dir)
	}
	os.Exit(code)
}

// renderDemo loads and renders the demo report with opt (and the fixed clock).
func renderDemo(t *testing.T, opt Options) (*Data, string) {
	t.Helper()
	m, tgt := demoModel(t)
	opt.Now = fixedNow
	data, err := Load(context.Background(), m, tgt, opt)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	var b bytes.Buffer
	if err := data.Render(&b); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return data, b.String()
}

// offFile finds references that would make the browser load something
// that is not the file itself.
var offFile = regexp.MustCompile(`(?i)(\b(src|href|xlink:href|action|poster|srcset)\s*=\s*["']?\s*(https?:|//|[a-z0-9._-]+\.(js|css|png|svg|woff2?|ico)))|url\(|@import`)

// checkStructure asserts what every rendered report has.
func checkStructure(t *testing.T, page string) {
	t.Helper()
	for _, id := range chartIDs {
		if n := strings.Count(page, `data-chart="`+id+`"`); n != 1 {
			t.Errorf("chart %s: got %d, want 1", id, n)
		}
	}
	if n := strings.Count(page, "<svg class=\"chart\""); n != len(chartIDs) {
		t.Errorf("charts: got %d, want %d", n, len(chartIDs))
	}
	if m := offFile.FindAllString(page, 5); len(m) > 0 {
		t.Errorf("the page references other files or hosts: %q", m)
	}
	if !strings.Contains(page, `<meta http-equiv="Content-Security-Policy" content="default-src 'none';`) {
		t.Errorf("the page lacks its Content-Security-Policy")
	}
	if !strings.Contains(page, "Generated</dt><dd id=\"generated-at\">2026-04-02 09:30 UTC<") {
		t.Errorf("the page lacks the generated-at time of the clock")
	}
}

// tableRows counts the data rows of the table with the given data-table.
func tableRows(t *testing.T, page, name string) int {
	t.Helper()
	start := strings.Index(page, `data-table="`+name+`"`)
	if start < 0 {
		t.Fatalf("table %s: missing", name)
	}
	end := strings.Index(page[start:], "</table>")
	return strings.Count(page[start:start+end], `<tr><td class="rank"`)
}

func TestDemoReport(t *testing.T) {
	m, tgt := demoModel(t)
	data, page := renderDemo(t, Options{})
	checkStructure(t, page)

	for _, table := range []string{"assets-by-sessions", "assets-by-signups", "prompted-events"} {
		if n := tableRows(t, page, table); n == 0 {
			t.Errorf("table %s: no rows", table)
		}
	}
	for _, want := range []string{"Sessions report: demo", "local <small>(duckdb)</small>", "America/New_York"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}

	// The charts' numbers add up to the output tables'.
	sum, err := run.Summarize(context.Background(), m, tgt)
	if err != nil {
		t.Fatal(err)
	}
	perProperty := map[string]int64{}
	var cs, cross, prompted, newS, active, resurrected int64
	for _, d := range data.Days {
		for i, n := range d.Sessions {
			perProperty[data.Properties[i]] += n
		}
		cs += d.ContactSessions
		cross += d.CrossProperty
		prompted += d.Prompted
		newS += d.New
		active += d.Active
		resurrected += d.Resurrected
	}
	for _, p := range sum.Properties {
		if got := perProperty[p.Property]; got != p.Sessions {
			t.Errorf("sessions of %s per day: got %d, want %d", p.Property, got, p.Sessions)
		}
		var dur int64
		for i, prop := range data.Properties {
			if prop == p.Property {
				for _, n := range data.Durations[i] {
					dur += n
				}
			}
		}
		if dur != p.Sessions {
			t.Errorf("sessions of %s by duration: got %d, want %d", p.Property, dur, p.Sessions)
		}
	}
	for _, c := range []struct {
		name      string
		got, want int64
	}{
		{"contact sessions", cs, sum.ContactSessions},
		{"cross-property", cross, sum.CrossProperty},
		{"prompted", prompted, sum.Prompted},
		{"new", newS, sum.New},
		{"active", active, sum.Active},
		{"resurrected", resurrected, sum.Resurrected},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, c.got, c.want)
		}
	}
	// The enrichment: channels add up to the sessions, day by day; the
	// property stats count every session; entry assets have no query string.
	for _, d := range data.Days {
		var props, channels int64
		for _, n := range d.Sessions {
			props += n
		}
		for _, n := range d.Channels {
			channels += n
		}
		if props != channels {
			t.Errorf("%s: sessions by property add up to %d, by channel to %d", day(d.Day), props, channels)
		}
	}
	for i, prop := range data.Properties {
		if got, want := data.Stats[i].Sessions, perProperty[prop]; got != want {
			t.Errorf("stats of %s: got %d sessions, want %d", prop, got, want)
		}
		if s := data.Stats[i]; s.Sessions > 0 && (s.Bounces == 0 || s.Bounces >= s.Sessions || s.MedianSeconds < 0) {
			t.Errorf("stats of %s: got %+v, want some bounces and a median", prop, s)
		}
	}
	for _, a := range append(data.TopPrompted, data.TopSignups...) {
		if strings.ContainsAny(a.URL, "?#") {
			t.Errorf("entry asset %s keeps its query string or fragment", a.URL)
		}
	}
	if len(data.Channels) < 3 || len(data.Campaigns) == 0 {
		t.Errorf("got %d channels and %d campaigns, want the demo's several", len(data.Channels), len(data.Campaigns))
	}
	if len(data.Days) < 90 || len(data.Days) > 92 {
		t.Errorf("days: got %d, want about 90", len(data.Days))
	}

	// Tables are ordered, and the assets carry the events they led to.
	for i := 1; i < len(data.TopPrompted); i++ {
		if data.TopPrompted[i].Sessions > data.TopPrompted[i-1].Sessions {
			t.Errorf("TopPrompted[%d] has %d sessions, more than the row before (%d)", i, data.TopPrompted[i].Sessions, data.TopPrompted[i-1].Sessions)
		}
	}
	for i := 1; i < len(data.TopSignups); i++ {
		if data.TopSignups[i].Signups > data.TopSignups[i-1].Signups {
			t.Errorf("TopSignups[%d] has %d sign-ups, more than the row before (%d)", i, data.TopSignups[i].Signups, data.TopSignups[i-1].Signups)
		}
	}
	if len(data.TopPrompted) == 0 || len(data.TopPrompted[0].Events) == 0 {
		t.Fatalf("the top entry asset has no product events")
	}
	top := data.TopPrompted[0]
	for _, e := range top.Events {
		if e.Sessions > top.Sessions {
			t.Errorf("event %s of the top asset: %d sessions, more than the asset's %d", e.Event, e.Sessions, top.Sessions)
		}
	}

	// Same data, same clock: same bytes.
	_, again := renderDemo(t, Options{})
	if again != page {
		t.Errorf("two renders of the same data differ")
	}
}

func TestDemoReportRange(t *testing.T) {
	since := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	until := time.Date(2026, 2, 14, 0, 0, 0, 0, time.UTC)
	data, page := renderDemo(t, Options{Since: since, Until: until, Top: 5})
	checkStructure(t, page)
	if len(data.Days) != 14 || !data.From.Equal(since) || !data.To.Equal(until) {
		t.Fatalf("days: got %d from %s to %s, want 14 from 2026-02-01 to 2026-02-14", len(data.Days), day(data.From), day(data.To))
	}
	if !strings.Contains(page, "Feb 1, 2026 – Feb 14, 2026 (14 days)") {
		t.Errorf("the page lacks its date range")
	}
	if n := tableRows(t, page, "assets-by-sessions"); n == 0 || n > 5 {
		t.Errorf("assets-by-sessions: got %d rows, want 1 to 5", n)
	}

	// The range's sessions are what daily_metrics holds for those days.
	m, tgt := demoModel(t)
	s, d, err := run.Open(context.Background(), m, tgt)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var want int64
	q := fmt.Sprintf("SELECT %s FROM %s WHERE day BETWEEN DATE '2026-02-01' AND DATE '2026-02-14'",
		d.SumBigint("sessions"), run.Table(d, m, "daily_metrics"))
	if err := s.Conn.GetContext(context.Background(), &want, q); err != nil {
		t.Fatal(err)
	}
	var got int64
	for _, dd := range data.Days {
		for _, n := range dd.Sessions {
			got += n
		}
	}
	if got != want {
		t.Errorf("sessions from Feb 1 to Feb 14: got %d, want %d", got, want)
	}
}

func TestEmptyRange(t *testing.T) {
	since := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	data, page := renderDemo(t, Options{Since: since, Until: since.AddDate(0, 0, 6)})
	checkStructure(t, page)
	if len(data.Days) != 7 || len(data.TopPrompted) != 0 || len(data.Events) != 0 {
		t.Errorf("got %d days, %d assets, %d events; want 7 days and nothing else", len(data.Days), len(data.TopPrompted), len(data.Events))
	}
	if !strings.Contains(page, "No prompted product sessions in this range.") {
		t.Errorf("the empty tables do not say so")
	}
}

func TestUntilBeforeSince(t *testing.T) {
	m, tgt := demoModel(t)
	_, err := Load(context.Background(), m, tgt, Options{
		Since: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)})
	if err == nil || !strings.Contains(err.Error(), "before") {
		t.Errorf("got %v, want an error saying until is before since", err)
	}
}

func TestWriteFile(t *testing.T) {
	m, tgt := demoModel(t)
	path := filepath.Join(t.TempDir(), "report.html")
	if err := WriteFile(context.Background(), m, tgt, Options{Now: fixedNow}, path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkStructure(t, string(b))
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".report-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// TestYearRendersSmall renders a year of synthetic daily data: the page
// must stay small (the browser opens it fast) and label a dozen months.
func TestYearRendersSmall(t *testing.T) {
	data := syntheticYear()
	var b bytes.Buffer
	began := time.Now()
	if err := data.Render(&b); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(began)
	page := b.String()
	checkStructure(t, page)
	if b.Len() > 700_000 {
		t.Errorf("a year of data renders to %d bytes, want at most 700000", b.Len())
	}
	if elapsed > 2*time.Second {
		t.Errorf("rendering a year took %s", elapsed)
	}
	p := data.page()
	if n := len(p.Sessions.XTicks); n < 11 || n > 13 {
		t.Errorf("x labels for a year: got %d, want 11 to 13", n)
	}
	if p.Sessions.XTicks[0].Label != "Jan 2026" || p.Sessions.XTicks[1].Label != "Feb" {
		t.Errorf("x labels: got %q, %q, want Jan 2026, Feb", p.Sessions.XTicks[0].Label, p.Sessions.XTicks[1].Label)
	}
	t.Logf("a year of daily data: %d bytes in %s", b.Len(), elapsed)
}

func syntheticYear() *Data {
	d := &Data{Model: "acme", Target: "warehouse", Dialect: "postgres", Timezone: "Europe/Berlin",
		GeneratedAt: fixedNow(), Properties: []string{"product", "marketing", "asset:articles", "asset:docs"},
		Contacts: 123456}
	d.From = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 365; i++ {
		day := d.From.AddDate(0, 0, i)
		wave := int64(100 + 40*(i%7) + i)
		d.Days = append(d.Days, Day{Day: day, Sessions: []int64{wave * 3, wave * 2, wave / 2, wave},
			New: wave / 10, Active: wave * 2, Resurrected: wave / 5,
			ContactSessions: wave * 5, CrossProperty: wave, Prompted: wave / 2, PromptedSignups: wave / 20})
	}
	d.To = d.Days[len(d.Days)-1].Day
	for range d.Properties {
		d.Durations = append(d.Durations, []int64{500, 900, 3000, 2500, 1200, 600, 200, 50})
	}
	for i := 0; i < 15; i++ {
		a := Asset{Property: "marketing", URL: fmt.Sprintf("https://www.example.com/page-%d?utm_source=x&a=<b>", i), HasURL: i != 3,
			Sessions: int64(1000 - i*10), Contacts: int64(900 - i*10), Signups: int64(100 - i),
			Events: []AssetEvent{{"Report Viewed", 300, 20}, {"Query Run", 200, 10}, {"<script>alert(1)</script>", 5, 1}}}
		d.TopPrompted = append(d.TopPrompted, a)
		d.TopSignups = append(d.TopSignups, a)
	}
	d.Events = []Event{{"Report Viewed", 3000, 9000, 200}, {"Query Run", 2000, 5000, 100}}
	return d
}

func TestEscaping(t *testing.T) {
	var b bytes.Buffer
	if err := syntheticYear().Render(&b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if strings.Contains(page, "<script>alert(1)</script>") || strings.Contains(page, "a=<b>") {
		t.Errorf("data reached the page unescaped")
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the escaped event name is missing")
	}
}

func TestNiceScale(t *testing.T) {
	for _, c := range []struct {
		max, top, step float64
	}{
		{0, 1, 0.25},
		{1, 1, 0.2},
		{7, 8, 2},
		{10, 10, 2},
		{51, 60, 20},
		{64, 80, 20},
		{99.5, 100, 20},
		{1234, 1250, 250},
		{103, 125, 25},
		{12, 15, 5},
		{38.4, 40, 10},
	} {
		top, step := niceScale(c.max, false)
		if top != c.top || step != c.step {
			t.Errorf("niceScale(%v): got %v, %v, want %v, %v", c.max, top, step, c.top, c.step)
		}
	}
}

func TestFormats(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{thousands(0), "0"},
		{thousands(999), "999"},
		{thousands(1000), "1,000"},
		{thousands(1234567), "1,234,567"},
		{thousands(-12345), "-12,345"},
		{compact(0), "0"},
		{compact(950), "950"},
		{compact(1500), "1.5k"},
		{compact(12000), "12k"},
		{compact(2500000), "2.5M"},
		{compact(0.25), "0.25"},
		{percent(1, 3), "33.3%"},
		{percent(1, 0), "–"},
		{percentAxis(40)(10), "10%"},
		{percentAxis(0.4)(0.1), "0.1%"},
		{percentAxis(0)(0.75), "0.75%"},
		{plural(1, "day"), "1 day"},
		{plural(14, "day"), "14 days"},
		{plural(4, "property"), "4 properties"},
		{num(12.34).String(), "12.3"},
		{num(12.96).String(), "13"},
		{num(-0.01).String(), "0"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestDayTicks(t *testing.T) {
	days := func(from string, n int) []time.Time {
		start, _ := time.Parse("2006-01-02", from)
		out := make([]time.Time, n)
		for i := range out {
			out[i] = start.AddDate(0, 0, i)
		}
		return out
	}
	for _, c := range []struct {
		name  string
		days  []time.Time
		first string
		count int
	}{
		{"a week: every day", days("2026-03-02", 7), "Mar 2", 7},
		{"a month: every other day", days("2026-03-01", 31), "Mar 1", 16},
		{"a quarter: Mondays", days("2026-01-01", 90), "Jan 5", 13},
		{"a year: months", days("2026-01-01", 365), "Jan 2026", 12},
		{"three years: quarters", days("2025-01-01", 3*365), "Jan 2025", 12},
	} {
		t.Run(c.name, func(t *testing.T) {
			ticks := dayTicks(c.days)
			if len(ticks) != c.count {
				t.Errorf("ticks: got %d, want %d", len(ticks), c.count)
			}
			if got := dayTickLabel(c.days, ticks[0]); got != c.first {
				t.Errorf("first label: got %q, want %q", got, c.first)
			}
		})
	}
}
