package conformance

import (
	"cmp"
	"crypto/md5"
	"encoding/hex"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/models"
)

// id is the semantics §4 id of its parts, computed here independently of SQL.
func id(parts ...string) string {
	sum := md5.Sum([]byte(strings.Join(parts, "|")))
	return hex.EncodeToString(sum[:])
}

// check compares projected rows with what the case computed by hand.
func check(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if len(want) == 0 {
		want = nil
	}
	sort.Strings(want)
	if len(got) == 0 {
		got = nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\ngot  %q\nwant %q", what, got, want)
	}
}

// handCase is an event set whose outputs were worked out by hand.
type handCase struct {
	name     string
	timezone string
	// model and docsClass, when set, replace the model's name (test) and
	// the docs source's class (docs).
	model, docsClass string
	// maxDuration, when set, runs the case on the enriched model (enrich)
	// with sessions cut at it.
	maxDuration string
	events      []event
	ids         []identify
	verify      func(t *testing.T, f *fixture)
}

// rename gives the model a name and the docs source a class of the case's.
func (f *fixture) rename(model, docsClass string) {
	f.t.Helper()
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	src, err := os.ReadFile(f.model)
	if err != nil {
		f.t.Fatal(err)
	}
	text := string(src)
	if model != "" {
		text = strings.Replace(text, "\nname: test\n", "\nname: "+quote(model)+"\n", 1)
	}
	if docsClass != "" {
		text = strings.Replace(text, "class: docs\n", "class: "+quote(docsClass)+"\n", 1)
	}
	if err := os.WriteFile(f.model, []byte(text), 0o644); err != nil {
		f.t.Fatal(err)
	}
	if f.m, err = models.Load(f.model); err != nil {
		f.t.Fatal(err)
	}
	if f.m.Name != cmp.Or(model, "test") {
		f.t.Fatalf("model name %q, want %q", f.m.Name, model)
	}
}

var handCases = []handCase{
	{
		name: "gap of exactly 30:00 starts a session, 29:59.999999 does not",
		events: []event{
			{table: "app", id: "e1", ts: "2024-03-01 10:00:00", user: "u1", name: "Query Run"},
			{table: "app", id: "e2", ts: "2024-03-01 10:30:00", user: "u1", name: "Query Run"},
			{table: "app", id: "e3", ts: "2024-03-01 10:59:59.999999", user: "u1", name: "Report Viewed"},
		},
		verify: func(t *testing.T, f *fixture) {
			check(t, "sessions", f.columns("sessions", "session_id", "session_index", "session_start", "session_end", "duration_seconds", "event_count"),
				id("u1", "product", "e1")+"|1|2024-03-01 10:00:00|2024-03-01 10:00:00|0|1",
				id("u1", "product", "e2")+"|2|2024-03-01 10:30:00|2024-03-01 10:59:59.999999|1799.999999|2",
			)
			check(t, "contact_sessions", f.columns("contact_sessions", "contact_session_id", "session_index", "event_count", "session_count"),
				id("u1", "e1")+"|1|1|1",
				id("u1", "e2")+"|2|2|1",
			)
		},
	},
	{
		name: "timestamp ties are broken by event_id",
		events: []event{
			{table: "app", id: "b", ts: "2024-03-01 10:00:00", user: "u1", name: "Second", url: "/b"},
			{table: "app", id: "a", ts: "2024-03-01 10:00:00", user: "u1", name: "First", url: "/a"},
			{table: "app", id: "B", ts: "2024-03-01 10:00:00", user: "u2", name: "Upper"},
			{table: "app", id: "a", ts: "2024-03-01 10:00:00", user: "u2", name: "Lower", loaded: "2024-03-01 11:00:00"},
		},
		verify: func(t *testing.T, f *fixture) {
			// u2's "a" is a duplicate of u1's "a", loaded later: dropped.
			// Bytes order: "B" < "a" < "b".
			check(t, "sessions", f.columns("sessions", "session_id", "contact_id", "first_event", "first_url", "event_count"),
				id("u1", "product", "a")+"|u1|First|/a|2",
				id("u2", "product", "B")+"|u2|Upper||1",
			)
		},
	},
	{
		name: "duplicates across sources keep the earliest loaded, then the smallest source name",
		events: []event{
			{table: "web", id: "d1", ts: "2024-03-01 10:00:00", user: "u1", loaded: "2024-03-01 10:01:00"},
			{table: "app", id: "d1", ts: "2024-03-01 10:00:00", user: "u1", loaded: "2024-03-01 10:05:00"},
			{table: "docs", id: "d2", ts: "2024-03-01 12:00:00", user: "u1", loaded: "2024-03-01 12:01:00"},
			{table: "blog", id: "d2", ts: "2024-03-01 12:00:00", user: "u1", loaded: "2024-03-01 12:01:00"},
			{table: "web", id: "d3", ts: "2024-03-01 14:00:00", user: "u1", loaded: "2024-03-01 14:01:00"},
			{table: "web", id: "d3", ts: "2024-03-01 13:00:00", user: "u1", loaded: "2024-03-01 14:01:00"},
		},
		verify: func(t *testing.T, f *fixture) {
			check(t, "sessions", f.columns("sessions", "property", "property_type", "asset_class", "source", "session_start", "event_count"),
				"asset:articles|asset|articles|blog|2024-03-01 12:00:00|1",
				"marketing|marketing||web|2024-03-01 10:00:00|1",
				"marketing|marketing||web|2024-03-01 13:00:00|1",
			)
		},
	},
	{
		name: "empty strings are NULL; bad rows are rejected with the first reason",
		events: []event{
			{table: "app", id: "''", ts: "2024-03-01 10:00:00", user: "u1", loaded: "2024-03-01 10:00:01"},
			{table: "app", id: "", ts: "", user: "u1", loaded: "2024-03-01 10:00:02"},
			{table: "app", id: "r2", ts: "", user: "u1", loaded: "2024-03-01 10:00:03"},
			{table: "web", id: "r3", ts: "2024-03-01 10:00:04", user: "''", anon: "''"},
			{table: "web", id: "r3", ts: "2024-03-01 10:00:04", user: "''", anon: "''"},
			{table: "web", id: "ok", ts: "2024-03-01 10:00:05", user: "''", anon: "a1"},
		},
		verify: func(t *testing.T, f *fixture) {
			check(t, "rejected_events", f.columns("rejected_events", "event_id", "source", "timestamp", "loaded_at", "reason"),
				"|app|2024-03-01 10:00:00|2024-03-01 10:00:01|missing_event_id",
				"|app||2024-03-01 10:00:02|missing_event_id",
				"r2|app||2024-03-01 10:00:03|missing_timestamp",
				"r3|web|2024-03-01 10:00:04|2024-03-01 10:00:04|missing_identity",
				"r3|web|2024-03-01 10:00:04|2024-03-01 10:00:04|missing_identity",
			)
			check(t, "sessions", f.columns("sessions", "contact_id", "property", "event_count"), "a1|marketing|1")
		},
	},
	{
		name: "anonymous events are stitched to the user their anonymous_id maps to",
		events: []event{
			{table: "web", id: "w1", ts: "2024-03-01 09:00:00", anon: "a1", url: "/pricing"},
			{table: "web", id: "w2", ts: "2024-03-01 09:10:00", anon: "a1", url: "/signup"},
			{table: "app", id: "p1", ts: "2024-03-01 09:20:00", user: "u1", anon: "a1", name: "Account Created"},
			{table: "web", id: "w3", ts: "2024-03-01 08:00:00", anon: "a2"},
			{table: "docs", id: "w4", ts: "2024-03-01 08:00:00", anon: "a3"},
			{table: "docs", id: "w5", ts: "2024-03-01 08:00:00", anon: "a4"},
		},
		ids: []identify{
			{id: "i1", user: "u2", anon: "a2", ts: "2024-03-01 12:00:00"},
			{id: "x", user: "u3", anon: "a3", ts: "2024-03-01 12:00:00"},
			{id: "", user: "u4", anon: "a3", ts: "2024-03-01 11:00:00"},
			{id: "y", user: "u5", anon: "a3", ts: "2024-03-01 11:00:00"},
			{id: "i2", user: "", anon: "a4", ts: "2024-03-01 11:00:00"},
		},
		verify: func(t *testing.T, f *fixture) {
			check(t, "sessions", f.columns("sessions", "contact_id", "property", "event_count", "first_url", "user_lifecycle"),
				"a4|asset:docs|1||",
				"u1|marketing|2|/pricing|",
				"u1|product|1||new",
				"u2|marketing|1||",
				"u5|asset:docs|1||",
			)
			check(t, "contact_sessions", f.columns("contact_sessions", "contact_id", "properties", "is_cross_property", "entry_property", "entry_url", "has_product", "prompted_product", "user_lifecycle"),
				"a4|asset:docs|false|asset:docs||false|false|",
				"u1|marketing,product|true|marketing|/pricing|true|true|new",
				"u2|marketing|false|marketing||false|false|",
				"u5|asset:docs|false|asset:docs||false|false|",
			)
		},
	},
	{
		name: "marketing then product within 30 minutes is one prompted contact session",
		events: []event{
			{table: "web", id: "m1", ts: "2024-03-01 10:00:00", user: "u1", url: "/blog/post"},
			{table: "app", id: "p1", ts: "2024-03-01 10:20:00", user: "u1", name: "Report Viewed"},
			{table: "app", id: "p2", ts: "2024-03-01 10:25:00", user: "u1", name: "Query Run"},
			{table: "app", id: "p3", ts: "2024-03-01 10:26:00", user: "u1", name: "Query Run"},
			{table: "app", id: "p4", ts: "2024-03-01 10:27:00", user: "u1"},
		},
		verify: func(t *testing.T, f *fixture) {
			check(t, "contact_sessions", f.columns("contact_sessions", "contact_session_id", "session_start", "session_end", "duration_seconds", "event_count", "session_count", "properties", "is_cross_property", "entry_property", "entry_session_id", "entry_url", "has_product", "prompted_product", "user_lifecycle"),
				id("u1", "m1")+"|2024-03-01 10:00:00|2024-03-01 10:27:00|1620|5|2|marketing,product|true|marketing|"+id("u1", "marketing", "m1")+"|/blog/post|true|true|new",
			)
			check(t, "sessions", f.columns("sessions", "property", "contact_session_id"),
				"marketing|"+id("u1", "m1"),
				"product|"+id("u1", "m1"),
			)
			check(t, "prompted_events", f.columns("prompted_events", "day", "entry_property", "entry_url", "event", "contact_sessions", "contacts", "events", "new_user_sessions"),
				"2024-03-01|marketing|/blog/post|Query Run|1|1|2|1",
				"2024-03-01|marketing|/blog/post|Report Viewed|1|1|1|1",
			)
			check(t, "daily_metrics", f.columns("daily_metrics", "day", "property", "sessions", "contacts", "events", "new_user_sessions", "active_user_sessions", "resurrected_user_sessions", "cross_property_sessions"),
				"2024-03-01|marketing|1|1|1|0|0|0|1",
				"2024-03-01|product|1|1|4|1|0|0|1",
			)
		},
	},
	{
		name: "product then marketing is cross-property but not prompted",
		events: []event{
			{table: "app", id: "p1", ts: "2024-03-01 10:00:00", user: "u1", name: "Query Run"},
			{table: "web", id: "m1", ts: "2024-03-01 10:10:00", user: "u1"},
			{table: "web", id: "m2", ts: "2024-03-01 10:39:59.999999", user: "u1"},
			{table: "web", id: "m3", ts: "2024-03-01 11:09:59.999999", user: "u1"},
		},
		verify: func(t *testing.T, f *fixture) {
			check(t, "contact_sessions", f.columns("contact_sessions", "session_index", "properties", "is_cross_property", "entry_property", "has_product", "prompted_product", "session_count", "event_count"),
				// m3 comes exactly 30:00 after m2: a new session and contact session.
				"1|marketing,product|true|product|true|false|2|3",
				"2|marketing|false|marketing|false|false|1|1",
			)
			check(t, "prompted_events", f.columns("prompted_events", "event"))
		},
	},
	{
		name: "two asset classes are two properties",
		events: []event{
			{table: "docs", id: "d1", ts: "2024-03-01 10:00:00", user: "u1", url: "/docs/start"},
			{table: "blog", id: "b1", ts: "2024-03-01 10:05:00", user: "u1", url: "/blog/x"},
			{table: "docs", id: "d2", ts: "2024-03-01 10:06:00", user: "u1", url: "/docs/api"},
			{table: "app", id: "p1", ts: "2024-03-01 10:07:00", user: "u1", name: "Invite Sent"},
		},
		verify: func(t *testing.T, f *fixture) {
			check(t, "sessions", f.columns("sessions", "property", "property_type", "asset_class", "event_count", "first_url"),
				"asset:articles|asset|articles|1|/blog/x",
				"asset:docs|asset|docs|2|/docs/start",
				"product|product||1|",
			)
			check(t, "contact_sessions", f.columns("contact_sessions", "properties", "entry_property", "entry_url", "prompted_product"),
				"asset:articles,asset:docs,product|asset:docs|/docs/start|true",
			)
			check(t, "prompted_events", f.columns("prompted_events", "entry_property", "entry_url", "event", "events"),
				"asset:docs|/docs/start|Invite Sent|1",
			)
		},
	},
	{
		// Written into the SQL as literals, which ClickHouse escapes with a
		// backslash ('asset:it\'s; docs'): each statement must still be
		// cut where it ends, on every engine, full and incremental.
		name:      "a model name and an asset class that hold quotes, semicolons and a backslash",
		model:     `semi;colon \ back`,
		docsClass: "it's; docs",
		events: []event{
			{table: "docs", id: "d1", ts: "2024-03-01 10:00:00", user: "u1", url: "/docs/it's;x"},
			{table: "app", id: "p1", ts: "2024-03-01 10:05:00", user: "u1", name: "Invite Sent"},
		},
		verify: func(t *testing.T, f *fixture) {
			for _, run := range []string{"full", "incremental"} {
				if run == "incremental" {
					f.load([]event{{table: "docs", id: "d2", ts: "2024-03-02 10:00:00", user: "u1", url: "/docs/b"}}, nil)
					f.sessionize(0, "run")
				}
				sessions := []string{"asset:it's; docs|asset|it's; docs|1", "product|product||1"}
				if run == "incremental" {
					sessions = append(sessions, "asset:it's; docs|asset|it's; docs|1")
				}
				check(t, run+" sessions", f.columns("sessions", "property", "property_type", "asset_class", "event_count"), sessions...)
				check(t, run+" prompted_events", f.columns("prompted_events", "entry_property", "entry_url", "event", "events"),
					"asset:it's; docs|/docs/it's;x|Invite Sent|1",
				)
			}
			if got := f.runs(); len(got) != 2 || got[1].mode != "incremental" {
				t.Errorf("runs: got %v, want a full and an incremental one", got)
			}
		},
	},
	{
		name: "product sessions 30 days apart are active, 30 days + 1µs resurrected",
		events: []event{
			{table: "app", id: "s1", ts: "2024-01-01 10:00:00", user: "u1"},
			{table: "app", id: "s2", ts: "2024-01-31 10:00:00", user: "u1"},
			{table: "app", id: "s3", ts: "2024-03-01 10:00:00.000001", user: "u1"},
		},
		verify: func(t *testing.T, f *fixture) {
			check(t, "sessions", f.columns("sessions", "session_index", "user_lifecycle", "days_since_prev_product_session"),
				"1|new|",
				"2|active|30",
				"3|resurrected|30.000000000011575",
			)
			check(t, "daily_metrics", f.columns("daily_metrics", "day", "new_user_sessions", "active_user_sessions", "resurrected_user_sessions"),
				"2024-01-01|1|0|0",
				"2024-01-31|0|1|0",
				"2024-03-01|0|0|1",
			)
		},
	},
	{
		name:     "days are local dates in the model's time zone, across a DST change",
		timezone: "America/New_York",
		events: []event{
			{table: "web", id: "n1", ts: "2024-03-10 04:30:00", user: "u1"},
			{table: "web", id: "n2", ts: "2024-03-10 07:30:00", user: "u1"},
			{table: "web", id: "n3", ts: "2024-03-11 03:59:59.999999", user: "u1"},
			{table: "web", id: "n4", ts: "2024-03-11 04:00:00", user: "u2"},
		},
		verify: func(t *testing.T, f *fixture) {
			check(t, "daily_metrics", f.columns("daily_metrics", "day", "property", "sessions", "contacts"),
				"2024-03-09|marketing|1|1",
				"2024-03-10|marketing|2|1",
				"2024-03-11|marketing|1|1",
			)
		},
	},
	{
		name: "timestamps outside 1900 up to 2200 are invalid_timestamp, after the other reasons; such load times are none",
		events: []event{
			{table: "app", id: "t0", ts: "2024-03-01 10:00:00", user: "u1"},
			{table: "app", id: "t1", ts: "0001-01-01 00:00:00", user: "u1", loaded: "2024-03-01 10:00:01"},
			{table: "app", id: "t2", ts: "2300-01-01 00:00:00", user: "u1", loaded: "2024-03-01 10:00:02"},
			{table: "app", id: "t3", ts: "2200-01-01 00:00:00"},
			{table: "web", id: "t4", ts: "1900-01-01 00:00:00", user: "u2"},
			{table: "app", id: "t5", ts: "2024-03-01 10:05:00", user: "u1", loaded: "0001-01-01 00:00:00"},
			{table: "web", id: "t6", ts: "2024-03-01 10:06:00", loaded: "9999-12-31 23:59:59"},
			{table: "web", id: "t7", ts: "2024-03-01 10:00:00", anon: "a3"},
		},
		ids: []identify{{id: "i1", user: "u3", anon: "a3", ts: "2300-01-01 00:00:00"}},
		verify: func(t *testing.T, f *fixture) {
			check(t, "rejected_events", f.columns("rejected_events", "event_id", "source", "timestamp", "loaded_at", "reason"),
				"t1|app||2024-03-01 10:00:01|invalid_timestamp",
				"t2|app||2024-03-01 10:00:02|invalid_timestamp",
				"t3|app|||missing_identity",
				"t6|web|2024-03-01 10:06:00|2024-03-01 10:06:00|missing_identity",
			)
			check(t, "sessions", f.columns("sessions", "contact_id", "property", "session_start", "event_count"),
				"a3|marketing|2024-03-01 10:00:00|1",
				"u1|product|2024-03-01 10:00:00|2",
				"u2|marketing|1900-01-01 00:00:00|1",
			)
		},
	},
}

func TestHandBuiltCases(t *testing.T) { runHandCases(t, handCases) }

// runHandCases runs each case on every engine: a full run over its events,
// then its checks.
func runHandCases(t *testing.T, cases []handCase) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					f := setup(t, e, c.timezone)
					if c.model != "" || c.docsClass != "" {
						f.rename(c.model, c.docsClass)
					}
					if c.maxDuration != "" {
						f.enrich(c.maxDuration)
					}
					f.load(c.events, c.ids)
					f.sessionize(0, "run", "--full-refresh")
					c.verify(t, f)
				})
			}
		})
	}
}
