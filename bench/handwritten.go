package bench

import (
	"context"
	"embed"
	"fmt"
	"io"
	"strings"
	"text/template"
	"time"

	"github.com/sessionize/sessionize/render"
	"github.com/sessionize/sessionize/run"
)

// handwrittenFiles hold the hand-written chain, one file per engine: what
// an analytics engineer would write instead of sessionize for the demo's
// model, so the bench can say what sessionize's full run costs beyond it.
//
//go:embed handwritten/*.sql
var handwrittenFiles embed.FS

// handwrittenSchema is where the chain writes its tables (a database on
// ClickHouse); on PostgreSQL it gets the bench's prefix, like the others.
const handwrittenSchema = "handwritten"

// chainStep is one statement of the hand-written chain.
type chainStep struct {
	Name string
	SQL  string
}

// StepTimes are one step of the hand-written chain, timed each repeat.
type StepTimes struct {
	Name          string    `json:"name"`
	Seconds       []float64 `json:"seconds"`
	MedianSeconds float64   `json:"median_seconds"`
}

// chainSchema is the schema the chain writes into on this place.
func (p *place) chainSchema() string {
	if p.prefix != "" {
		return p.prefix + "_" + handwrittenSchema
	}
	return handwrittenSchema
}

// chainTable is the quoted name of a table of the chain.
func (p *place) chainTable(name string) string {
	return p.d.Quote(p.chainSchema()) + "." + p.d.Quote(name)
}

// chain renders the engine's file of the hand-written chain into its steps.
// {{src "schema" "table"}} is a table of the demo (on PostgreSQL, in the
// bench's prefixed schema), and must be one the model reads, so the chain
// cannot drift from the model unnoticed; {{out "name"}} is a table of the
// chain and {{schema}} its schema.
func (p *place) chain() ([]chainStep, error) {
	name := "handwritten/" + string(p.target.Dialect) + ".sql"
	text, err := handwrittenFiles.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("bench: no hand-written chain for %s", p.target.Dialect)
	}
	funcs := template.FuncMap{
		"schema": func() string { return p.d.Quote(p.chainSchema()) },
		"out":    p.chainTable,
		"src":    p.sourceTable,
	}
	t, err := template.New(name).Option("missingkey=error").Funcs(funcs).Parse(string(text))
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	var b strings.Builder
	if err := t.Execute(&b, nil); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	return splitSteps(name, b.String())
}

// sourceTable is the reference to the demo's table schema.table as the
// model's runs read it: on PostgreSQL in the bench's prefixed schema.
func (p *place) sourceTable(schema, table string) (string, error) {
	if p.prefix != "" {
		schema = p.prefix + "_" + schema
	}
	name := schema + "." + table
	for _, s := range p.model.Sources {
		for _, t := range s.Tables {
			if t.Table == name {
				return p.d.Relation(t.Table, render.EventColumns(t.Columns))
			}
		}
	}
	for _, t := range p.model.Identifies {
		if t.Table == name {
			return p.d.Relation(t.Table, render.IdentifyColumns(t.Columns))
		}
	}
	return "", fmt.Errorf("%s is not a table of the model (%s)", name, strings.Join(p.modelTables(), ", "))
}

// splitSteps cuts a chain's text at its "-- step: NAME" lines. Each step is
// one statement (a semicolon ends a line only at its end, or inside a
// dollar-quoted function body); what comes before the first step is
// comments.
func splitSteps(file, text string) ([]chainStep, error) {
	var steps []chainStep
	var body []string
	flush := func() error {
		if len(steps) == 0 {
			return nil
		}
		sql := strings.TrimSuffix(strings.TrimSpace(strings.Join(body, "\n")), ";")
		if sql == "" || strings.Contains(withoutDollarQuotes(sql), ";\n") {
			return fmt.Errorf("bench: %s: step %s must be one statement", file, steps[len(steps)-1].Name)
		}
		steps[len(steps)-1].SQL = sql
		return nil
	}
	for i, line := range strings.Split(text, "\n") {
		if name, ok := strings.CutPrefix(line, "-- step: "); ok {
			if err := flush(); err != nil {
				return nil, err
			}
			steps = append(steps, chainStep{Name: strings.TrimSpace(name)})
			body = body[:0]
			continue
		}
		if len(steps) == 0 {
			if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "--") {
				return nil, fmt.Errorf("bench: %s:%d: a statement before the first step", file, i+1)
			}
			continue
		}
		body = append(body, line)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if len(steps) == 0 {
		return nil, fmt.Errorf("bench: %s has no steps", file)
	}
	return steps, nil
}

// withoutDollarQuotes is sql without its dollar-quoted strings ($$…$$,
// $tag$…$tag$): a PostgreSQL function's body, whose semicolons end the
// body's statements, not the step's.
func withoutDollarQuotes(sql string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(sql, '$')
		if i < 0 {
			break
		}
		j := strings.IndexByte(sql[i+1:], '$')
		if j < 0 {
			break
		}
		tag := sql[i : i+j+2]
		if strings.Trim(tag[1:len(tag)-1], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != "" {
			b.WriteString(sql[:i+1])
			sql = sql[i+1:]
			continue
		}
		k := strings.Index(sql[i+len(tag):], tag)
		if k < 0 {
			break
		}
		b.WriteString(sql[:i])
		sql = sql[i+len(tag)+k+len(tag):]
	}
	b.WriteString(sql)
	return b.String()
}

// handwritten runs the hand-written chain once, each step a statement of
// its own committed by itself, as a dbt run does, and timed into times
// (one entry per step, in order). The time measured into m includes opening
// and closing the target, as a sessionize run's does.
func (p *place) handwritten(ctx context.Context, m *Measure, steps []chainStep, times []StepTimes, w io.Writer) error {
	return p.measure(m, func() error {
		s, _, err := run.OpenToWrite(ctx, p.model, p.target)
		if err != nil {
			return err
		}
		for i, st := range steps {
			start := time.Now()
			if _, err := s.Conn.ExecContext(ctx, st.SQL); err != nil {
				s.Close()
				return fmt.Errorf("hand-written step %s: %w", st.Name, err)
			}
			sec := time.Since(start).Seconds()
			times[i].Seconds = append(times[i].Seconds, sec)
			fmt.Fprintf(w, "  hand-written %-20s %7.2fs\n", st.Name, sec)
		}
		return s.Close()
	})
}
