package render

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/models"
)

var update = flag.Bool("update", false, "rewrite the golden SQL under testdata/golden")

// goldenModels are the models whose SQL is golden: the example model in
// testdata/golden/<dialect>/<mode>/, and the models of the folders beside
// those, each with its sessions.yaml and its SQL in <folder>/<dialect>/<mode>/.
var goldenModels = []struct{ name, model, dir string }{
	{"", "../sessions.yaml", "../testdata/golden"},
	{"names/", "../testdata/golden/names/sessions.yaml", "../testdata/golden/names"},
}

// TestGolden renders each golden model for every dialect and mode and
// compares each file with its golden file.
func TestGolden(t *testing.T) {
	for _, g := range goldenModels {
		m, err := models.Load(g.model)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, g.name, m, g.dir)
	}
}

func golden(t *testing.T, prefix string, m *models.Model, root string) {
	for _, name := range []string{"duckdb", "postgres", "clickhouse"} {
		d, _ := dialects.For(name)
		for _, mode := range []Mode{Full, Incremental} {
			t.Run(prefix+name+"/"+string(mode), func(t *testing.T) {
				files, err := Render(m, d, mode)
				if err != nil {
					t.Fatal(err)
				}
				dir := filepath.Join(root, name, string(mode))
				if *update {
					os.RemoveAll(dir)
					os.MkdirAll(dir, 0o755)
				}
				for _, f := range files {
					path := filepath.Join(dir, f.Name)
					if *update {
						if err := os.WriteFile(path, []byte(f.SQL), 0o644); err != nil {
							t.Fatal(err)
						}
						continue
					}
					want, err := os.ReadFile(path)
					if err != nil {
						t.Fatalf("%v (run go test ./render -update to write it)", err)
					}
					if f.SQL != string(want) {
						t.Errorf("%s differs from its golden file; review the diff and run go test ./render -update\n%s", path, firstDiff(string(want), f.SQL))
					}
				}
			})
		}
	}
}

// TestDeterministic renders twice and wants the same bytes.
func TestDeterministic(t *testing.T) {
	m, err := models.Load("../sessions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"duckdb", "postgres", "clickhouse"} {
		d, _ := dialects.For(name)
		a, _ := Render(m, d, Incremental)
		b, _ := Render(m, d, Incremental)
		for i := range a {
			if !reflect.DeepEqual(a[i], b[i]) {
				t.Errorf("%s %s: two renders differ", name, a[i].Name)
			}
		}
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n  want: %s\n  got:  %s", i+1, wl, gl)
		}
	}
	return ""
}
