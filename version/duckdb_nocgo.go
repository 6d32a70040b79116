//go:build !cgo

package version

// duckdbLibrary is empty without cgo: no DuckDB library is linked in.
func duckdbLibrary() string { return "" }
