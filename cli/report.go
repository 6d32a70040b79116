package cli

import (
	"context"
	"fmt"
	"time"

	htmlreport "github.com/sessionize/sessionize/report"
)

func reportCmd(ctx context.Context, e env, args []string) error {
	fs := flags("report", e)
	file := fs.String("f", "sessions.yaml", "model file")
	target := fs.String("target", "", "target to read (default: default_target)")
	out := fs.String("o", "report.html", "HTML file to write; - writes to stdout")
	since := fs.String("since", "", "first day to show, YYYY-MM-DD in the model's timezone (default: the first day with sessions)")
	until := fs.String("until", "", "last day to show, YYYY-MM-DD in the model's timezone (default: the last day with sessions)")
	wait := waitFlag(fs)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	var opt htmlreport.Options
	var err error
	if opt.Since, err = parseDay("since", *since); err != nil {
		return err
	}
	if opt.Until, err = parseDay("until", *until); err != nil {
		return err
	}
	if !opt.Since.IsZero() && !opt.Until.IsZero() && opt.Until.Before(opt.Since) {
		return usageError{fmt.Sprintf("report: --until %s is before --since %s", *until, *since)}
	}
	if *out == "" {
		return usageError{"report: -o needs a file name (or - for stdout)"}
	}
	m, t, err := loadModel(*file, *target)
	if err != nil {
		return err
	}
	ctx = withWait(ctx, wait)
	if *out == "-" {
		return htmlreport.Write(ctx, m, t, opt, e.stdout)
	}
	if err := htmlreport.WriteFile(ctx, m, t, opt, *out); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s: open it in a browser\n", *out)
	return nil
}

// parseDay reads a --since or --until value; empty is no bound.
func parseDay(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, usageError{fmt.Sprintf("report: --%s %q is not a date (want YYYY-MM-DD)", flag, s)}
	}
	return d, nil
}
