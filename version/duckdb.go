//go:build cgo

package version

import bindings "github.com/duckdb/duckdb-go-bindings"

// duckdbLibrary asks the linked DuckDB library for its version
// (duckdb_library_version), which opens no database.
func duckdbLibrary() string { return bindings.LibraryVersion() }
