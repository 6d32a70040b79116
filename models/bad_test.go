package models

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestBadModels loads every testdata/models/bad/NAME.yaml and compares the
// full error output with NAME.err. A model that loads is then asked for its
// default target, as `sessionize run` would, so environment problems show too.
// Run `go test ./models -update` to rewrite the .err files, and review the diff.
func TestBadModels(t *testing.T) {
	const dir = "testdata/models/bad"
	for _, v := range []string{"SESSIONIZE_TEST_UNSET_USER", "SESSIONIZE_TEST_UNSET_DB"} {
		t.Setenv(v, "") // restores the variable after the test
		os.Unsetenv(v)
	}
	paths, err := filepath.Glob(filepath.Join("..", dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 24 {
		t.Fatalf("got %d bad models, want at least 24", len(paths))
	}
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// The path as a user in the repository root would type it, so the
			// golden text does not depend on where the test runs.
			m, err := Parse(dir+"/"+name+".yaml", data)
			if err == nil {
				_, err = m.Target("")
			}
			if err == nil {
				t.Fatal("got no error, want one")
			}
			if _, ok := err.(Errors); !ok {
				t.Fatalf("got error of type %T, want models.Errors", err)
			}
			got := err.Error() + "\n"
			golden := strings.TrimSuffix(path, ".yaml") + ".err"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./models -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestGoldenErrorsHaveModels keeps the corpus tidy: no .err without its model.
func TestGoldenErrorsHaveModels(t *testing.T) {
	errs, _ := filepath.Glob("../testdata/models/bad/*.err")
	for _, e := range errs {
		if _, err := os.Stat(strings.TrimSuffix(e, ".err") + ".yaml"); err != nil {
			t.Errorf("got %s without its model, want both or neither", e)
		}
	}
}
