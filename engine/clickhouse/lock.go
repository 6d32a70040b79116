package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/engine"
)

// The run lock on ClickHouse, which has neither advisory locks nor
// transactions. What it has is a CREATE TABLE that fails when the table
// exists, so the lock is a table of its own: a run holds the lock when it
// created _sessionize_lock_<epoch> for the newest epoch, whose rows say who
// holds it, since when and until when (the lease, which the holder renews
// every minute while it runs).
//
// To take the lock a run reads the newest epoch's table. When someone holds
// it, the run is refused. Otherwise it creates the table of the next epoch:
// of two runs that both found the lock free, one creates it and the other
// finds it there and is refused. Epochs only grow, and after its CREATE a
// run checks that no newer epoch exists (and backs off if one does), so a
// run acting on an old view of the lock cannot take it from a run that
// broke it and took it since.
//
// The holder drops its table when it finishes, so a lock is free when no
// table is left, or when the newest one's holder is gone. How a stale lease
// is broken: a holder on this machine is gone as soon as its process no
// longer exists (a killed run frees the lock at once); a holder on another
// machine is gone when its lease has run out, five minutes after its last
// renewal. A lock table without rows is a run between its CREATE and its
// first row, and counts as held until a lease has passed.

const lockPrefix = "_sessionize_lock_"

// lockColumns is the definition of a lock table (any ClickHouse version).
const lockColumns = "(holder String, host String, pid Int64, token String, taken_at DateTime, expires_at DateTime) ENGINE = MergeTree ORDER BY tuple()"

var chDialect = dialects.ClickHouse{}

var (
	lockLease = 5 * time.Minute
	lockRenew = time.Minute
)

// liveTokens are the locks this process holds, to tell its own live runs
// from a lock it cannot have left behind.
var liveTokens sync.Map

type chLock struct {
	db     *sqlx.DB
	schema string
	epoch  int64
	token  string
	stop   chan struct{}
	done   chan struct{}
}

// chLockRow is what a lock table says of its holder.
type chLockRow struct {
	Rows    int64  `db:"n"`
	Holder  string `db:"holder"`
	Host    string `db:"host"`
	PID     int64  `db:"pid"`
	Token   string `db:"token"`
	TakenAt int64  `db:"taken_at"`
	Live    int64  `db:"live"`
}

func (h chLockRow) String() string {
	return fmt.Sprintf("%s since %s", h.Holder, time.Unix(h.TakenAt, 0).UTC().Format(time.RFC3339))
}

func lockTable(d dialects.Dialect, schema string, epoch int64) string {
	return d.Quote(schema) + "." + d.Quote(lockPrefix+strconv.FormatInt(epoch, 10))
}

// takeLock takes the run lock of an output schema on db, or returns an
// *engine.ErrRefused naming the holder. The lock keeps db until it is released.
func takeLock(ctx context.Context, db *sqlx.DB, schema string) (*chLock, error) {
	d := chDialect
	if _, err := db.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS "+d.Quote(schema)); err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	pid := os.Getpid()
	token := fmt.Sprintf("%s/%d/%d", host, pid, time.Now().UnixNano())
	for attempt := 0; ; attempt++ {
		epochs, err := lockEpochs(ctx, db, schema)
		if err != nil {
			return nil, err
		}
		var newest int64
		if len(epochs) > 0 {
			newest = epochs[len(epochs)-1]
			h, held, err := lockHeld(ctx, db, schema, newest, host)
			if err != nil {
				return nil, err
			}
			if held {
				return nil, &engine.ErrRefused{Reason: fmt.Sprintf("schema %s is locked by another run (%s); try again when it has finished", schema, h)}
			}
		}
		mine := newest + 1
		table := lockTable(d, schema, mine)
		_, err = db.ExecContext(ctx, "CREATE TABLE "+table+" "+lockColumns)
		if err != nil {
			if isTableExists(err) && attempt < 3 {
				continue // another run took this epoch: look again
			}
			return nil, err
		}
		_, err = db.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s SELECT %s, %s, %d, %s, now(), now() + %d",
			table, d.Literal(fmt.Sprintf("pid %d on %s", pid, host)), d.Literal(host), pid, d.Literal(token), int(lockLease.Seconds())))
		if err == nil {
			epochs, err = lockEpochs(ctx, db, schema)
		}
		if err != nil || epochs[len(epochs)-1] != mine {
			db.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+table)
			if err != nil {
				return nil, err
			}
			continue // a newer epoch exists: whoever made it holds the lock
		}
		for _, e := range epochs[:len(epochs)-1] {
			db.ExecContext(ctx, "DROP TABLE IF EXISTS "+lockTable(d, schema, e))
		}
		l := &chLock{db: db, schema: schema, epoch: mine, token: token, stop: make(chan struct{}), done: make(chan struct{})}
		liveTokens.Store(token, true)
		go l.renew()
		return l, nil
	}
}

// lockEpochs lists the epochs of the lock tables in the schema, ascending.
func lockEpochs(ctx context.Context, db *sqlx.DB, schema string) ([]int64, error) {
	var names []string
	err := db.SelectContext(ctx, &names, "SELECT name FROM system.tables WHERE database = "+
		chDialect.Literal(schema)+" AND startsWith(name, '"+lockPrefix+"')")
	if err != nil {
		return nil, fmt.Errorf("list lock tables: %w", err)
	}
	var epochs []int64
	for _, n := range names {
		if e, err := strconv.ParseInt(strings.TrimPrefix(n, lockPrefix), 10, 64); err == nil {
			epochs = append(epochs, e)
		}
	}
	sort.Slice(epochs, func(i, j int) bool { return epochs[i] < epochs[j] })
	return epochs, nil
}

// lockHeld reads an epoch's lock table and says whether its holder is
// still there (see the rules above).
func lockHeld(ctx context.Context, db *sqlx.DB, schema string, epoch int64, host string) (chLockRow, bool, error) {
	d := chDialect
	var h chLockRow
	err := db.GetContext(ctx, &h, `SELECT toInt64(count()) AS n, any(holder) AS holder, any(host) AS host,
  toInt64(any(pid)) AS pid, any(token) AS token, toInt64(toUnixTimestamp(min(taken_at))) AS taken_at,
  toInt64(max(expires_at) > now()) AS live
FROM `+lockTable(d, schema, epoch))
	if engine.IsMissingTable(err) {
		return h, false, nil // released meanwhile
	}
	if err != nil {
		return h, false, fmt.Errorf("read lock: %w", err)
	}
	if h.Rows == 0 {
		var age int64
		err := db.GetContext(ctx, &age, "SELECT toInt64(toUnixTimestamp(now())) - toInt64(toUnixTimestamp(metadata_modification_time)) FROM system.tables WHERE database = "+
			d.Literal(schema)+" AND name = "+d.Literal(lockPrefix+strconv.FormatInt(epoch, 10)))
		if err != nil {
			return h, false, nil
		}
		h.Holder, h.TakenAt = "a run that is taking the lock", time.Now().Unix()-age
		return h, age < int64(lockLease.Seconds()), nil
	}
	if h.Host == host {
		if h.PID == int64(os.Getpid()) {
			_, live := liveTokens.Load(h.Token)
			return h, live, nil
		}
		return h, processAlive(int(h.PID)), nil
	}
	return h, h.Live == 1, nil
}

// processAlive reports whether a process of this machine exists.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// renew extends the lease every lockRenew until the lock is released.
func (l *chLock) renew() {
	defer close(l.done)
	d := chDialect
	table := lockTable(d, l.schema, l.epoch)
	t := time.NewTicker(lockRenew)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			l.db.Exec(fmt.Sprintf("INSERT INTO %s SELECT holder, host, pid, token, min(taken_at), now() + %d FROM %s GROUP BY holder, host, pid, token",
				table, int(lockLease.Seconds()), table))
		}
	}
}

// release drops the lock table and closes the lock's connection.
func (l *chLock) release(ctx context.Context) {
	close(l.stop)
	<-l.done
	l.db.ExecContext(ctx, "DROP TABLE IF EXISTS "+lockTable(chDialect, l.schema, l.epoch))
	liveTokens.Delete(l.token)
	l.db.Close()
}

// isTableExists reports whether err says a table already exists.
func isTableExists(err error) bool {
	return err != nil && strings.Contains(strings.ToLower(err.Error()), "already exists")
}
