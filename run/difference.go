package run

import "strings"

// RowsColumn is a Difference's column when the two sides hold a row a
// different number of times: a row missing from one side, an extra one, or
// a duplicate. Its values are the counts.
const RowsColumn = "(rows)"

// Difference is one value in which a published output differs from its
// recomputation: a column of the row with that key, or (RowsColumn) how
// many times each side has the row.
type Difference struct {
	Table                 string
	KeyColumns            []string
	Key                   []any
	Column                string
	Published, Recomputed any
}

// TSV is the difference as one tab-separated line: table, key, column,
// published value, recomputed value. Values are written as export writes
// them, with backslash, tab, newline and carriage return escaped as \\,
// \t, \n and \r, and NULL as \N; the key is its columns as col=value,
// separated by spaces.
func (d Difference) TSV() string {
	key := make([]string, len(d.Key))
	for i, k := range d.KeyColumns {
		key[i] = k + "=" + tsvValue(k, d.Key[i])
	}
	return strings.Join([]string{d.Table, strings.Join(key, " "), d.Column,
		tsvValue(d.Column, d.Published), tsvValue(d.Column, d.Recomputed)}, "\t") + "\n"
}

var tsvEscape = strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`)

func tsvValue(col string, v any) string {
	if v == nil {
		return `\N`
	}
	return tsvEscape.Replace(FormatValue(v, dateColumn(col)))
}

// JSON is the difference as one JSON Lines object: {"table", "key" (an
// object of the key's columns), "column", "published", "recomputed"}, with
// the values as `export --format jsonl` writes them.
func (d Difference) JSON() string {
	var b strings.Builder
	b.WriteString(`{"table":`)
	writeJSONValue(&b, d.Table, false)
	b.WriteString(`,"key":{`)
	for i, k := range d.KeyColumns {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONValue(&b, k, false)
		b.WriteByte(':')
		writeJSONValue(&b, d.Key[i], dateColumn(k))
	}
	b.WriteString(`},"column":`)
	writeJSONValue(&b, d.Column, false)
	b.WriteString(`,"published":`)
	writeJSONValue(&b, d.Published, dateColumn(d.Column))
	b.WriteString(`,"recomputed":`)
	writeJSONValue(&b, d.Recomputed, dateColumn(d.Column))
	b.WriteString("}\n")
	return b.String()
}
