package models

import (
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// problems collects positioned errors while a model file is walked, so the
// user sees every problem of one file at once.
type problems struct {
	file string
	errs Errors
}

// at records a problem at n's position (1:1 when n is nil).
func (p *problems) at(n *yaml.Node, format string, args ...any) {
	line, col := 1, 1
	if n != nil && n.Line > 0 {
		line, col = n.Line, n.Column
	}
	p.errs = append(p.errs, Error{File: p.file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
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
// resolved and YAML merge keys (`<<: *anchor`) expanded; a key written
// twice is reported and only its first value kept.
func (p *problems) pairs(n *yaml.Node) []field {
	var out []field
	seen := map[string]*yaml.Node{}
	var walk func(m *yaml.Node, merged bool)
	walk = func(m *yaml.Node, merged bool) {
		var merges []*yaml.Node
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := deref(m.Content[i]), deref(m.Content[i+1])
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
					p.at(k, "duplicate key %q (first at line %d)", k.Value, first.Line)
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
					if s = deref(s); s.Kind == yaml.MappingNode {
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
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		p.at(n, "%s must be a mapping, got %s", what, describe(n))
		return nil
	}
	out := map[string]field{}
	for _, f := range p.pairs(n) {
		if !contains(allowed, f.key.Value) {
			p.at(f.key, "unknown key %q in %s (want %s)", f.key.Value, what, oneOf(allowed, "or"))
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
			p.at(deref(m), "%s is missing required key %q", what, k)
		}
	}
}

// list checks that n is a sequence and returns its items, aliases resolved.
func (p *problems) list(n *yaml.Node, what string) ([]*yaml.Node, bool) {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		p.at(n, "%s must be a list, got %s", what, describe(n))
		return nil, false
	}
	items := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		items[i] = deref(c)
	}
	return items, true
}

// str checks that n is a non-null scalar and returns its text.
func (p *problems) str(n *yaml.Node, what string) (string, bool) {
	n = deref(n)
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
