package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed page.html.tmpl
var pageText string

var pageTemplate = template.Must(template.New("page").Option("missingkey=error").Funcs(template.FuncMap{
	"args": args,
}).Parse(pageText))

// args makes a map from key, value pairs, to pass several values to a template.
func args(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("args: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("args: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// Render writes the HTML page. The output depends on the data alone (the
// generated-at time is part of the data), so the same data gives the same bytes.
func (d *Data) Render(w io.Writer) error {
	return pageTemplate.Execute(w, d.page())
}

// page is what the template prints: every number already formatted.
type page struct {
	Title, Model, Target, Dialect, Timezone string
	Range, Generated                        string
	// Compared names the period before, which the changes compare with.
	Compared string
	// Partial says which days are partial; "" when none is shown.
	Partial                                string
	KPIs                                   []kpi
	Sessions, Lifecycle, Shares, Durations chart
	Channels                               chart
	Assets                                 chart
	Engagement                             []engagementRow
	ChannelRows                            []channelRow
	Campaigns                              []campaignRow
	TopPrompted, TopSignups                []assetRow
	Events                                 []eventRow
}

// kpi is a total with its change from the period before (Change "" when
// there is nothing to compare with) and that period's value as Prev.
type kpi struct{ Label, Value, Note, Change, Trend, Prev string }

type assetRow struct {
	Rank                        int
	Property, Color, URL        string
	HasURL                      bool
	Sessions, Contacts, Signups cell
	Events                      []chip
	More                        string // tooltip listing the events beyond the chips
	MoreCount                   int
}

type eventRow struct {
	Rank                      int
	Event                     string
	Sessions, Events, Signups cell
	Share                     cell
	ShareW                    num // width of the share's bar, out of 60
}

// cell is a table cell: the text shown and the number it sorts by.
type cell struct {
	Text string
	V    string
}

type chip struct {
	Name  string
	Count string
}

// Colors: a light palette; product and marketing keep theirs in every report.
var (
	assetColors       = []string{"#8a63d2", "#2a9d8f", "#3fa7d6", "#7a9a3a", "#b07d48", "#d1557a"}
	colorNew          = "#34a37a"
	colorActive       = "#5a7fdb"
	colorResurrected  = "#e39b3b"
	colorCrossProp    = "#8a63d2"
	colorPrompted     = "#d1557a"
	propertyBaseColor = map[string]string{"product": "#3b6fd8", "marketing": "#e8912d"}
)

func (d *Data) colors() []string {
	out := make([]string, len(d.Properties))
	assets := 0
	for i, p := range d.Properties {
		if c, ok := propertyBaseColor[p]; ok {
			out[i] = c
			continue
		}
		out[i] = assetColors[assets%len(assetColors)]
		assets++
	}
	return out
}

// chipsShown is how many events an asset row lists; the rest are in a tooltip.
const chipsShown = 4

// assetsCharted is how many entry assets the bar chart shows.
const assetsCharted = 10

// urlText is an asset's url, or a note that it has none.
func urlText(a Asset) string {
	if !a.HasURL {
		return "(no url)"
	}
	return a.URL
}

// shortURL is an asset's url without scheme and www, cut to fit a chart label.
func shortURL(a Asset) string {
	if !a.HasURL {
		return a.Property + " (no url)"
	}
	u := a.URL
	for _, p := range []string{"https://", "http://", "www."} {
		u = strings.TrimPrefix(u, p)
	}
	if r := []rune(u); len(r) > 44 {
		u = string(r[:43]) + "…"
	}
	return u
}

func eventName(e string) string {
	if e == "" {
		return "(no event name)"
	}
	return e
}

func (d *Data) page() page {
	p := page{
		Title: d.Model, Model: d.Model, Target: d.Target, Dialect: d.Dialect, Timezone: d.Timezone,
		Generated: d.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC"),
		Range:     "no sessions",
	}
	if len(d.Days) > 0 {
		p.Range = fmt.Sprintf("%s – %s (%s)", d.From.Format("Jan 2, 2006"), d.To.Format("Jan 2, 2006"), plural(len(d.Days), "day"))
	}
	colors := d.colors()
	days := make([]time.Time, len(d.Days))
	for i, dd := range d.Days {
		days[i] = dd.Day
	}
	partial := d.partialDays()
	p.Partial = d.partialNote(partial)
	p.Compared = d.compared()
	// dayNote ends a day's tooltip with why the day is partial.
	dayNote := func(j int, text string) string {
		for _, pd := range partial {
			if pd.Index == j {
				return text + "\n" + pd.Note
			}
		}
		return text
	}

	// KPIs over the whole range, with their changes from the period before.
	cur := d.current()
	p.KPIs = d.kpis(cur)
	prompted := cur.Prompted

	// (1) Sessions per day by property.
	var bySession []series
	for i, prop := range d.Properties {
		vals := make([]float64, len(d.Days))
		for j, dd := range d.Days {
			vals[j] = float64(dd.Sessions[i])
		}
		bySession = append(bySession, series{Name: prop, Color: colors[i], Values: vals})
	}
	p.Sessions = lineChart("sessions-by-property", "Sessions per day by property", days, bySession, counts, func(j int) string {
		dd := d.Days[j]
		lines := []string{dayTitle(dd.Day)}
		for i, prop := range d.Properties {
			lines = append(lines, prop+": "+thousands(dd.Sessions[i]))
		}
		return dayNote(j, strings.Join(lines, "\n"))
	})
	p.Sessions.markPartial(len(days), partial)

	// (2) Product sessions per day by user lifecycle.
	newV, activeV, resV := make([]float64, len(d.Days)), make([]float64, len(d.Days)), make([]float64, len(d.Days))
	for j, dd := range d.Days {
		newV[j], activeV[j], resV[j] = float64(dd.New), float64(dd.Active), float64(dd.Resurrected)
	}
	p.Lifecycle = stackedBars("product-lifecycle", "Product sessions per day by user lifecycle", days, []series{
		{Name: "new", Color: colorNew, Values: newV},
		{Name: "active", Color: colorActive, Values: activeV},
		{Name: "resurrected", Color: colorResurrected, Values: resV},
	}, counts, func(j int) string {
		dd := d.Days[j]
		return dayNote(j, fmt.Sprintf("%s\nproduct sessions: %s\nnew: %s\nactive: %s\nresurrected: %s", dayTitle(dd.Day),
			thousands(dd.New+dd.Active+dd.Resurrected), thousands(dd.New), thousands(dd.Active), thousands(dd.Resurrected)))
	})
	p.Lifecycle.markPartial(len(days), partial)

	// (3) Share of contact sessions that are cross-property and prompted.
	crossV, promptedV := make([]float64, len(d.Days)), make([]float64, len(d.Days))
	maxShare := 0.0
	for j, dd := range d.Days {
		crossV[j], promptedV[j] = math.NaN(), math.NaN()
		if dd.ContactSessions > 0 {
			crossV[j] = 100 * float64(dd.CrossProperty) / float64(dd.ContactSessions)
			promptedV[j] = 100 * float64(dd.Prompted) / float64(dd.ContactSessions)
			maxShare = math.Max(maxShare, math.Max(crossV[j], promptedV[j]))
		}
	}
	p.Shares = lineChart("cross-property-share", "Share of contact sessions that are cross-property and prompted, per day", days, []series{
		{Name: "cross-property", Color: colorCrossProp, Values: crossV},
		{Name: "prompted product use", Color: colorPrompted, Values: promptedV},
	}, percents(maxShare), func(j int) string {
		dd := d.Days[j]
		return dayNote(j, fmt.Sprintf("%s\ncontact sessions: %s\ncross-property: %s (%s)\nprompted product use: %s (%s)", dayTitle(dd.Day),
			thousands(dd.ContactSessions), percent(dd.CrossProperty, dd.ContactSessions), thousands(dd.CrossProperty),
			percent(dd.Prompted, dd.ContactSessions), thousands(dd.Prompted)))
	})
	p.Shares.markPartial(len(days), partial)

	// Sessions per day by channel, and the channels and campaigns over the range.
	p.Channels = d.channelChart(days, dayNote)
	p.Channels.markPartial(len(days), partial)
	p.ChannelRows = d.channelRows()
	p.Campaigns = d.campaignRows()
	p.Engagement = d.engagementRows(colors)

	// (5) Session lengths, as a share of each property's sessions.
	var durations []series
	totals := make([]int64, len(d.Properties))
	for i, prop := range d.Properties {
		vals := make([]float64, len(Buckets))
		for _, n := range d.Durations[i] {
			totals[i] += n
		}
		if totals[i] == 0 {
			continue
		}
		for b, n := range d.Durations[i] {
			vals[b] = 100 * float64(n) / float64(totals[i])
		}
		durations = append(durations, series{Name: prop, Color: colors[i], Values: vals})
	}
	labels := make([]string, len(Buckets))
	maxDur := 0.0
	for b, k := range Buckets {
		labels[b] = k.Label
		for _, s := range durations {
			maxDur = math.Max(maxDur, s.Values[b])
		}
	}
	p.Durations = groupedBars("session-lengths", "Distribution of session lengths by property", labels, durations,
		percents(maxDur), func(v float64) string { return strconv.Itoa(int(math.Round(v))) + "%" },
		func(b int) string {
			lines := []string{"Sessions lasting " + Buckets[b].Label}
			for i, prop := range d.Properties {
				if totals[i] > 0 {
					lines = append(lines, fmt.Sprintf("%s: %s (%s)", prop, thousands(d.Durations[i][b]), percent(d.Durations[i][b], totals[i])))
				}
			}
			return strings.Join(lines, "\n")
		})

	// (4) Entry assets and the product events they led to.
	colorOf := map[string]string{}
	for i, prop := range d.Properties {
		colorOf[prop] = colors[i]
	}
	var bars []hbarRow
	for i, a := range d.TopPrompted {
		if i == assetsCharted {
			break
		}
		bars = append(bars, hbarRow{Label: shortURL(a), Color: colorOf[a.Property], Values: []float64{float64(a.Sessions), float64(a.Signups)}})
	}
	p.Assets = horizontalBars("entry-assets", "Top entry assets by prompted product sessions and sign-ups", bars, []series{
		{Name: "prompted product sessions", Color: colorPrompted},
		{Name: "sign-ups", Color: colorNew},
	}, counts, func(v float64) string { return thousands(int64(v)) }, func(i int) string {
		a := d.TopPrompted[i]
		lines := []string{a.Property + " · " + urlText(a), "prompted product sessions: " + thousands(a.Sessions),
			"contacts: " + thousands(a.Contacts), "sign-ups: " + thousands(a.Signups)}
		for j, e := range a.Events {
			if j == chipsShown {
				break
			}
			lines = append(lines, "  "+eventName(e.Event)+": "+thousands(e.Sessions))
		}
		return strings.Join(lines, "\n")
	})
	p.TopPrompted = assetRows(d.TopPrompted, colorOf, func(e AssetEvent) int64 { return e.Sessions })
	p.TopSignups = assetRows(d.TopSignups, colorOf, func(e AssetEvent) int64 { return e.Signups })
	for i, e := range d.Events {
		p.Events = append(p.Events, eventRow{Rank: i + 1, Event: eventName(e.Event),
			Sessions: count(e.Sessions), Events: count(e.Events), Signups: count(e.Signups),
			Share:  cell{Text: percent(e.Sessions, prompted), V: strconv.FormatFloat(ratio(e.Sessions, prompted), 'f', 6, 64)},
			ShareW: num(60 * ratio(e.Sessions, prompted))})
	}
	return p
}

func assetRows(assets []Asset, colorOf map[string]string, n func(AssetEvent) int64) []assetRow {
	var rows []assetRow
	for i, a := range assets {
		r := assetRow{Rank: i + 1, Property: a.Property, Color: colorOf[a.Property], URL: a.URL, HasURL: a.HasURL,
			Sessions: count(a.Sessions), Contacts: count(a.Contacts), Signups: count(a.Signups)}
		if r.Color == "" {
			r.Color = "#9ca3af"
		}
		events := append([]AssetEvent(nil), a.Events...)
		sort.SliceStable(events, func(i, j int) bool { return n(events[i]) > n(events[j]) })
		var rest []string
		for _, e := range events {
			if n(e) == 0 {
				continue
			}
			name := eventName(e.Event)
			if len(r.Events) < chipsShown {
				r.Events = append(r.Events, chip{Name: name, Count: thousands(n(e))})
				continue
			}
			rest = append(rest, name+": "+thousands(n(e)))
		}
		r.MoreCount = len(rest)
		r.More = strings.Join(rest, "\n")
		rows = append(rows, r)
	}
	return rows
}

func count(n int64) cell { return cell{Text: thousands(n), V: strconv.FormatInt(n, 10)} }
