package render

import (
	"fmt"
	"strings"

	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/models"
)

// The SQL of docs/enrichment.md: a property's timeout, bot patterns, a url's
// campaign parameters, a referrer's host and the channel rules.

// Patterns the dialects read alike (dialects.Dialect.RegexpGroup).
const (
	// queryPattern is a url's query string: after the first ? and before
	// the first #, where no # comes before that ?.
	queryPattern = `^[^#?]*[?]([^#]*)`
	// hostPattern is the host of a url with a scheme: after scheme:// and
	// any user@, up to the first /, ?, # or :.
	hostPattern = `^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)`
)

// paramPattern is the value of the first query-string part whose key is
// name (a fixed utm_* name: no character a pattern treats specially).
func paramPattern(name string) string {
	return `(?:^|&)` + name + `(?:=([^&]*))?(?:&|$)`
}

// enrichment writes the SQL of the model's enrichment keys.
type enrichment struct {
	d      dialects.Dialect
	m      *models.Model
	schema string
}

// timeout is the inactivity timeout of the property in the SQL expression
// property, in microseconds: one constant, or a CASE when sources set their
// own (docs/enrichment.md §2.1).
func (e enrichment) timeout(property string) string {
	def := e.m.Sessions.InactivityTimeout
	constant := func(p string) string {
		t := e.m.Timeout(p)
		return fmt.Sprintf("%d /* %s */", t.Microseconds(), models.Duration(t))
	}
	var whens []string
	for _, p := range e.m.Properties() {
		if e.m.Timeout(p) != def {
			whens = append(whens, "WHEN "+e.d.Literal(p)+" THEN "+constant(p))
		}
	}
	if len(whens) == 0 {
		return fmt.Sprintf("%d /* %s */", def.Microseconds(), models.Duration(def))
	}
	return "CASE " + property + " " + strings.Join(whens, " ") +
		fmt.Sprintf(" ELSE %d /* %s */ END", def.Microseconds(), models.Duration(def))
}

// lower lower-cases the ASCII letters of a text expression, the same way on
// every engine (dialects.Dialect.LowerASCII).
func (e enrichment) lower(expr string) string { return e.d.LowerASCII(expr) }

// isBot is the condition that the lower-cased user agent in expr holds a
// bots: pattern; "false" without patterns. A NULL user agent is no bot.
// The patterns make one regular expression, so that each row's user agent
// is matched once.
func (e enrichment) isBot(expr string) string {
	bots := e.m.Enrichment.Bots
	if len(bots) == 0 {
		return "false"
	}
	alts := make([]string, len(bots))
	for i, p := range bots {
		var b strings.Builder
		for _, r := range lowerASCII(strings.Trim(p, "*")) {
			switch {
			case r == '*':
				b.WriteString(".*")
			case strings.ContainsRune(`\.+?()[]{}|^$`, r):
				b.WriteString(`\` + string(r))
			default:
				b.WriteRune(r)
			}
		}
		alts[i] = b.String()
	}
	return "coalesce(" + e.d.RegexpGroup(expr, "("+strings.Join(alts, "|")+")") + " <> '', false)"
}

// matches is the condition that the lower-cased text expr matches one of
// patterns (docs/enrichment.md §2.1): IS NULL for (none), IN for the
// patterns without *, LIKE for each of the others.
func (e enrichment) matches(expr string, patterns []string) string {
	var or, equal []string
	for _, p := range patterns {
		switch p = lowerASCII(p); {
		case p == strings.ToLower(models.None):
			or = append(or, expr+" IS NULL")
		case !strings.Contains(p, "*"):
			equal = append(equal, e.d.Literal(p))
		case strings.Trim(p, "*") == "":
			or = append(or, expr+" IS NOT NULL")
		default:
			like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`, `*`, `%`).Replace(p)
			or = append(or, e.d.Like(expr, like))
		}
	}
	switch len(equal) {
	case 0:
	case 1:
		or = append([]string{expr + " = " + equal[0]}, or...)
	default:
		or = append([]string{expr + " IN (" + strings.Join(equal, ", ") + ")"}, or...)
	}
	if len(or) == 1 {
		return or[0]
	}
	return "(" + strings.Join(or, " OR ") + ")"
}

// query is the query string of the url in expr (NULL or "" without one).
func (e enrichment) query(expr string) string {
	return e.d.RegexpGroup(expr, queryPattern)
}

// param is the value of the query-string parameter name in the query
// string expr as written: "" or NULL when absent (decoded decodes it).
func (e enrichment) param(query, name string) string {
	return e.d.RegexpGroup(query, paramPattern(name))
}

// decoded is a parameter's value decoded, NULL when absent or empty.
func (e enrichment) decoded(raw string) string {
	return "NULLIF(" + e.d.URLDecode(raw, e.schema) + ", '')"
}

// host is the lower-cased host of the referrer in expr, NULL without one.
func (e enrichment) host(expr string) string {
	return "NULLIF(" + e.lower(e.d.RegexpGroup(expr, hostPattern)) + ", '')"
}

// channel is the CASE that names a session's channel from its lower-cased
// utm_source, utm_medium and utm_campaign and referrer host, each a
// column, one rule a line.
func (e enrichment) channel(source, medium, campaign, host string) string {
	var b strings.Builder
	b.WriteString("CASE")
	for _, r := range e.m.Enrichment.Channels {
		var and []string
		for _, c := range []struct {
			expr     string
			patterns []string
		}{{source, r.Source}, {medium, r.Medium}, {campaign, r.Campaign}, {host, r.Referrer}} {
			if c.patterns != nil {
				and = append(and, e.matches(c.expr, c.patterns))
			}
		}
		cond := "true"
		if len(and) > 0 {
			cond = strings.Join(and, " AND ")
		}
		fmt.Fprintf(&b, "\n    WHEN %s THEN %s", cond, e.d.Literal(r.Channel))
	}
	fmt.Fprintf(&b, "\n    ELSE %s\n  END", e.d.Literal(models.Unassigned))
	return b.String()
}

// lowerASCII lower-cases ASCII letters only, as lower does in SQL.
func lowerASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}
