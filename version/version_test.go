package version

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	deps := []*debug.Module{
		{Path: duckdbModule, Version: "v2.10506.0"},
		{Path: pgxModule, Version: "v5.12.0"},
		{Path: clickhouseModule, Version: "v2.51.0"},
		{Path: "gopkg.in/yaml.v3", Version: "v3.0.1"},
	}
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		want Info
		str  string
	}{
		{
			name: "no build info",
			want: Info{Version: "(devel)"},
			str:  "sessionize (devel)",
		},
		{
			name: "clone without VCS stamping",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Deps: deps},
			want: Info{Version: "(devel)", Go: "go1.26.8", DuckDBGo: "v2.10506.0", Pgx: "v5.12.0", ClickHouseGo: "v2.51.0"},
			str:  "sessionize (devel)",
		},
		{
			name: "release from a tag",
			bi: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}, Deps: deps,
				Settings: []debug.BuildSetting{
					{Key: "-trimpath", Value: "true"},
					{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
					{Key: "vcs.time", Value: "2026-12-01T10:00:00Z"},
					{Key: "vcs.modified", Value: "false"},
				}},
			want: Info{Version: "v1.2.0", Go: "go1.26.8", Commit: "0123456789abcdef0123456789abcdef01234567",
				CommitTime: "2026-12-01T10:00:00Z", DuckDBGo: "v2.10506.0", Pgx: "v5.12.0", ClickHouseGo: "v2.51.0"},
			str: "sessionize v1.2.0 (0123456789ab, 2026-12-01T10:00:00Z)",
		},
		{
			name: "dirty tree, replaced driver",
			bi: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261201100000-0123456789ab+dirty"},
				Deps: []*debug.Module{
					{Path: pgxModule, Version: "v5.12.0", Replace: &debug.Module{Path: "../pgx"}},
					{Path: clickhouseModule, Version: "v2.51.0", Replace: &debug.Module{Path: "example.org/ch", Version: "v2.51.1"}},
				},
				Settings: []debug.BuildSetting{
					{Key: "vcs.revision", Value: "0123456789ab"},
					{Key: "vcs.modified", Value: "true"},
				}},
			want: Info{Version: "v0.0.0-20261201100000-0123456789ab+dirty", Go: "go1.26.8", Commit: "0123456789ab",
				Modified: true, Pgx: "=> ../pgx", ClickHouseGo: "v2.51.1"},
			str: "sessionize v0.0.0-20261201100000-0123456789ab+dirty (0123456789ab+modified)",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := fromBuildInfo(tc.bi)
			if got.Platform == "" {
				t.Errorf("Platform is empty")
			}
			got.Platform = ""
			if tc.want.Go == "" {
				tc.want.Go = got.Go // the running toolchain's
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if s := got.String(); s != tc.str {
				t.Errorf("String() = %q, want %q", s, tc.str)
			}
		})
	}
}

// TestGet reads this test binary's own build information and asks the linked
// DuckDB library its version. A test binary lists no dependencies in its
// build information; TestBinary checks those on a built sessionize.
func TestGet(t *testing.T) {
	i := Get()
	if !strings.HasPrefix(i.Go, "go") {
		t.Errorf("Go = %q, want a go version", i.Go)
	}
	if !strings.HasPrefix(i.DuckDB, "v1.") {
		t.Errorf("DuckDB = %q, want v1.x", i.DuckDB)
	}
	t.Logf("%s: %#v", i, i)
}
