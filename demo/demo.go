// Package demo writes realistic synthetic Segment-style events into DuckDB,
// together with the sessions.yaml that models them (semantics §6, `sessionize demo`).
//
// The data is a simulated population of people who browse the marketing
// website, read the blog and the docs, sign up and use the product, in bursts
// with realistic gaps. It carries the problems real warehouses have: late
// loads, duplicates across sources and rows that cannot be sessionized, and
// what enrichment reads: referrers, campaign urls, browsers' user agents, a
// locale, and a few crawlers whose page calls are not people's. It is
// deterministic for a seed and streamed through DuckDB appenders, so tens of
// millions of events fit in a bounded amount of memory.
package demo

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Options says how much data to generate and over which dates.
type Options struct {
	Events int       // rows across the five event tables (±5%); default 100000
	Seed   int64     // same seed, same rows
	Start  time.Time // first day (UTC); default 2026-01-01
	Days   int       // length of the date range; default 90
}

// Stats counts what Generate wrote.
type Stats struct {
	Events     int            // rows in the five event tables, duplicates and bad rows included
	Identifies int            // rows in app_prod.identifies
	Duplicates int            // extra copies of an event id, in its own or another table
	BadRows    int            // rows lacking an id, a timestamp or any identity (semantics §3.1)
	Bots       int            // rows sent by crawlers, whose user agents the model's bots: patterns match
	People     int            // simulated people (contacts)
	Users      int            // people with a user_id (signed up before or during the range)
	Tables     map[string]int // rows per "schema.table"
}

// tableID names one generated table; the order is the order of tableDefs.
type tableID int

const (
	websitePages tableID = iota
	websiteTracks
	appTracks
	docsPages
	blogPages
	appIdentifies
	numTables
)

// numEventTables counts the tables holding events (all but identifies).
const numEventTables = int(appIdentifies)

// layout says which trailing columns a table has after the five shared ones
// (id, anonymous_id, user_id, timestamp, received_at). They are Segment's
// names: pages keep the referrer as referrer, tracks as context_page_referrer.
type layout int

const (
	pageLayout     layout = iota // url, name, referrer, context_user_agent, context_locale
	trackLayout                  // event, url, context_page_referrer, context_user_agent, context_locale
	appLayout                    // event, context_page_url, context_page_referrer, context_user_agent, context_locale
	identifyLayout               // nothing more
)

var tableDefs = [numTables]struct {
	schema, name string
	layout       layout
}{
	{"website", "pages", pageLayout},
	{"website", "tracks", trackLayout},
	{"app_prod", "tracks", appLayout},
	{"docs", "pages", pageLayout},
	{"blog", "pages", pageLayout},
	{"app_prod", "identifies", identifyLayout},
}

const sharedColumns = `id VARCHAR, anonymous_id VARCHAR, user_id VARCHAR, "timestamp" TIMESTAMP, received_at TIMESTAMP`

// contextColumns follow each event table's own columns.
const contextColumns = ", context_user_agent VARCHAR, context_locale VARCHAR"

var layoutColumns = [...]string{
	pageLayout:     ", url VARCHAR, name VARCHAR, referrer VARCHAR" + contextColumns,
	trackLayout:    ", event VARCHAR, url VARCHAR, context_page_referrer VARCHAR" + contextColumns,
	appLayout:      ", event VARCHAR, context_page_url VARCHAR, context_page_referrer VARCHAR" + contextColumns,
	identifyLayout: "",
}

func (o Options) withDefaults() Options {
	if o.Events <= 0 {
		o.Events = 100000
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	y, m, d := o.Start.UTC().Date()
	o.Start = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if o.Days <= 0 {
		o.Days = 90
	}
	return o
}

// Generate replaces the demo tables in db (a database/sql handle on the duckdb
// driver) with about opts.Events synthetic events, creating the schemas when
// missing. Rows are appended as they are simulated and committed in chunks, so
// a failed run can leave partly filled tables; run it again to replace them.
func Generate(ctx context.Context, db *sql.DB, opts Options) (Stats, error) {
	opts = opts.withDefaults()
	conn, err := db.Conn(ctx)
	if err != nil {
		return Stats{}, fmt.Errorf("demo: connect: %w", err)
	}
	defer conn.Close()

	for _, t := range tableDefs {
		ddl := []string{
			fmt.Sprintf(`CREATE SCHEMA IF NOT EXISTS "%s"`, t.schema),
			fmt.Sprintf(`CREATE OR REPLACE TABLE "%s"."%s" (%s%s)`, t.schema, t.name, sharedColumns, layoutColumns[t.layout]),
		}
		for _, q := range ddl {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				return Stats{}, fmt.Errorf("demo: %s: %w", q, err)
			}
		}
	}

	var stats Stats
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("demo: database is not on the duckdb driver (got %T)", dc)
		}
		w, err := newWriter(c, opts)
		if err != nil {
			return err
		}
		runErr := newSim(w, opts).run(ctx)
		closeErr := w.close()
		stats = w.stats
		if runErr != nil {
			return runErr
		}
		return closeErr
	})
	return stats, err
}

// row is one event or identify before it becomes table values. Empty strings
// mean NULL; the deliberate empty strings of bad rows are set in writer.bad.
type row struct {
	id, anon, user string
	ts             int64 // Unix microseconds
	name, url      string
	referrer       string
	ua, locale     string // the browser's; empty for server-side events
}

// writer owns one appender per table and adds the data-quality noise:
// load delays, duplicates and bad rows. Crawlers' rows have their own ids and
// noise stream, so adding them left people's rows as they were.
type writer struct {
	apps   [numTables]*duckdb.Appender
	r      *rand.Rand
	ids    idGen
	botR   *rand.Rand
	botIDs idGen
	limit  int
	vals   [10]driver.Value
	stats  Stats
}

func newWriter(c driver.Conn, opts Options) (*writer, error) {
	w := &writer{
		r:      rand.New(rand.NewPCG(uint64(opts.Seed), 0x6e6f697365)), // "noise"
		ids:    newIDGen(opts.Seed, 1),
		botR:   rand.New(rand.NewPCG(uint64(opts.Seed), 0x626f7473)), // "bots"
		botIDs: newIDGen(opts.Seed, 3),
		limit:  opts.Events,
		stats:  Stats{Tables: map[string]int{}},
	}
	for i, t := range tableDefs {
		a, err := duckdb.NewAppenderFromConn(c, t.schema, t.name)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("demo: appender for %s.%s: %w", t.schema, t.name, err)
		}
		w.apps[i] = a
	}
	return w, nil
}

// full reports whether the requested number of event rows has been written.
func (w *writer) full() bool { return w.stats.Events >= w.limit }

// event writes e to table t, with a fresh id, and now and then a duplicate or
// a bad row next to it.
func (w *writer) event(t tableID, e row) error {
	if w.full() {
		return nil
	}
	e.id = w.ids.next()
	recv := e.ts + w.loadDelay()
	if err := w.append(t, e, recv); err != nil {
		return err
	}
	if w.r.Float64() < 0.005 {
		// A retry or a double-wired source loads the same event again, a bit later,
		// sometimes into another source's table.
		dt := t
		if w.r.Float64() < 0.3 {
			dt = tableID(w.r.IntN(numEventTables))
		}
		w.stats.Duplicates++
		if err := w.append(dt, e, recv+between(w.r, second, 15*minute)); err != nil {
			return err
		}
	}
	if w.r.Float64() < 0.002 {
		return w.bad(t, e)
	}
	return nil
}

// bot writes one crawler's row, loaded seconds later; crawlers' rows are
// neither duplicated nor broken.
func (w *writer) bot(t tableID, e row) error {
	if w.full() {
		return nil
	}
	e.id = w.botIDs.next()
	w.stats.Bots++
	return w.append(t, e, e.ts+min(lognormal(w.botR, 3*second, 1.3), 20*minute))
}

// identify writes one identifies row mapping e.anon to e.user.
func (w *writer) identify(e row) error {
	if w.full() {
		return nil
	}
	e.id = w.ids.next()
	return w.append(appIdentifies, e, e.ts+w.loadDelay())
}

// bad writes a row that semantics §3.1 rejects, one kind at a time.
func (w *writer) bad(t tableID, e row) error {
	e.id = w.ids.next()
	v := w.values(t, e, e.ts+w.loadDelay())
	switch w.r.IntN(6) {
	case 0:
		v[0] = ""
	case 1:
		v[0] = nil
	case 2:
		v[3] = nil
	case 3:
		v[1], v[2] = nil, nil
	case 4:
		v[1], v[2] = "", ""
	case 5: // several problems: the first reason, missing_event_id, wins
		v[0], v[3] = nil, nil
	}
	w.stats.BadRows++
	return w.put(t, v)
}

// loadDelay is how long after the event it reaches the warehouse: seconds
// usually, minutes sometimes, and for ~1% of rows hours or days.
func (w *writer) loadDelay() int64 {
	if w.r.Float64() < 0.01 {
		if w.r.IntN(2) == 0 {
			return between(w.r, hour, day)
		}
		return between(w.r, day, 5*day)
	}
	return min(lognormal(w.r, 3*second, 1.3), 20*minute)
}

func (w *writer) append(t tableID, e row, recv int64) error {
	return w.put(t, w.values(t, e, recv))
}

// values lays e out in table t's column order, reusing one buffer.
func (w *writer) values(t tableID, e row, recv int64) []driver.Value {
	v := w.vals[:0]
	v = append(v, e.id, nullable(e.anon), nullable(e.user),
		time.UnixMicro(e.ts).UTC(), time.UnixMicro(recv).UTC())
	switch tableDefs[t].layout {
	case pageLayout:
		v = append(v, nullable(e.url), nullable(e.name), nullable(e.referrer), nullable(e.ua), nullable(e.locale))
	case trackLayout, appLayout:
		v = append(v, nullable(e.name), nullable(e.url), nullable(e.referrer), nullable(e.ua), nullable(e.locale))
	}
	return v
}

func (w *writer) put(t tableID, v []driver.Value) error {
	if err := w.apps[t].AppendRow(v...); err != nil {
		return fmt.Errorf("demo: append to %s.%s: %w", tableDefs[t].schema, tableDefs[t].name, err)
	}
	if t == appIdentifies {
		w.stats.Identifies++
	} else {
		w.stats.Events++
	}
	w.stats.Tables[tableDefs[t].schema+"."+tableDefs[t].name]++
	return nil
}

// close flushes and closes every appender, returning the first error.
func (w *writer) close() error {
	var first error
	for i, a := range w.apps {
		if a == nil {
			continue
		}
		if err := a.Close(); err != nil && first == nil {
			first = fmt.Errorf("demo: flush %s.%s: %w", tableDefs[i].schema, tableDefs[i].name, err)
		}
		w.apps[i] = nil
	}
	return first
}

func nullable(s string) driver.Value {
	if s == "" {
		return nil
	}
	return s
}
