package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"

	"github.com/sessionize/sessionize/engine"
	"github.com/sessionize/sessionize/models"
)

func init() { engine.Register(models.Postgres, pgDriver{}) }

// pgDriver runs the model on PostgreSQL 15 or newer.
type pgDriver struct{}

// lockClass is the first key of sessionize's advisory locks; the second is
// hashtext(output schema), so each output schema has a lock of its own.
const lockClass = 0x5e55

func (pgDriver) Open(ctx context.Context, t models.Target, schema string, lock bool) (*engine.Session, error) {
	cfg, err := pgx.ParseConfig(t.DSN)
	if err != nil {
		return nil, pgConnectError(t, err)
	}
	// The connection is named, so a lock holder is recognizable, unless the
	// DSN (or PGAPPNAME) names it. The DSN itself is used as written: every
	// setting in it (options=-c work_mem=64MB) reaches the server as psql
	// would send it.
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "sessionize"
	}
	db := sqlx.NewDb(stdlib.OpenDB(*cfg), "pgx")
	c, err := db.Connx(ctx)
	if err == nil {
		// A killed run's server session would hold the lock until its
		// statement ends; this makes the server notice the dead client
		// within a second, end the session and free the lock.
		_, err = c.ExecContext(ctx, "SET TIME ZONE 'UTC'; SET client_connection_check_interval = '1s'")
	}
	if err != nil {
		db.Close()
		return nil, pgConnectError(t, err)
	}
	s := &engine.Session{DB: db, Conn: c}
	if !lock {
		return s, nil
	}
	var got bool
	if err := c.GetContext(ctx, &got, "SELECT pg_try_advisory_lock($1, hashtext($2))", lockClass, schema); err != nil {
		s.Close()
		return nil, engine.TargetError(t, err)
	}
	if !got {
		holder := lockHolder(ctx, c, schema)
		s.Close()
		return nil, &engine.ErrRefused{Reason: fmt.Sprintf("target %s: schema %s is locked by another run (%s); try again when it has finished",
			t.Name, schema, holder)}
	}
	s.Unlock = func() {
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

// pgConnectError says which server a target could not reach, and what to do.
func pgConnectError(t models.Target, err error) error {
	return fmt.Errorf("target %s: cannot connect to PostgreSQL at %s: %w; check that the server runs and the dsn in sessions.yaml is right",
		t.Name, engine.RedactDSN(t.DSN), engine.RedactErr(err, t.DSN))
}
