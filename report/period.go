package report

import (
	"context"
	"database/sql"
	"sort"
	"time"
)

// The readers of this file serve the range and the period before it alike:
// engagement per property, channels and campaigns.

// extent reads the first and last day of all the data (zero without data).
func (r *reader) extent(ctx context.Context) (first, last time.Time, err error) {
	q, err := r.query("extent", nil)
	if err != nil {
		return first, last, err
	}
	var row struct {
		First sql.NullTime `db:"first_day"`
		Last  sql.NullTime `db:"last_day"`
		Days  int64        `db:"days"`
	}
	if err := r.c.GetContext(ctx, &row, q); err != nil {
		return first, last, queryError("extent", err)
	}
	if row.Days == 0 || !row.First.Valid || !row.Last.Valid { // ClickHouse's MIN of no rows is not NULL
		return first, last, nil
	}
	return dateOnly(row.First.Time), dateOnly(row.Last.Time), nil
}

// stats reads the sessions, bounces and median duration per property,
// indexed by propIndex; properties not in it are left out.
func (r *reader) stats(ctx context.Context, propIndex map[string]int) ([]PropertyStats, error) {
	var counts []struct {
		Property string `db:"property"`
		Sessions int64  `db:"sessions"`
		Bounces  int64  `db:"bounces"`
	}
	if err := r.selectRows(ctx, &counts, "property_stats", nil); err != nil {
		return nil, err
	}
	var medians []struct {
		Property string          `db:"property"`
		Median   sql.NullFloat64 `db:"median_seconds"`
	}
	if err := r.selectRows(ctx, &medians, "medians", nil); err != nil {
		return nil, err
	}
	out := make([]PropertyStats, len(propIndex))
	for _, row := range counts {
		if i, ok := propIndex[row.Property]; ok {
			out[i].Sessions, out[i].Bounces = row.Sessions, row.Bounces
		}
	}
	for _, row := range medians {
		if i, ok := propIndex[row.Property]; ok {
			out[i].MedianSeconds = row.Median.Float64
		}
	}
	return out, nil
}

// channelDay is a day's sessions of one channel.
type channelDay struct {
	Day      time.Time `db:"day"`
	Channel  string    `db:"channel"`
	Sessions int64     `db:"sessions"`
	Prompted int64     `db:"prompted"`
	Signups  int64     `db:"signups"`
}

// channels reads the channels of the range, most sessions first, and
// their sessions per day.
func (r *reader) channels(ctx context.Context) ([]Channel, []channelDay, error) {
	var days []channelDay
	if err := r.selectRows(ctx, &days, "channel_days", nil); err != nil {
		return nil, nil, err
	}
	var contacts []struct {
		Channel  string `db:"channel"`
		Contacts int64  `db:"contacts"`
	}
	if err := r.selectRows(ctx, &contacts, "channel_contacts", nil); err != nil {
		return nil, nil, err
	}
	byName := map[string]*Channel{}
	var out []Channel
	get := func(name string) *Channel {
		if c, ok := byName[name]; ok {
			return c
		}
		c := &Channel{Name: name}
		byName[name] = c
		return c
	}
	for _, d := range days {
		c := get(d.Channel)
		c.Sessions += d.Sessions
		c.Prompted += d.Prompted
		c.Signups += d.Signups
	}
	for _, row := range contacts {
		get(row.Channel).Contacts = row.Contacts
	}
	for _, c := range byName {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Sessions != out[j].Sessions {
			return out[i].Sessions > out[j].Sessions
		}
		return out[i].Name < out[j].Name
	})
	return out, days, nil
}

// campaigns reads the top campaigns by sessions, with the prompted contact
// sessions that entered through each.
func (r *reader) campaigns(ctx context.Context, top int) ([]Campaign, error) {
	var rows []struct {
		Campaign sql.NullString `db:"utm_campaign"`
		Source   sql.NullString `db:"utm_source"`
		Medium   sql.NullString `db:"utm_medium"`
		Channel  sql.NullString `db:"channel"`
		Sessions int64          `db:"sessions"`
		Contacts int64          `db:"contacts"`
		Signups  int64          `db:"signups"`
		Bounces  int64          `db:"bounces"`
	}
	if err := r.selectRows(ctx, &rows, "campaigns", map[string]any{"limit": top}); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	var prompted []struct {
		Campaign sql.NullString `db:"utm_campaign"`
		Source   sql.NullString `db:"utm_source"`
		Medium   sql.NullString `db:"utm_medium"`
		Prompted int64          `db:"prompted"`
	}
	if err := r.selectRows(ctx, &prompted, "campaign_prompted", nil); err != nil {
		return nil, err
	}
	// An empty utm value is NULL (docs/enrichment.md §3.6), so "" keys NULL.
	type key struct{ campaign, source, medium string }
	promptedOf := map[key]int64{}
	for _, p := range prompted {
		promptedOf[key{p.Campaign.String, p.Source.String, p.Medium.String}] += p.Prompted
	}
	out := make([]Campaign, len(rows))
	for i, row := range rows {
		out[i] = Campaign{Campaign: row.Campaign.String, Source: row.Source.String, Medium: row.Medium.String,
			Channel: row.Channel.String, Sessions: row.Sessions, Contacts: row.Contacts, Signups: row.Signups,
			Bounces: row.Bounces, Prompted: promptedOf[key{row.Campaign.String, row.Source.String, row.Medium.String}]}
	}
	// Ties by bytes, absent values last, so every engine gives the same order.
	text := func(s string) string {
		if s == "" {
			return "\xff"
		}
		return s
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Sessions != b.Sessions {
			return a.Sessions > b.Sessions
		}
		if a.Campaign != b.Campaign {
			return text(a.Campaign) < text(b.Campaign)
		}
		if a.Source != b.Source {
			return text(a.Source) < text(b.Source)
		}
		return text(a.Medium) < text(b.Medium)
	})
	return out, nil
}

// period reads the totals of the reader's range, for the comparison with
// the range the report shows.
func (r *reader) period(ctx context.Context, propIndex map[string]int) (*Period, error) {
	p := &Period{From: dateOnly(r.since), To: dateOnly(r.until), Sessions: make([]int64, len(propIndex))}
	daily, contactDays, err := r.days(ctx)
	if err != nil {
		return nil, err
	}
	for _, row := range daily {
		if i, ok := propIndex[row.Property]; ok {
			p.Sessions[i] += row.Sessions
		}
		p.New += row.New
		p.Active += row.Active
		p.Resurrected += row.Resurrected
	}
	for _, row := range contactDays {
		p.ContactSessions += row.ContactSessions
		p.CrossProperty += row.CrossProperty
		p.Prompted += row.Prompted
		p.PromptedSignups += row.PromptedSignups
	}
	if p.Contacts, err = r.contacts(ctx); err != nil {
		return nil, err
	}
	if p.Stats, err = r.stats(ctx, propIndex); err != nil {
		return nil, err
	}
	if p.Channels, _, err = r.channels(ctx); err != nil {
		return nil, err
	}
	return p, nil
}
