package models

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSizeCap: a model file over MaxSize is refused with an error naming
// the limit, after reading no more than one byte past it, so /dev/zero
// and a pipe that never ends are refused too, at once.
func TestSizeCap(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte(minimal+localTarget+"#"+strings.Repeat("x", MaxSize)), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	go func() {
		// A writer that never stops; it ends when the reader closes.
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		chunk := []byte(strings.Repeat("# endless\n", 1000))
		for {
			if _, err := f.Write(chunk); err != nil {
				return
			}
		}
	}()
	paths := []string{big, fifo}
	if _, err := os.Stat("/dev/zero"); err == nil {
		paths = append(paths, "/dev/zero")
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := Load(path)
				done <- err
			}()
			select {
			case err := <-done:
				var es Errors
				if !errors.As(err, &es) || len(es) != 1 || !strings.Contains(es[0].Msg, "larger than 1048576 bytes (1 MiB)") || es[0].Line < 1 {
					t.Errorf("got %v, want one positioned error naming the 1 MiB limit", err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("Load did not return within 20s")
			}
		})
	}
	// Just under the cap is read.
	padded := minimal + localTarget
	padded += "#" + strings.Repeat("x", MaxSize-len(padded)-2) + "\n"
	if _, err := Parse("sessions.yaml", []byte(padded)); err != nil || len(padded) != MaxSize {
		t.Errorf("a model of exactly %d bytes (got %d): %v, want it read", MaxSize, len(padded), err)
	}
}

// TestLongValuesAreCut: an error repeats at most maxShown characters of a
// value, with an ellipsis and the value's length, wherever it stands.
func TestLongValuesAreCut(t *testing.T) {
	long := strings.Repeat("é", 10_000) // 20,000 bytes
	model := strings.NewReplacer("LONG", long).Replace(`version: LONG
name: "LONG\u0001"
sources:
  - name: LONG
    type: LONG
    tables:
      - LONG
      - table: LONG.x
      - table: x.LONG
      - table: LONG
        columns:
          url: "LONG\""
          ? LONG
          : x
  - name: LONG
    type: asset
    class: "LONG,"
    tables: [{table: x}]
sessions: {inactivity_timeout: LONG, late_window: -LONG}
timezone: LONG
output: {schema: LONG}
targets:
  ? LONG
  : {dialect: LONG}
  x: {dialect: duckdb, memory_limit: LONG, threads: LONG, path: "${LONG}"}
  y: {dialect: postgres, dsn: "${LONG"}
  z: {dialect: postgres}
default_target: LONG
? LONG
: 1
`)
	_, err := Parse("sessions.yaml", []byte(model))
	var es Errors
	if !errors.As(err, &es) || len(es) < 15 {
		t.Fatalf("got %v, want at least 15 errors", err)
	}
	for _, e := range es {
		if len(e.Error()) > 600 {
			t.Errorf("got an error of %d bytes, want the value cut: %.300s…", len(e.Error()), e.Error())
		}
		if !strings.Contains(e.Msg, " bytes)") {
			t.Logf("(no value cut in %q)", e.Msg)
		}
	}
	// The target's errors come from Target, with the command line's name.
	if _, err := (&Model{}).Target(long); err == nil || len(err.Error()) > 300 {
		t.Errorf("unknown target: got %d bytes of error, want the name cut", len(fmt.Sprint(err)))
	}
}

// TestErrorPositions: errors point at the line and column of what is
// wrong: the first byte that is not UTF-8 or a character YAML refuses
// (go-yaml names no position for either), and the use of an alias, not
// the anchor it names.
func TestErrorPositions(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"invalid UTF-8 on line 2", "version: 1\nname: \"ac\xffme\"\n", "sessions.yaml:2:10: byte 0xFF is not UTF-8"},
		{"after multibyte characters", "version: 1\nname: ääää\xc3\n", "sessions.yaml:2:11: byte 0xC3 is not UTF-8"},
		{"after CRLF lines", "version: 1\r\nname: a\r\n\r\n  x: \xfe\r\n", "sessions.yaml:4:6: byte 0xFE is not UTF-8"},
		{"after a byte order mark", "\uFEFFversion: 1\nname: a\x00", "sessions.yaml:2:8: control character U+0000 is not allowed in YAML"},
		{"overlong encoding", "version: 1\n\n\nname: \xc0\x80\n", "sessions.yaml:4:7: byte 0xC0 is not UTF-8"},
		{"alias of a scalar", minimal + "x: &d 30x\n" + localTarget, "sessions.yaml:8:1: unknown key \"x\""},
		{"alias use", minimal + "sessions:\n  late_window: &d 30x\n  inactivity_timeout: *d\n" + localTarget,
			"sessions.yaml:10:23: bad duration \"30x\" for sessions.inactivity_timeout (want a number and a unit: 90s, 30m, 1h, 1h30m, or d for 24-hour days: 3d, 1d12h) (through alias *d, written at line 9, column 16)"},
		{"inside an aliased mapping", minimal + "        columns: &c {url: u, bogus: x}\nidentifies:\n  - table: ids\n    columns: *c\n" + localTarget,
			"sessions.yaml:11:14: unknown key \"url\" in identifies columns (want id, user_id, anonymous_id, timestamp or loaded_at) (through alias *c, written at line 8, column 22)"},
		{"alias of an alias's anchor", minimal + "lifecycle: &l {lookback: &k 0d}\nsessions: {late_window: *k}\n" + localTarget,
			"sessions.yaml:9:25: sessions.late_window must be greater than zero, got \"0d\" (through alias *k, written at line 8, column 26)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("sessions.yaml", []byte(c.yaml))
			if err == nil {
				t.Fatal("got no error")
			}
			found := false
			for _, line := range strings.Split(err.Error(), "\n") {
				found = found || strings.HasPrefix(line, c.want)
			}
			if !found {
				t.Errorf("got:\n%v\nwant a line starting %q", err, c.want)
			}
		})
	}
}

// TestAliasBudget: aliases that expand to a huge tree end the walk with
// one error, quickly, instead of walking it all: merges of merges, each
// naming the one below ten times, and a source list of many aliases of a
// source whose tables are many aliases of a table.
func TestAliasBudget(t *testing.T) {
	var merges strings.Builder
	merges.WriteString("version: 1\nname: a\nm0: &m0 {late_window: 1d}\n")
	for i := 1; i <= 9; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*m%d, ", i-1), 10), ", ")
		fmt.Fprintf(&merges, "m%d: &m%d {<<: [%s]}\n", i, i, refs)
	}
	merges.WriteString("sessions: {<<: [*m9, *m9]}\n")
	tables := "version: 1\nname: a\nt: &t {table: x, columns: {url: u}}\n" +
		"ts: &ts [" + strings.TrimSuffix(strings.Repeat("*t, ", 2000), ", ") + "]\n" +
		"s: &s {name: a, type: product, tables: *ts}\n" +
		"sources: [" + strings.TrimSuffix(strings.Repeat("*s, ", 2000), ", ") + "]\n"
	for name, model := range map[string]string{"merges": merges.String(), "tables": tables} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			_, err := Parse("sessions.yaml", []byte(model))
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("took %v, want the walk ended early", took)
			}
			if err == nil || !strings.Contains(err.Error(), "aliases expand to more than") {
				t.Errorf("got %.500v, want an error about aliases", err)
			}
		})
	}
}
