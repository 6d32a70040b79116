package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretsNeverPrinted gives every command a target it cannot reach (a
// closed port on 127.0.0.1), with a secret in each form the PostgreSQL and
// ClickHouse drivers accept, and wants the message to name the server with
// the secret masked, and the secret nowhere in stdout or stderr.
func TestSecretsNeverPrinted(t *testing.T) {
	cases := []struct {
		name, dialect, dsn string
		// secrets must not appear; shown must (the DSN, masked).
		secrets []string
		shown   string
	}{
		{"pg url userinfo", "postgres", `postgres://u:S3cretA@127.0.0.1:1/db?sslmode=disable`,
			[]string{"S3cretA"}, "postgres://u:xxxxx@127.0.0.1:1/db"},
		{"pg url query password", "postgres", `postgres://u@127.0.0.1:1/db?sslmode=disable&password=S3cretB`,
			[]string{"S3cretB"}, "password=xxxxx"},
		{"pg url query pass", "postgres", `postgresql://u@127.0.0.1:1/db?pass=S3cretC&sslmode=disable`,
			[]string{"S3cretC"}, "pass=xxxxx&sslmode"},
		{"pg url percent-encoded userinfo", "postgres", `postgres://u:p%40ss%3AS3cretD@127.0.0.1:1/db?sslmode=disable`,
			[]string{"S3cretD", "p@ss"}, "postgres://u:xxxxx@127.0.0.1:1/db"},
		{"pg url query sslpassword", "postgres", `postgres://u@127.0.0.1:1/db?sslmode=disable&sslpassword=S3cretJ`,
			[]string{"S3cretJ"}, "sslpassword=xxxxx"},
		{"pg url that does not parse", "postgres", `postgres://u@127.0.0.1:1/db?sslmode=bogus&password=S3cretH`,
			[]string{"S3cretH"}, "password=xxxxx"},
		{"pg key/value", "postgres", `host=127.0.0.1 port=1 user=u password=S3cretE dbname=db sslmode=disable`,
			[]string{"S3cretE"}, "password=xxxxx dbname=db"},
		{"pg key/value quoted", "postgres", `host=127.0.0.1 port=1 user=u password='S3cret F\'s' dbname=db sslmode=disable`,
			[]string{"S3cret", "F's", `F\'s`}, "password=xxxxx dbname=db"},
		{"pg key/value spaced", "postgres", `host=127.0.0.1 port=1 user=u password = S3cretG dbname=db sslmode=disable`,
			[]string{"S3cretG"}, "password = xxxxx dbname=db"},
		{"pg key/value that does not parse", "postgres", `host=127.0.0.1 port=1 password=S3cretI sslmode=bogus`,
			[]string{"S3cretI"}, "password=xxxxx"},
		{"clickhouse url userinfo", "clickhouse", `clickhouse://u:S3cretK@127.0.0.1:1/db`,
			[]string{"S3cretK"}, "clickhouse://u:xxxxx@127.0.0.1:1/db"},
		{"clickhouse url query password", "clickhouse", `clickhouse://127.0.0.1:1/db?username=u&password=S3cretL`,
			[]string{"S3cretL"}, "password=xxxxx"},
		{"clickhouse tcp url", "clickhouse", `tcp://u:S3cretN@127.0.0.1:1/db?dial_timeout=1s`,
			[]string{"S3cretN"}, "tcp://u:xxxxx@127.0.0.1:1/db"},
		{"clickhouse url that does not parse", "clickhouse", `clickhouse://u:S3c ret@127.0.0.1:1/db`,
			[]string{"S3c ret"}, "xxxxx"},
	}
	commands := [][]string{{"run"}, {"run", "--json"}, {"status"}, {"export", "sessions"}, {"report", "-o", "-"}, {"verify"}, {"validate", "--target", "far"}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			model := filepath.Join(t.TempDir(), "sessions.yaml")
			yaml := "version: 1\nname: secrets\nsources:\n  - {name: app, type: product, tables: [{table: raw.app}]}\n" +
				"targets:\n  far: {dialect: " + c.dialect + ", dsn: '" + strings.ReplaceAll(c.dsn, "'", "''") + "'}\n"
			if err := os.WriteFile(model, []byte(yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, args := range commands {
				code, stdout, stderr := runCLI(t, append(args, "-f", model)...)
				out := stdout + stderr
				if code != 1 {
					t.Errorf("%v: exit %d, want 1\n%s", args, code, out)
				}
				for _, s := range c.secrets {
					if strings.Contains(out, s) {
						t.Errorf("%v printed the secret %q:\n%s", args, s, out)
					}
				}
				if !strings.Contains(out, "target far") || !strings.Contains(out, c.shown) {
					t.Errorf("%v: message does not name target far and %q:\n%s", args, c.shown, out)
				}
			}
		})
	}
}
