package duckdb

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sessionize/sessionize/engine"
	"github.com/sessionize/sessionize/models"
)

// TestDuckDBReadMissing: opening a DuckDB target to read it (export, status,
// report) when its file does not exist fails with a message that says what
// to do, and leaves no empty database file behind.
func TestDuckDBReadMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.duckdb")
	tg := models.Target{Name: "local", Dialect: models.DuckDB, Path: path}
	_, err := duckDriver{}.Open(context.Background(), tg, "sessionize", false)
	if err == nil || !strings.Contains(err.Error(), "target local") || !strings.Contains(err.Error(), "sessionize run") {
		t.Errorf("got error %v, want one naming target local and `sessionize run`", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("got %s created (stat: %v), want no file", path, err)
	}
}

// holderEnv makes the test binary a process that holds a DuckDB target
// (TestDuckDBHolderProcess): "run:PATH" takes the run lock and opens the
// database, "raw:PATH" opens it for writing without sessionize's lock (as
// another program would), "read:PATH" opens it to read.
const holderEnv = "SESSIONIZE_TEST_HOLD_DUCKDB"

// TestDuckDBHolderProcess is not a test: it is the child holderProcess
// starts. It holds the target until its stdin closes.
func TestDuckDBHolderProcess(t *testing.T) {
	spec := os.Getenv(holderEnv)
	if spec == "" {
		t.Skip("only runs as the child of a test")
	}
	mode, path, _ := strings.Cut(spec, ":")
	tg := models.Target{Name: "local", Dialect: models.DuckDB, Path: path}
	ctx := context.Background()
	var err error
	switch mode {
	case "run":
		var s *engine.Session
		if s, err = (duckDriver{}).Open(ctx, tg, "sessionize", true); err == nil {
			defer s.Close()
		}
	case "raw":
		var db *sql.DB
		if db, err = sql.Open("duckdb", path); err == nil {
			defer db.Close()
			_, err = db.Exec("SELECT 1")
		}
	case "read":
		var s *engine.Session
		if s, err = (duckDriver{}).OpenToRead(ctx, tg, "sessionize"); err == nil {
			defer s.Close()
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
}

// holderProcess starts a child that holds the target at path in mode (see
// holderEnv) and returns once it does; closing its stdin ends it.
func holderProcess(t *testing.T, mode, path string) (*exec.Cmd, io.WriteCloser) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDuckDBHolderProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), holderEnv+"="+mode+":"+path)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "ready" {
		t.Fatalf("holder %s: %q, %v", mode, line, err)
	}
	return cmd, stdin
}

// duckTarget is a DuckDB target with a database already built.
func duckTarget(t *testing.T) models.Target {
	t.Helper()
	tg := models.Target{Name: "local", Dialect: models.DuckDB, Path: filepath.Join(t.TempDir(), "db.duckdb")}
	s, err := duckDriver{}.Open(context.Background(), tg, "sessionize", true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Conn.ExecContext(context.Background(), "CREATE TABLE t AS SELECT 42 AS answer"); err != nil {
		t.Fatal(err)
	}
	return tg
}

// TestDuckDBReadersWhileARunHoldsIt: a reader (status, export, report) of a
// target a run holds is refused at once, naming the run's process, and
// waits for it with WithWait; a run is refused while readers read.
func TestDuckDBReadersWhileARunHoldsIt(t *testing.T) {
	tg := duckTarget(t)
	ctx := context.Background()
	host, _ := os.Hostname()

	cmd, stdin := holderProcess(t, "run", tg.Path)
	_, err := engine.OpenToRead(ctx, duckDriver{}, tg, "sessionize")
	holder := fmt.Sprintf("pid %d on %s since ", cmd.Process.Pid, host)
	if !engine.IsRefused(err) || !strings.Contains(err.Error(), holder) || !strings.Contains(err.Error(), "--wait") {
		t.Fatalf("reader beside a run: got %v, want a refusal naming %q and --wait", err, holder)
	}
	_, err = engine.OpenToRead(engine.WithWait(ctx, 300*time.Millisecond), duckDriver{}, tg, "sessionize")
	if !engine.IsRefused(err) || !strings.Contains(err.Error(), "after waiting 300ms") {
		t.Fatalf("reader that waits too little: got %v, want a refusal after waiting 300ms", err)
	}
	time.AfterFunc(500*time.Millisecond, func() { stdin.Close() })
	start := time.Now()
	s, err := engine.OpenToRead(engine.WithWait(ctx, time.Minute), duckDriver{}, tg, "sessionize")
	if err != nil {
		t.Fatalf("reader that waits: %v", err)
	}
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Errorf("the reader read after %s, before the run ended", d)
	}
	defer s.Close()

	// Readers read beside each other; a run waits for none of them.
	s2, err := engine.OpenToRead(ctx, duckDriver{}, tg, "sessionize")
	if err != nil {
		t.Fatalf("second reader: %v", err)
	}
	_, err = duckDriver{}.Open(ctx, tg, "sessionize", true)
	if !engine.IsRefused(err) || !strings.Contains(err.Error(), "being read") {
		t.Errorf("run beside readers: got %v, want a refusal saying the target is being read", err)
	}
	s2.Close()
	s.Close()
	r, err := duckDriver{}.Open(ctx, tg, "sessionize", true)
	if err != nil {
		t.Fatalf("run after the readers: %v", err)
	}
	r.Close()
}

// TestDuckDBReaderBesideAnotherWriter: a process that has the database
// open for writing without sessionize's lock (another program) is named by
// DuckDB's own lock; that is a refusal too.
func TestDuckDBReaderBesideAnotherWriter(t *testing.T) {
	tg := duckTarget(t)
	cmd, _ := holderProcess(t, "raw", tg.Path)
	_, err := engine.OpenToRead(context.Background(), duckDriver{}, tg, "sessionize")
	if want := fmt.Sprintf("(PID %d)", cmd.Process.Pid); !engine.IsRefused(err) || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want a refusal naming %s", err, want)
	}
	_, err = duckDriver{}.Open(context.Background(), tg, "sessionize", true)
	if want := fmt.Sprintf("(PID %d)", cmd.Process.Pid); !engine.IsRefused(err) || !strings.Contains(err.Error(), want) {
		t.Errorf("run: got %v, want a refusal naming %s", err, want)
	}
}

// TestDuckDBReadsReadOnly: readers open the database read-only, so a file
// and directory without write permission can be read, and processes read
// at once. Tests may run as root, whom chmod does not stop: the database
// attached read-only, a write it refuses and a reader in another process
// hold as root too.
func TestDuckDBReadsReadOnly(t *testing.T) {
	tg := duckTarget(t)
	dir := filepath.Dir(tg.Path)
	if err := os.Chmod(tg.Path, 0o444); err != nil {
		t.Fatal(err)
	}
	os.Remove(tg.Path + ".lock")
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	holderProcess(t, "read", tg.Path) // another process reads it meanwhile
	ctx := context.Background()
	s, err := engine.OpenToRead(ctx, duckDriver{}, tg, "sessionize")
	if err != nil {
		t.Fatalf("reading a read-only database beside another reader: %v", err)
	}
	defer s.Close()
	var readOnly bool
	var answer int
	if err := s.Conn.GetContext(ctx, &readOnly, "SELECT readonly FROM duckdb_databases() WHERE database_name = current_database()"); err != nil || !readOnly {
		t.Errorf("the database attached read-only: got %v (%v), want true", readOnly, err)
	}
	if err := s.Conn.GetContext(ctx, &answer, "SELECT answer FROM t"); err != nil || answer != 42 {
		t.Errorf("read: got %d (%v), want 42", answer, err)
	}
	if _, err := s.Conn.ExecContext(ctx, "CREATE TABLE u (i INTEGER)"); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("a write through a reader: got %v, want a read-only error", err)
	}
}

// TestDuckDBSessionSettings: a run's session has the target's memory_limit
// and threads, UTC, and writes rows without keeping their insertion order
// (keeping it cost memory past memory_limit), and so does a reader's.
func TestDuckDBSessionSettings(t *testing.T) {
	tg := duckTarget(t)
	tg.MemoryLimit, tg.Threads = "1GB", 1
	ctx := context.Background()
	run, err := duckDriver{}.Open(ctx, tg, "sessionize", true)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"memory_limit":             "953.6 MiB", // 1GB as DuckDB prints it
		"threads":                  "1",
		"TimeZone":                 "UTC",
		"preserve_insertion_order": "false",
	}
	check := func(who string, s *engine.Session) {
		t.Helper()
		for name, value := range want {
			var got string
			if err := s.Conn.GetContext(ctx, &got, "SELECT CAST(current_setting('"+name+"') AS VARCHAR)"); err != nil || got != value {
				t.Errorf("%s: %s = %q (%v), want %q", who, name, got, err, value)
			}
		}
	}
	check("a run", run)
	run.Close()
	read, err := engine.OpenToRead(ctx, duckDriver{}, tg, "sessionize")
	if err != nil {
		t.Fatal(err)
	}
	defer read.Close()
	check("a reader", read)
}
