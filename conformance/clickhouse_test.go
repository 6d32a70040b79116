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
