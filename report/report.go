// Package report reads a target's output tables and writes one
// self-contained HTML page about them: sessions per day by property and by
// channel, the lifecycle of product sessions, the share of cross-property
// and prompted contact sessions, the entry assets that lead into the
// product, campaigns, bounce rates and the distribution of session lengths,
// each compared with the period of the same length before it.
//
// The target does the aggregating (a year of data is a few thousand rows
// here); the page draws its charts as inline SVG and makes no network request
// when opened: no fonts, scripts or images from elsewhere, and a
// Content-Security-Policy that would block them if it tried.
package report

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/sessionize/sessionize/models"
	"github.com/sessionize/sessionize/run"
)

// Options choose the days a report covers, how long its tables are, and its clock.
type Options struct {
	// Since and Until bound the days shown, both included, as dates (the
	// clock part is ignored) in the model's timezone; zero means unbounded.
	Since, Until time.Time
	// Top is the number of rows in each entry-asset and campaign table; 0 means 15.
	Top int
	// Now is the clock for the "generated at" line; nil means time.Now. It
	// is the one thing in the page that does not come from the data.
	Now func() time.Time
}

func (o Options) top() int {
	if o.Top <= 0 {
		return 15
	}
	return o.Top
}

// Data is everything a report shows, aggregated by the target.
type Data struct {
	Model, Target, Dialect, Timezone string
	// From and To are the first and last day shown: Since and Until when
	// given, else the first and last day with sessions.
	From, To    time.Time
	GeneratedAt time.Time
	// Properties are the model's properties (and any other found in the
	// outputs): product, marketing, then assets by name.
	Properties []string
	// Days has one entry per day from From to To, days without sessions included.
	Days []Day
	// Contacts counts the distinct contacts with a session in the range.
	Contacts int64
	// Durations counts sessions per property (indexed like Properties) and
	// per duration bucket (indexed like Buckets).
	Durations [][]int64
	// TopPrompted are the entry assets with the most prompted product
	// sessions; TopSignups those with the most prompted sign-ups.
	TopPrompted, TopSignups []Asset
	// Events are the product events of prompted contact sessions, most sessions first.
	Events []Event

	// FirstDay and LastDay are the first and last day of all the data, in
	// the range or not; zero without data. The data usually begin and end
	// within these days, so they are partial.
	FirstDay, LastDay time.Time
	// Stats are the sessions, bounces and median duration per property,
	// indexed like Properties.
	Stats []PropertyStats
	// Channels are the channels of the range's sessions, most sessions first.
	Channels []Channel
	// Campaigns are the campaigns with the most sessions, most first.
	Campaigns []Campaign
	// Previous is the period of as many days just before From, to compare
	// with; nil when the range has no days.
	Previous *Period
}

// Period is what the report compares for a run of days.
type Period struct {
	From, To time.Time
	// Sessions per property, indexed like Data.Properties.
	Sessions []int64
	// New, Active and Resurrected count product sessions by user lifecycle.
	New, Active, Resurrected int64
	// ContactSessions, CrossProperty, Prompted and PromptedSignups as in Day.
	ContactSessions, CrossProperty, Prompted, PromptedSignups int64
	// Contacts counts the distinct contacts with a session in the period.
	Contacts int64
	// Stats per property, indexed like Data.Properties.
	Stats []PropertyStats
	// Channels of the period's sessions, most sessions first.
	Channels []Channel
}

// PropertyStats are a property's sessions, the bounces among them (sessions
// of one event) and their median duration in seconds.
type PropertyStats struct {
	Sessions, Bounces int64
	MedianSeconds     float64
}

// Channel is the sessions of one channel (docs/enrichment.md §3.6) over a
// period, from daily_channels, with the distinct contacts from sessions.
type Channel struct {
	Name string
	// Sessions over all properties; Prompted those whose contact session is
	// prompted; Signups those that are a user's first product session.
	Sessions, Contacts, Prompted, Signups int64
}

// Campaign is the sessions whose first url carries one campaign: the
// utm_campaign, utm_source and utm_medium values ("" where absent).
type Campaign struct {
	Campaign, Source, Medium string
	// Channel is the channel of all its sessions, "" when they have several.
	Channel string
	// Sessions, their distinct Contacts, Signups (new-user product
	// sessions) and Bounces; Prompted counts the prompted contact sessions
	// that entered through the campaign.
	Sessions, Contacts, Signups, Bounces, Prompted int64
}

// Day is one day of the daily charts.
type Day struct {
	Day time.Time
	// Sessions per property, indexed like Data.Properties.
	Sessions []int64
	// New, Active and Resurrected count product sessions by user lifecycle (semantics §3.5).
	New, Active, Resurrected int64
	// ContactSessions that started this day; CrossProperty and Prompted
	// among them (semantics §3.4), and PromptedSignups: prompted ones whose
	// user_lifecycle is new.
	ContactSessions, CrossProperty, Prompted, PromptedSignups int64
	// Channels counts the sessions per channel, indexed like Data.Channels.
	Channels []int64
}

// Asset is an entry asset (entry_property and entry_url) of prompted contact sessions.
type Asset struct {
	Property string
	URL      string
	HasURL   bool
	// Sessions counts the prompted contact sessions that entered here,
	// Contacts their distinct contacts, Signups those whose user_lifecycle is new.
	Sessions, Contacts, Signups int64
	// Events are the product events these sessions led to, from prompted_events.
	Events []AssetEvent
}

// AssetEvent is one product event an asset led to.
type AssetEvent struct {
	Event string
	// Sessions counts the prompted contact sessions holding the event,
	// Signups the new-user ones among them.
	Sessions, Signups int64
}

// Event is one product event over all prompted contact sessions.
type Event struct {
	Event                     string
	Sessions, Events, Signups int64
}

// Bucket is one bar of the session-length histogram: durations d with
// Low <= d < High seconds; the first bucket holds exactly 0s and the last
// has no upper bound.
type Bucket struct {
	Label     string
	Low, High float64
}

// Buckets are the session-length buckets, shortest first.
var Buckets = []Bucket{
	{"0s", 0, 0},
	{"< 1 min", 0, 60},
	{"1–5 min", 60, 300},
	{"5–15 min", 300, 900},
	{"15–30 min", 900, 1800},
	{"30–60 min", 1800, 3600},
	{"1–2 h", 3600, 7200},
	{"≥ 2 h", 7200, 0},
}

// Load reads the report's data from target t of model m.
func Load(ctx context.Context, m *models.Model, t models.Target, opt Options) (*Data, error) {
	if !opt.Since.IsZero() && !opt.Until.IsZero() && opt.Until.Before(opt.Since) {
		return nil, fmt.Errorf("report: until %s is before since %s", day(opt.Until), day(opt.Since))
	}
	s, d, err := run.Open(ctx, m, t)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	data := &Data{
		Model: m.Name, Target: t.Name, Dialect: string(t.Dialect), Timezone: m.Timezone,
		GeneratedAt: now().UTC(),
	}
	r := newReader(s.Conn, d, m, opt.Since, opt.Until)
	if err := r.read(ctx, data, opt.top()); err != nil {
		return nil, fmt.Errorf("report on target %s: %w", t.Name, err)
	}
	return data, nil
}

// Write loads the report's data from target t and writes the HTML page to w.
func Write(ctx context.Context, m *models.Model, t models.Target, opt Options, w io.Writer) error {
	data, err := Load(ctx, m, t, opt)
	if err != nil {
		return err
	}
	return data.Render(w)
}

// WriteFile writes the report to path through a temporary file beside it,
// so an open browser tab or a failed run never sees half a page.
func WriteFile(ctx context.Context, m *models.Model, t models.Target, opt Options, path string) error {
	var buf bytes.Buffer
	if err := Write(ctx, m, t, opt, &buf); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".report-*.html")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// day formats a date as YYYY-MM-DD.
func day(t time.Time) string { return t.Format("2006-01-02") }
