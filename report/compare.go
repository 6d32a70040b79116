package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The range against the period before it, and the days that are partial.

// partialDay is a day of the range that holds part of a day's data.
type partialDay struct {
	Index int // in Data.Days
	Note  string
}

// partialDays are the days of the range that are the first or last day of
// all the data: the data usually begin and end within them, so they hold
// fewer sessions than a whole day and would read as a drop.
func (d *Data) partialDays() []partialDay {
	var out []partialDay
	for i, dd := range d.Days {
		first, last := dd.Day.Equal(d.FirstDay), dd.Day.Equal(d.LastDay)
		switch {
		case first && last:
			out = append(out, partialDay{i, "Partial day: the data begin and end within it."})
		case first:
			out = append(out, partialDay{i, "Partial day: the first day of the data, which likely begin within it."})
		case last:
			out = append(out, partialDay{i, "Partial day: the last day of the data, which likely end within it."})
		}
	}
	return out
}

// partialNote says which days of the range are partial, for the page.
func (d *Data) partialNote(partial []partialDay) string {
	var parts []string
	for _, pd := range partial {
		dd := d.Days[pd.Index].Day
		what := "the data begin within it"
		switch {
		case dd.Equal(d.FirstDay) && dd.Equal(d.LastDay):
			what = "the data begin and end within it"
		case dd.Equal(d.LastDay):
			what = "the data end within it"
		}
		parts = append(parts, dd.Format("Jan 2, 2006")+" ("+what+")")
	}
	if len(parts) == 0 {
		return ""
	}
	verb := "is a partial day, shaded"
	if len(parts) > 1 {
		verb = "are partial days, shaded"
	}
	return strings.Join(parts, " and ") + " " + verb + " on the daily charts; the totals and their changes include them."
}

// hasPrevious says there is a period before to compare with: it has sessions.
func (d *Data) hasPrevious() bool {
	if d.Previous == nil {
		return false
	}
	for _, n := range d.Previous.Sessions {
		if n > 0 {
			return true
		}
	}
	return false
}

// compared names the period before and how much of it the data cover.
func (d *Data) compared() string {
	p := d.Previous
	if p == nil {
		return ""
	}
	s := fmt.Sprintf("%s – %s (%s)", p.From.Format("Jan 2, 2006"), p.To.Format("Jan 2, 2006"), plural(days(p.From, p.To), "day"))
	switch {
	case !d.hasPrevious():
		return s + ": no sessions, nothing to compare"
	case d.FirstDay.After(p.From):
		return s + ", of which the data cover only the days from " + d.FirstDay.Format("Jan 2")
	}
	return s
}

// current is the range's own Period, summed from its days.
func (d *Data) current() *Period {
	p := &Period{From: d.From, To: d.To, Sessions: make([]int64, len(d.Properties)),
		Contacts: d.Contacts, Stats: d.Stats, Channels: d.Channels}
	for _, dd := range d.Days {
		for i, n := range dd.Sessions {
			p.Sessions[i] += n
		}
		p.New += dd.New
		p.Active += dd.Active
		p.Resurrected += dd.Resurrected
		p.ContactSessions += dd.ContactSessions
		p.CrossProperty += dd.CrossProperty
		p.Prompted += dd.Prompted
		p.PromptedSignups += dd.PromptedSignups
	}
	return p
}

// total is the sessions of a period over all properties, and of product.
func (d *Data) total(p *Period) (all, product int64) {
	for i, n := range p.Sessions {
		all += n
		if d.Properties[i] == "product" {
			product += n
		}
	}
	return all, product
}

// kpis are the totals of the range, each with its change from the period before.
func (d *Data) kpis(cur *Period) []kpi {
	sessions, product := d.total(cur)
	ks := []kpi{
		{Label: "Sessions", Value: thousands(sessions), Note: fmt.Sprintf("on %s, %s of them product", plural(len(d.Properties), "property"), thousands(product))},
		{Label: "Contacts", Value: thousands(cur.Contacts), Note: "people with a session, after identity stitching"},
		{Label: "Contact sessions", Value: thousands(cur.ContactSessions), Note: percent(cur.CrossProperty, cur.ContactSessions) + " cross-property"},
		{Label: "Prompted product use", Value: thousands(cur.Prompted), Note: percent(cur.Prompted, cur.ContactSessions) + " of contact sessions"},
		{Label: "Sign-ups", Value: thousands(cur.New), Note: percent(cur.PromptedSignups, cur.New) + " prompted by marketing or an asset"},
	}
	if !d.hasPrevious() {
		return ks
	}
	prev := d.Previous
	prevSessions, _ := d.total(prev)
	for i, pair := range [][2]int64{
		{sessions, prevSessions}, {cur.Contacts, prev.Contacts}, {cur.ContactSessions, prev.ContactSessions},
		{cur.Prompted, prev.Prompted}, {cur.New, prev.New},
	} {
		ks[i].Change, ks[i].Trend = change(float64(pair[0]), float64(pair[1]))
		ks[i].Prev = "period before: " + thousands(pair[1])
	}
	return ks
}

// delta is a change from the period before, shown beside a number.
type delta struct{ Text, Class string }

// engagementRow is a property's sessions, bounce rate and median duration.
type engagementRow struct {
	Property, Color             string
	Sessions, Bounce, Median    cell
	SessionsD, BounceD, MedianD delta
}

func (d *Data) engagementRows(colors []string) []engagementRow {
	var rows []engagementRow
	for i, prop := range d.Properties {
		if i >= len(d.Stats) || d.Stats[i].Sessions == 0 {
			continue
		}
		s := d.Stats[i]
		rate := 100 * ratio(s.Bounces, s.Sessions)
		r := engagementRow{Property: prop, Color: colors[i], Sessions: count(s.Sessions),
			Bounce: cell{Text: percent(s.Bounces, s.Sessions), V: strconv.FormatFloat(rate, 'f', 4, 64)},
			Median: cell{Text: duration(s.MedianSeconds), V: strconv.FormatFloat(s.MedianSeconds, 'f', 3, 64)}}
		if d.hasPrevious() && i < len(d.Previous.Stats) {
			ps := d.Previous.Stats[i]
			r.SessionsD.Text, r.SessionsD.Class = change(float64(s.Sessions), float64(ps.Sessions))
			if ps.Sessions > 0 {
				r.BounceD.Text, r.BounceD.Class = pointChange(rate, 100*ratio(ps.Bounces, ps.Sessions))
				r.MedianD.Text, r.MedianD.Class = change(s.MedianSeconds, ps.MedianSeconds)
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// days is the number of days from a to b, both included.
func days(a, b time.Time) int { return int(b.Sub(a).Hours()/24) + 1 }
