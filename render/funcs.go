package render

import (
	"fmt"
	"slices"
	"strings"
	"text/template"

	"github.com/sessionize/sessionize/catalog"
	"github.com/sessionize/sessionize/dialects"
)

// since keeps (set) and reads (get) the watermark of the table at position
// pos, as step 0 found it, where the dialect keeps it in a variable.
func since(d dialects.Dialect, tbl func(string) string, pos int) (set, get string) {
	return d.Variable(fmt.Sprintf("sessionize_since_%d", pos),
		fmt.Sprintf("SELECT since FROM %s WHERE table_pos = %d", tbl("_sessionize_work_since"), pos))
}

// funcs is the FuncMap the templates write SQL with: table names in the
// output schema, and every engine-specific fragment, through the dialect.
func funcs(d dialects.Dialect, x *data) template.FuncMap {
	v := &versions{d: d, schema: x.Schema, pass: x.model.Enrichment.PassThrough, step: func() string { return x.Step }}
	if x.StagesFullRuns && !x.Incremental {
		v.stageAll()
	}
	tbl := v.tbl
	en := enrichment{d: d, m: x.model, schema: x.Schema}
	m := template.FuncMap{
		"q":   d.Quote,
		"lit": d.Literal,
		// schema is a schema of the target's own database (see
		// dialects.Dialect.Catalog), catalog the name it is opened under.
		"schema":  d.Schema,
		"catalog": d.Catalog,
		// bounded is a timestamp, NULL outside the range a run reads, and
		// firstTimestamp where that range begins (see timestamps.go).
		"bounded":        func(expr string) string { return bounded(d, expr) },
		"firstTimestamp": func() string { return timestamp(d, firstTimestamp) },
		// str is a text literal that compares by bytes like every text column.
		"str": func(s string) string { return d.Text(d.Literal(s)) },
		"tbl": tbl,
		"lag": d.Lag,
		"type": func(kind string) string {
			return ColumnType(d, catalog.Kind(kind))
		},
		// null is a NULL of a column kind, typed as the engine needs it.
		"null": func(kind string) string {
			if catalog.Kind(kind) == catalog.Text {
				return d.Text("NULL")
			}
			return "CAST(NULL AS " + ColumnType(d, catalog.Kind(kind)) + ")"
		},
		"createAs": func(name string, key ...string) string {
			if isWork(name) {
				return d.CreateWorkTableAs(tbl(name), splitKey(key))
			}
			return d.CreateTableAs(tbl(name), splitKey(key))
		},
		"createTable": func(name string) (string, error) {
			t, err := spec(name, x.model.Enrichment.PassThrough)
			if err != nil {
				return "", err
			}
			var pk []string
			if t.PrimaryKey {
				pk = t.Key
			}
			// The tables every run adds to are created once; the others
			// are replaced.
			keep := slices.ContainsFunc(catalog.Logs, func(l catalog.Table) bool { return l.Name == name })
			return d.CreateTable(tbl(name), dialectColumns(d, t), pk, keep), nil
		},
		// createKeyless is createTable without the primary key, for a
		// table that is filled in one INSERT and keyed after it
		// (primaryKey).
		"createKeyless": func(name string) (string, error) {
			t, err := spec(name, x.model.Enrichment.PassThrough)
			if err != nil {
				return "", err
			}
			return d.CreateTable(tbl(name), dialectColumns(d, t), nil, false), nil
		},
		"primaryKey": func(name string) (string, error) {
			t, err := spec(name, x.model.Enrichment.PassThrough)
			if err != nil || !t.PrimaryKey {
				return "", err
			}
			if k := d.PrimaryKey(tbl(name), t.Key); k != "" {
				return "\n\n" + k + ";", nil
			}
			return "", nil
		},
		"dropTable": func(name string) string { return d.DropTable(tbl(name)) },
		// analyze follows a work table's creation: a blank line and the
		// statement, or nothing on engines that need none.
		"analyze": func(name string) string {
			if a := d.Analyze(tbl(name)); a != "" {
				return "\n\n" + a + ";"
			}
			return ""
		},
		// index follows a kept table's creation, like analyze.
		"index": func(name string, cols ...string) string {
			idx := d.Quote(name + "_" + strings.Join(splitKey(cols), "_"))
			if i := d.Index(tbl(name), idx, splitKey(cols)); i != "" {
				return "\n\n" + i + ";"
			}
			return ""
		},
		// uncompressed and compressed bracket a large state table's write.
		"uncompressed": func() string {
			if off, _ := d.Uncompressed(); off != "" {
				return off + ";\n\n"
			}
			return ""
		},
		"compressed": func() string {
			if _, on := d.Uncompressed(); on != "" {
				return "\n\n" + on + ";"
			}
			return ""
		},
		// workTables are the work tables the steps before this one named,
		// sorted: step 7 drops them.
		"workTables": v.workTables,
		// runsAdded are the runs table's columns a runs table an older
		// version created lacks, each with its type.
		"runsAdded": func() []dialects.Column {
			var out []dialects.Column
			for _, c := range catalog.RunsAdded {
				out = append(out, dialects.Column{Name: c, Type: ColumnType(d, catalog.Runs.KindOf(c))})
			}
			return out
		},
		"addColumn": d.AddColumn,
		"preamble":  d.Preamble,
		"micros":    d.Micros,
		"seconds":   d.Seconds,
		"days":      d.Days,
		"minus":     d.MinusMicros,
		// keepWatermark keeps a table's watermark for an incremental run's
		// source scans ("" where the dialect has no variables); watermark
		// reads it.
		"keepWatermark": func(pos int) string { set, _ := since(d, tbl, pos); return set },
		"watermark":     func(pos int) string { _, get := since(d, tbl, pos); return get },
		"md5":           d.MD5Hex,
		"concat":        d.Concat,
		"localdate":     func(expr string) string { return d.LocalDate(expr, x.Timezone) },
		"properties":    func() string { return propertyList(d, x.Properties) },
		"propertyCount": func() string {
			return propertyCount(d, x.Properties)
		},
		"countif": d.CountIf,
		"sumbig":  d.SumBigint,
		"now":     d.Now,
		// runStart is when the run starts: the engine's clock, or the
		// time RenderAt was given.
		"runStart": func() string {
			if x.start.IsZero() {
				return d.Now()
			}
			return "CAST(" + d.Literal(x.start.UTC().Format("2006-01-02 15:04:05.000000")) + " AS " + d.Type(catalog.Timestamp) + ")"
		},
		"same":     d.Same,
		"distinct": d.Distinct,
		"args":     args,
		// keys is a table's key columns, comma separated; counts its other
		// columns (the counts of daily_metrics and daily_channels).
		"keys": func(table string) (string, error) {
			t, err := spec(table, nil)
			return strings.Join(t.Key, ", "), err
		},
		"counts": func(table string) ([]string, error) {
			t, err := spec(table, nil)
			var out []string
			for _, c := range t.ColumnNames() {
				if !slices.Contains(t.Key, c) {
					out = append(out, c)
				}
			}
			return out, err
		},
		// enrichment (docs/enrichment.md)
		"timeout":  en.timeout,
		"isBot":    en.isBot,
		"lower":    en.lower,
		"urlQuery": en.query,
		"urlParam": en.param,
		"decoded":  en.decoded,
		"host":     en.host,
		"fence":    d.Fence,
		"channel":  en.channel,
		// enriched are the staged events' columns beyond §3.1's, each after
		// a comma and prefix: the referrer and the pass-through columns.
		"enriched": func(prefix string) string {
			var b strings.Builder
			b.WriteString(", " + prefix + "referrer")
			for _, c := range x.PassThrough {
				b.WriteString(", " + prefix + c.Col)
			}
			return b.String()
		},
		// functions are the statements that create the SQL functions the
		// dialect calls in the output schema (see dialects.Functions), each
		// ended, one string, so that no ; inside a body splits it.
		"functions": func() string {
			var b strings.Builder
			for _, f := range dialects.Functions(d, x.Schema) {
				b.WriteString("\n" + f + ";")
			}
			return b.String()
		},
	}
	for name, f := range v.funcs() {
		m[name] = f
	}
	return m
}

// args builds a map from key, value pairs, to pass several values to a
// named template.
func args(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("args: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("args: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

func splitKey(key []string) []string {
	var out []string
	for _, k := range key {
		for _, p := range strings.Split(k, ",") {
			out = append(out, strings.TrimSpace(p))
		}
	}
	return out
}

// propertyList is an aggregate over a group of rows with a property column:
// the properties the group holds, sorted by bytes and joined with ','
// (semantics §4 contact_sessions.properties). The model's properties are known
// when rendering, so it tests one flag per property, in their sorted order,
// which costs a small fraction of a DISTINCT aggregate.
func propertyList(d dialects.Dialect, properties []string) string {
	parts := make([]string, 0, len(properties)+1)
	for _, p := range properties {
		parts = append(parts, fmt.Sprintf("CASE WHEN %s THEN %s ELSE '' END",
			holds(d, p), d.Text(d.Literal(","+p))))
	}
	parts = append(parts, "''")
	return "substr(\n      " + strings.Join(parts, " ||\n      ") + ",\n      2\n    )"
}

// propertyCount is an aggregate: how many distinct properties a group holds.
func propertyCount(d dialects.Dialect, properties []string) string {
	parts := make([]string, 0, len(properties))
	for _, p := range properties {
		parts = append(parts, "CASE WHEN "+holds(d, p)+" THEN 1 ELSE 0 END")
	}
	return "(\n      " + strings.Join(parts, " +\n      ") + "\n    )"
}

// holds is an aggregate condition: the group has a row of property p.
func holds(d dialects.Dialect, p string) string {
	return d.CountIf("property = "+d.Text(d.Literal(p))) + " > 0"
}
