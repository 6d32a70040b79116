package clickhouse

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/sessionize/sessionize/engine"
	"github.com/sessionize/sessionize/models"
)

// clickhouseServer is the ClickHouse server at $SESSIONIZE_TEST_CLICKHOUSE_DSN
// (.ci/clickhouse.sh starts Debian's, 18.16), with a database of the test's
// own. Without a DSN it is missing: a failure in CI, else a skip.
func clickhouseServer(t *testing.T) (models.Target, *sqlx.DB, string) {
	t.Helper()
	dsn := os.Getenv("SESSIONIZE_TEST_CLICKHOUSE_DSN")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("SESSIONIZE_TEST_CLICKHOUSE_DSN is not set: .ci/run starts clickhouse-server and sets it")
		}
		t.Skip("SESSIONIZE_TEST_CLICKHOUSE_DSN is not set, so the ClickHouse server is not tested (run .ci/run to test it)")
	}
	target := models.Target{Name: "server", Dialect: models.ClickHouse, DSN: dsn}
	db, err := chConnect(target)
	if err != nil {
		t.Fatal(err)
	}
	schema := fmt.Sprintf("sessionize_test_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)
	t.Cleanup(func() {
		db.Exec("DROP DATABASE IF EXISTS " + schema)
		db.Close()
	})
	return target, db, schema
}

// TestClickHouseServer talks to the server over clickhouse-go: connects,
// creates the output database and a table, writes and reads rows.
func TestClickHouseServer(t *testing.T) {
	_, db, schema := clickhouseServer(t)
	ctx := context.Background()
	var version string
	if err := db.GetContext(ctx, &version, "SELECT version()"); err != nil {
		t.Fatalf("SELECT version(): %v", err)
	}
	t.Logf("server version %s", version)
	for _, q := range []string{
		"CREATE DATABASE IF NOT EXISTS " + schema,
		"CREATE TABLE " + schema + ".events (id String, n Int64, at DateTime, note Nullable(String)) ENGINE = MergeTree ORDER BY id",
		"INSERT INTO " + schema + ".events SELECT concat('e', toString(number)), toInt64(number), toDateTime('2024-03-01 10:00:00') + number, if(number = 1, NULL, 'x') FROM system.numbers LIMIT 3",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var rows []struct {
		ID   string  `db:"id"`
		N    int64   `db:"n"`
		Note *string `db:"note"`
	}
	if err := db.SelectContext(ctx, &rows, "SELECT id, n, note FROM "+schema+".events ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(len(rows))
	for _, r := range rows {
		note := "NULL"
		if r.Note != nil {
			note = *r.Note
		}
		got += fmt.Sprintf(" %s/%d/%s", r.ID, r.N, note)
	}
	if want := "3 e0/0/x e1/1/NULL e2/2/x"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestClickHouseServerTooOld wants a server older than 23.8 refused at
// Open, with the version it needs.
func TestClickHouseServerTooOld(t *testing.T) {
	target, db, schema := clickhouseServer(t)
	var version string
	if err := db.Get(&version, "SELECT version()"); err != nil {
		t.Fatal(err)
	}
	if chVersionOK(version) == nil {
		t.Skipf("the server is %s, new enough", version)
	}
	_, err := chDriver{}.Open(context.Background(), target, schema, true)
	if err == nil {
		t.Fatal("Open succeeded on an old server")
	}
	major, minor, _ := strings.Cut(version, ".")
	minor, _, _ = strings.Cut(minor, ".")
	want := fmt.Sprintf("ClickHouse %s.%s is too old: sessionize needs 23.8 or newer (window functions, DateTime64)", major, minor)
	if !strings.Contains(err.Error(), want) {
		t.Errorf("got %q, want it to say %q", err, want)
	}
}

func TestChVersionOK(t *testing.T) {
	for _, c := range []struct {
		v  string
		ok bool
	}{
		{"18.16.1", false}, {"23.3.9.55", false}, {"23.8.2.7", true}, {"24.1.1", true}, {"26.7.2.1", true}, {"x", false},
	} {
		if err := chVersionOK(c.v); (err == nil) != c.ok {
			t.Errorf("%s: got %v, want ok=%v", c.v, err, c.ok)
		}
	}
}

// TestClickHouseLock takes the run lock on the server, wants a second taker
// refused with the holder and since when, releases it, and breaks a lock
// whose holder (a process of this machine) is gone.
func TestClickHouseLock(t *testing.T) {
	target, db, schema := clickhouseServer(t)
	ctx := context.Background()
	// The lock keeps the connection it is given, and closes it.
	conn := func() *sqlx.DB {
		c, err := chConnect(target)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	l, err := takeLock(ctx, conn(), schema)
	if err != nil {
		t.Fatalf("take the lock: %v", err)
	}
	// A second run in this process: its own token is not the holder's.
	other := conn()
	_, err = takeLock(ctx, other, schema)
	other.Close()
	if !engine.IsRefused(err) || !strings.Contains(err.Error(), "locked by another run") || !strings.Contains(err.Error(), "since") {
		t.Fatalf("second taker: got %v, want a refusal naming the holder since when", err)
	}
	l.release(ctx)
	l2, err := takeLock(ctx, conn(), schema)
	if err != nil {
		t.Fatalf("take the lock after release: %v", err)
	}
	// A lock left by a run that was killed: a lock table whose holder is a
	// process of this machine that no longer exists.
	stale := lockTable(chDialect, schema, l2.epoch+1)
	l2.release(ctx)
	host, _ := os.Hostname()
	for _, q := range []string{
		"CREATE TABLE " + stale + " " + lockColumns,
		fmt.Sprintf("INSERT INTO %s SELECT 'pid 999999 on %s', '%s', 999999, 'gone', now(), now() + 300", stale, host, host),
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	l3, err := takeLock(ctx, conn(), schema)
	if err != nil {
		t.Fatalf("a lock whose holder is gone was not broken: %v", err)
	}
	l3.release(ctx)
}

// TestChdbInsertsInParallel: a session writes each INSERT … SELECT through
// as many threads as it reads with, unless max_insert_threads was set before.
func TestChdbInsertsInParallel(t *testing.T) {
	if os.Getenv("CHDB_LIB_PATH") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CHDB_LIB_PATH is not set: .ci/run installs chdb and sets it")
		}
		t.Skip("CHDB_LIB_PATH is not set, so ClickHouse (chdb) is not tested (run .ci/run to test it)")
	}
	ctx := context.Background()
	target := models.Target{Name: "chdb", Dialect: models.ClickHouse, DSN: "chdb://" + t.TempDir()}
	s, err := chDriver{}.Open(ctx, target, "sessionize", false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	settings := func() (threads, inserts uint64) {
		t.Helper()
		err := s.Conn.QueryRowxContext(ctx, "SELECT toUInt64(getSetting('max_threads')), toUInt64(getSetting('max_insert_threads'))").Scan(&threads, &inserts)
		if err != nil {
			t.Fatal(err)
		}
		return threads, inserts
	}
	threads, inserts := settings()
	want := threads
	if threads < 2 {
		want = 0 // the default: one thread
	}
	if inserts != want {
		t.Errorf("max_insert_threads = %d with max_threads %d, want %d", inserts, threads, want)
	}
	if _, err := s.Conn.ExecContext(ctx, "SET max_insert_threads = 1"); err != nil {
		t.Fatal(err)
	}
	if err := chParallelInserts(ctx, s.Conn); err != nil {
		t.Fatal(err)
	}
	if _, inserts := settings(); inserts != 1 {
		t.Errorf("max_insert_threads = %d after it was set to 1, want it left at 1", inserts)
	}
}
