// Package templates holds the SQL of the pipeline, one template per step,
// embedded in the binary. The render package executes them with a FuncMap
// that asks the dialect for every fragment that differs between engines.
package templates

import "embed"

// FS holds the base templates (*.sql.tmpl) and, under <dialect>/, the named
// templates an engine redefines.
//
//go:embed *.sql.tmpl clickhouse/*.sql.tmpl
var FS embed.FS
