package conformance

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/engine/clickhouse/chdb"
)

var chdbDir = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "sessionize-chdb-")
	chdbMade.Store(err == nil)
	return dir, err
})

var chdbMade atomic.Bool

// TestMain removes the chdb data directory when the tests are done.
func TestMain(m *testing.M) {
	code := m.Run()
	if chdbMade.Load() {
		releaseCHDB()
		dir, _ := chdbDir()
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// chdbKeep holds the engine open between the tests' statements, which
// would otherwise open and close it (and read its catalog) every time.
var chdbKeep struct {
	sync.Mutex
	db *sql.DB
}

func keepCHDB(dir string) error {
	chdbKeep.Lock()
	defer chdbKeep.Unlock()
	if chdbKeep.db != nil {
		return nil
	}
	db, err := chdb.Open(dir)
	chdbKeep.db = db
	return err
}

// releaseCHDB lets the engine close when the test's own handles are
// closed, so that a child process can open the directory.
func releaseCHDB() {
	chdbKeep.Lock()
	defer chdbKeep.Unlock()
	if chdbKeep.db != nil {
		chdbKeep.db.Close()
		chdbKeep.db = nil
	}
}

// clickhouseEngine is ClickHouse in-process (chdb, libchdb.so at
// $CHDB_LIB_PATH), with databases of the test's own. chdb opens one data
// directory per process, so the tests share one. Without CHDB_LIB_PATH it
// is missing: a failure in CI, else a skip.
func clickhouseEngine(t *testing.T) (engine, bool) {
	if os.Getenv("CHDB_LIB_PATH") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CHDB_LIB_PATH is not set: .ci/run installs chdb and sets it")
		}
		t.Log("clickhouse: CHDB_LIB_PATH is not set, so ClickHouse (chdb) is not tested (run .ci/run to test it)")
		return engine{}, false
	}
	dir, err := chdbDir()
	if err == nil {
		err = keepCHDB(dir)
	}
	if err != nil {
		t.Fatal(err)
	}
	return engine{
		name:         "clickhouse",
		textType:     "Nullable(String)",
		tsType:       "Nullable(DateTime64(6, 'UTC'))",
		createSchema: "CREATE DATABASE IF NOT EXISTS ",
		tableSuffix:  " ENGINE = MergeTree ORDER BY tuple()",
		beforeChild:  releaseCHDB,
		bulkInsert: func(raw string, from, n int, loaded string) string {
			return fmt.Sprintf(`INSERT INTO %s.app (id, "timestamp", user_id, anonymous_id, received_at, event, url)
SELECT concat('b', toString(number)), toDateTime64('2024-03-01', 6, 'UTC') + toIntervalSecond(number * 7),
       concat('u', toString(intDiv(number, 50) %% 2000)), NULL, toDateTime64('%s', 6, 'UTC'), 'Query Run', NULL
FROM numbers(%d, %d)`, raw, loaded, from, n)
		},
		open: func(t *testing.T) (string, string, string, func() (*sqlx.DB, error)) {
			n := seq.Add(1)
			raw := fmt.Sprintf("raw_%d_%d", os.Getpid(), n)
			out := fmt.Sprintf("out_%d_%d", os.Getpid(), n)
			connect := func() (*sqlx.DB, error) {
				db, err := chdb.Open(dir)
				if err != nil {
					return nil, err
				}
				return sqlx.NewDb(db, "chdb"), nil
			}
			t.Cleanup(func() {
				db, err := connect()
				if err != nil {
					return
				}
				defer db.Close()
				db.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+raw)
				db.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+out)
			})
			return fmt.Sprintf("{dialect: clickhouse, dsn: %q}", "chdb://"+dir), raw, out, connect
		},
	}, true
}

// TestClickHouseWorkTablesAreNotMerged: a work table's parts stay as they
// were written (a run reads the table once or twice and drops it), where a
// kept table's parts merge. OPTIMIZE without FINAL picks parts to merge as
// the background merges do.
func TestClickHouseWorkTablesAreNotMerged(t *testing.T) {
	e, ok := clickhouseEngine(t)
	if !ok {
		t.Skip("ClickHouse (chdb) is not configured")
	}
	_, raw, _, connect := e.open(t)
	db, err := connect()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(q string) error {
		_, err := db.Exec(q)
		return err
	}
	if err := exec("CREATE DATABASE " + raw); err != nil {
		t.Fatal(err)
	}
	ch := dialects.ClickHouse{}
	parts := func(create, table string) (int, error) {
		t.Helper()
		// Three parts: the one the table is created with, and two inserts.
		for _, q := range []string{
			create + "\nSELECT number AS x FROM numbers(10)",
			"INSERT INTO " + raw + "." + table + " SELECT number FROM numbers(10)",
			"INSERT INTO " + raw + "." + table + " SELECT number FROM numbers(10)",
		} {
			if err := exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		optimize := exec("OPTIMIZE TABLE " + raw + "." + table + " SETTINGS optimize_throw_if_noop = 1")
		var n int
		q := fmt.Sprintf("SELECT toInt64(count()) FROM system.parts WHERE database = '%s' AND table = '%s' AND active", raw, table)
		if err := db.Get(&n, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n, optimize
	}
	if n, err := parts(ch.CreateWorkTableAs(raw+".work", nil), "work"); n != 3 || err == nil {
		t.Errorf("work table: %d parts after OPTIMIZE (error %v), want the 3 written and OPTIMIZE refused", n, err)
	}
	if n, err := parts(ch.CreateTableAs(raw+".kept", nil), "kept"); n != 1 || err != nil {
		t.Errorf("kept table: %d parts after OPTIMIZE (error %v), want them merged into 1", n, err)
	}
}
