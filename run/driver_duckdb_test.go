package run

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/models"
)

// TestDuckDBReadMissing: opening a DuckDB target to read it (export, status,
// report) when its file does not exist fails with a message that says what
// to do, and leaves no empty database file behind.
func TestDuckDBReadMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.duckdb")
	tg := models.Target{Name: "local", Dialect: models.DuckDB, Path: path}
	_, err := duckDriver{}.Open(context.Background(), tg, "sessionize", false)
	if err == nil || !strings.Contains(err.Error(), "target local") || !strings.Contains(err.Error(), "sessionize run") {
		t.Errorf("got error %v, want one naming target local and `sessionize run`", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("got %s created (stat: %v), want no file", path, err)
	}
}
