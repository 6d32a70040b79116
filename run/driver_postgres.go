package run

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/jmoiron/sqlx"

	"github.com/sessionize/sessionize/models"
)

func init() { register(models.Postgres, pgDriver{}) }

// pgDriver runs the model on PostgreSQL 15 or newer.
type pgDriver struct{}

// lockClass is the first key of sessionize's advisory locks; the second is
// hashtext(output schema), so each output schema has a lock of its own.
const lockClass = 0x5e55

func (pgDriver) Transactional() bool { return true }

func (pgDriver) Open(ctx context.Context, t models.Target, schema string, lock bool) (*Session, error) {
	db, err := sqlx.Open("pgx", withAppName(t.DSN))
	if err != nil {
		return nil, targetError(t, err)
	}
	c, err := db.Connx(ctx)
	if err == nil {
		// A killed run's server session would hold the lock until its
		// statement ends; this makes the server notice the dead client
		// within a second, end the session and free the lock.
		_, err = c.ExecContext(ctx, "SET TIME ZONE 'UTC'; SET client_connection_check_interval = '1s'")
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("target %s: cannot connect to PostgreSQL at %s: %w; check that the server runs and the dsn in sessions.yaml is right",
			t.Name, redactDSN(t.DSN), redactErr(err, t.DSN))
	}
	s := &Session{DB: db, Conn: c}
	if !lock {
		return s, nil
	}
	var got bool
	if err := c.GetContext(ctx, &got, "SELECT pg_try_advisory_lock($1, hashtext($2))", lockClass, schema); err != nil {
		s.Close()
		return nil, targetError(t, err)
	}
	if !got {
		holder := lockHolder(ctx, c, schema)
		s.Close()
		return nil, &ErrRefused{Reason: fmt.Sprintf("target %s: schema %s is locked by another run (%s); try again when it has finished",
			t.Name, schema, holder)}
	}
	s.unlock = func() {
		// Ctrl-C must still unlock: the context of the run may be cancelled.
		c.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1, hashtext($2))", lockClass, schema)
	}
	return s, nil
}

// lockHolder describes the session that holds a schema's advisory lock.
func lockHolder(ctx context.Context, c *sqlx.Conn, schema string) string {
	var h struct {
		PID   int       `db:"pid"`
		Since time.Time `db:"since"`
		App   string    `db:"app"`
		Addr  string    `db:"addr"`
	}
	err := c.GetContext(ctx, &h, `
SELECT a.pid, coalesce(a.xact_start, a.backend_start) AS since,
       coalesce(a.application_name, '') AS app, coalesce(host(a.client_addr), 'local') AS addr
FROM pg_locks AS l
JOIN pg_stat_activity AS a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted
  AND l.classid = $1 AND l.objid = (hashtext($2)::bigint & 4294967295)::oid
LIMIT 1`, lockClass, schema)
	if err != nil {
		return "holder unknown"
	}
	return fmt.Sprintf("server pid %d, %s from %s, since %s", h.PID, h.App, h.Addr, h.Since.UTC().Format(time.RFC3339))
}

// withAppName names the connection, so a lock holder is recognizable.
func withAppName(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return dsn
	}
	q := u.Query()
	if q.Get("application_name") == "" {
		q.Set("application_name", "sessionize")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

func targetError(t models.Target, err error) error {
	return fmt.Errorf("target %s: %w", t.Name, redactErr(err, t.DSN))
}

// redactDSN is the DSN without its password, for messages.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return "the configured dsn"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// redactErr replaces the DSN's password wherever an error repeats it.
func redactErr(err error, dsn string) error {
	if err == nil {
		return nil
	}
	u, perr := url.Parse(dsn)
	if perr != nil || u.User == nil {
		return err
	}
	pw, ok := u.User.Password()
	if !ok || pw == "" || !strings.Contains(err.Error(), pw) {
		return err
	}
	return redacted{msg: strings.ReplaceAll(err.Error(), pw, "xxxxx"), err: err}
}

type redacted struct {
	msg string
	err error
}

func (r redacted) Error() string { return r.msg }
func (r redacted) Unwrap() error { return r.err }
