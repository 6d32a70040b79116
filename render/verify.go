package render

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/sessionize/sessionize/catalog"
	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/models"
)

// Verification is what `sessionize verify` runs (semantics §5): a full run of the
// model into a scratch schema, then one comparison per output table of the
// published rows with the recomputed ones. The published outputs are only
// read.
type Verification struct {
	// Schema is the scratch schema the outputs are recomputed in.
	Schema string
	// Drop drops the scratch schema and everything in it.
	Drop string
	// Steps are the full run's files, into the scratch schema.
	Steps []File
	// Sample, with a sample, runs after the step named SampleAfter: it
	// chooses the sampled contacts and cuts the recomputation down to them.
	// SampleStatements are its statements (see File.Statements).
	Sample, SampleAfter string
	SampleStatements    []string
	// Tables are the comparisons: every output, or with a sample the
	// per-contact ones.
	Tables []Comparison
}

// Comparison compares one output table with its recomputation.
type Comparison struct {
	Table        string
	Columns, Key []string
	// Count is one row: the rows compared on each side (published,
	// recomputed).
	Count string
	// Differences are the rows one side has more often than the other, with
	// the output's columns and then those two counts, in key order.
	Differences string
}

// maxIdent is the longest name PostgreSQL keeps; a longer one it cuts
// short, silently.
const maxIdent = 63

// VerifySchema is the scratch schema of an output schema: <schema>__verify,
// or, where that would be too long to keep, the schema's name cut short
// with a hash of the whole of it, so it never names another schema.
func VerifySchema(schema string) string {
	const suffix = "__verify"
	if len(schema)+len(suffix) <= maxIdent {
		return schema + suffix
	}
	sum := md5.Sum([]byte(schema))
	tag := "_" + hex.EncodeToString(sum[:4])
	return schema[:maxIdent-len(suffix)-len(tag)] + tag + suffix
}

// verifyData is the dot of the verify templates: the model's data with the
// scratch schema as its schema.
type verifyData struct {
	*data
	d         dialects.Dialect
	published string
	// Sample is how many contacts a sample has; 0 compares them all.
	Sample int
}

// Published is a table of the published outputs.
func (v verifyData) Published(table string) string {
	return v.d.Table(v.published, table)
}

// Bytes is a text expression that sorts by bytes, as every text column.
func (v verifyData) Bytes(expr string) string { return v.d.Text(expr) }

// verifyTable is the dot of one table's comparison.
type verifyTable struct {
	verifyData
	Table, Order string
	// Side and Source are one side of the comparison (see With).
	Side, Source string
}

// With is the comparison's side p (published) or r (recomputed).
func (v verifyTable) With(side string) verifyTable {
	v.Side = side
	v.Source = v.Published(v.Table)
	if side == "r" {
		v.Source = v.d.Table(v.Schema, v.Table)
	}
	return v
}

// Verify renders what `sessionize verify` runs for model m on dialect d:
// all contacts, or with sample > 0 that many of them.
func Verify(m *models.Model, d dialects.Dialect, sample int) (*Verification, error) {
	scratch := *m
	scratch.Output.Schema = VerifySchema(m.Output.Schema)
	steps, err := Render(&scratch, d, Full)
	if err != nil {
		return nil, err
	}
	x, err := newData(&scratch, d, Full)
	if err != nil {
		return nil, err
	}
	p := &placeholders{}
	set, err := parse(d, p.funcs(funcs(d, x)))
	if err != nil {
		return nil, err
	}
	v := verifyData{data: x, d: d, published: m.Output.Schema, Sample: sample}
	var last File
	exec := func(name string, dot any) (string, error) {
		var buf bytes.Buffer
		if err := set.ExecuteTemplate(&buf, name, dot); err != nil {
			return "", fmt.Errorf("render %s: %w", name, err)
		}
		last = p.file(name+".sql", buf.String())
		return last.SQL, nil
	}
	out := &Verification{Schema: scratch.Output.Schema, Steps: steps}
	if out.Drop, err = exec("verify_drop", v); err != nil {
		return nil, err
	}
	if sample > 0 {
		if out.Sample, err = exec("verify_sample", v); err != nil {
			return nil, err
		}
		out.SampleStatements = last.Statements
		out.SampleAfter = "02_identity"
	}
	for _, t := range catalog.OutputsWith(m.Enrichment.PassThrough) {
		if sample > 0 && t.KindOf("contact_id") == "" {
			continue // not per contact: a sample cannot compare it
		}
		c := Comparison{Table: t.Name, Key: t.Key, Columns: t.ColumnNames()}
		order := make([]string, len(t.Key))
		for i, k := range t.Key {
			order[i] = d.Quote(k) + " NULLS FIRST"
		}
		dot := verifyTable{verifyData: v, Table: t.Name, Order: strings.Join(order, ", ")}
		if c.Count, err = exec("verify_count", dot); err != nil {
			return nil, err
		}
		if c.Differences, err = exec("verify_differences", dot); err != nil {
			return nil, err
		}
		out.Tables = append(out.Tables, c)
	}
	return out, nil
}
