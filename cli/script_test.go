package cli_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/sessionize/sessionize/cli"
)

// TestMain makes this test binary the sessionize command of the scripts:
// run as "sessionize" (testscript puts a copy of it by that name on the
// scripts' PATH) it is cmd/sessionize's main, so the scripts run the real
// command line without building it, each command in a process of its own:
// scripts run in parallel, each in its own folder, and a command reads
// sessions.yaml and its files from its working directory. Run under any
// other name, it runs the package's tests as usual.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"sessionize": func() {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
			stop()
			os.Exit(code)
		},
	})
}

// TestScript runs the command-line scripts in testdata/script: each
// runs sessionize and compares its stdout, stderr and exit code, and reads
// as an example of the command it covers. -testscript.update rewrites the
// files that `cmp` compares against.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		UpdateScripts:       *update,
		Setup: func(e *testscript.Env) error {
			e.Values[locksKey{}] = map[string]*os.File{}
			return nil
		},
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"exits":  exits,
			"lock":   lock,
			"unlock": unlock,
		},
	})
}

var update = flag.Bool("testscript.update", false, "rewrite the files the scripts' cmp commands compare against")

// exits runs a program and wants the exit code it names:
//
//	exits 2 sessionize validate -f bad.yaml
//
// Its stdout and stderr are then compared like exec's. exec alone only
// tells zero from non-zero, and the exit codes are part of the contract
// (0 done, 1 failed, 2 usage or invalid model, 3 lock held, 4 model
// changed, 5 verify found differences).
func exits(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exits")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exits CODE program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad exit code %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			ts.Fatalf("exits: %v", err)
		}
		got = exit.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// locksKey holds a script's locks taken with lock, by file.
type locksKey struct{}

// lock takes the lock of a DuckDB target as another process would, until
// unlock or the end of the script:
//
//	lock out.duckdb.lock          # as a run: exclusive, naming its holder
//	lock -shared out.duckdb.lock  # as a reader (status, export, report)
//
// The test process holds it, so the sessionize processes the script starts
// meet it as they would meet a run or a reader in another process (README,
// Atomicity and locks: an flock on DATABASE.lock holding "pid … on host
// since …").
func lock(ts *testscript.TestScript, neg bool, args []string) {
	shared := len(args) == 2 && args[0] == "-shared"
	if neg || len(args) != 1 && !shared {
		ts.Fatalf("usage: lock [-shared] file")
	}
	name := ts.MkAbs(args[len(args)-1])
	locks := ts.Value(locksKey{}).(map[string]*os.File)
	if locks[name] != nil {
		ts.Fatalf("lock: %s is locked already", args[len(args)-1])
	}
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	ts.Check(err)
	how := syscall.LOCK_EX
	if shared {
		how = syscall.LOCK_SH
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		f.Close()
		ts.Fatalf("lock %s: %v", args[len(args)-1], err)
	}
	if !shared {
		host, _ := os.Hostname()
		ts.Check(f.Truncate(0))
		_, err = fmt.Fprintf(f, "pid %d on %s since %s\n", os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))
		ts.Check(err)
	}
	locks[name] = f
	ts.Defer(func() { f.Close() })
}

// unlock lets go of a lock taken with lock.
func unlock(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: unlock file")
	}
	name := ts.MkAbs(args[0])
	locks := ts.Value(locksKey{}).(map[string]*os.File)
	f := locks[name]
	if f == nil {
		ts.Fatalf("unlock: %s is not locked", args[0])
	}
	delete(locks, name)
	ts.Check(f.Truncate(0))
	ts.Check(f.Close())
}
