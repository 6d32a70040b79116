package clickhouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	_ "github.com/ClickHouse/clickhouse-go/v2" // registers the "clickhouse" database/sql driver
	"github.com/jmoiron/sqlx"

	"github.com/sessionize/sessionize/engine"
	"github.com/sessionize/sessionize/engine/clickhouse/chdb"
	"github.com/sessionize/sessionize/models"
)

func init() { engine.Register(models.ClickHouse, chDriver{}) }

// chDriver runs the model on ClickHouse: a server over the native protocol
// (clickhouse://host:9000/db, through clickhouse-go), or ClickHouse
// in-process on a data directory (chdb://DIR, through libchdb.so).
type chDriver struct{}

// chMinVersion is the oldest ClickHouse the rendered SQL runs on: window
// functions, DateTime64, Date32, Bool and CREATE OR REPLACE TABLE.
var chMinVersion = [2]int{23, 8}

func (d chDriver) Open(ctx context.Context, t models.Target, schema string, lock bool) (*engine.Session, error) {
	db, err := chConnect(t)
	if err != nil {
		var busy *chdb.BusyError
		switch {
		case lock && errors.As(err, &busy):
			return nil, &engine.ErrRefused{Reason: fmt.Sprintf("target %s is locked by another run (%s since %s, which has %s open); try again when it has finished",
				t.Name, busy.PID, busy.Since, busy.Dir)}
		case errors.As(err, &busy): // a reader: openToRead says what to do
			return nil, &engine.ErrRefused{Reason: fmt.Sprintf("target %s is in use by another process (%s since %s, which has %s open)",
				t.Name, busy.PID, busy.Since, busy.Dir)}
		}
		return nil, fmt.Errorf("target %s: %w", t.Name, err)
	}
	c, err := db.Connx(ctx)
	if err != nil {
		db.Close()
		return nil, chConnectError(t, err)
	}
	if err := chCheckVersion(ctx, c); err != nil {
		c.Close()
		db.Close()
		if errors.Is(err, errNoVersion) {
			return nil, chConnectError(t, err)
		}
		return nil, fmt.Errorf("target %s: %w", t.Name, engine.RedactErr(err, t.DSN))
	}
	if err := chParallelInserts(ctx, c); err != nil {
		c.Close()
		db.Close()
		return nil, fmt.Errorf("target %s: %w", t.Name, engine.RedactErr(err, t.DSN))
	}
	s := &engine.Session{DB: db, Conn: c}
	if !lock {
		return s, nil
	}
	// The lock keeps a connection of its own, to renew its lease while the
	// run's statements go, and to release it after the session closed.
	ldb, err := chConnect(t)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("target %s: %w", t.Name, err)
	}
	l, err := takeLock(ctx, ldb, schema)
	if err != nil {
		ldb.Close()
		s.Close()
		if r, ok := err.(*engine.ErrRefused); ok {
			r.Reason = fmt.Sprintf("target %s: %s", t.Name, r.Reason)
			return nil, r
		}
		return nil, fmt.Errorf("target %s: lock: %w", t.Name, err)
	}
	s.Unlock = func() { l.release(context.WithoutCancel(ctx)) }
	return s, nil
}

// chConnect opens the target's DSN without checking the server.
func chConnect(t models.Target) (*sqlx.DB, error) {
	if dir, ok := strings.CutPrefix(t.DSN, "chdb://"); ok {
		if dir == "" {
			return nil, errors.New("chdb:// needs a data directory, e.g. chdb://sessionize.chdb")
		}
		db, err := chdb.Open(dir)
		if err != nil {
			return nil, err
		}
		return sqlx.NewDb(db, "chdb"), nil
	}
	u, err := url.Parse(t.DSN)
	if err != nil || (u.Scheme != "clickhouse" && u.Scheme != "tcp") {
		return nil, fmt.Errorf("dsn %s: want clickhouse://user:password@host:9000/database or chdb://DIR", engine.RedactDSN(t.DSN))
	}
	db, err := sql.Open("clickhouse", t.DSN)
	if err != nil {
		return nil, engine.RedactErr(err, t.DSN)
	}
	return sqlx.NewDb(db, "clickhouse"), nil
}

// chConnectError says which server (or data directory) a target could not
// reach, and what to do.
func chConnectError(t models.Target, err error) error {
	return fmt.Errorf("target %s: cannot connect to ClickHouse at %s: %w; check that the server runs and the dsn in sessions.yaml is right",
		t.Name, engine.RedactDSN(t.DSN), engine.RedactErr(err, t.DSN))
}

// errNoVersion is a server that did not answer SELECT version().
var errNoVersion = errors.New("SELECT version() failed")

// chCheckVersion refuses a server too old for the rendered SQL, naming what
// it lacks, rather than letting the first window function fail.
func chCheckVersion(ctx context.Context, c *sqlx.Conn) error {
	var v string
	if err := c.GetContext(ctx, &v, "SELECT version()"); err != nil {
		return fmt.Errorf("%w: %w", errNoVersion, err)
	}
	return chVersionOK(v)
}

// chParallelInserts lets each INSERT … SELECT of the session write through as
// many threads as its SELECT reads with (max_threads), where ClickHouse writes
// through one by default, sorting and compressing every block in turn. Writing
// the 10M kept events of the demo data on chdb (2 cores) took 13.7 and 15.7 s
// with two threads against 16.6 and 19.0 s with one. A max_insert_threads the
// DSN or the user's profile sets is left as it is.
func chParallelInserts(ctx context.Context, c *sqlx.Conn) error {
	var threads uint64
	var changed uint8
	err := c.QueryRowxContext(ctx, `SELECT toUInt64(getSetting('max_threads')), toUInt8(changed)
FROM system.settings WHERE name = 'max_insert_threads'`).Scan(&threads, &changed)
	if err != nil {
		return fmt.Errorf("reading max_insert_threads: %w", err)
	}
	if changed != 0 || threads < 2 {
		return nil
	}
	if _, err := c.ExecContext(ctx, fmt.Sprintf("SET max_insert_threads = %d", threads)); err != nil {
		return fmt.Errorf("setting max_insert_threads: %w", err)
	}
	return nil
}

// chVersionOK parses a version() string such as 23.8.2.7.
func chVersionOK(v string) error {
	parts := strings.SplitN(v, ".", 3)
	var major, minor int
	var err error
	if len(parts) >= 2 {
		if major, err = strconv.Atoi(parts[0]); err == nil {
			minor, err = strconv.Atoi(parts[1])
		}
	}
	if len(parts) < 2 || err != nil {
		return fmt.Errorf("cannot read the ClickHouse version %q", v)
	}
	if major < chMinVersion[0] || (major == chMinVersion[0] && minor < chMinVersion[1]) {
		return fmt.Errorf("ClickHouse %d.%d is too old: sessionize needs %d.%d or newer (window functions, DateTime64)",
			major, minor, chMinVersion[0], chMinVersion[1])
	}
	return nil
}
