// Package version says which sessionize this is: its module version, the
// commit it was built from, the Go toolchain, and the versions of the engine
// drivers linked into it, all read from the binary's own build information
// (runtime/debug.ReadBuildInfo), so a bug report or a run's record can name
// exactly what ran.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Module paths of the engine drivers whose versions Info reports.
const (
	duckdbModule     = "github.com/duckdb/duckdb-go/v2"
	pgxModule        = "github.com/jackc/pgx/v5"
	clickhouseModule = "github.com/ClickHouse/clickhouse-go/v2"
)

// Info is what a binary knows about its own build. Fields it cannot know are
// empty: a binary built without VCS stamping (go build -buildvcs=false, or
// from a folder that is not a clone) has no commit.
type Info struct {
	// Version is the main module's version: a tag such as v1.2.0, a
	// pseudo-version go derived from the commit, or "(devel)" when the
	// build had no version to stamp.
	Version string `json:"version"`
	// Commit is the VCS revision (vcs.revision) the binary was built from.
	Commit string `json:"commit,omitempty"`
	// CommitTime is that commit's time (vcs.time, RFC 3339, UTC). Go stamps
	// no build date, so that builds reproduce; this is the nearest date the
	// binary carries.
	CommitTime string `json:"commit_time,omitempty"`
	// Modified says the working tree had uncommitted changes (vcs.modified).
	Modified bool `json:"modified,omitempty"`
	// Go is the toolchain that built the binary, and Platform its GOOS/GOARCH.
	Go       string `json:"go"`
	Platform string `json:"platform"`
	// DuckDB is the version of the DuckDB library linked in ("" without
	// cgo), and DuckDBGo that of the duckdb-go module that binds it.
	DuckDB   string `json:"duckdb,omitempty"`
	DuckDBGo string `json:"duckdb_go,omitempty"`
	// Pgx and ClickHouseGo are the pgx and clickhouse-go module versions.
	Pgx          string `json:"pgx,omitempty"`
	ClickHouseGo string `json:"clickhouse_go,omitempty"`
}

// Get returns the running binary's Info.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	i := fromBuildInfo(bi)
	i.DuckDB = duckdbLibrary()
	return i
}

// fromBuildInfo reads Info out of bi (which may be nil: a binary built
// without module support). The platform is this process's.
func fromBuildInfo(bi *debug.BuildInfo) Info {
	i := Info{Version: "(devel)", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi == nil {
		return i
	}
	if bi.GoVersion != "" {
		i.Go = bi.GoVersion
	}
	if bi.Main.Version != "" {
		i.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			i.Commit = s.Value
		case "vcs.time":
			i.CommitTime = s.Value
		case "vcs.modified":
			i.Modified = s.Value == "true"
		}
	}
	for _, d := range bi.Deps {
		v := d.Version
		if d.Replace != nil {
			// A replaced module runs the replacement's code; say so.
			v = d.Replace.Version
			if v == "" {
				v = "=> " + d.Replace.Path
			}
		}
		switch d.Path {
		case duckdbModule:
			i.DuckDBGo = v
		case pgxModule:
			i.Pgx = v
		case clickhouseModule:
			i.ClickHouseGo = v
		}
	}
	return i
}

// String is the one-line form: "sessionize v1.2.0 (abc1234, 2026-12-01T10:00:00Z)".
func (i Info) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sessionize %s", i.Version)
	if i.Commit != "" {
		commit := i.Commit
		if len(commit) > 12 {
			commit = commit[:12]
		}
		if i.Modified {
			commit += "+modified"
		}
		fmt.Fprintf(&b, " (%s", commit)
		if i.CommitTime != "" {
			fmt.Fprintf(&b, ", %s", i.CommitTime)
		}
		b.WriteString(")")
	}
	return b.String()
}
