package models

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

var (
	dialects   = []string{string(DuckDB), string(Postgres), string(ClickHouse)}
	targetKeys = []string{"dialect", "path", "dsn", "memory_limit", "threads"}
	// dialectKeys are the keys each dialect's targets may use.
	dialectKeys = map[DialectName][]string{
		DuckDB:     {"dialect", "path", "memory_limit", "threads"},
		Postgres:   {"dialect", "dsn"},
		ClickHouse: {"dialect", "dsn"},
	}
	varName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// memoryLimit is a size DuckDB's memory_limit setting accepts.
	memoryLimit = regexp.MustCompile(`(?i)^[0-9]+(\.[0-9]+)?\s*(b|bytes|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)$`)
)

// targets reads the `targets:` mapping into m.Targets. A ${VAR} that is not
// set does not fail the load: it fails m.Target for that target only, so a
// model with a warehouse target still runs locally without its secrets.
func (p *problems) targets(f field, m *Model, lookup func(string) (string, bool)) {
	m.targetsAt = p.pos(f.key)
	n := f.val
	if isNull(n) || (n.Kind == yaml.MappingNode && len(n.Content) == 0) {
		p.at(n, "targets is empty (want at least one, e.g. local: {dialect: duckdb})")
		return
	}
	if n.Kind != yaml.MappingNode {
		p.at(n, "targets must be a mapping of name to target, got %s", describe(n))
		return
	}
	m.Targets = map[string]Target{}
	for _, tf := range p.pairs(n) {
		name := tf.key.Value
		if !nameRe.MatchString(name) || len(name) > maxIdent {
			p.at(tf.key, "bad target name %s (want up to %d letters, digits, _ and -)", shown(name), maxIdent)
		}
		t, unset := p.target(tf.val, name, filepath.Dir(m.Path), lookup)
		m.Targets[name] = t
		if len(unset) > 0 {
			if m.targetErrs == nil {
				m.targetErrs = map[string]Errors{}
			}
			m.targetErrs[name] = unset
		}
	}
}

// target reads one target; unset lists its ${VAR}s missing from the environment.
func (p *problems) target(n *yaml.Node, name, dir string, lookup func(string) (string, bool)) (t Target, unset Errors) {
	t.Name = name
	what := "target " + shown(name)
	fs := p.fields(n, what, targetKeys...)
	if fs == nil {
		return t, nil
	}
	p.require(n, fs, what, "dialect")
	df, ok := fs["dialect"]
	if !ok {
		return t, nil
	}
	d, ok := p.str(df.val, "dialect")
	if !ok {
		return t, nil
	}
	t.Dialect = DialectName(d)
	allowed, ok := dialectKeys[t.Dialect]
	if !ok {
		p.at(df.val, "unknown dialect %s for %s (want %s)", shown(d), what, oneOf(dialects, "or"))
		return t, nil
	}
	for _, k := range targetKeys {
		if f, has := fs[k]; has && !contains(allowed, k) {
			p.at(f.key, "%s is not used by %s targets (want %s)", k, d, oneOf(allowed, "or"))
		}
	}
	// value reads a key's text with ${VAR}s expanded; ok is false when it is
	// absent, bad, or uses an unset variable (recorded in unset).
	value := func(key string) (string, *yaml.Node, bool) {
		f, has := fs[key]
		if !has || !contains(allowed, key) {
			return "", nil, false
		}
		s, ok := p.str(f.val, what+" "+key)
		if !ok {
			return "", nil, false
		}
		out, missing, err := expand(s, lookup)
		if err != nil {
			p.at(f.val, "%s in %s %s (write ${NAME} with letters, digits and _)", err, what, key)
			return "", nil, false
		}
		for _, v := range missing {
			e := p.pos(f.val)
			e.Msg = fmt.Sprintf("environment variable %s is not set (targets.%s.%s uses ${%s})", bare(v), bare(name), key, bare(v))
			unset = append(unset, e)
		}
		return out, f.val, len(missing) == 0
	}
	switch t.Dialect {
	case DuckDB:
		t.Path = DefaultDuckDBPath
		if s, vn, ok := value("path"); ok {
			t.Path = s
			if s == "" {
				p.at(vn, "path of %s is empty (want a database file, e.g. %s)", what, DefaultDuckDBPath)
			}
		}
		if t.Path != "" && t.Path != ":memory:" && !filepath.IsAbs(t.Path) {
			t.Path = filepath.Join(dir, t.Path)
		}
		if s, vn, ok := value("memory_limit"); ok {
			t.MemoryLimit = s
			if !memoryLimit.MatchString(s) {
				p.at(vn, "bad memory_limit %s for %s (want a size such as 512MB, 2GB or 4GiB)", shown(s), what)
			}
		}
		if s, vn, ok := value("threads"); ok {
			n, err := strconv.Atoi(s)
			t.Threads = n
			if err != nil || n <= 0 {
				p.at(vn, "bad threads %s for %s (want a whole number greater than zero)", shown(s), what)
			}
		}
	case Postgres, ClickHouse:
		if _, has := fs["dsn"]; !has {
			p.at(n, "%s target %s is missing required key \"dsn\" (e.g. dsn: \"${PG_DSN}\")", d, shown(name))
		}
		if s, vn, ok := value("dsn"); ok {
			t.DSN = s
			if strings.TrimSpace(s) == "" {
				p.at(vn, "dsn of %s is empty", what)
			}
			// chdb://DIR is ClickHouse in-process on a data directory,
			// relative to the model file's folder like a DuckDB path.
			if dir2, ok := strings.CutPrefix(s, "chdb://"); ok && t.Dialect == ClickHouse && dir2 != "" && !filepath.IsAbs(dir2) {
				t.DSN = "chdb://" + filepath.Join(dir, dir2)
			}
		}
	}
	return t, unset
}

// expand replaces each ${NAME} in s with its value from lookup; plain $ and
// $NAME are left alone, so DSN passwords may contain $. It returns the names
// that are not set.
func expand(s string, lookup func(string) (string, bool)) (string, []string, error) {
	var b strings.Builder
	var missing []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), missing, nil
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return "", nil, fmt.Errorf("unterminated ${")
		}
		name := s[i+2 : i+j]
		if !varName.MatchString(name) {
			return "", nil, fmt.Errorf("bad variable ${%s}", bare(name))
		}
		if v, ok := lookup(name); ok {
			b.WriteString(v)
		} else if !contains(missing, name) {
			missing = append(missing, name)
		}
		s = s[i+j+1:]
	}
}

// defaultTarget sets m.DefaultTarget from `default_target:`, or to the only
// target when there is one. A model with several targets and no default is
// valid: each command then needs --target (Model.Target says so).
func (p *problems) defaultTarget(fs map[string]field, m *Model) {
	names := m.targetNames()
	f, ok := fs["default_target"]
	if !ok {
		if len(names) == 1 {
			m.DefaultTarget = names[0]
		}
		return
	}
	s, ok := p.str(f.val, "default_target")
	if !ok {
		return
	}
	m.DefaultTarget = s
	if _, ok := m.Targets[s]; !ok && m.Targets != nil {
		p.at(f.val, "default_target %s is not a target (want %s)", shown(s), oneOf(bareAll(names), "or"))
	}
}

// pos is n's position, for errors raised after loading.
func (p *problems) pos(n *yaml.Node) Error {
	return Error{File: p.file, Line: n.Line, Col: n.Column}
}

// targetNames lists the targets, sorted.
func (m *Model) targetNames() []string {
	names := make([]string, 0, len(m.Targets))
	for n := range m.Targets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Target returns the target called name, or the default target when name is
// "". It fails, as Errors, for an unknown name and for a target whose
// ${VAR}s are not set in the environment.
func (m *Model) Target(name string) (Target, error) {
	if name == "" {
		name = m.DefaultTarget
	}
	t, ok := m.Targets[name]
	if !ok {
		if name == "" {
			return Target{}, errAt(m.targetsAt, "the model has no default target (want --target with one of %s)", oneOf(bareAll(m.targetNames()), "or"))
		}
		return Target{}, errAt(m.targetsAt, "unknown target %s (want %s)", shown(name), oneOf(bareAll(m.targetNames()), "or"))
	}
	if errs := m.targetErrs[name]; len(errs) > 0 {
		return Target{}, append(Errors(nil), errs...)
	}
	if errs := m.FilesOn(t.Dialect, "target "+t.Name+" is "+string(t.Dialect)); len(errs) > 0 {
		return Target{}, errs
	}
	return t, nil
}

// FilesOn are the model's file sources (paths and globs that DuckDB reads
// itself), each an error at its position, when dialect d is not DuckDB: no
// other engine reads files, so the model cannot run there, and retrying
// will not help. where says what is on d ("target warehouse is postgres").
func (m *Model) FilesOn(d DialectName, where string) Errors {
	if d == DuckDB {
		return nil
	}
	var errs Errors
	for _, r := range m.Reads() {
		if IsFileTable(r.Table) {
			at := r.At
			at.Msg = fmt.Sprintf("%s is a file: files are read only on duckdb, and %s (load it into a table there, or use a duckdb target)", shown(r.Table), where)
			errs = append(errs, at)
		}
	}
	return errs
}
