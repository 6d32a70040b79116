package duckdb

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver
	"github.com/jmoiron/sqlx"

	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/engine"
	"github.com/sessionize/sessionize/models"
)

func init() { engine.Register(models.DuckDB, duckDriver{}) }

// duckDriver runs the model in an embedded DuckDB database file.
type duckDriver struct{}

// Open takes the lock before it opens the database: DuckDB itself lets one
// process at a time open a file for writing, and would refuse with a less
// helpful message.
//
// Without the lock the caller writes into a database a run built (the
// bench's loader), so a database file that does not exist is an error, not
// a new empty file; readers use OpenToRead.
func (d duckDriver) Open(ctx context.Context, t models.Target, schema string, lock bool) (*engine.Session, error) {
	if !lock {
		if err := d.exists(t); err != nil {
			return nil, err
		}
	}
	var unlock func()
	if lock {
		var err error
		if unlock, err = d.lock(t); err != nil {
			return nil, err
		}
	}
	s, err := d.open(ctx, t, false)
	if err != nil {
		if unlock != nil {
			unlock()
		}
		if r, ok := err.(*engine.ErrRefused); ok {
			r.Reason += "; try again when it has finished"
		}
		return nil, err
	}
	s.Unlock = unlock
	s.UnlockAfterClose = true
	return s, nil
}

// Built implements engine.Builder: opening a database file that does not
// exist with the lock would create it.
func (duckDriver) Built(t models.Target) error {
	if _, err := os.Stat(t.Path); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("target %s: %s does not exist yet, so nothing is published: `sessionize run` builds it", t.Name, t.Path)
	}
	return nil
}

// OpenToRead implements engine.Reader, for status, export and report. The
// database is opened read-only (access_mode READ_ONLY), so a read-only file
// or directory can be read, and several readers read at once. A reader
// holds DATABASE.lock shared, and a run holds it exclusively: a reader is
// refused while a run holds the target, naming the run, and a run while
// readers hold it. A reader that cannot create the lock file (a read-only
// directory) reads without it; DuckDB's own lock on the database file still
// keeps it apart from a writer, and its refusal names that process.
func (d duckDriver) OpenToRead(ctx context.Context, t models.Target, schema string) (*engine.Session, error) {
	if err := d.exists(t); err != nil {
		return nil, err
	}
	unlock, err := d.share(t)
	if err != nil {
		return nil, err
	}
	s, err := d.open(ctx, t, true)
	if err != nil {
		unlock()
		return nil, err
	}
	s.Unlock = unlock
	s.UnlockAfterClose = true
	return s, nil
}

// OpenToCheck implements engine.Checker: a database that does not exist yet is
// checked as the empty one a run would start from, in memory, so
// `validate --target` creates no file (its file sources are still read).
func (d duckDriver) OpenToCheck(ctx context.Context, t models.Target, schema string) (*engine.Session, error) {
	if d.exists(t) != nil {
		t.Path = ":memory:"
		return d.open(ctx, t, false)
	}
	return engine.OpenToRead(ctx, d, t, schema)
}

// exists says, for a command that does not build the database, that a file
// that is not there yet is built by a run.
func (duckDriver) exists(t models.Target) error {
	if _, err := os.Stat(t.Path); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("target %s: %s does not exist yet: `sessionize run` builds it", t.Name, t.Path)
	}
	return nil
}

// open opens the target's database file under the catalog name every
// rendered statement qualifies its tables with (dialects.DuckDB.Catalog),
// whatever the file is called: DuckDB starts in memory and attaches the
// file, and USE makes it the session's default for the model's own SQL (a
// filter's subquery). DuckDB spills to <database>.tmp, as when it opens the
// file itself. Each open is a database instance of its own, which DuckDB
// does not keep apart from another in the same process: the flocks on
// DATABASE.lock do (a run's is exclusive, readers' shared).
func (duckDriver) open(ctx context.Context, t models.Target, readOnly bool) (*engine.Session, error) {
	db, err := sqlx.Open("duckdb", "")
	if err != nil {
		return nil, duckOpenError(t, err)
	}
	c, err := db.Connx(ctx)
	if err != nil {
		db.Close()
		return nil, duckOpenError(t, err)
	}
	fail := func(err error) (*engine.Session, error) {
		c.Close()
		db.Close()
		return nil, err
	}
	duck := dialects.DuckDB{}
	if t.Path != ":memory:" {
		if _, err := c.ExecContext(ctx, "SET temp_directory = "+duck.Literal(t.Path+".tmp")); err != nil {
			return fail(fmt.Errorf("target %s: %w", t.Name, err))
		}
	}
	attach := "ATTACH " + duck.Literal(t.Path) + " AS " + duck.Quote(duck.Catalog())
	if readOnly {
		attach += " (READ_ONLY)"
	}
	if _, err := c.ExecContext(ctx, attach); err != nil {
		return fail(duckOpenError(t, err))
	}
	settings := []string{"USE " + duck.Quote(duck.Catalog()), "SET TimeZone = 'UTC'",
		// No statement of a run relies on the order rows are written in
		// (every read that needs an order says ORDER BY, as export does),
		// and keeping that order costs memory that memory_limit does not
		// bound: at 10M events under `memory_limit: 1GB` a full run peaked
		// at 1.6 GiB with it and 1.2 GiB without it, in the same time
		// (docs/performance.md, "Memory").
		"SET preserve_insertion_order = false"}
	if t.MemoryLimit != "" {
		settings = append(settings, "SET memory_limit = '"+strings.ReplaceAll(t.MemoryLimit, "'", "")+"'")
	}
	if t.Threads > 0 {
		settings = append(settings, fmt.Sprintf("SET threads = %d", t.Threads))
	}
	for _, s := range settings {
		if _, err := c.ExecContext(ctx, s); err != nil {
			return fail(fmt.Errorf("target %s: %s: %w", t.Name, s, err))
		}
	}
	return &engine.Session{DB: db, Conn: c}, nil
}

// duckOpenError is an error opening the database. DuckDB refuses a file
// another process has open for writing (or, to write it, one others read);
// that is a refusal naming the process, as a held lock is.
func duckOpenError(t models.Target, err error) error {
	msg := err.Error()
	if !strings.Contains(msg, "Could not set lock on file") {
		return fmt.Errorf("target %s: open %s: %w", t.Name, t.Path, err)
	}
	holder := "another process"
	if _, h, ok := strings.Cut(msg, "Conflicting lock is held in "); ok {
		h, _, _ = strings.Cut(h, ". See also")
		holder = strings.TrimSpace(h)
	}
	return &engine.ErrRefused{Reason: fmt.Sprintf("target %s: %s is open in another process (%s)", t.Name, t.Path, holder)}
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
			if len(strings.TrimSpace(string(holder))) == 0 { // readers write no holder
				return nil, &engine.ErrRefused{Reason: fmt.Sprintf("target %s is being read by another process (status, export or report); try again when it has finished",
					t.Name)}
			}
			return nil, &engine.ErrRefused{Reason: fmt.Sprintf("target %s is locked by another run (%s); try again when it has finished",
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

// share takes DATABASE.lock shared, for a reader: it fails at once while a
// run holds it, with the holder the run wrote into it.
func (duckDriver) share(t models.Target) (func(), error) {
	path := t.Path + ".lock"
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		if f, err = os.Open(path); err != nil {
			return func() {}, nil // cannot be created here: see OpenToRead
		}
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &engine.ErrRefused{Reason: fmt.Sprintf("target %s is being written by a run (%s)",
				t.Name, cmp.Or(strings.TrimSpace(string(holder)), "holder unknown"))}
		}
		return nil, fmt.Errorf("target %s: lock %s: %w", t.Name, path, err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
