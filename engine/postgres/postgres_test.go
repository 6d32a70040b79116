package postgres

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/models"
)

// TestPostgresDSNAsWritten: settings in the DSN reach the server as psql
// would send them (options=-c%20work_mem%3D64MB is work_mem = 64MB on the
// run's connection), and the connection is named sessionize unless the DSN
// names it. Needs the server at $SESSIONIZE_TEST_PG_DSN.
func TestPostgresDSNAsWritten(t *testing.T) {
	dsn := os.Getenv("SESSIONIZE_TEST_PG_DSN")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("SESSIONIZE_TEST_PG_DSN is not set: .ci/run starts PostgreSQL and sets it")
		}
		t.Skip("SESSIONIZE_TEST_PG_DSN is not set, so PostgreSQL is not tested (run .ci/run to test it)")
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	keyValue := fmt.Sprintf("host=%s port=%s user=%s password='%s' dbname=%s sslmode=%s options='-c work_mem=64MB'",
		u.Hostname(), cmp.Or(u.Port(), "5432"), u.User.Username(), strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(pw),
		strings.TrimPrefix(u.Path, "/"), cmp.Or(u.Query().Get("sslmode"), "prefer"))
	for _, c := range []struct {
		name, dsn, app string
	}{
		{"url options", dsn + sep + "options=-c%20work_mem%3D64MB", "sessionize"},
		{"url options and application_name", dsn + sep + "options=-c%20work_mem%3D64MB&application_name=nightly%20job", "nightly job"},
		{"key/value options", keyValue, "sessionize"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tg := models.Target{Name: "pg", Dialect: models.Postgres, DSN: c.dsn}
			s, err := pgDriver{}.Open(context.Background(), tg, "sessionize_dsn_test", true)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for setting, want := range map[string]string{"work_mem": "64MB", "application_name": c.app} {
				var got string
				if err := s.Conn.GetContext(context.Background(), &got, "SHOW "+setting); err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("SHOW %s: got %q, want %q", setting, got, want)
				}
			}
		})
	}
}
