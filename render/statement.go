package render

import (
	"bytes"
	"fmt"

	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/models"
)

// Assignment is one column of a run's row and its new value, as SQL.
type Assignment struct{ Column, Value string }

// RunUpdate is the statement that sets columns of one run's row in the runs
// table (semantics §4), for the runner to record what the rendered steps do not:
// the model's text, and why a run failed.
func RunUpdate(m *models.Model, d dialects.Dialect, runID int64, set []Assignment) (string, error) {
	data, err := newData(m, d, Full)
	if err != nil {
		return "", err
	}
	set0, err := parse(d, funcs(d, data))
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := set0.ExecuteTemplate(&buf, "run_update", map[string]any{"run": runID, "set": set}); err != nil {
		return "", fmt.Errorf("render run_update: %w", err)
	}
	return buf.String(), nil
}
