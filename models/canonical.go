package models

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// plain matches values written without quotes in the canonical text; every
// other value is Go-quoted, so each line stays one line and no two models
// share a text.
var plain = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_./:*-]*$`)

// Canonical is the model's semantic content as text, one `key: value` per
// line in a fixed order, with defaults filled in: version, name, sources
// (with their tables, filters and columns, in order), identifies, sessions,
// lifecycle, timezone and output schema. Targets are left out: where a model
// runs does not change what it computes. Model.Hash is its SHA-256, and
// callers may store it to say later which lines changed.
func (m *Model) Canonical() string {
	var b strings.Builder
	line := func(key string, v string) { fmt.Fprintf(&b, "%s: %s\n", key, v) }
	line("version", strconv.Itoa(m.Version))
	line("name", quote(m.Name))
	for _, s := range m.Sources {
		k := "sources." + quote(s.Name)
		line(k+".type", quote(string(s.Type)))
		if s.Type == Asset {
			line(k+".class", quote(s.Class))
		}
		if s.InactivityTimeout > 0 {
			line(k+".inactivity_timeout", Duration(s.InactivityTimeout))
		}
		for i, t := range s.Tables {
			tk := fmt.Sprintf("%s.tables[%d]", k, i)
			line(tk+".table", quote(t.Table))
			if t.Filter != "" {
				line(tk+".filter", quote(t.Filter))
			}
			c := t.Columns
			for _, kv := range [][2]string{
				{"event_id", c.EventID}, {"timestamp", c.Timestamp}, {"user_id", c.UserID},
				{"anonymous_id", c.AnonymousID}, {"loaded_at", c.LoadedAt},
				{"event", c.Event}, {"url", c.URL},
			} {
				line(tk+".columns."+kv[0], columnText(kv[1]))
			}
			// The enrichment columns are written only where mapped, so a
			// model without them keeps the hash it had before they existed.
			for _, kv := range [][2]string{{"referrer", c.Referrer}, {"user_agent", c.UserAgent}} {
				if kv[1] != "" {
					line(tk+".columns."+kv[0], quote(kv[1]))
				}
			}
			for i, name := range m.Enrichment.PassThrough {
				line(tk+".columns."+quote(name), columnText(c.PassThrough[i]))
			}
		}
	}
	for i, t := range m.Identifies {
		tk := fmt.Sprintf("identifies[%d]", i)
		line(tk+".table", quote(t.Table))
		if t.Filter != "" {
			line(tk+".filter", quote(t.Filter))
		}
		c := t.Columns
		for _, kv := range [][2]string{
			{"id", c.ID}, {"user_id", c.UserID}, {"anonymous_id", c.AnonymousID},
			{"timestamp", c.Timestamp}, {"loaded_at", c.LoadedAt},
		} {
			line(tk+".columns."+kv[0], columnText(kv[1]))
		}
	}
	line("sessions.inactivity_timeout", Duration(m.Sessions.InactivityTimeout))
	line("sessions.cross_property_window", Duration(m.Sessions.CrossPropertyWindow))
	line("sessions.late_window", Duration(m.Sessions.LateWindow))
	if m.Sessions.MaxDuration > 0 {
		line("sessions.max_duration", Duration(m.Sessions.MaxDuration))
	}
	line("lifecycle.lookback", Duration(m.Lifecycle.Lookback))
	line("timezone", quote(m.Timezone))
	line("output.schema", quote(m.Output.Schema))
	for i, name := range m.Enrichment.PassThrough {
		line(fmt.Sprintf("pass_through[%d]", i), quote(name))
	}
	if !slices.EqualFunc(m.Enrichment.Channels, DefaultChannels(), ChannelRule.equal) {
		for i, r := range m.Enrichment.Channels {
			k := fmt.Sprintf("channels[%d]", i)
			line(k+".channel", quote(r.Channel))
			for _, kv := range []struct {
				key      string
				patterns []string
			}{{"source", r.Source}, {"medium", r.Medium}, {"campaign", r.Campaign}, {"referrer", r.Referrer}} {
				if kv.patterns != nil {
					line(k+"."+kv.key, patternsText(kv.patterns))
				}
			}
		}
	}
	if len(m.Enrichment.Bots) > 0 {
		line("bots", patternsText(m.Enrichment.Bots))
	}
	return b.String()
}

// quote writes s bare when that is unambiguous, else Go-quoted; "null" is
// quoted so it differs from an absent column.
func quote(s string) string {
	if plain.MatchString(s) && s != "null" {
		return s
	}
	return strconv.Quote(s)
}

// patternsText is a list of patterns, each quoted.
func patternsText(patterns []string) string {
	q := make([]string, len(patterns))
	for i, p := range patterns {
		q[i] = strconv.Quote(p)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func (r ChannelRule) equal(o ChannelRule) bool {
	return r.Channel == o.Channel && slices.Equal(r.Source, o.Source) && slices.Equal(r.Medium, o.Medium) &&
		slices.Equal(r.Campaign, o.Campaign) && slices.Equal(r.Referrer, o.Referrer)
}

// columnText is a column name, or null for a column the table lacks.
func columnText(name string) string {
	if name == "" {
		return "null"
	}
	return quote(name)
}
