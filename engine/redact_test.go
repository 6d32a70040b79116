package engine

import (
	"errors"
	"testing"
)

// TestRedact masks each secret form the drivers accept, in the DSN and
// wherever a message repeats it, and leaves the rest of the text readable.
func TestRedact(t *testing.T) {
	for _, c := range []struct{ dsn, text, want string }{
		{`postgres://u:pw1@h/db`, `at postgres://u:pw1@h/db: pw1 refused`, `at postgres://u:xxxxx@h/db: xxxxx refused`},
		{`postgres://u@h/db?sslmode=disable&password=pw2`, `postgres://u@h/db?sslmode=disable&password=pw2`, `postgres://u@h/db?sslmode=disable&password=xxxxx`},
		{`postgres://u@h/db?PASS=pw3`, `echo pw3.`, `echo xxxxx.`},
		{`postgres://u:a%2Fb%40c@h/db`, `a/b@c and a%2Fb%40c`, `xxxxx and xxxxx`},
		{`host=h password=pw4 user=u`, `host=h password=pw4 user=u`, `host=h password=xxxxx user=u`},
		{`host=h password = 'p w\'5' user=u`, `host=h password = 'p w\'5' user=u; p w'5`, `host=h password = xxxxx user=u; xxxxx`},
		{`clickhouse://h:9000/db?username=u&password=pw6`, `dial h:9000 (pw6)`, `dial h:9000 (xxxxx)`},
		{`clickhouse://h/db?http_proxy=http%3A%2F%2Fp%3Apw7%40proxy`, `proxy http://p:pw7@proxy`, `proxy http://p:xxxxx@proxy`},
		// Not the DSN's: masked by their shape.
		{``, `cannot parse "host=h password=other x"`, `cannot parse "host=h password=xxxxx x"`},
		{``, `dial clickhouse://u:other@h failed`, `dial clickhouse://u:xxxxx@h failed`},
		{``, `want clickhouse://user:password@host:9000/database`, `want clickhouse://user:password@host:9000/database`},
		// A secret that is also a word is masked only as a whole word.
		{`postgres://sessionize:sessionize@h/sessionize_test`, `user=sessionize table "sessionize"."_sessionize_runs" in sessionize_test`,
			`user=xxxxx table "xxxxx"."_sessionize_runs" in sessionize_test`},
	} {
		if got := Redact(c.dsn, c.text); got != c.want {
			t.Errorf("Redact(%q, %q):\ngot  %s\nwant %s", c.dsn, c.text, got, c.want)
		}
	}
}

// TestRedactErrKeepsRefusals: a redacted refusal still exits 3.
func TestRedactErrKeepsRefusals(t *testing.T) {
	err := RedactErr(&ErrRefused{Reason: "locked by pw9"}, "postgres://u:pw9@h/db")
	if err.Error() != "locked by xxxxx" || !IsRefused(err) {
		t.Errorf("got %q (refused: %v), want %q, refused", err, IsRefused(err), "locked by xxxxx")
	}
	if RedactErr(nil, "x") != nil {
		t.Error("RedactErr(nil) is not nil")
	}
	plain := errors.New("no secret here")
	if RedactErr(plain, "postgres://u:pw@h/db") != plain {
		t.Error("an error without secrets was wrapped")
	}
}
