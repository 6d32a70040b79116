package report

import (
	"bytes"
	"context"
	"math"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sessionize/sessionize/run"
)

// forEngines runs f on the fixture on every engine there is.
func forEngines(t *testing.T, f func(t *testing.T, load func(since, until string) *Data)) {
	for _, e := range fxEngines() {
		t.Run(e.name, func(t *testing.T) {
			m := e.model(t)
			f(t, func(since, until string) *Data { return fxLoad(t, m, since, until) })
		})
	}
}

func render(t *testing.T, d *Data) string {
	t.Helper()
	var b bytes.Buffer
	if err := d.Render(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func date(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

// section is the part of the page from the element with the given
// attribute (id="..." or data-table="...") to the end of its table or svg.
func section(t *testing.T, page, attr, end string) string {
	t.Helper()
	i := strings.Index(page, attr)
	if i < 0 {
		t.Fatalf("the page has no %s", attr)
	}
	j := strings.Index(page[i:], end)
	if j < 0 {
		t.Fatalf("%s has no %s after it", attr, end)
	}
	return page[i : i+j]
}

// TestEntryURLsWithoutQuery: the entry assets group urls without their
// query string and fragment, so /pricing reached from a newsletter, from a
// link to #plans and directly is one asset.
func TestEntryURLsWithoutQuery(t *testing.T) {
	forEngines(t, func(t *testing.T, load func(string, string) *Data) {
		d := load("2026-03-08", "2026-03-14")
		want := []Asset{
			{Property: "marketing", URL: "https://ex.com/pricing", HasURL: true, Sessions: 3, Contacts: 3, Signups: 2,
				Events: []AssetEvent{{"Report Viewed", 3, 2}, {"Query Run", 1, 0}}},
			{Property: "marketing", URL: "https://ex.com/blog/x", HasURL: true, Sessions: 1, Contacts: 1, Signups: 0,
				Events: []AssetEvent{{"Query Run", 1, 0}}},
		}
		if !reflect.DeepEqual(d.TopPrompted, want) {
			t.Errorf("TopPrompted:\n got %+v\nwant %+v", d.TopPrompted, want)
		}
		if len(d.TopSignups) != 1 || d.TopSignups[0].URL != "https://ex.com/pricing" || d.TopSignups[0].Signups != 2 {
			t.Errorf("TopSignups: got %+v, want /pricing with 2 sign-ups", d.TopSignups)
		}
		table := section(t, render(t, d), `data-table="assets-by-sessions"`, "</table>")
		if strings.Contains(table, "utm_") || strings.Contains(table, "#plans") {
			t.Errorf("the assets table shows a query string or fragment:\n%s", table)
		}
	})
}

func TestStripQueryEdgeCases(t *testing.T) {
	// The template's expression, run on DuckDB against Go's reading of the rule.
	m := fxEngines()[0].model(t)
	tgt, _ := m.Target("")
	s, d, err := run.Open(context.Background(), m, tgt)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := newReader(s.Conn, d, m, time.Time{}, time.Time{})
	for _, c := range []struct{ in, want string }{
		{"https://a.com/p", "https://a.com/p"},
		{"https://a.com/p?x=1", "https://a.com/p"},
		{"https://a.com/p#top", "https://a.com/p"},
		{"https://a.com/p?x=1#top", "https://a.com/p"},
		{"https://a.com/p#top?x=1", "https://a.com/p"},
		{"?x", ""},
		{"https://a.com/p?", "https://a.com/p"},
	} {
		var b strings.Builder
		if err := r.sql.ExecuteTemplate(&b, "path", "u"); err != nil {
			t.Fatal(err)
		}
		var got string
		if err := s.Conn.GetContext(context.Background(), &got, "SELECT "+b.String()+" FROM (SELECT "+d.Literal(c.in)+" AS u) AS t"); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("path of %q: got %q, want %q", c.in, got, c.want)
		}
	}
}

// TestChannelsAndCampaigns: the channel breakdown from daily_channels with
// distinct contacts from sessions, and the campaigns from sessions' utm columns.
func TestChannelsAndCampaigns(t *testing.T) {
	forEngines(t, func(t *testing.T, load func(string, string) *Data) {
		d := load("2026-03-08", "2026-03-14")
		want := []Channel{
			{Name: "Direct", Sessions: 5, Contacts: 5, Prompted: 4, Signups: 3},
			{Name: "Email", Sessions: 2, Contacts: 2, Prompted: 2},
			{Name: "Organic Search", Sessions: 2, Contacts: 2, Prompted: 1},
			{Name: "Organic Social", Sessions: 1, Contacts: 1},
			{Name: "Referral", Sessions: 1, Contacts: 1, Prompted: 1},
		}
		if !reflect.DeepEqual(d.Channels, want) {
			t.Errorf("Channels:\n got %+v\nwant %+v", d.Channels, want)
		}
		if got := d.Days[0].Channels; !reflect.DeepEqual(got, []int64{1, 1, 0, 0, 0}) {
			t.Errorf("channels of Mar 8: got %v, want Direct 1, Email 1", got)
		}
		wantC := []Campaign{
			{Campaign: "spring", Source: "newsletter", Medium: "email", Channel: "Email", Sessions: 2, Contacts: 2, Prompted: 2},
			{Source: "twitter", Channel: "Organic Social", Sessions: 1, Contacts: 1, Bounces: 1},
		}
		if !reflect.DeepEqual(d.Campaigns, wantC) {
			t.Errorf("Campaigns:\n got %+v\nwant %+v", d.Campaigns, wantC)
		}
		page := render(t, d)
		if n := tableRowsOf(page, "channels"); n != 5 {
			t.Errorf("channels table: got %d rows, want 5", n)
		}
		if n := tableRowsOf(page, "campaigns"); n != 2 {
			t.Errorf("campaigns table: got %d rows, want 2", n)
		}
		if n := strings.Count(page, `data-chart="sessions-by-channel"`); n != 1 {
			t.Errorf("chart sessions-by-channel: got %d, want 1", n)
		}
	})
}

// tableRowsOf counts the data rows (those with a data-v cell) of a table.
func tableRowsOf(page, name string) int {
	i := strings.Index(page, `data-table="`+name+`"`)
	if i < 0 {
		return -1
	}
	body := page[i:]
	body = body[strings.Index(body, "<tbody>"):strings.Index(body, "</tbody>")]
	return strings.Count(body, "<tr>") - strings.Count(body, `<td colspan=`)
}

// TestBounceAndMedian: bounce rate and median duration per property.
func TestBounceAndMedian(t *testing.T) {
	forEngines(t, func(t *testing.T, load func(string, string) *Data) {
		d := load("2026-03-08", "2026-03-14")
		if !reflect.DeepEqual(d.Properties, []string{"product", "marketing"}) {
			t.Fatalf("properties: got %v", d.Properties)
		}
		// product: 0, 0, 60, 120, 600, 1200 s (two of one event); marketing: 0, 10, 30, 30, 45 s (one).
		want := []PropertyStats{{Sessions: 6, Bounces: 2, MedianSeconds: 90}, {Sessions: 5, Bounces: 1, MedianSeconds: 30}}
		if !reflect.DeepEqual(d.Stats, want) {
			t.Errorf("Stats: got %+v, want %+v", d.Stats, want)
		}
		table := section(t, render(t, d), `data-table="engagement"`, "</table>")
		for _, s := range []string{"33.3%", "1m 30s", "20.0%", "30s"} {
			if !strings.Contains(table, s) {
				t.Errorf("the engagement table lacks %q:\n%s", s, table)
			}
		}
	})
}

// TestPreviousPeriod: the week is compared with the week before it.
func TestPreviousPeriod(t *testing.T) {
	forEngines(t, func(t *testing.T, load func(string, string) *Data) {
		d := load("2026-03-08", "2026-03-14")
		p := d.Previous
		if p == nil {
			t.Fatal("no previous period")
		}
		want := &Period{From: date("2026-03-01"), To: date("2026-03-07"), Sessions: []int64{3, 2},
			New: 2, Active: 1, ContactSessions: 4, CrossProperty: 1, Prompted: 1, PromptedSignups: 1, Contacts: 2,
			Stats:    []PropertyStats{{Sessions: 3, Bounces: 1, MedianSeconds: 100}, {Sessions: 2, Bounces: 1, MedianSeconds: 10}},
			Channels: []Channel{{Name: "Direct", Sessions: 3, Contacts: 2, Prompted: 1, Signups: 2}, {Name: "Email", Sessions: 1, Contacts: 1, Prompted: 1}, {Name: "Organic Search", Sessions: 1, Contacts: 1}},
		}
		if !reflect.DeepEqual(p, want) {
			t.Errorf("Previous:\n got %+v\nwant %+v", p, want)
		}
		pg := d.page()
		// Sessions 11 vs 5, contacts 6 vs 2, contact sessions 7 vs 4, prompted 4 vs 1, sign-ups 3 vs 2.
		wantKPI := []string{"+120.0%", "+200.0%", "+75.0%", "+300.0%", "+50.0%"}
		for i, k := range pg.KPIs {
			if k.Change != wantKPI[i] || k.Trend != "up" {
				t.Errorf("KPI %s: got change %q (%s), want %q (up)", k.Label, k.Change, k.Trend, wantKPI[i])
			}
		}
		if pg.Compared != "Mar 1, 2026 – Mar 7, 2026 (7 days)" {
			t.Errorf("compared: got %q", pg.Compared)
		}
		// product: 6 vs 3 sessions, 33.3% vs 33.3% bounces, 90 vs 100 s; marketing: 5 vs 2, 20% vs 50%, 30 vs 10 s.
		wantEng := [][3]string{{"+100.0%", "±0 pp", "−10.0%"}, {"+150.0%", "−30.0 pp", "+200.0%"}}
		for i, r := range pg.Engagement {
			got := [3]string{r.SessionsD.Text, r.BounceD.Text, r.MedianD.Text}
			if got != wantEng[i] {
				t.Errorf("engagement of %s: got %q, want %q", r.Property, got, wantEng[i])
			}
		}
		wantCh := map[string]string{"Direct": "+66.7%", "Email": "+100.0%", "Organic Search": "+100.0%", "Organic Social": "new", "Referral": "new"}
		for _, r := range pg.ChannelRows {
			if r.Change.Text != wantCh[r.Name] {
				t.Errorf("channel %s: got change %q, want %q", r.Name, r.Change.Text, wantCh[r.Name])
			}
		}
		page := render(t, d)
		if !strings.Contains(page, `<dd id="compared">Mar 1, 2026 – Mar 7, 2026 (7 days)</dd>`) {
			t.Errorf("the page does not name the period it compares with")
		}
		if kpi := section(t, page, `<div class="label">Sessions</div>`, `<div class="note">`); !strings.Contains(kpi, `<div class="change up" title="period before: 5">&#43;120.0% `) {
			t.Errorf("the sessions KPI does not show its change: %s", kpi)
		}

		// The whole fortnight: nothing before it to compare with.
		all := load("", "")
		if all.hasPrevious() {
			t.Errorf("the fortnight has a period before with sessions: %+v", all.Previous)
		}
		if c := all.page().Compared; !strings.HasSuffix(c, "no sessions, nothing to compare") {
			t.Errorf("compared: got %q, want it to say there is nothing to compare", c)
		}
		for _, k := range all.page().KPIs {
			if k.Change != "" {
				t.Errorf("KPI %s: got change %q with nothing to compare", k.Label, k.Change)
			}
		}

		// Mar 4 to 10 compares with Feb 25 to Mar 3, which the data cover from Mar 1.
		mid := load("2026-03-04", "2026-03-10")
		if c := mid.page().Compared; c != "Feb 25, 2026 – Mar 3, 2026 (7 days), of which the data cover only the days from Mar 1" {
			t.Errorf("compared: got %q", c)
		}
	})
}

// dailyCharts are the charts with a column per day.
var dailyCharts = []string{"sessions-by-property", "sessions-by-channel", "product-lifecycle", "cross-property-share"}

// TestPartialDays: the first and last day of the data are marked on every
// daily chart and in a note, and only when they are in the range.
func TestPartialDays(t *testing.T) {
	forEngines(t, func(t *testing.T, load func(string, string) *Data) {
		all := load("", "")
		if !all.FirstDay.Equal(date("2026-03-01")) || !all.LastDay.Equal(date("2026-03-14")) {
			t.Errorf("extent: got %s to %s, want 2026-03-01 to 2026-03-14", day(all.FirstDay), day(all.LastDay))
		}
		page := render(t, all)
		for _, id := range dailyCharts {
			svg := section(t, page, `data-chart="`+id+`"`, "</svg>")
			if n := strings.Count(svg, `<g class="partial"`); n != 2 {
				t.Errorf("chart %s: got %d partial days, want 2", id, n)
			}
		}
		note := section(t, page, `id="partial-days"`, "</p>")
		for _, s := range []string{"Mar 1, 2026 (the data begin within it)", "Mar 14, 2026 (the data end within it)"} {
			if !strings.Contains(note, s) {
				t.Errorf("the note lacks %q: %s", s, note)
			}
		}
		p := all.page()
		first, last := p.Sessions.Partial[0], p.Sessions.Partial[1]
		if first.X != p.Sessions.Left || last.X+last.W != p.Sessions.Right {
			t.Errorf("partial bands: got x %v and %v+%v, want the first and the last column", first.X, last.X, last.W)
		}
		if !strings.Contains(p.Sessions.Columns[13].Title, "Partial day") || strings.Contains(p.Sessions.Columns[12].Title, "Partial") {
			t.Errorf("tooltips: the last day's does not say it is partial, or the day before's does")
		}

		// A week inside the data: only its last day, Mar 14, is partial.
		week := render(t, load("2026-03-08", "2026-03-14"))
		svg := section(t, week, `data-chart="sessions-by-property"`, "</svg>")
		if n := strings.Count(svg, `<g class="partial"`); n != 1 {
			t.Errorf("a week ending on the last day: got %d partial days, want 1", n)
		}
		// A week of whole days: no marks, no note.
		inner := render(t, load("2026-03-05", "2026-03-11"))
		if strings.Contains(inner, `<g class="partial"`) || strings.Contains(inner, `id="partial-days"`) {
			t.Errorf("whole days are marked partial")
		}
	})
}

// TestSinglePointSeries: a series of one day draws a point, as does a day
// between gaps; a path of one point ("M x,y") would draw nothing.
func TestSinglePointSeries(t *testing.T) {
	forEngines(t, func(t *testing.T, load func(string, string) *Data) {
		d := load("2026-03-13", "2026-03-13")
		p := d.page()
		for _, c := range []chart{p.Sessions, p.Shares} {
			for _, l := range c.Lines {
				if len(l.Points) != 1 {
					t.Errorf("chart %s, series %s: got %d points, want 1", c.ID, l.Name, len(l.Points))
				}
			}
		}
		svg := section(t, render(t, d), `data-chart="sessions-by-property"`, "</svg>")
		if n := strings.Count(svg, `<circle class="point"`); n != 2 {
			t.Errorf("one day, two properties: got %d point elements, want 2", n)
		}
		for _, b := range p.Lifecycle.Columns[0].Bars {
			if b.W > maxBarW {
				t.Errorf("the bar of a single day is %v wide, want at most %d", b.W, maxBarW)
			}
		}
	})

	nan := math.NaN()
	c := lineChart("x", "x", make([]time.Time, 7), []series{{Name: "a", Values: []float64{1, nan, 3, 4, nan, 2, nan}}}, counts, func(int) string { return "" })
	l := c.Lines[0]
	if len(l.Points) != 2 || l.Points[0].X != c.Columns[0].X+c.Columns[0].W/2 || l.Points[1].X != c.Columns[5].X+c.Columns[5].W/2 {
		t.Errorf("points: got %+v, want days 0 and 5 (the ones without a neighbour)", l.Points)
	}
	if strings.Count(l.D, "M") != 3 || strings.Count(l.D, "L") != 1 {
		t.Errorf("path: got %q, want three runs, one with a segment", l.D)
	}
}

// TestWholeNumberAxes: count axes tick at whole numbers only, however small the counts.
func TestWholeNumberAxes(t *testing.T) {
	integer := regexp.MustCompile(`^\d+(\.\d+)?[kM]?$`)
	forEngines(t, func(t *testing.T, load func(string, string) *Data) {
		p := load("2026-03-08", "2026-03-14").page()
		for _, c := range []struct {
			c    chart
			want string
		}{{p.Sessions, "0 1"}, {p.Channels, "0 1 2"}} {
			var labels []string
			for _, tk := range c.c.YTicks {
				labels = append(labels, tk.Label)
			}
			if strings.Join(labels, " ") != c.want {
				t.Errorf("chart %s: got ticks %q, want %s", c.c.ID, labels, c.want)
			}
		}
		for _, c := range []chart{p.Sessions, p.Lifecycle, p.Channels} {
			for _, tk := range c.YTicks {
				if !integer.MatchString(tk.Label) || strings.Contains(tk.Label, ".") {
					t.Errorf("chart %s: tick %q is not a whole number", c.ID, tk.Label)
				}
			}
		}
		for _, tk := range p.Assets.VTicks {
			if strings.Contains(tk.Label, ".") {
				t.Errorf("chart %s: tick %q is not a whole number", p.Assets.ID, tk.Label)
			}
		}
	})

	for max := 0.0; max <= 300; max += 0.5 {
		top, step := niceScale(max, true)
		if step < 1 || step != math.Trunc(step) || top < max || top/step > 10.5 {
			t.Errorf("niceScale(%v, whole): got top %v, step %v", max, top, step)
		}
	}
}

// TestEnginesAgree: every engine reads the same report from the fixture.
func TestEnginesAgree(t *testing.T) {
	engines := fxEngines()
	if len(engines) == 1 {
		t.Skip("only DuckDB is here (set SESSIONIZE_TEST_PG_DSN and CHDB_LIB_PATH to compare engines)")
	}
	ranges := [][2]string{{"", ""}, {"2026-03-08", "2026-03-14"}}
	first := make([]*Data, len(ranges))
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			m := e.model(t)
			for i, r := range ranges {
				d := fxLoad(t, m, r[0], r[1])
				d.Target, d.Dialect = "", ""
				if first[i] == nil {
					first[i] = d
				} else if !reflect.DeepEqual(d, first[i]) {
					t.Errorf("range %q: %s reads another report than %s:\n got %+v\nwant %+v", r, e.name, engines[0].name, d, first[i])
				}
			}
		})
	}
}

// TestOlderOutputs: outputs written before the enrichment columns make
// the report say what to do.
func TestOlderOutputs(t *testing.T) {
	m := fxEngines()[0].model(t)
	tgt, _ := m.Target("")
	s, d, err := run.OpenToWrite(context.Background(), m, tgt)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Conn.ExecContext(context.Background(), "ALTER TABLE "+run.Table(d, m, "sessions")+" DROP COLUMN is_bounce")
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	_, err = Load(context.Background(), m, tgt, Options{})
	if err == nil || !strings.Contains(err.Error(), "run `sessionize run` with this version first") {
		t.Errorf("got %v, want an error saying to run sessionize run", err)
	}
}

func TestDurationFormat(t *testing.T) {
	for _, c := range []struct {
		sec  float64
		want string
	}{{0, "0s"}, {29.6, "30s"}, {90, "1m 30s"}, {3599, "59m 59s"}, {3600, "1h 00m"}, {7380, "2h 03m"}} {
		if got := duration(c.sec); got != c.want {
			t.Errorf("duration(%v): got %q, want %q", c.sec, got, c.want)
		}
	}
	for _, c := range []struct {
		cur, prev float64
		want      string
	}{{11, 5, "+120.0%"}, {90, 100, "−10.0%"}, {3, 0, "new"}, {0, 0, "±0%"}, {5, 5, "±0%"}} {
		if got, _ := change(c.cur, c.prev); got != c.want {
			t.Errorf("change(%v, %v): got %q, want %q", c.cur, c.prev, got, c.want)
		}
	}
}
