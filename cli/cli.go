// Package cli is the sessionize command line: it parses flags, calls the
// models, render and run packages, prints, and decides the exit code.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/sessionize/sessionize/models"
	"github.com/sessionize/sessionize/run"
)

// Exit codes (semantics §6).
const (
	exitOK           = 0
	exitFailed       = 1
	exitUsage        = 2
	exitRefused      = 3 // the target's lock is held
	exitModelChanged = 4 // an incremental run of a changed model
	exitDifferences  = 5 // verify found differences
)

// env is what every command gets: the streams.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

var commands = map[string]command{
	"validate": {"check the model; errors as FILE:LINE:COL: message", validateCmd},
	"render":   {"write the SQL, one numbered, commented file per step", renderCmd},
	"run":      {"run the model (incremental unless --full-refresh)", runCmd},
	"status":   {"show the last runs, the watermark and row counts", statusCmd},
	"export":   {"print an output table as CSV or JSON Lines, ordered by its key", exportCmd},
	"verify":   {"recompute the outputs from the sources and print where the published ones differ", verifyCmd},
	"demo":     {"write synthetic events and a model, run it on DuckDB, summarize", demoCmd},
	"report":   {"write an HTML report of the outputs: sessions, lifecycle, prompting assets", reportCmd},
	"bench":    {"measure full and incremental runs against the engine's floor on demo data", benchCmd},
	"version":  {"print the version of sessionize, Go, DuckDB and the drivers", versionCmd},
}

// Run runs the command line and returns the process exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{stdin, stdout, stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] == "--version" {
		args = append([]string{"version"}, args[1:]...)
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "sessionize: unknown command %q\n", args[0])
		usage(stderr)
		return exitUsage
	}
	err := cmd.run(ctx, e, args[1:])
	return report(stderr, err)
}

// usageError is a command line the user must fix.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

// differencesError is a verify that found the published outputs differ
// from their recomputation; the differences are already printed.
type differencesError struct{ msg string }

func (d differencesError) Error() string { return d.msg }

// exitCode maps an error to the exit code the command line ends with.
func exitCode(err error) int {
	var merrs models.Errors
	var uerr usageError
	var derr differencesError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &merrs), errors.As(err, &uerr):
		return exitUsage
	case run.IsRefused(err):
		return exitRefused
	case run.IsModelChanged(err):
		return exitModelChanged
	case errors.As(err, &derr):
		return exitDifferences
	}
	return exitFailed
}

// report prints err and maps it to an exit code.
func report(stderr io.Writer, err error) int {
	code := exitCode(err)
	var merrs models.Errors
	var uerr usageError
	switch {
	case code == exitOK:
	case errors.As(err, &merrs):
		fmt.Fprintln(stderr, merrs.Error())
	case errors.As(err, &uerr):
		fmt.Fprintf(stderr, "sessionize: %s\n", uerr.msg)
	case code == exitRefused, code == exitModelChanged:
		fmt.Fprintf(stderr, "sessionize: refused: %s\n", err)
	default:
		fmt.Fprintf(stderr, "sessionize: %s\n", err)
	}
	return code
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: sessionize COMMAND [flags]")
	fmt.Fprintln(w)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun `sessionize COMMAND -h` for a command's flags.")
}

// flags makes a FlagSet that reports errors as usage errors.
func flags(name string, e env) *flag.FlagSet {
	fs := flag.NewFlagSet("sessionize "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parse parses args and refuses stray positional arguments beyond max.
func parse(fs *flag.FlagSet, args []string, max int) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > max {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", strings.TrimPrefix(fs.Name(), "sessionize "), strings.Join(fs.Args()[max:], " "))}
	}
	return nil
}

// loadModel loads the model and picks the target.
func loadModel(file, target string) (*models.Model, models.Target, error) {
	m, err := models.Load(file)
	if err != nil {
		return nil, models.Target{}, err
	}
	t, err := m.Target(target)
	if err != nil {
		return nil, models.Target{}, targetError(err)
	}
	return m, t, nil
}

// targetError is a target the model cannot run on: the model's own errors
// (FILE:LINE:COL) as they are, anything else a usage error; exit 2 either
// way.
func targetError(err error) error {
	var merrs models.Errors
	if errors.As(err, &merrs) {
		return merrs
	}
	return usageError{err.Error()}
}
