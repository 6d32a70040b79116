package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"github.com/sessionize/sessionize/run"
)

// shownPerTable caps the differences verify prints per table; it counts
// them all.
const shownPerTable = 100

func verifyCmd(ctx context.Context, e env, args []string) error {
	fs := flags("verify", e)
	file := fs.String("f", "sessions.yaml", "model file")
	target := fs.String("target", "", "target (default: default_target)")
	sample := fs.Int("sample", 0, "compare `N` contacts (those with the smallest md5(contact_id), the same on every run) instead of all")
	asJSON := fs.Bool("json", false, "print the differences as JSON Lines")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if *sample < 0 {
		return usageError{fmt.Sprintf("verify: --sample %d: want a number of contacts, at least 1", *sample)}
	}
	m, t, err := loadModel(*file, *target)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(e.stdout)
	defer out.Flush()
	r, err := run.Verify(ctx, m, run.VerifyOptions{
		Target:   t,
		Sample:   *sample,
		Show:     shownPerTable,
		Progress: e.stderr,
		Difference: func(d run.Difference) error {
			line := d.TSV()
			if *asJSON {
				line = d.JSON()
			}
			_, err := io.WriteString(out, line)
			return err
		},
	})
	if err != nil {
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if r.ModelChanged != "" {
		fmt.Fprintf(e.stderr, "note: the model changed %s; the recomputation uses the model as it is now, so the differences include the change's\n", r.ModelChanged)
	}
	for _, vt := range r.Tables {
		shown := ""
		if vt.Differences > shownPerTable {
			shown = fmt.Sprintf(" (the first %d printed)", shownPerTable)
		}
		fmt.Fprintf(e.stderr, "  %-18s %10d published %10d recomputed rows %8d differences%s\n", vt.Table, vt.Published, vt.Recomputed, vt.Differences, shown)
	}
	what := "all contacts"
	if r.Sample > 0 {
		what = fmt.Sprintf("a sample of %d contacts (--sample %d)", r.Sampled, r.Sample)
	}
	fmt.Fprintf(e.stderr, "%s: verify compared %d tables over %s: %d rows, %d differences, %.2fs\n",
		t.Name, len(r.Tables), what, r.Rows(), r.Differences, r.Seconds)
	if r.Differences > 0 {
		return differencesError{fmt.Sprintf("the published outputs differ from a full recomputation in %d places; `sessionize run --full-refresh` rebuilds them", r.Differences)}
	}
	return nil
}
