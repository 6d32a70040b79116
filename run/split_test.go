package run

import (
	"reflect"
	"testing"
)

func TestStatements(t *testing.T) {
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
			if got := Statements(tt.sql); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
