package models

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	// Timezones are checked with time.LoadLocation; the embedded database makes
	// the check (and the binary) independent of the host's zoneinfo.
	_ "time/tzdata"

	"gopkg.in/yaml.v3"
)

// Defaults of semantics §2.
const (
	DefaultInactivityTimeout   = 30 * time.Minute
	DefaultCrossPropertyWindow = 30 * time.Minute
	DefaultLateWindow          = 3 * day
	DefaultLookback            = 30 * day
	DefaultTimezone            = "UTC"
	DefaultSchema              = "sessionize"
	DefaultDuckDBPath          = "sessionize.duckdb"
)

// reservedPrefix starts the names of sessionize's own tables (state, staging);
// an output schema with it could be mistaken for them.
const reservedPrefix = "_sessionize"

var topKeys = []string{"version", "name", "sources", "identifies", "sessions",
	"lifecycle", "timezone", "output", "targets", "default_target",
	"pass_through", "channels", "bots"}

// MaxSize is the largest model file sessionize reads, in bytes. A model
// of thousands of sources is a few hundred KiB; the cap keeps a wrong -f
// (/dev/zero, a pipe, a data file) from being read without end.
const MaxSize = 1 << 20

// Load reads and validates the model file at path. Its errors are
// models.Errors (every problem, in file order) for a bad model, or the
// error of reading the file. It reads at most one byte past MaxSize, so a
// device or a pipe that never ends is refused too.
func Load(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return Parse(path, data)
}

// Parse validates the model in data. file is the path it was read from: it
// names the model in errors and Model.Path, and its folder is where relative
// DuckDB paths start. ${VAR}s in targets are read from the environment.
func Parse(file string, data []byte) (*Model, error) {
	return parse(file, data, os.LookupEnv)
}

func parse(file string, data []byte, lookup func(string) (string, bool)) (m *Model, err error) {
	p := &problems{file: file}
	if len(data) > MaxSize {
		line, col := position(data, MaxSize)
		p.at(&yaml.Node{Line: line, Column: col}, "the model is larger than %d bytes (1 MiB), the most sessionize reads; is -f the model file?", MaxSize)
		return nil, p.sorted()
	}
	if !p.text(data) {
		return nil, p.sorted()
	}
	root := p.document(data)
	if root == nil {
		return nil, p.sorted()
	}
	// Without aliases the walk follows each node about once: it may follow
	// as many nodes as the file has bytes, and then some.
	p.budget = len(data) + 100_000
	defer func() {
		if r := recover(); r != nil {
			if r != errBudget {
				panic(r)
			}
			m, err = nil, p.sorted()
		}
	}()
	m = &Model{Path: file}
	if !p.model(root, m, lookup) || len(p.errs) > 0 {
		return nil, p.sorted()
	}
	sum := sha256.Sum256([]byte(m.Canonical()))
	m.Hash = hex.EncodeToString(sum[:])
	return m, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// document parses data as one YAML document and returns its root node, or
// nil after reporting why there is none.
func (p *problems) document(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	err := dec.Decode(&doc)
	if errors.Is(err, io.EOF) || (err == nil && (len(doc.Content) == 0 || isNull(doc.Content[0]))) {
		p.at(nil, "the file is empty (want a mapping with version, name, sources and targets)")
		return nil
	}
	if err != nil {
		p.syntax(err)
		return nil
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		p.at(&extra, "a second YAML document (want the whole model in one)")
	case !errors.Is(err, io.EOF):
		p.syntax(err)
	}
	return p.follow(doc.Content[0], nil)
}

// text reports, at its line and column, the first byte of data that is not
// UTF-8 or a character YAML does not allow (go-yaml names neither's
// position); it returns false when there is one. A file that starts with a
// UTF-16 byte order mark is left to go-yaml, which reads UTF-16.
func (p *problems) text(data []byte) bool {
	if bytes.HasPrefix(data, []byte{0xFE, 0xFF}) || bytes.HasPrefix(data, []byte{0xFF, 0xFE}) {
		return true
	}
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		var why string
		switch {
		case r == utf8.RuneError && size <= 1:
			why = fmt.Sprintf("byte 0x%02X is not UTF-8 (want the model as UTF-8 text)", data[i])
		case !yamlAllows(r):
			why = fmt.Sprintf("control character %U is not allowed in YAML (write it escaped in a double-quoted string: \"\\u%04X\")", r, r)
		}
		if why != "" {
			line, col := position(data, i)
			p.at(&yaml.Node{Line: line, Column: col}, "%s", why)
			return false
		}
		i += size
	}
	return true
}

// yamlAllows reports whether r may appear in a YAML stream (YAML 1.2 c-printable).
func yamlAllows(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || (r >= 0x20 && r <= 0x7E) || r == 0x85 ||
		(r >= 0xA0 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// position is the line and column of data[offset] as go-yaml counts them:
// lines end at LF, CR, CRLF, NEL, LS and PS; columns count characters (a
// byte that is not UTF-8 as one) from 1; a leading byte order mark is not
// counted.
func position(data []byte, offset int) (line, col int) {
	line, col = 1, 1
	i := 0
	if bytes.HasPrefix(data, []byte("\uFEFF")) && offset >= 3 {
		i = 3
	}
	for i < offset && i < len(data) {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == '\r' && i+1 < len(data) && data[i+1] == '\n' && i+1 < offset:
			size++
			fallthrough
		case r == '\n' || r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029:
			line, col = line+1, 1
		default:
			col++
		}
		i += size
	}
	return line, col
}

// syntax reports a YAML syntax error at the line go-yaml names. (It names the
// start of the enclosing block for parser errors, not the bad line itself.)
func (p *problems) syntax(err error) {
	// go-yaml may quote the file (an unknown anchor's name): cut it.
	const maxSyntax = 200
	if sub := yamlLine.FindStringSubmatch(err.Error()); sub != nil {
		line, _ := strconv.Atoi(sub[1])
		p.at(&yaml.Node{Line: line, Column: 1}, "invalid YAML: %s", clipped(sub[2], maxSyntax))
		return
	}
	p.at(nil, "invalid YAML: %s", clipped(strings.TrimPrefix(err.Error(), "yaml: "), maxSyntax))
}

// model walks the top-level mapping into m; it returns false when the file
// is not a mapping at all.
func (p *problems) model(root *yaml.Node, m *Model, lookup func(string) (string, bool)) bool {
	fs := p.fields(root, "the model", topKeys...)
	if fs == nil {
		return false
	}
	p.require(root, fs, "the model", "version", "name", "sources", "targets")

	if f, ok := fs["version"]; ok {
		switch v := f.val; {
		case v.Kind != yaml.ScalarNode || isNull(v):
			p.at(v, "version must be 1, got %s", describe(v))
		case v.Value != "1":
			p.at(v, "unsupported version %s (want 1)", shown(v.Value))
		default:
			m.Version = 1
		}
	}
	if f, ok := fs["name"]; ok {
		if s, ok := p.str(f.val, "name"); ok {
			m.Name = s
			if why := labelProblem(s, false); why != "" {
				p.at(f.val, "bad model name %s: %s", shown(s), why)
			}
		}
	}
	if f, ok := fs["pass_through"]; ok {
		m.Enrichment.PassThrough = p.passThrough(f.val)
	}
	var timeoutAt map[string]*yaml.Node
	if f, ok := fs["sources"]; ok {
		m.Sources, timeoutAt = p.sources(f.val, m.Enrichment.PassThrough)
	}
	m.Enrichment.Channels = DefaultChannels()
	if f, ok := fs["channels"]; ok && !isNull(f.val) {
		m.Enrichment.Channels = p.channels(f.val)
	}
	if f, ok := fs["bots"]; ok {
		m.Enrichment.Bots = p.bots(f.val)
	}
	if f, ok := fs["identifies"]; ok && !isNull(f.val) {
		m.Identifies = p.identifies(f.val)
	}
	maxAt := p.sessions(fs["sessions"].val, m)
	p.timeouts(m, timeoutAt, maxAt)
	m.Lifecycle.Lookback = DefaultLookback
	if f, ok := fs["lifecycle"]; ok && !isNull(f.val) {
		if lf := p.fields(f.val, "lifecycle", "lookback"); lf != nil {
			m.Lifecycle.Lookback, _ = p.duration(lf["lookback"], "lifecycle.lookback", DefaultLookback)
		}
	}
	m.Timezone = DefaultTimezone
	if f, ok := fs["timezone"]; ok {
		if s, ok := p.str(f.val, "timezone"); ok {
			m.Timezone = s
			if _, err := time.LoadLocation(s); err != nil || s == "" || s == "Local" {
				p.at(f.val, "unknown timezone %s (want an IANA name such as UTC or Europe/Berlin)", shown(s))
			}
		}
	}
	m.Output.Schema = DefaultSchema
	if f, ok := fs["output"]; ok && !isNull(f.val) {
		if of := p.fields(f.val, "output", "schema"); of != nil {
			if sf, ok := of["schema"]; ok {
				if s, ok := p.str(sf.val, "output.schema"); ok {
					m.Output.Schema = s
					p.schema(sf.val, s)
				}
			}
		}
	}
	if f, ok := fs["targets"]; ok {
		p.targets(f, m, lookup)
	}
	p.defaultTarget(fs, m)
	return true
}

// schema checks the output schema name.
func (p *problems) schema(n *yaml.Node, s string) {
	if why := identProblem(s); why != "" {
		p.at(n, "bad output schema %s: it %s", shown(s), why)
	} else if strings.HasPrefix(strings.ToLower(s), reservedPrefix) {
		p.at(n, "output schema %s starts with %s, which is reserved for sessionize's own tables (want another name)", shown(s), reservedPrefix)
	}
}

// sessions reads the windows of semantics §3.3–§3.4 and §5 from n (nil or null
// for all defaults) and checks that the cross-property window is not
// shorter than the inactivity timeout. It returns where max_duration is
// written, nil when it is not.
func (p *problems) sessions(n *yaml.Node, m *Model) (maxAt *yaml.Node) {
	s := &m.Sessions
	s.InactivityTimeout, s.CrossPropertyWindow, s.LateWindow =
		DefaultInactivityTimeout, DefaultCrossPropertyWindow, DefaultLateWindow
	if isNull(n) {
		return nil
	}
	fs := p.fields(n, "sessions", "inactivity_timeout", "cross_property_window", "late_window", "max_duration")
	if fs == nil {
		return nil
	}
	timeout, tn := p.duration(fs["inactivity_timeout"], "sessions.inactivity_timeout", DefaultInactivityTimeout)
	window, wn := p.duration(fs["cross_property_window"], "sessions.cross_property_window", DefaultCrossPropertyWindow)
	s.LateWindow, _ = p.duration(fs["late_window"], "sessions.late_window", DefaultLateWindow)
	s.MaxDuration, maxAt = p.duration(fs["max_duration"], "sessions.max_duration", 0)
	s.InactivityTimeout, s.CrossPropertyWindow = timeout, window
	switch {
	case timeout <= 0 || window <= 0 || window >= timeout:
	case wn != nil:
		p.at(wn, "sessions.cross_property_window %s is shorter than sessions.inactivity_timeout %s (want it at least as long: every session must lie inside one contact session)",
			Duration(window), Duration(timeout))
	default:
		p.at(tn, "sessions.inactivity_timeout %s is longer than the default cross_property_window %s (set sessions.cross_property_window to at least %s)",
			Duration(timeout), Duration(window), Duration(timeout))
	}
	return maxAt
}

// duration reads a duration field, def when it is absent. It returns the
// value node too, nil when absent or bad, and 0 when bad.
func (p *problems) duration(f field, what string, def time.Duration) (time.Duration, *yaml.Node) {
	if f.val == nil {
		return def, nil
	}
	n := f.val
	if n.Kind != yaml.ScalarNode || isNull(n) {
		p.at(n, "%s must be a duration such as 30m or 3d, got %s", what, describe(n))
		return 0, nil
	}
	d, err := ParseDuration(n.Value)
	if err != nil {
		p.at(n, "bad duration %s for %s (%s)", shown(n.Value), what, durationForms)
		return 0, nil
	}
	if d <= 0 {
		p.at(n, "%s must be greater than zero, got %s", what, shown(n.Value))
		return 0, nil
	}
	return d, n
}

// errAt is an error positioned at a node the model remembered, for problems
// found after loading (a target asked for on the command line).
func errAt(at Error, format string, args ...any) Errors {
	at.Msg = fmt.Sprintf(format, args...)
	return Errors{at}
}
