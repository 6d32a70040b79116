package models

import (
	"fmt"
	"regexp"
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
	line("lifecycle.lookback", Duration(m.Lifecycle.Lookback))
	line("timezone", quote(m.Timezone))
	line("output.schema", quote(m.Output.Schema))
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

// columnText is a column name, or null for a column the table lacks.
func columnText(name string) string {
	if name == "" {
		return "null"
	}
	return quote(name)
}
