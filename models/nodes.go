package models

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// problems collects positioned errors while a model file is walked, so the
// user sees every problem of one file at once.
type problems struct {
	file string
	errs Errors
	// via holds, for each node the walk reached through an alias, where
	// its value is written (follow); the node itself carries the position
	// of the alias's use.
	via map[*yaml.Node]written
	// steps counts the nodes the walk has followed, budget bounds them:
	// aliases let a small file name a huge tree (a "billion laughs").
	steps, budget int
}

// written is where the value behind an alias is written.
type written struct {
	anchor       string
	line, column int
}

// errBudget ends a walk that followed more nodes than its budget allows.
var errBudget = errors.New("alias budget spent")

// at records a problem at n's position (1:1 when n is nil). A node reached
// through an alias is reported at the alias, naming where its value is.
func (p *problems) at(n *yaml.Node, format string, args ...any) {
	line, col := 1, 1
	if n != nil && n.Line > 0 {
		line, col = n.Line, n.Column
	}
	msg := fmt.Sprintf(format, args...)
	if w, ok := p.via[n]; ok {
		msg += fmt.Sprintf(" (through alias *%s, written at line %d, column %d)", bare(w.anchor), w.line, w.column)
	}
	p.errs = append(p.errs, Error{File: p.file, Line: line, Col: col, Msg: msg})
}

// follow resolves n, a child of parent (nil for none), to the node the walk
// goes on with: aliases are followed, and a node reached through one (or
// inside a node that was) is a copy of it placed at the alias, so its
// problems point at where the alias is used. Every call spends one step
// of the walk's budget; past it the walk ends (errBudget).
func (p *problems) follow(n, parent *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	p.steps++
	if p.budget > 0 && p.steps > p.budget {
		p.at(n, "the model's aliases expand to more than %d nodes (want the repeated parts written out, or fewer aliases of large anchors)", p.budget)
		panic(errBudget)
	}
	use, inside := p.via[parent]
	var at *yaml.Node
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		if at == nil && !inside {
			at, use = n, written{anchor: n.Value}
		}
		n = n.Alias
	}
	if at == nil && !inside {
		return n
	}
	c := *n
	if at != nil {
		c.Line, c.Column = at.Line, at.Column
	} else {
		c.Line, c.Column = parent.Line, parent.Column
	}
	use.line, use.column = n.Line, n.Column
	if p.via == nil {
		p.via = map[*yaml.Node]written{}
	}
	p.via[&c] = use
	return &c
}

// sorted returns the problems in file order, without repeats.
func (p *problems) sorted() Errors {
	es := append(Errors(nil), p.errs...)
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Line != es[j].Line {
			return es[i].Line < es[j].Line
		}
		return es[i].Col < es[j].Col
	})
	out := es[:0]
	for i, e := range es {
		if i > 0 && e == es[i-1] {
			continue
		}
		out = append(out, e)
	}
	return out
}

// maxShown is how many characters of a value from the model a message
// repeats: a value can be as long as the file. It is more than an
// identifier may have (63 bytes), so the message about one too long still
// shows it whole.
const maxShown = 100

// shown is a value from the model as a message quotes it: Go-quoted, and
// cut after maxShown characters with an ellipsis and its length in bytes
// ("aaaa…" (16777216 bytes)).
func shown(s string) string {
	head, cut := cutAt(s, maxShown)
	if !cut {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%s (%d bytes)", strconv.Quote(head+"…"), len(s))
}

// bare is a value from the model as a message shows it without quotes (a
// name in a list, a path to write), cut like shown; a value that is not
// printable text on one line is quoted like shown instead.
func bare(s string) string {
	if !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return shown(s)
	}
	return clipped(s, maxShown)
}

// clipped is s unquoted, cut like shown after max characters.
func clipped(s string, max int) string {
	head, cut := cutAt(s, max)
	if !cut {
		return s
	}
	return fmt.Sprintf("%s… (%d bytes)", head, len(s))
}

// cutAt is the first max characters of s (bytes that are not UTF-8 count
// one each), and whether s has more.
func cutAt(s string, max int) (string, bool) {
	if len(s) <= max {
		return s, false
	}
	i := 0
	for n := 0; n < max && i < len(s); n++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i], i < len(s)
}

// field is one key/value pair of a YAML mapping.
type field struct {
	key, val *yaml.Node
}

// deref follows aliases to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is absent or YAML null (`key:` or `key: null`).
func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// describe names a node's kind for messages: "a list", "a string", ...
func describe(n *yaml.Node) string {
	n = deref(n)
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	}
	switch n.ShortTag() {
	case "!!null":
		return "null"
	case "!!int", "!!float":
		return "a number"
	case "!!bool":
		return "a boolean"
	}
	return "a string"
}

// pairs returns the entries of mapping n in file order, with aliases
// followed and YAML merge keys (`<<: *anchor`) expanded; a key written
// twice is reported and only its first value kept. n has been followed.
func (p *problems) pairs(n *yaml.Node) []field {
	var out []field
	seen := map[string]*yaml.Node{}
	var walk func(m *yaml.Node, merged bool)
	walk = func(m *yaml.Node, merged bool) {
		var merges []*yaml.Node
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := p.follow(m.Content[i], m), p.follow(m.Content[i+1], m)
			if k.Kind != yaml.ScalarNode {
				p.at(k, "a key must be a plain name, got %s", describe(k))
				continue
			}
			if k.ShortTag() == "!!merge" {
				merges = append(merges, v)
				continue
			}
			if first, dup := seen[k.Value]; dup {
				if !merged {
					p.at(k, "duplicate key %s (first at line %d)", shown(k.Value), first.Line)
				}
				continue
			}
			seen[k.Value] = k
			out = append(out, field{k, v})
		}
		// Keys written in the mapping itself win over merged ones, as in YAML 1.1.
		for _, v := range merges {
			switch {
			case v.Kind == yaml.MappingNode:
				walk(v, true)
			case v.Kind == yaml.SequenceNode:
				for _, s := range v.Content {
					if s = p.follow(s, v); s.Kind == yaml.MappingNode {
						walk(s, true)
					} else {
						p.at(s, "a merge (<<) takes mappings, got %s", describe(s))
					}
				}
			default:
				p.at(v, "a merge (<<) takes a mapping, got %s", describe(v))
			}
		}
	}
	walk(n, false)
	return out
}

// fields checks that n is a mapping whose keys are all in allowed and returns
// its entries by key; what names the mapping in messages ("source", ...).
// It returns nil (and reports) when n is not a mapping.
func (p *problems) fields(n *yaml.Node, what string, allowed ...string) map[string]field {
	if n == nil || n.Kind != yaml.MappingNode {
		p.at(n, "%s must be a mapping, got %s", what, describe(n))
		return nil
	}
	out := map[string]field{}
	for _, f := range p.pairs(n) {
		if !contains(allowed, f.key.Value) {
			p.at(f.key, "unknown key %s in %s (want %s)", shown(f.key.Value), what, oneOf(allowed, "or"))
			continue
		}
		out[f.key.Value] = f
	}
	return out
}

// require reports each of keys that fs lacks, at the mapping m.
func (p *problems) require(m *yaml.Node, fs map[string]field, what string, keys ...string) {
	for _, k := range keys {
		if _, ok := fs[k]; !ok {
			p.at(m, "%s is missing required key %q", what, k)
		}
	}
}

// list checks that n is a sequence and returns its items, followed.
func (p *problems) list(n *yaml.Node, what string) ([]*yaml.Node, bool) {
	if n == nil || n.Kind != yaml.SequenceNode {
		p.at(n, "%s must be a list, got %s", what, describe(n))
		return nil, false
	}
	items := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		items[i] = p.follow(c, n)
	}
	return items, true
}

// str checks that n is a non-null scalar and returns its text.
func (p *problems) str(n *yaml.Node, what string) (string, bool) {
	if isNull(n) {
		p.at(n, "%s is empty (want a string)", what)
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		p.at(n, "%s must be a string, got %s", what, describe(n))
		return "", false
	}
	return n.Value, true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// oneOf joins words as "a, b or c".
func oneOf(words []string, conj string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " " + conj + " " + words[len(words)-1]
}

// bareAll is names, each bare, for a message that lists them.
func bareAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = bare(n)
	}
	return out
}
