package models

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/sessionize/sessionize/catalog"
)

// Enrichment is what the optional keys of docs/enrichment.md §2.1 add to a
// model: columns passed through from each session's first event, the
// channel rules and the bot patterns.
type Enrichment struct {
	// PassThrough names the extra sessions columns, in the listed order.
	PassThrough []string
	// Channels are the rules naming a session's channel, first match
	// wins; the default list when the model has none.
	Channels []ChannelRule
	// Bots are the user-agent patterns whose rows are rejected as `bot`.
	Bots []string
}

// ChannelRule names a channel when each of its conditions holds. A nil
// condition is not checked; a condition holds when one of its patterns
// matches (Match).
type ChannelRule struct {
	Channel                            string
	Source, Medium, Campaign, Referrer []string
}

// None is the pattern that matches an absent value.
const None = "(none)"

// Unassigned is the channel of a session that no rule names.
const Unassigned = "Unassigned"

// DefaultChannels is the channel list a model without `channels:` uses
// (docs/enrichment.md §3.6), close to the usual default channel grouping.
func DefaultChannels() []ChannelRule {
	social := []string{"facebook.com", "*.facebook.com", "instagram.com", "*.instagram.com",
		"linkedin.com", "*.linkedin.com", "lnkd.in", "t.co", "twitter.com", "x.com",
		"reddit.com", "*.reddit.com", "news.ycombinator.com", "pinterest.*", "*.pinterest.*",
		"youtube.com", "*.youtube.com"}
	socialSources := append([]string{"facebook", "instagram", "linkedin", "twitter", "x",
		"reddit", "hackernews", "youtube"}, social...)
	email := []string{"email", "e-mail", "e_mail", "newsletter"}
	return []ChannelRule{
		{Channel: "Direct", Source: []string{None}, Medium: []string{None}, Referrer: []string{None}},
		{Channel: "Paid Search", Medium: []string{"cpc", "ppc", "paidsearch", "paid-search", "paid_search", "sem"}},
		{Channel: "Paid Social", Medium: []string{"paid-social", "paidsocial", "paid_social", "social-paid", "social_paid"}},
		{Channel: "Display", Medium: []string{"display", "banner", "cpm", "expandable", "interstitial"}},
		{Channel: "Affiliates", Medium: []string{"affiliate", "affiliates"}},
		{Channel: "Email", Medium: email},
		{Channel: "Email", Source: email},
		{Channel: "Email", Referrer: []string{"mail.google.com", "com.google.android.gm", "outlook.live.com", "mail.yahoo.com"}},
		{Channel: "Organic Social", Medium: []string{"social", "social-network", "social-media", "sm", "organic-social"}},
		{Channel: "Organic Social", Source: socialSources},
		{Channel: "Organic Social", Referrer: social},
		{Channel: "Organic Search", Medium: []string{"organic"}},
		{Channel: "Organic Search", Referrer: []string{"google.*", "*.google.*", "bing.com", "*.bing.com",
			"duckduckgo.com", "search.yahoo.com", "yandex.*", "baidu.com", "*.baidu.com", "ecosia.org", "*.ecosia.org", "search.brave.com"}},
		{Channel: "Referral", Medium: []string{"referral"}},
		{Channel: "Referral", Referrer: []string{"*"}},
	}
}

// maxPassThrough is the longest pass-through name: the staged events keep
// the column as pass_<name>, which must fit an identifier too.
const maxPassThrough = maxIdent - len(catalog.PassPrefix)

// passThroughRe is the shape of a pass-through column's name on sessions.
var passThroughRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// reservedNames are the names a pass-through column may not take: the
// columns sessions has without pass-through ones (catalog.Outputs), the
// model columns a table maps under `columns:`, where the name would be
// ambiguous, and gen, which ClickHouse's versioned tables add for the run
// that wrote a row.
var reservedNames = func() []string {
	sessions, _ := catalog.Output("sessions")
	return slices.Concat(sessions.ColumnNames(), []string{"event_id", "timestamp", "user_id",
		"anonymous_id", "loaded_at", "event", "url", "referrer", "user_agent", "gen"})
}()

// passThrough reads `pass_through:`, a list of column names.
func (p *problems) passThrough(n *yaml.Node) []string {
	if isNull(n) {
		return nil
	}
	items, ok := p.list(n, "pass_through")
	if !ok {
		return nil
	}
	var out []string
	for _, item := range items {
		name, ok := p.str(item, "pass_through column")
		if !ok {
			continue
		}
		lower := strings.ToLower(name)
		switch {
		case !passThroughRe.MatchString(name) || len(name) > maxPassThrough:
			p.at(item, "bad pass_through column %s (want up to %d letters, digits and _, starting with a letter)", shown(name), maxPassThrough)
		case contains(reservedNames, lower):
			p.at(item, "pass_through column %s is already a column of sessions or of the model (want another name; map it under a table's columns:)", shown(name))
		case slices.ContainsFunc(out, func(o string) bool { return strings.ToLower(o) == lower }):
			p.at(item, "pass_through column %s is listed twice", shown(name))
		default:
			out = append(out, name)
		}
	}
	return out
}

// channels reads `channels:`, the ordered channel rules.
func (p *problems) channels(n *yaml.Node) []ChannelRule {
	items, ok := p.list(n, "channels")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		p.at(n, "channels is empty (want at least one rule, or no channels key for the default list)")
		return nil
	}
	var out []ChannelRule
	for _, item := range items {
		// `- defaults` puts the default list here, so that a model can add
		// rules before or after it without copying it.
		if item.Kind == yaml.ScalarNode && item.Value == "defaults" {
			out = append(out, DefaultChannels()...)
			continue
		}
		fs := p.fields(item, "channel rule", "channel", "source", "medium", "campaign", "referrer")
		if fs == nil {
			continue
		}
		p.require(item, fs, "channel rule", "channel")
		var r ChannelRule
		if f, ok := fs["channel"]; ok {
			if s, ok := p.str(f.val, "channel"); ok {
				r.Channel = s
				if why := labelProblem(s, false); why != "" {
					p.at(f.val, "bad channel name %s: %s", shown(s), why)
				}
			}
		}
		for key, dst := range map[string]*[]string{"source": &r.Source, "medium": &r.Medium, "campaign": &r.Campaign, "referrer": &r.Referrer} {
			if f, ok := fs[key]; ok {
				*dst = p.patterns(f.val, "channel rule "+key)
			}
		}
		out = append(out, r)
	}
	return out
}

// bots reads `bots:`, the user-agent patterns.
func (p *problems) bots(n *yaml.Node) []string {
	if isNull(n) {
		return nil
	}
	bots := p.patterns(n, "bots")
	for _, b := range bots {
		if b == None || strings.Trim(b, "*") == "" {
			p.at(n, "bots pattern %s would match every user agent (want a part of the user agents to reject, such as bot)", shown(b))
		}
	}
	return bots
}

// patterns reads one pattern or a list of them (docs/enrichment.md §2.1).
func (p *problems) patterns(n *yaml.Node, what string) []string {
	items := []*yaml.Node{n}
	if n != nil && n.Kind == yaml.SequenceNode {
		items, _ = p.list(n, what)
		if len(items) == 0 {
			p.at(n, "%s is an empty list (want at least one pattern)", what)
		}
	}
	out := []string{}
	for _, item := range items {
		s, ok := p.str(item, what+" pattern")
		if !ok {
			continue
		}
		if why := patternProblem(s); why != "" {
			p.at(item, "bad %s pattern %s: %s", what, shown(s), why)
			continue
		}
		out = append(out, s)
	}
	return out
}

// patternProblem says why s cannot be a pattern, or "" when it can.
func patternProblem(s string) string {
	switch {
	case s == "":
		return "it is empty (write (none) to match an absent value)"
	case len(s) > 200:
		return fmt.Sprintf("it is %d bytes long (want at most 200)", len(s))
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "it contains a control character"
	}
	return ""
}

// timeouts reads each source's own inactivity_timeout and checks them
// against each other and the model's windows: sources of one property must
// agree, the cross-property window must be at least the largest, and
// max_duration longer than every one.
func (p *problems) timeouts(m *Model, at map[string]*yaml.Node, maxAt *yaml.Node) {
	byProperty := map[string]string{}
	for _, s := range m.Sources {
		if s.InactivityTimeout == 0 {
			continue
		}
		prop := s.Property()
		if first, ok := byProperty[prop]; ok {
			t := m.sourceNamed(first).InactivityTimeout
			if t != s.InactivityTimeout {
				p.at(at[s.Name], "source %s sets inactivity_timeout %s, but source %s of the same property %s sets %s (want one timeout per property)",
					shown(s.Name), Duration(s.InactivityTimeout), shown(first), bare(prop), Duration(t))
			}
			continue
		}
		byProperty[prop] = s.Name
		if w := m.Sessions.CrossPropertyWindow; w > 0 && s.InactivityTimeout > w {
			p.at(at[s.Name], "source %s's inactivity_timeout %s is longer than sessions.cross_property_window %s (want the window at least as long as every timeout)",
				shown(s.Name), Duration(s.InactivityTimeout), Duration(w))
		}
	}
	if d := m.Sessions.MaxDuration; d > 0 {
		for _, prop := range m.Properties() {
			if t := m.Timeout(prop); t >= d {
				p.at(maxAt, "sessions.max_duration %s is not longer than the inactivity timeout %s of %s (want it longer)", Duration(d), Duration(t), bare(prop))
				return
			}
		}
	}
}

func (m *Model) sourceNamed(name string) Source {
	for _, s := range m.Sources {
		if s.Name == name {
			return s
		}
	}
	return Source{}
}

// Properties are the model's properties, each once, in the order of their
// first source.
func (m *Model) Properties() []string {
	var out []string
	for _, s := range m.Sources {
		if !slices.Contains(out, s.Property()) {
			out = append(out, s.Property())
		}
	}
	return out
}

// Timeout is the inactivity timeout of a property: the one its sources set,
// else the model's.
func (m *Model) Timeout(property string) time.Duration {
	for _, s := range m.Sources {
		if s.Property() == property && s.InactivityTimeout > 0 {
			return s.InactivityTimeout
		}
	}
	return m.Sessions.InactivityTimeout
}
