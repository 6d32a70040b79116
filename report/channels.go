package report

import (
	"strconv"
	"strings"
	"time"
)

// Channels and campaigns on the page: where sessions came from.

// channelColor keeps the default channels' colors (docs/enrichment.md
// §3.6) the same in every report; others take the asset palette in order.
var channelColor = map[string]string{
	"Direct": "#5a6b7f", "Organic Search": "#34a37a", "Paid Search": "#1f7a6d",
	"Organic Social": "#3fa7d6", "Paid Social": "#2b6cb0", "Email": "#d1557a",
	"Referral": "#8a63d2", "Display": "#b07d48", "Affiliates": "#7a9a3a", "Unassigned": "#a3aab5",
}

func (d *Data) channelColors() []string {
	out := make([]string, len(d.Channels))
	other := 0
	for i, c := range d.Channels {
		if col, ok := channelColor[c.Name]; ok {
			out[i] = col
			continue
		}
		out[i] = assetColors[other%len(assetColors)]
		other++
	}
	return out
}

// channelChart stacks each day's sessions by channel, most sessions at the bottom.
func (d *Data) channelChart(days []time.Time, dayNote func(int, string) string) chart {
	colors := d.channelColors()
	ss := make([]series, len(d.Channels))
	for i, c := range d.Channels {
		vals := make([]float64, len(d.Days))
		for j, dd := range d.Days {
			vals[j] = float64(dd.Channels[i])
		}
		ss[i] = series{Name: c.Name, Color: colors[i], Values: vals}
	}
	return stackedBars("sessions-by-channel", "Sessions per day by channel", days, ss, counts, func(j int) string {
		dd := d.Days[j]
		lines := []string{dayTitle(dd.Day)}
		for i, c := range d.Channels {
			if dd.Channels[i] > 0 {
				lines = append(lines, c.Name+": "+thousands(dd.Channels[i]))
			}
		}
		return dayNote(j, strings.Join(lines, "\n"))
	})
}

// channelRow is a channel's totals over the range.
type channelRow struct {
	Name, Color                 string
	Sessions, Share             cell
	ShareW                      num
	Change                      delta
	Prev                        string
	Contacts, Prompted, Signups cell
}

func (d *Data) channelRows() []channelRow {
	colors := d.channelColors()
	var total int64
	for _, c := range d.Channels {
		total += c.Sessions
	}
	prev := map[string]int64{}
	if d.hasPrevious() {
		for _, c := range d.Previous.Channels {
			prev[c.Name] = c.Sessions
		}
	}
	var rows []channelRow
	for i, c := range d.Channels {
		r := channelRow{Name: c.Name, Color: colors[i], Sessions: count(c.Sessions),
			Share:    cell{Text: percent(c.Sessions, total), V: strconv.FormatFloat(ratio(c.Sessions, total), 'f', 6, 64)},
			ShareW:   num(60 * ratio(c.Sessions, total)),
			Contacts: count(c.Contacts), Prompted: count(c.Prompted), Signups: count(c.Signups)}
		if d.hasPrevious() {
			r.Change.Text, r.Change.Class = change(float64(c.Sessions), float64(prev[c.Name]))
			r.Prev = "period before: " + thousands(prev[c.Name])
		}
		rows = append(rows, r)
	}
	return rows
}

// campaignRow is a campaign's sessions and what they led to.
type campaignRow struct {
	Rank                                              int
	Campaign, Source, Medium, Channel                 string
	Sessions, Contacts, Prompted, Signups, BounceRate cell
}

func (d *Data) campaignRows() []campaignRow {
	var rows []campaignRow
	for i, c := range d.Campaigns {
		channel := c.Channel
		if channel == "" {
			channel = "(several)"
		}
		rows = append(rows, campaignRow{Rank: i + 1, Campaign: c.Campaign, Source: c.Source, Medium: c.Medium, Channel: channel,
			Sessions: count(c.Sessions), Contacts: count(c.Contacts), Prompted: count(c.Prompted), Signups: count(c.Signups),
			BounceRate: cell{Text: percent(c.Bounces, c.Sessions), V: strconv.FormatFloat(ratio(c.Bounces, c.Sessions), 'f', 6, 64)}})
	}
	return rows
}
