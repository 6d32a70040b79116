package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sessionize/sessionize/models"
)

// Comparison is a bench on each of several targets over the same data (the
// same size and seed, so the same rows), one after the other on the same
// machine: what the ratios between engines rest on.
type Comparison struct {
	Reports []*Report `json:"reports"`
	// Across has one line per report, in the order they ran.
	Across []Across `json:"across"`
}

// Across is one target's figures next to the others'.
type Across struct {
	Target              string  `json:"target"`
	Engine              string  `json:"engine"`
	FullSeconds         float64 `json:"full_seconds"`
	IncrementalSeconds  float64 `json:"incremental_seconds"`
	FullOverHandwritten float64 `json:"full_over_handwritten,omitempty"` // 0 with NoHandwritten
	IncrementalOverFull float64 `json:"incremental_over_full"`
	// FullOverDuckDB and IncrementalOverDuckDB are this target's median
	// full and incremental runs over the first DuckDB target's; 0 when no
	// target is DuckDB.
	FullOverDuckDB        float64 `json:"full_over_duckdb,omitempty"`
	IncrementalOverDuckDB float64 `json:"incremental_over_duckdb,omitempty"`
}

// Compare runs the bench on each target in turn with the same options,
// each in a folder of its own under opt.Dir (named by its label: the
// target's name, or its dialect for the bench's bare targets), and sets
// each next to the first DuckDB one.
func Compare(ctx context.Context, opt Options, targets []models.Target) (*Comparison, error) {
	labels := make([]string, len(targets))
	seen := map[string]bool{}
	for i, t := range targets {
		labels[i] = Label(t)
		if seen[labels[i]] {
			return nil, fmt.Errorf("bench: target %s is given twice", labels[i])
		}
		seen[labels[i]] = true
	}
	root := opt.Dir
	if root == "" {
		var err error
		if root, err = os.MkdirTemp("", "sessionize-bench-"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(root)
	}
	w := opt.Progress
	if w == nil {
		w = io.Discard
	}
	c := &Comparison{}
	for i, t := range targets {
		fmt.Fprintf(w, "bench: target %s (%d of %d)\n", labels[i], i+1, len(targets))
		o := opt
		o.Target, o.Dir = t, filepath.Join(root, labels[i])
		r, err := Run(ctx, o)
		if err != nil {
			return nil, fmt.Errorf("target %s: %w", labels[i], err)
		}
		c.Reports = append(c.Reports, r)
	}
	c.Across = across(labels, c.Reports)
	return c, nil
}

// Label names a bench target: its own name, or its dialect when it is one
// of the bench's bare targets (named "bench" or not at all).
func Label(t models.Target) string {
	if t.Name == "" || t.Name == "bench" {
		return string(t.Dialect)
	}
	return t.Name
}

// across sets each report next to the first DuckDB one.
func across(labels []string, reports []*Report) []Across {
	var duck *Report
	for _, r := range reports {
		if r.Engine == string(models.DuckDB) {
			duck = r
			break
		}
	}
	out := make([]Across, len(reports))
	for i, r := range reports {
		a := Across{
			Target:              labels[i],
			Engine:              r.Engine,
			FullSeconds:         r.Full.MedianSeconds,
			IncrementalSeconds:  r.Incremental.MedianSeconds,
			FullOverHandwritten: r.FullOverHandwritten,
			IncrementalOverFull: r.IncrementalOverFull,
		}
		if duck != nil {
			a.FullOverDuckDB = ratio(r.Full.MedianSeconds, duck.Full.MedianSeconds)
			a.IncrementalOverDuckDB = ratio(r.Incremental.MedianSeconds, duck.Incremental.MedianSeconds)
		}
		out[i] = a
	}
	return out
}

// Print writes each target's table, then one line per target with every
// ratio side by side.
func (c *Comparison) Print(w io.Writer) {
	for _, r := range c.Reports {
		r.Print(w)
		fmt.Fprintln(w)
	}
	var events int64
	if len(c.Reports) > 0 {
		events = c.Reports[0].Events
	}
	hasDuck := anyDuck(c.Across)
	fmt.Fprintf(w, "across targets (the same %s events, one bench after the other):\n", thousands(events))
	header := fmt.Sprintf("%-12s %10s %12s %20s %19s", "target", "full", "incremental", "full / hand-written", "incremental / full")
	if hasDuck {
		header += fmt.Sprintf(" %19s %26s", "full / duckdb full", "incremental / duckdb incr")
	}
	fmt.Fprintln(w, header)
	for _, a := range c.Across {
		hw := "(not run)"
		if a.FullOverHandwritten > 0 {
			hw = fmt.Sprintf("%.2fx", a.FullOverHandwritten)
		}
		line := fmt.Sprintf("%-12s %9.2fs %11.2fs %20s %18.3fx", a.Target, a.FullSeconds, a.IncrementalSeconds, hw, a.IncrementalOverFull)
		if hasDuck {
			line += fmt.Sprintf(" %18.2fx %25.2fx", a.FullOverDuckDB, a.IncrementalOverDuckDB)
		}
		fmt.Fprintln(w, line)
	}
}

func anyDuck(as []Across) bool {
	for _, a := range as {
		if a.Engine == string(models.DuckDB) {
			return true
		}
	}
	return false
}
