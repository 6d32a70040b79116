package run

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver
	"github.com/jmoiron/sqlx"

	"github.com/sessionize/sessionize/models"
)

func init() { register(models.DuckDB, duckDriver{}) }

// duckDriver runs the model in an embedded DuckDB database file.
type duckDriver struct{}

func (duckDriver) Transactional() bool { return true }

// Open takes the lock before it opens the database: DuckDB itself lets one
// process at a time open a file for writing, and would refuse with a less
// helpful message.
//
// Without the lock the caller only reads (export, status, report), so a
// database file that does not exist is an error, not a new empty file.
func (d duckDriver) Open(ctx context.Context, t models.Target, schema string, lock bool) (*Session, error) {
	if !lock {
		if _, err := os.Stat(t.Path); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("target %s: %s does not exist yet: `sessionize run` builds it", t.Name, t.Path)
		}
	}
	var unlock func()
	if lock {
		var err error
		if unlock, err = d.lock(t); err != nil {
			return nil, err
		}
	}
	s, err := d.open(ctx, t)
	if err != nil {
		if unlock != nil {
			unlock()
		}
		return nil, err
	}
	s.unlock = unlock
	s.unlockAfterClose = true
	return s, nil
}

// built implements builtChecker: opening a database file that does not
// exist with the lock would create it.
func (duckDriver) built(t models.Target) error {
	if _, err := os.Stat(t.Path); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("target %s: %s does not exist yet, so nothing is published: `sessionize run` builds it", t.Name, t.Path)
	}
	return nil
}

func (duckDriver) open(ctx context.Context, t models.Target) (*Session, error) {
	db, err := sqlx.Open("duckdb", t.Path)
	if err != nil {
		return nil, fmt.Errorf("target %s: open %s: %w", t.Name, t.Path, err)
	}
	c, err := db.Connx(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("target %s: open %s: %w", t.Name, t.Path, err)
	}
	settings := []string{"SET TimeZone = 'UTC'"}
	if t.MemoryLimit != "" {
		settings = append(settings, "SET memory_limit = '"+strings.ReplaceAll(t.MemoryLimit, "'", "")+"'")
	}
	if t.Threads > 0 {
		settings = append(settings, fmt.Sprintf("SET threads = %d", t.Threads))
	}
	for _, s := range settings {
		if _, err := c.ExecContext(ctx, s); err != nil {
			c.Close()
			db.Close()
			return nil, fmt.Errorf("target %s: %s: %w", t.Name, s, err)
		}
	}
	return &Session{DB: db, Conn: c}, nil
}

// lock takes an exclusive flock on DATABASE.lock beside the database file and
// writes the holder into it. The kernel drops a flock when its process ends,
// however it ends, so a killed run never leaves the target locked.
func (duckDriver) lock(t models.Target) (func(), error) {
	path := t.Path + ".lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("target %s: lock %s: %w", t.Name, path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &ErrRefused{Reason: fmt.Sprintf("target %s is locked by another run (%s); try again when it has finished",
				t.Name, strings.TrimSpace(string(holder)))}
		}
		return nil, fmt.Errorf("target %s: lock %s: %w", t.Name, path, err)
	}
	host, _ := os.Hostname()
	f.Truncate(0)
	fmt.Fprintf(f, "pid %d on %s since %s\n", os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))
	f.Sync()
	return func() {
		f.Truncate(0)
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
