// Package chdb is a database/sql driver for ClickHouse in-process
// (libchdb.so), which it loads at run time, without cgo, the first time a
// data directory is opened.
package chdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"unsafe"

	"github.com/ebitengine/purego"
)

// chdb is ClickHouse in-process (github.com/chdb-io/chdb): libchdb.so, loaded
// at run time with purego, the way chdb-go loads it. chdb-go's own packages
// load the library in an init function and panic when it is missing, which
// would end every sessionize command on a machine without chdb; here the
// library is loaded the first time a chdb target is opened, and a missing
// library is an error that says how to install it.

// chdbInstall is how to get the library, for error messages.
const chdbInstall = "npm install --prefix ~/.cache/sessionize/chdb chdb@3.4.0, then export " +
	"CHDB_LIB_PATH=~/.cache/sessionize/chdb/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so"

// chdbHandle mirrors chdb.h's chdb_connection and chdb_result: a struct
// holding one opaque pointer.
type chdbHandle struct{ internal unsafe.Pointer }

var chdbLib struct {
	once    sync.Once
	err     error
	connect func(argc int, argv []*byte) *chdbHandle
	close   func(conn *chdbHandle)
	query   func(conn unsafe.Pointer, query, format string) *chdbHandle
	destroy func(res *chdbHandle)
	buffer  func(res *chdbHandle) *byte
	length  func(res *chdbHandle) uint
	errorOf func(res *chdbHandle) string
}

// loadChdb loads libchdb.so from $CHDB_LIB_PATH once per process.
func loadChdb() error {
	chdbLib.once.Do(func() {
		path := os.Getenv("CHDB_LIB_PATH")
		if path == "" {
			chdbLib.err = fmt.Errorf("chdb targets need libchdb.so and CHDB_LIB_PATH is not set: %s", chdbInstall)
			return
		}
		lib, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_LOCAL)
		if err != nil {
			chdbLib.err = fmt.Errorf("chdb: cannot load CHDB_LIB_PATH=%s (%v): %s", path, err, chdbInstall)
			return
		}
		for name, fn := range map[string]any{
			"chdb_connect":              &chdbLib.connect,
			"chdb_close_conn":           &chdbLib.close,
			"chdb_query":                &chdbLib.query,
			"chdb_destroy_query_result": &chdbLib.destroy,
			"chdb_result_buffer":        &chdbLib.buffer,
			"chdb_result_length":        &chdbLib.length,
			"chdb_result_error":         &chdbLib.errorOf,
		} {
			if _, err := purego.Dlsym(lib, name); err != nil {
				chdbLib.err = fmt.Errorf("chdb: CHDB_LIB_PATH=%s lacks %s; it needs chdb 3 or newer: %s", path, name, chdbInstall)
				return
			}
			purego.RegisterLibFunc(fn, lib, name)
		}
	})
	return chdbLib.err
}

// chdbInstance is the process's one chdb engine: chdb runs one ClickHouse
// per process, on one data directory, which it locks against other
// processes. Connectors share it and count themselves; the last to close
// closes it, so the directory is free for another process (a child run).
var chdbInstance struct {
	mu   sync.Mutex
	dir  string
	conn *chdbHandle
	refs int
	// query serializes statements: one engine, one statement at a time.
	query sync.Mutex
}

// BusyError is a chdb directory another process has open: Dir, the
// process (PID, "pid N" or "pid unknown") and when it started (Since).
type BusyError struct{ Dir, PID, Since string }

func (e *BusyError) Error() string {
	return fmt.Sprintf("chdb directory %s is open in another process (%s since %s); chdb lets one process at a time use a directory",
		e.Dir, e.PID, e.Since)
}

// acquireChdb opens (or shares) the engine on dir.
func acquireChdb(dir string) error {
	if err := loadChdb(); err != nil {
		return err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	in := &chdbInstance
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.conn != nil {
		if in.dir == abs {
			in.refs++
			return nil
		}
		return fmt.Errorf("chdb: this process has %s open; chdb opens one directory per process, so %s cannot be opened beside it", in.dir, abs)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return fmt.Errorf("chdb: %w", err)
	}
	if busy := chdbDirBusy(abs); busy != nil {
		return busy
	}
	argv := []string{"clickhouse", "--path=" + abs}
	cargs := make([]*byte, len(argv))
	for i, a := range argv {
		b := append([]byte(a), 0)
		cargs[i] = &b[0]
	}
	conn := chdbLib.connect(len(cargs), cargs)
	if conn == nil || conn.internal == nil {
		if busy := chdbDirBusy(abs); busy != nil {
			return busy
		}
		return fmt.Errorf("chdb: cannot open %s", abs)
	}
	in.dir, in.conn, in.refs = abs, conn, 1
	return nil
}

func releaseChdb() {
	in := &chdbInstance
	in.mu.Lock()
	defer in.mu.Unlock()
	in.refs--
	if in.refs == 0 && in.conn != nil {
		in.query.Lock()
		chdbLib.close(in.conn)
		in.query.Unlock()
		in.conn, in.dir = nil, ""
	}
}

// chdbDirBusy tries the lock ClickHouse takes on DIR/status (flock) and,
// when another process holds it, describes that process from the file.
func chdbDirBusy(dir string) *BusyError {
	f, err := os.OpenFile(filepath.Join(dir, "status"), os.O_RDONLY, 0)
	if err != nil {
		return nil
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err == nil {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		return nil
	}
	b, _ := io.ReadAll(f)
	e := &BusyError{Dir: dir, PID: "pid unknown", Since: "unknown"}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "PID: "); ok {
			e.PID = "pid " + v
		}
		if v, ok := strings.CutPrefix(l, "Started at: "); ok {
			e.Since = v
		}
	}
	return e
}

// chdbQuery runs one statement and returns its RowBinaryWithNamesAndTypes
// output.
func chdbQuery(q string) ([]byte, error) {
	in := &chdbInstance
	in.query.Lock()
	defer in.query.Unlock()
	if in.conn == nil {
		return nil, errors.New("chdb: the engine is closed")
	}
	res := chdbLib.query(in.conn.internal, q, "RowBinaryWithNamesAndTypes")
	if res == nil {
		return nil, nil
	}
	defer chdbLib.destroy(res)
	if msg := chdbLib.errorOf(res); msg != "" {
		return nil, errors.New(strings.TrimSpace(msg))
	}
	n := chdbLib.length(res)
	if n == 0 {
		return nil, nil
	}
	return append([]byte(nil), unsafe.Slice(chdbLib.buffer(res), n)...), nil
}

// Open opens the chdb data directory dir as a database/sql handle. The
// process's chdb engine stays open until every handle is closed.
func Open(dir string) (*sql.DB, error) {
	if err := acquireChdb(dir); err != nil {
		return nil, err
	}
	return sql.OpenDB(&chdbConnector{}), nil
}

// chdbConnector holds one reference to the engine until sql.DB.Close.
type chdbConnector struct{ once sync.Once }

func (c *chdbConnector) Connect(context.Context) (driver.Conn, error) { return chdbConn{}, nil }
func (c *chdbConnector) Driver() driver.Driver                        { return chdbDriver{} }
func (c *chdbConnector) Close() error                                 { c.once.Do(releaseChdb); return nil }

type chdbDriver struct{}

func (chdbDriver) Open(string) (driver.Conn, error) {
	return nil, errors.New("chdb: open it with chdb.Open")
}

// chdbConn is a connection to the shared engine. chdb has no transactions.
type chdbConn struct{}

func (chdbConn) Prepare(string) (driver.Stmt, error) {
	return nil, errors.New("chdb: prepared statements are not supported")
}
func (chdbConn) Close() error { return nil }
func (chdbConn) Begin() (driver.Tx, error) {
	return nil, errors.New("chdb: ClickHouse has no transactions")
}

func (chdbConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	if len(args) > 0 {
		return nil, errors.New("chdb: query arguments are not supported")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if _, err := chdbQuery(q); err != nil {
		return nil, err
	}
	return driver.RowsAffected(0), nil
}

func (chdbConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) > 0 {
		return nil, errors.New("chdb: query arguments are not supported")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out, err := chdbQuery(q)
	if err != nil {
		return nil, err
	}
	return newRowBinary(out)
}
