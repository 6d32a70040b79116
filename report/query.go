package report

import (
	"bytes"
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/sessionize/sessionize/catalog"
	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/models"
	"github.com/sessionize/sessionize/run"
)

//go:embed queries.sql.tmpl
var queriesText string

// reader runs the report's queries on one open target.
type reader struct {
	c            *sqlx.Conn
	d            dialects.Dialect
	m            *models.Model
	since, until time.Time
	sql          *template.Template
}

// newReader reads the days from since to until (zero: unbounded).
func newReader(c *sqlx.Conn, d dialects.Dialect, m *models.Model, since, until time.Time) *reader {
	r := &reader{c: c, d: d, m: m, since: since, until: until}
	r.sql = template.Must(template.New("queries").Option("missingkey=error").Funcs(template.FuncMap{
		"tbl":       func(name string) string { return run.Table(d, m, name) },
		"localdate": func(expr string) string { return d.LocalDate(expr, m.Timezone) },
		"count":     func() string { return r.bigint("COUNT(*)") },
		"bigint":    r.bigint,
		"countIf":   d.CountIf,
		"sum":       d.SumBigint,
		"inRange":   r.inRange,
		"bucket":    r.bucket,
	}).Parse(queriesText))
	return r
}

// query renders the named query.
func (r *reader) query(name string, args map[string]any) (string, error) {
	var b bytes.Buffer
	if err := r.sql.ExecuteTemplate(&b, name, args); err != nil {
		return "", err
	}
	return strings.TrimSpace(b.String()), nil
}

// selectRows runs the named query into dest, a pointer to a slice of structs.
func (r *reader) selectRows(ctx context.Context, dest any, name string, args map[string]any) error {
	q, err := r.query(name, args)
	if err != nil {
		return err
	}
	if err := r.c.SelectContext(ctx, dest, q); err != nil {
		return queryError(name, err)
	}
	return nil
}

func queryError(name string, err error) error {
	msg := strings.ToLower(err.Error())
	missing := strings.Contains(msg, "does not exist") || strings.Contains(msg, "doesn't exist") ||
		strings.Contains(msg, "not found") || strings.Contains(msg, "missing columns") || strings.Contains(msg, "unknown")
	switch {
	case missing && (strings.Contains(msg, "column") || strings.Contains(msg, "identifier")):
		// Outputs of an older version lack the enrichment columns.
		return fmt.Errorf("an output table lacks a column the report reads: run `sessionize run` with this version first (query %s: %w)", name, err)
	case missing && (strings.Contains(msg, "table") || strings.Contains(msg, "relation")):
		return fmt.Errorf("an output table is missing: run `sessionize run` first (query %s: %w)", name, err)
	}
	return fmt.Errorf("query %s: %w", name, err)
}

func (r *reader) bigint(expr string) string {
	return "CAST(" + expr + " AS " + r.d.Type(catalog.Bigint) + ")"
}

// inRange is the condition that the date expr lies in the report's days.
func (r *reader) inRange(expr string) string {
	var conds []string
	if !r.since.IsZero() {
		conds = append(conds, expr+" >= "+r.date(r.since))
	}
	if !r.until.IsZero() {
		conds = append(conds, expr+" <= "+r.date(r.until))
	}
	if len(conds) == 0 {
		return "TRUE"
	}
	return strings.Join(conds, " AND ")
}

func (r *reader) date(t time.Time) string {
	return "CAST(" + dialects.Literal(day(t)) + " AS " + r.d.Type(catalog.Date) + ")"
}

// bucket is the index in Buckets of the duration expr.
func (r *reader) bucket(expr string) string {
	var b strings.Builder
	b.WriteString("CASE WHEN " + expr + " <= 0 THEN 0")
	for i, k := range Buckets[1 : len(Buckets)-1] {
		fmt.Fprintf(&b, " WHEN %s < %s THEN %d", expr, strconv.FormatFloat(k.High, 'f', -1, 64), i+1)
	}
	fmt.Fprintf(&b, " ELSE %d END", len(Buckets)-1)
	return "CAST(" + b.String() + " AS " + r.d.Type(catalog.Integer) + ")"
}

// dailyRow is a row of daily_metrics.
type dailyRow struct {
	Day         time.Time `db:"day"`
	Property    string    `db:"property"`
	Sessions    int64     `db:"sessions"`
	New         int64     `db:"new_user_sessions"`
	Active      int64     `db:"active_user_sessions"`
	Resurrected int64     `db:"resurrected_user_sessions"`
}

// contactDayRow is a day of contact sessions.
type contactDayRow struct {
	Day             time.Time `db:"day"`
	ContactSessions int64     `db:"contact_sessions"`
	CrossProperty   int64     `db:"cross_property"`
	Prompted        int64     `db:"prompted"`
	PromptedSignups int64     `db:"prompted_signups"`
}

// days reads the rows of the daily charts.
func (r *reader) days(ctx context.Context) ([]dailyRow, []contactDayRow, error) {
	var daily []dailyRow
	if err := r.selectRows(ctx, &daily, "daily", nil); err != nil {
		return nil, nil, err
	}
	var contactDays []contactDayRow
	if err := r.selectRows(ctx, &contactDays, "contact_days", nil); err != nil {
		return nil, nil, err
	}
	return daily, contactDays, nil
}

// contacts counts the distinct contacts with a session in the range.
func (r *reader) contacts(ctx context.Context) (int64, error) {
	q, err := r.query("contacts", nil)
	if err != nil {
		return 0, err
	}
	var n int64
	if err := r.c.GetContext(ctx, &n, q); err != nil {
		return 0, queryError("contacts", err)
	}
	return n, nil
}

// read fills data from the target.
func (r *reader) read(ctx context.Context, data *Data, top int) error {
	daily, contactDays, err := r.days(ctx)
	if err != nil {
		return err
	}
	if data.FirstDay, data.LastDay, err = r.extent(ctx); err != nil {
		return err
	}

	// The days: the range asked for, else the days that have sessions.
	from, to := dateOnly(r.since), dateOnly(r.until)
	for _, row := range daily {
		d := dateOnly(row.Day)
		if r.since.IsZero() && (from.IsZero() || d.Before(from)) {
			from = d
		}
		if r.until.IsZero() && (to.IsZero() || d.After(to)) {
			to = d
		}
	}
	if from.IsZero() != to.IsZero() { // one bound given, no data on the other side
		if from.IsZero() {
			from = to
		} else {
			to = from
		}
	}
	data.From, data.To = from, to

	props := map[string]bool{}
	for _, s := range r.m.Sources {
		props[s.Property()] = true
	}
	for _, row := range daily {
		props[row.Property] = true
	}
	data.Properties = orderProperties(props)
	propIndex := map[string]int{}
	for i, p := range data.Properties {
		propIndex[p] = i
	}

	index := map[string]int{}
	if !from.IsZero() {
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			index[day(d)] = len(data.Days)
			data.Days = append(data.Days, Day{Day: d, Sessions: make([]int64, len(data.Properties))})
		}
	}
	for _, row := range daily {
		i, ok := index[day(dateOnly(row.Day))]
		if !ok {
			continue
		}
		dd := &data.Days[i]
		dd.Sessions[propIndex[row.Property]] += row.Sessions
		dd.New += row.New
		dd.Active += row.Active
		dd.Resurrected += row.Resurrected
	}
	for _, row := range contactDays {
		i, ok := index[day(dateOnly(row.Day))]
		if !ok {
			continue
		}
		dd := &data.Days[i]
		dd.ContactSessions += row.ContactSessions
		dd.CrossProperty += row.CrossProperty
		dd.Prompted += row.Prompted
		dd.PromptedSignups += row.PromptedSignups
	}

	if data.Contacts, err = r.contacts(ctx); err != nil {
		return err
	}
	if data.Stats, err = r.stats(ctx, propIndex); err != nil {
		return err
	}
	channels, channelDays, err := r.channels(ctx)
	if err != nil {
		return err
	}
	data.Channels = channels
	channelIndex := map[string]int{}
	for i, c := range channels {
		channelIndex[c.Name] = i
	}
	for i := range data.Days {
		data.Days[i].Channels = make([]int64, len(channels))
	}
	for _, row := range channelDays {
		if i, ok := index[day(dateOnly(row.Day))]; ok {
			data.Days[i].Channels[channelIndex[row.Channel]] += row.Sessions
		}
	}
	if data.Campaigns, err = r.campaigns(ctx, top); err != nil {
		return err
	}

	var durations []struct {
		Property string `db:"property"`
		Bucket   int    `db:"bucket"`
		Sessions int64  `db:"sessions"`
	}
	if err := r.selectRows(ctx, &durations, "durations", nil); err != nil {
		return err
	}
	data.Durations = make([][]int64, len(data.Properties))
	for i := range data.Durations {
		data.Durations[i] = make([]int64, len(Buckets))
	}
	for _, row := range durations {
		p, ok := propIndex[row.Property]
		if !ok || row.Bucket < 0 || row.Bucket >= len(Buckets) {
			continue
		}
		data.Durations[p][row.Bucket] += row.Sessions
	}

	if data.TopPrompted, err = r.topAssets(ctx, "sessions", top); err != nil {
		return err
	}
	if data.TopSignups, err = r.topAssets(ctx, "signups", top); err != nil {
		return err
	}
	// An asset without sign-ups is no top asset by sign-ups.
	for len(data.TopSignups) > 0 && data.TopSignups[len(data.TopSignups)-1].Signups == 0 {
		data.TopSignups = data.TopSignups[:len(data.TopSignups)-1]
	}
	if err := r.assetEvents(ctx, data.TopPrompted, data.TopSignups); err != nil {
		return err
	}

	var events []struct {
		Event    sql.NullString `db:"event"`
		Sessions int64          `db:"sessions"`
		Events   int64          `db:"event_count"`
		Signups  int64          `db:"signups"`
	}
	if err := r.selectRows(ctx, &events, "events", map[string]any{"limit": top}); err != nil {
		return err
	}
	for _, e := range events {
		data.Events = append(data.Events, Event{Event: e.Event.String, Sessions: e.Sessions, Events: e.Events, Signups: e.Signups})
	}
	sort.SliceStable(data.Events, func(i, j int) bool {
		a, b := data.Events[i], data.Events[j]
		if a.Sessions != b.Sessions {
			return a.Sessions > b.Sessions
		}
		return a.Event < b.Event
	})

	if len(data.Days) > 0 {
		prev := newReader(r.c, r.d, r.m, from.AddDate(0, 0, -len(data.Days)), from.AddDate(0, 0, -1))
		if data.Previous, err = prev.period(ctx, propIndex); err != nil {
			return fmt.Errorf("the period before: %w", err)
		}
	}
	return nil
}

// orderProperties lists product, marketing, then the assets by name.
func orderProperties(set map[string]bool) []string {
	var out []string
	for p := range set {
		out = append(out, p)
	}
	rank := func(p string) int {
		switch p {
		case "product":
			return 0
		case "marketing":
			return 1
		}
		return 2
	}
	sort.Slice(out, func(i, j int) bool {
		if rank(out[i]) != rank(out[j]) {
			return rank(out[i]) < rank(out[j])
		}
		return out[i] < out[j]
	})
	return out
}

// dateOnly is t's calendar date at midnight UTC (drivers return DATEs as
// midnight UTC; the clock part of Options.Since and Until is ignored).
func dateOnly(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
