package models

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxIdent is PostgreSQL's identifier limit (NAMEDATALEN-1), the smallest of
// the engines: a longer name would be truncated there and could collide.
const maxIdent = 63

var (
	// nameRe is the shape of source and target names: a source's name is
	// the source column of every row it stages and of rejected_events, a
	// target's is typed on the command line.
	nameRe = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// labelProblem says why a model name or asset class cannot be used, or ""
// when it can. Both are only ever written as SQL string literals (and the
// model name in SQL comments, one line each), so anything printable goes;
// an asset class must not hold a comma, which separates the properties of
// a contact session (semantics §4).
func labelProblem(label string, class bool) string {
	if p := sizeProblem(label); p != "" {
		return p
	}
	switch {
	case strings.IndexFunc(label, unicode.IsControl) >= 0:
		return "contains a control character"
	case class && strings.Contains(label, ","):
		return "contains a comma, which separates the properties of a contact session"
	}
	return ""
}

// fileExts are the file types DuckDB reads as a table (semantics §2).
var fileExts = []string{".csv", ".parquet", ".json", ".jsonl"}

// unsafeWant ends the message for a character no engine quotes the same way.
const unsafeWant = ", which cannot be quoted safely (want a name without \", ` or control characters; a view can rename it)"

// sizeProblem says why s is no name at all: empty, not UTF-8, or longer
// than an identifier may be on every engine; "" when it is none of these.
func sizeProblem(s string) string {
	switch {
	case s == "":
		return "is empty"
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	case len(s) > maxIdent:
		return fmt.Sprintf("is %d bytes long (want at most %d)", len(s), maxIdent)
	}
	return ""
}

// identProblem says why ident cannot be quoted safely in SQL, or "" when it can.
func identProblem(ident string) string {
	if p := sizeProblem(ident); p != "" {
		return p
	}
	switch {
	case strings.Contains(ident, `"`):
		return "contains a double quote" + unsafeWant
	case strings.Contains(ident, "`"):
		return "contains a backtick" + unsafeWant
	case strings.IndexFunc(ident, unicode.IsControl) >= 0:
		return "contains a control character" + unsafeWant
	}
	return ""
}

// IsFileTable reports whether a `table:` value names a file or glob, which
// DuckDB reads with its readers, rather than a table.
func IsFileTable(table string) bool {
	return hasFileExt(table) || strings.ContainsAny(table, "*/")
}

func hasFileExt(table string) bool {
	t := strings.ToLower(table)
	for _, ext := range fileExts {
		if strings.HasSuffix(t, ext) {
			return true
		}
	}
	return false
}

// tableProblem says what is wrong with a `table:` value, or "" when nothing is.
func tableProblem(table string) string {
	if IsFileTable(table) {
		switch {
		case !utf8.ValidString(table):
			return "is not valid UTF-8"
		case strings.IndexFunc(table, unicode.IsControl) >= 0:
			return "contains a control character"
		case !hasFileExt(table):
			return "looks like a file path but does not end in .csv, .parquet, .json or .jsonl"
		}
		return ""
	}
	parts := strings.Split(table, ".")
	if len(parts) > 3 {
		return fmt.Sprintf("has %d dot-separated parts (want table, schema.table or catalog.schema.table)", len(parts))
	}
	if len(parts) > 1 {
		names := []string{"catalog", "schema", "table"}[3-len(parts):]
		for i, part := range parts {
			if p := identProblem(part); p != "" {
				return fmt.Sprintf("%s part %s %s", names[i], shown(part), p)
			}
		}
		return ""
	}
	return identProblem(table)
}
