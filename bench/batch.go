package bench

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/sessionize/sessionize/render"
	"github.com/sessionize/sessionize/run"
)

// Batch is one incremental repeat's new rows.
type Batch struct {
	Events     int64   `json:"events"`     // new rows in the event tables, late ones included
	Late       int64   `json:"late"`       // of those, events 1–5 days old when loaded
	Identifies int64   `json:"identifies"` // new identifies mapping anonymous ids to new users
	Seconds    float64 `json:"seconds"`    // to write the batch (not part of the measurement)
}

// Shares of a batch, relative to the events of the original data.
const (
	recentShare   = 0.009  // recent events of existing and new contacts
	lateShare     = 0.001  // late events, 1–5 days old
	identifyShare = 0.0001 // identifies of anonymous visitors who sign up
)

// batchPlan is what every batch is made from: the original data's latest
// day(s) of events, copied forward in time with new ids, like the next day of
// the same traffic. It is planned once, on the data before any batch.
type batchPlan struct {
	events     []string // quoted event tables
	columns    [][]string
	identifies string // quoted identifies table
	first      string // quoted event table whose anonymous visitors sign up

	maxTS  time.Time     // latest event of the original data
	loaded time.Time     // latest received_at of the original data: rows at or below it are originals
	window time.Duration // how far back the copied recent events go; also how far each batch moves time
	recent string        // id-prefix cut that samples recentShare of events from the window
	late   string        // id-prefix cut that samples lateShare of events from 1–5 days back
	signup int           // identifies per batch
}

// addBatch writes the k-th batch (k ≥ 1) into the source tables with plain
// INSERT ... SELECT, so it works the same on every engine (in one
// transaction where the engine has them):
//   - recent events: a sample of the original data's last window of events,
//     moved k windows forward, with new event ids; one contact in about six
//     gets new ids too (new visitors and users), the rest are existing
//     contacts. Their received_at is moved with them, and never below the
//     current watermark, as a loader appends;
//   - late events: a sample of events 1–5 days older than the batch's "now",
//     loaded now;
//   - identifies: anonymous visitors of the latest window who now sign up,
//     re-attributing their past events to a new user.
//
// Bad rows keep their defects, so the batch has rejects as the data does.
func (p *place) addBatch(ctx context.Context, k int) (Batch, error) {
	s, _, err := run.OpenToWrite(ctx, p.model, p.target)
	if err != nil {
		return Batch{}, err
	}
	defer s.Close()
	if p.plan == nil {
		if p.plan, err = p.makePlan(ctx, s.Conn); err != nil {
			return Batch{}, fmt.Errorf("plan the batches: %w", err)
		}
	}
	pl := p.plan
	start := time.Now()
	watermark, err := maxOf(ctx, s.Conn, `max("received_at")`, append(slices.Clone(pl.events), pl.identifies))
	if err != nil {
		return Batch{}, err
	}
	shift := time.Duration(k) * pl.window
	now := pl.maxTS.Add(shift)
	loadedAt := watermark.Add(time.Second)

	ins := inserter{ctx: ctx, ex: s.Conn, count: p.noTx}
	var tx *sqlx.Tx
	if !p.noTx {
		if tx, err = s.Conn.BeginTxx(ctx, nil); err != nil {
			return Batch{}, err
		}
		defer tx.Rollback()
		ins.ex = tx
	}
	ts := p.timestamp
	var b Batch
	for i, t := range pl.events {
		recent := p.copyEvents(t, pl.columns[i], fmt.Sprintf("~b%d", k), shift,
			fmt.Sprintf(`greatest("received_at" + %s, %s)`, interval(shift), ts(loadedAt)),
			pl.maxTS.Add(-pl.window), pl.maxTS, pl.recent, true)
		late := p.copyEvents(t, pl.columns[i], fmt.Sprintf("~l%d", k), shift, ts(loadedAt),
			pl.maxTS.Add(-5*day), pl.maxTS.Add(-day), pl.late, false)
		n, err := ins.exec(t, recent)
		if err != nil {
			return Batch{}, err
		}
		b.Events += n
		if n, err = ins.exec(t, late); err != nil {
			return Batch{}, err
		}
		b.Events += n
		b.Late += n
	}
	signup := fmt.Sprintf(`INSERT INTO %[1]s ("id", "anonymous_id", "user_id", "timestamp", "received_at")
SELECT 'bench~b%[2]d~' || a."anonymous_id", a."anonymous_id", 'bench-user~b%[2]d~' || a."anonymous_id", %[3]s, %[4]s
FROM (
  SELECT DISTINCT e."anonymous_id"
  FROM %[5]s AS e
  WHERE e."user_id" IS NULL AND e."anonymous_id" <> ''
    AND e."received_at" <= %[6]s AND e."timestamp" > %[7]s AND e."timestamp" <= %[8]s
    AND NOT EXISTS (SELECT 1 FROM %[1]s AS i WHERE i."anonymous_id" = e."anonymous_id")
  ORDER BY e."anonymous_id"
  LIMIT %[9]d
) AS a`, pl.identifies, k, ts(now), ts(loadedAt), pl.first,
		ts(pl.loaded), ts(pl.maxTS.Add(-pl.window)), ts(pl.maxTS), pl.signup)
	if b.Identifies, err = ins.exec(pl.identifies, signup); err != nil {
		return Batch{}, err
	}
	if tx != nil {
		if err := tx.Commit(); err != nil {
			return Batch{}, err
		}
	}
	b.Seconds = time.Since(start).Seconds()
	return b, nil
}

const day = 24 * time.Hour

// copyEvents is the INSERT that copies the sampled original rows of table t
// whose timestamp lies in (from, to] (recent) or [from, to) (late), with new
// ids (suffix), moved forward by shift, with receivedAt as their load time.
func (p *place) copyEvents(t string, cols []string, suffix string, shift time.Duration, receivedAt string, from, to time.Time, cut string, recent bool) string {
	q, ts := p.d.Quote, p.timestamp
	// A contact is new when its id ends in 1 or 2: about one in six.
	newContact := `right(coalesce(nullif("user_id", ''), "anonymous_id"), 1) IN ('1', '2')`
	exprs := make([]string, len(cols))
	for i, c := range cols {
		switch c {
		case "id":
			exprs[i] = fmt.Sprintf(`CASE WHEN "id" = '' THEN "id" ELSE "id" || '%s' END`, suffix)
		case "anonymous_id", "user_id":
			exprs[i] = fmt.Sprintf(`CASE WHEN %s AND %s <> '' THEN %[2]s || '%s' ELSE %[2]s END`, newContact, q(c), suffix)
		case "timestamp":
			exprs[i] = `"timestamp" + ` + interval(shift)
		case "received_at":
			exprs[i] = receivedAt
		default:
			exprs[i] = q(c)
		}
	}
	window := fmt.Sprintf(`"timestamp" > %s AND "timestamp" <= %s`, ts(from), ts(to))
	if !recent {
		window = fmt.Sprintf(`"timestamp" >= %s AND "timestamp" < %s`, ts(from), ts(to))
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = q(c)
	}
	// Only original rows (loaded before any batch) are copied, sampled by the
	// first hex digits of their random ids.
	return fmt.Sprintf(`INSERT INTO %[1]s (%[2]s)
SELECT %[3]s
FROM %[1]s
WHERE "received_at" <= %[4]s AND %[5]s AND substr("id", 1, 4) < '%[6]s'`,
		t, strings.Join(quoted, ", "), strings.Join(exprs, ",\n       "), ts(p.plan.loaded), window, cut)
}

// makePlan reads the original data's time range and sizes the samples.
func (p *place) makePlan(ctx context.Context, c *sqlx.Conn) (*batchPlan, error) {
	pl := &batchPlan{}
	for _, s := range p.model.Sources {
		for _, t := range s.Tables {
			rel, err := p.d.Relation(t.Table, render.EventColumns(t.Columns))
			if err != nil {
				return nil, err
			}
			pl.events = append(pl.events, rel)
		}
	}
	if len(p.model.Identifies) != 1 || len(pl.events) == 0 {
		return nil, fmt.Errorf("want the demo model's tables (event tables and one identifies table)")
	}
	var err error
	if pl.identifies, err = p.d.Relation(p.model.Identifies[0].Table, render.IdentifyColumns(p.model.Identifies[0].Columns)); err != nil {
		return nil, err
	}
	pl.first = pl.events[0]
	for _, t := range pl.events {
		cols, err := columns(ctx, c, t)
		if err != nil {
			return nil, err
		}
		for _, want := range []string{"id", "anonymous_id", "user_id", "timestamp", "received_at"} {
			if !slices.Contains(cols, want) {
				return nil, fmt.Errorf("table %s has no column %s", t, want)
			}
		}
		pl.columns = append(pl.columns, cols)
	}
	if pl.maxTS, err = maxOf(ctx, c, `max("timestamp")`, pl.events); err != nil {
		return nil, err
	}
	if pl.loaded, err = maxOf(ctx, c, `max("received_at")`, append(slices.Clone(pl.events), pl.identifies)); err != nil {
		return nil, err
	}
	total := float64(p.events)
	// The window widens until it holds the recent share, in case the last
	// day is quiet.
	var inWindow int64
	for pl.window = day; ; pl.window *= 2 {
		if inWindow, err = countIn(ctx, c, pl.events, fmt.Sprintf(`"timestamp" > %s AND "timestamp" <= %s`,
			p.timestamp(pl.maxTS.Add(-pl.window)), p.timestamp(pl.maxTS))); err != nil {
			return nil, err
		}
		if float64(inWindow) >= recentShare*total || pl.window >= 64*day {
			break
		}
	}
	late, err := countIn(ctx, c, pl.events, fmt.Sprintf(`"timestamp" >= %s AND "timestamp" < %s`,
		p.timestamp(pl.maxTS.Add(-5*day)), p.timestamp(pl.maxTS.Add(-day))))
	if err != nil {
		return nil, err
	}
	pl.recent = idCut(recentShare * total / float64(inWindow))
	pl.late = idCut(lateShare * total / float64(late))
	pl.signup = max(1, int(math.Round(identifyShare*total)))
	return pl, nil
}

// idCut is the 4-hex-digit id prefix below which a share of random ids lie.
func idCut(share float64) string {
	if math.IsNaN(share) || math.IsInf(share, 0) || share >= 1 {
		return "g" // above every hex digit: all of them
	}
	return fmt.Sprintf("%04x", int(math.Ceil(share*65536)))
}

// columns lists a table's columns in order.
func columns(ctx context.Context, c *sqlx.Conn, table string) ([]string, error) {
	rows, err := c.QueryContext(ctx, "SELECT * FROM "+table+" LIMIT 0")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return rows.Columns()
}

// maxOf is the largest value of a timestamp aggregate over tables.
func maxOf(ctx context.Context, c *sqlx.Conn, agg string, tables []string) (time.Time, error) {
	var best time.Time
	for _, t := range tables {
		var v sql.NullTime
		if err := c.GetContext(ctx, &v, "SELECT "+agg+" FROM "+t); err != nil {
			return time.Time{}, fmt.Errorf("%s of %s: %w", agg, t, err)
		}
		if v.Valid && v.Time.After(best) {
			best = v.Time
		}
	}
	if best.IsZero() {
		return best, fmt.Errorf("%s: the tables are empty", agg)
	}
	return best.UTC(), nil
}

// countIn counts the rows of tables where cond holds.
func countIn(ctx context.Context, c *sqlx.Conn, tables []string, cond string) (int64, error) {
	var total int64
	for _, t := range tables {
		var n int64
		if err := c.GetContext(ctx, &n, "SELECT count(*) FROM "+t+" WHERE "+cond); err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// inserter runs a batch's INSERTs, in a transaction or on the connection,
// and tells how many rows each added.
type inserter struct {
	ctx context.Context
	ex  interface {
		ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
		QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	}
	// count says the engine reports no affected rows (chdb): the table's
	// rows are counted before and after instead, which MergeTree answers
	// from its metadata.
	count bool
}

// exec runs q, an INSERT into table, and returns the rows it added.
func (in inserter) exec(table, q string) (int64, error) {
	var before, after int64
	if in.count {
		if err := in.ex.QueryRowContext(in.ctx, "SELECT count(*) FROM "+table).Scan(&before); err != nil {
			return 0, fmt.Errorf("count the rows of %s: %w", table, err)
		}
	}
	res, err := in.ex.ExecContext(in.ctx, q)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", strings.SplitN(q, "\n", 2)[0], err)
	}
	if !in.count {
		return res.RowsAffected()
	}
	if err := in.ex.QueryRowContext(in.ctx, "SELECT count(*) FROM "+table).Scan(&after); err != nil {
		return 0, fmt.Errorf("count the rows of %s: %w", table, err)
	}
	return after - before, nil
}

// timestamp is a literal of t, to the microsecond, as the engine reads a
// UTC timestamp (ClickHouse's TIMESTAMP '...' would drop the fraction).
func (p *place) timestamp(t time.Time) string {
	return p.d.Timestamp(p.d.Literal(t.UTC().Format("2006-01-02 15:04:05.999999")))
}

// interval is an INTERVAL literal every engine reads.
func interval(d time.Duration) string {
	return fmt.Sprintf("INTERVAL '%d seconds'", int64(d/time.Second))
}
