package render

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/models"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		want []string
	}{
		{"two", "SELECT 1;\nSELECT 2;\n", []string{"SELECT 1", "SELECT 2"}},
		{"semicolon in string", "SELECT ';';", []string{"SELECT ';'"}},
		{"doubled quote", "SELECT 'it''s; fine';", []string{"SELECT 'it''s; fine'"}},
		{"semicolon in comment", "-- a; b\nSELECT 1;", []string{"-- a; b\nSELECT 1"}},
		{"comment only", "-- nothing here;\n", nil},
		{"quoted identifier", `SELECT "a;b" FROM t;`, []string{`SELECT "a;b" FROM t`}},
		{"no final semicolon", "SELECT 1", []string{"SELECT 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := split(tt.sql); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestStatementsKeepModelText renders a model whose names hold quotes,
// semicolons and a backslash, and wants every dialect's statements to be
// those of the same model with plain names, each whole in the file's text:
// ClickHouse's 'asset:it\'s; docs' is one literal, not the end of one
// statement and the start of another.
func TestStatementsKeepModelText(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "testdata", "golden", "names", "sessions.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	plainSrc := strings.NewReplacer(`'semi;colon \ back'`, "plain", `"it's; docs"`, "docs",
		`"raw.it's; docs"`, "raw.docs", `'a;b'`, `'ab'`).Replace(string(src))
	load := func(name, text string) *models.Model {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := models.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	named, plain := load("named.yaml", string(src)), load("plain.yaml", plainSrc)
	for _, name := range []string{"duckdb", "postgres", "clickhouse"} {
		d, _ := dialects.For(name)
		for _, mode := range []Mode{Full, Incremental} {
			got, err := Render(named, d, mode)
			if err != nil {
				t.Fatal(err)
			}
			want, err := Render(plain, d, mode)
			if err != nil {
				t.Fatal(err)
			}
			whole := d.Literal("asset:it's; docs")
			var found bool
			for i, f := range got {
				if len(f.Statements) != len(want[i].Statements) || len(f.Statements) == 0 {
					t.Errorf("%s %s %s: %d statements, want %d as with plain names", name, mode, f.Name, len(f.Statements), len(want[i].Statements))
				}
				for _, s := range f.Statements {
					if !strings.Contains(f.SQL, s) || strings.ContainsAny(s, "\x00\x01") {
						t.Errorf("%s %s %s: statement is not the file's text:\n%s", name, mode, f.Name, s)
					}
					found = found || strings.Contains(s, whole)
				}
			}
			if !found {
				t.Errorf("%s %s: no statement holds the literal %s whole", name, mode, whole)
			}
		}
	}
}

// TestPlaceholders: plain words are their own placeholders, and text that
// looks like a placeholder but is none comes back as it was.
func TestPlaceholders(t *testing.T) {
	p := &placeholders{}
	if got := p.hold("sessions_2"); got != "sessions_2" {
		t.Errorf("hold(sessions_2) = %q, want it unchanged", got)
	}
	h := p.hold("it's; docs")
	for _, s := range []string{"a " + h + " b", "\x00", "\x00x\x01", "\x009\x01", "\x00" + h} {
		want := strings.ReplaceAll(s, h, "it's; docs")
		if got := p.restore(s); got != want {
			t.Errorf("restore(%q) = %q, want %q", s, got, want)
		}
	}
}
