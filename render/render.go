// Package render turns a model and a dialect into the ordered SQL files of
// the pipeline. It is pure: no database, no clock, no randomness, so the
// same model renders byte for byte the same SQL.
package render

import (
	"bytes"
	"fmt"
	"maps"
	"strings"
	"text/template"
	"time"

	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/models"
	"github.com/sessionize/sessionize/templates"
)

// Mode is a full refresh or an incremental run (semantics §5).
type Mode string

// The two run modes.
const (
	Full        Mode = "full"
	Incremental Mode = "incremental"
)

// File is one rendered step: a numbered, commented SQL file.
type File struct {
	Name string // e.g. "03_sessions.sql"
	SQL  string
	// Statements are the file's statements in order, each with the
	// comments before it, for a runner to execute one by one (see
	// placeholders: they are never split out of SQL again).
	Statements []string
}

// Steps are the pipeline's steps in the order they run. Step 0 runs on its
// own (it records the run as started); steps 1-7 run in one transaction.
var Steps = []string{
	"00_setup", "01_staging", "02_identity", "03_sessions", "04_lifecycle",
	"05_contact_sessions", "06_daily_metrics", "07_finish",
}

// Render writes every step of the model for dialect d in the given mode.
func Render(m *models.Model, d dialects.Dialect, mode Mode) ([]File, error) {
	return RenderAt(m, d, mode, time.Time{})
}

// RenderAt is Render for a run that starts at the given time instead of
// at the engine's clock (zero: the engine's clock). A run's start bounds
// the watermarks it leaves (semantics §5), so tests of load times that run
// ahead of the clock give it; the rest of the SQL is the same.
func RenderAt(m *models.Model, d dialects.Dialect, mode Mode, start time.Time) ([]File, error) {
	data, err := newData(m, d, mode)
	if err != nil {
		return nil, err
	}
	data.start = start
	p := &placeholders{}
	set, err := parse(d, p.funcs(funcs(d, data)))
	if err != nil {
		return nil, err
	}
	hidden := p.hide(data)
	files := make([]File, 0, len(Steps))
	for _, step := range Steps {
		data.Step, hidden.Step = step, step
		var buf bytes.Buffer
		if err := set.ExecuteTemplate(&buf, step, hidden); err != nil {
			return nil, fmt.Errorf("render %s: %w", step, err)
		}
		files = append(files, p.file(step+".sql", buf.String()))
	}
	return files, nil
}

// parse loads the base templates and then the dialect's own redefinitions,
// on a clone, so one engine's shapes never leak into another's.
//
// Two functions work on the set itself: include is a template's text (so
// that indent can place it inside the parentheses it is inlined in), and
// indent moves every line of a text but the empty ones right by n spaces.
func parse(d dialects.Dialect, fm template.FuncMap) (*template.Template, error) {
	var set *template.Template
	fm = maps.Clone(fm)
	fm["include"] = func(name string, data any) (string, error) {
		var b bytes.Buffer
		err := set.ExecuteTemplate(&b, name, data)
		return b.String(), err
	}
	fm["indent"] = indent
	base, err := template.New("sessionize").Option("missingkey=error").
		Funcs(fm).ParseFS(templates.FS, "*.sql.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	set = base
	if own, _ := templates.FS.ReadDir(d.Name()); len(own) > 0 {
		if set, err = base.Clone(); err != nil {
			return nil, err
		}
		if set, err = set.ParseFS(templates.FS, d.Name()+"/*.sql.tmpl"); err != nil {
			return nil, err
		}
	}
	return set, nil
}

// indent moves each line of s that is not empty right by n spaces.
func indent(n int, s string) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "\n")
}

// tidy trims trailing spaces and ends the file with one newline.
func tidy(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n") + "\n"
}
