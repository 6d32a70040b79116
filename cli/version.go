package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sessionize/sessionize/version"
)

// versionCmd prints what this binary is: sessionize's version and commit,
// the Go toolchain, and the engine drivers and DuckDB library linked in.
// `sessionize --version` is the same command.
func versionCmd(ctx context.Context, e env, args []string) error {
	fs := flags("version", e)
	asJSON := fs.Bool("json", false, "print the version as one JSON object")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	v := version.Get()
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	fmt.Fprintln(e.stdout, v)
	line := func(name, value string) {
		if value != "" {
			fmt.Fprintf(e.stdout, "  %-13s %s\n", name, value)
		}
	}
	line("go", v.Go+" "+v.Platform)
	line("duckdb", v.DuckDB)
	line("duckdb-go", v.DuckDBGo)
	line("pgx", v.Pgx)
	line("clickhouse-go", v.ClickHouseGo)
	return nil
}
