package conformance

import (
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sessionize/sessionize/cli"
	"github.com/sessionize/sessionize/models"
)

// enrichment is the part of an enriched model (docs/enrichment.md) after the
// test model: every source table maps referrer and user_agent, plan is
// passed through, the product's timeout is 10 minutes and sessions are cut
// at max_duration.
const enrichment = `pass_through: [plan]
bots: [bot, "curl/"]
sessions:
  max_duration: %s
`

var sourceTable = regexp.MustCompile(`(?m)^      - table: .*\n`)

// enrich turns the fixture's model into an enriched one, sessions cut at
// maxDuration.
func (f *fixture) enrich(maxDuration string) {
	f.t.Helper()
	src, err := os.ReadFile(f.model)
	if err != nil {
		f.t.Fatal(err)
	}
	text := sourceTable.ReplaceAllString(string(src), "$0        columns: {referrer: referrer, user_agent: user_agent}\n")
	text = strings.Replace(text, "    type: product\n", "    type: product\n    inactivity_timeout: 10m\n", 1)
	text += strings.Replace(enrichment, "%s", maxDuration, 1)
	if err := os.WriteFile(f.model, []byte(text), 0o644); err != nil {
		f.t.Fatal(err)
	}
	if f.m, err = models.Load(f.model); err != nil {
		f.t.Fatalf("%v\n%s", err, text)
	}
}

// enrichedCases are hand-built cases of docs/enrichment.md, run on an
// enriched model with max_duration 2h.
var enrichedCases = []handCase{
	{
		name: "max_duration cuts a session at 2h from its start, and each piece again from its own",
		events: []event{
			{table: "web", id: "w01", ts: "2024-03-01 10:00:00", user: "m1"},
			{table: "web", id: "w02", ts: "2024-03-01 10:25:00", user: "m1"},
			{table: "web", id: "w03", ts: "2024-03-01 10:50:00", user: "m1"},
			{table: "web", id: "w04", ts: "2024-03-01 11:15:00", user: "m1"},
			{table: "web", id: "w05", ts: "2024-03-01 11:40:00", user: "m1"},
			{table: "web", id: "w06", ts: "2024-03-01 11:59:59.999999", user: "m1"},
			// at or after 12:00: the next piece starts here, at 12:10
			{table: "web", id: "w07", ts: "2024-03-01 12:10:00", user: "m1"},
			{table: "web", id: "w08", ts: "2024-03-01 12:35:00", user: "m1"},
			{table: "web", id: "w09", ts: "2024-03-01 13:00:00", user: "m1"},
			{table: "web", id: "w10", ts: "2024-03-01 13:25:00", user: "m1"},
			{table: "web", id: "w11", ts: "2024-03-01 13:50:00", user: "m1"},
			// before 12:10 + 2h: still the second piece (a cut every 2h from
			// the first start would have cut at 14:00)
			{table: "web", id: "w12", ts: "2024-03-01 14:05:00", user: "m1"},
			{table: "web", id: "w13", ts: "2024-03-01 14:10:00", user: "m1"},
		},
		verify: func(t *testing.T, f *fixture) {
			check(t, "sessions", f.columns("sessions", "session_id", "session_index", "session_start", "session_end", "duration_seconds", "event_count", "is_bounce"),
				id("m1", "marketing", "w01")+"|1|2024-03-01 10:00:00|2024-03-01 11:59:59.999999|7199.999999|6|false",
				id("m1", "marketing", "w07")+"|2|2024-03-01 12:10:00|2024-03-01 14:05:00|6900|6|false",
				id("m1", "marketing", "w13")+"|3|2024-03-01 14:10:00|2024-03-01 14:10:00|0|1|true",
			)
			check(t, "contact_sessions", f.columns("contact_sessions", "contact_session_id", "event_count", "session_count"),
				id("m1", "w01")+"|13|3",
			)
		},
	},
	{
		name: "a source's own inactivity_timeout: 10m on the product, 30m elsewhere",
		events: []event{
			{table: "app", id: "a1", ts: "2024-03-02 09:00:00", user: "t1", name: "Query Run"},
			{table: "app", id: "a2", ts: "2024-03-02 09:09:59.999999", user: "t1", name: "Query Run"},
			{table: "app", id: "a3", ts: "2024-03-02 09:20:00", user: "t1", name: "Query Run"},
			{table: "app", id: "a4", ts: "2024-03-02 09:30:00", user: "t1", name: "Query Run"},
			{table: "web", id: "w1", ts: "2024-03-02 09:00:00", user: "t1"},
			{table: "web", id: "w2", ts: "2024-03-02 09:29:59", user: "t1"},
		},
		verify: func(t *testing.T, f *fixture) {
			check(t, "sessions", f.columns("sessions", "property", "session_index", "event_count", "user_lifecycle"),
				"product|1|2|new", "product|2|1|active", "product|3|1|active",
				"marketing|1|2|",
			)
			check(t, "contact_sessions", f.columns("contact_sessions", "session_count", "event_count"), "4|6")
		},
	},
	{
		name: "campaign parameters of the first url: repeated keys, encodings, fragments, no query",
		events: []event{
			{table: "web", id: "q1", ts: "2024-03-03 10:00:00", user: "q1", url: "https://x.com/?utm_source=Google&utm_medium=CPC&utm_campaign=spring+sale%21"},
			{table: "web", id: "q2", ts: "2024-03-03 10:00:00", user: "q2", url: "/p?utm_source=a&utm_source=b&utm_medium=email"},
			{table: "web", id: "q3", ts: "2024-03-03 10:00:00", user: "q3", url: "/p#utm_source=frag"},
			{table: "web", id: "q4", ts: "2024-03-03 10:00:00", user: "q4", url: "/p?x=1&utm_campaign=a%20b#utm_source=frag"},
			{table: "web", id: "q5", ts: "2024-03-03 10:00:00", user: "q5", url: "/?utm_campaign=%E2%82&utm_term=%zz&utm_content=caf%C3%A9"},
			{table: "web", id: "q6", ts: "2024-03-03 10:00:00", user: "q6", url: "/?utm_source=&utm_medium&xutm_campaign=1&utm_content=%00x"},
			{table: "web", id: "q7", ts: "2024-03-03 10:00:00", user: "q7", url: "/p?utm_medium=foo"},
			{table: "web", id: "q8", ts: "2024-03-03 10:00:00", user: "q8", url: "/p?utm_term=a+b%2Bc&utm_content=%e2%82%ac"},
			{table: "web", id: "q9", ts: "2024-03-03 10:00:00", user: "q9", url: "/p"},
			// an overlong form and a surrogate are not UTF-8; an emoji is
			{table: "web", id: "qa", ts: "2024-03-03 10:00:00", user: "qa", url: "/?utm_campaign=%F0%9F%98%80&utm_term=%C0%AF&utm_content=%ED%A0%80"},
		},
		verify: func(t *testing.T, f *fixture) {
			check(t, "sessions", f.columns("sessions", "contact_id", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "channel"),
				"q1|Google|CPC|spring sale!|||Paid Search",
				"q2|a|email||||Email",
				"q3||||||Direct",
				"q4|||a b|||Direct",
				"q5|||%E2%82|%zz|café|Direct",
				"q6|||||%00x|Direct",
				"q7||foo||||Unassigned",
				"q8||||a b+c|€|Direct",
				"q9||||||Direct",
				"qa|||😀|%C0%AF|%ED%A0%80|Direct",
			)
		},
	},
	{
		name: "channel from the referrer's host, after the campaign's medium",
		events: []event{
			{table: "web", id: "r1", ts: "2024-03-04 10:00:00", user: "r1", ref: "https://www.google.com/search?q=x"},
			{table: "web", id: "r2", ts: "2024-03-04 10:00:00", user: "r2", ref: "https://t.co/abc"},
			{table: "web", id: "r3", ts: "2024-03-04 10:00:00", user: "r3", ref: "https://User@Partner.Example:8080/x"},
			{table: "web", id: "r4", ts: "2024-03-04 10:00:00", user: "r4", ref: "not a url"},
			{table: "web", id: "r5", ts: "2024-03-04 10:00:00", user: "r5", ref: "https://www.google.com/", url: "/?utm_medium=Email"},
			{table: "docs", id: "r6", ts: "2024-03-04 10:00:00", user: "r6", ref: "https://duckduckgo.com/"},
		},
		verify: func(t *testing.T, f *fixture) {
			check(t, "sessions", f.columns("sessions", "contact_id", "referrer", "channel"),
				"r1|https://www.google.com/search?q=x|Organic Search",
				"r2|https://t.co/abc|Organic Social",
				"r3|https://User@Partner.Example:8080/x|Referral",
				"r4|not a url|Direct",
				"r5|https://www.google.com/|Email",
				"r6|https://duckduckgo.com/|Organic Search",
			)
			check(t, "daily_channels", f.columns("daily_channels", "day", "property", "channel", "sessions", "contacts"),
				"2024-03-04|marketing|Direct|1|1", "2024-03-04|marketing|Email|1|1",
				"2024-03-04|marketing|Organic Search|1|1", "2024-03-04|marketing|Organic Social|1|1",
				"2024-03-04|marketing|Referral|1|1", "2024-03-04|asset:docs|Organic Search|1|1",
			)
		},
	},
	{
		name: "bots are rejected after the other reasons, and hide no human copy",
		events: []event{
			{table: "web", id: "b1", ts: "2024-03-05 10:00:00", user: "h1", ua: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
			{table: "web", id: "b2", ts: "2024-03-05 10:00:00", anon: "x2", ua: "curl/8.4.0"},
			{table: "web", id: "b3", ts: "2024-03-05 10:00:00", user: "h3", ua: "Mozilla/5.0 (Macintosh)"},
			{table: "web", id: "b4", ts: "2024-03-05 10:00:00", user: "h4"},
			{table: "web", id: "b5", ts: "2024-03-05 10:00:00", user: "h5", ua: "SomeBOT"},
			{table: "web", id: "''", ts: "2024-03-05 10:00:00", user: "h6", ua: "curl/8.4.0"},
			// the bot's copy is loaded first, the human's later: the human's is kept
			{table: "web", id: "b7", ts: "2024-03-05 10:00:00", user: "bot", ua: "crawlerbot", loaded: "2024-03-05 10:00:01"},
			{table: "docs", id: "b7", ts: "2024-03-05 10:00:00", user: "h7", ua: "Mozilla/5.0", loaded: "2024-03-05 10:00:02"},
			{table: "web", id: "b8", ts: "2024-03-05 10:00:00", user: "h8", ua: "curl"},
		},
		verify: func(t *testing.T, f *fixture) {
			check(t, "rejected_events", f.columns("rejected_events", "event_id", "source", "reason"),
				"b1|web|bot", "b2|web|bot", "b5|web|bot", "|web|missing_event_id", "b7|web|bot",
			)
			check(t, "sessions", f.columns("sessions", "contact_id", "property"),
				"h3|marketing", "h4|marketing", "h7|asset:docs", "h8|marketing",
			)
		},
	},
	{
		name: "first and last event, pass-through, bounce, the entry campaign, daily_channels",
		events: []event{
			{table: "web", id: "p1", ts: "2024-03-06 10:00:00", user: "p1", name: "Newsletter Click", plan: "free",
				url: "https://acme.example/?utm_source=newsletter&utm_medium=email&utm_campaign=w1"},
			{table: "app", id: "p2", ts: "2024-03-06 10:05:00", user: "p1", name: "Query Run", url: "/app", plan: "pro"},
			{table: "app", id: "p3", ts: "2024-03-06 10:07:00", user: "p1", name: "Report Viewed", url: "/r", plan: "team"},
		},
		verify: func(t *testing.T, f *fixture) {
			check(t, "sessions", f.columns("sessions", "property", "first_event", "last_event", "last_url", "utm_campaign", "channel", "is_bounce", "plan"),
				"marketing|Newsletter Click|Newsletter Click|https://acme.example/?utm_source=newsletter&utm_medium=email&utm_campaign=w1|w1|Email|true|free",
				"product|Query Run|Report Viewed|/r||Direct|false|pro",
			)
			check(t, "contact_sessions", f.columns("contact_sessions", "entry_property", "prompted_product", "utm_source", "utm_medium", "utm_campaign", "channel"),
				"marketing|true|newsletter|email|w1|Email",
			)
			check(t, "daily_channels", f.columns("daily_channels", "day", "property", "channel", "sessions", "contacts", "prompted_product_sessions", "new_user_sessions"),
				"2024-03-06|marketing|Email|1|1|1|0",
				"2024-03-06|product|Direct|1|1|1|1",
			)
		},
	},
}

func TestEnrichedCases(t *testing.T) {
	cases := slices.Clone(enrichedCases)
	for i := range cases {
		cases[i].maxDuration = "2h"
	}
	runHandCases(t, cases)
}

// TestCustomChannels runs a model's own channel rules before the default
// list, on every engine: rules with several conditions, a literal _ in a
// pattern, case-insensitive matches and the hosts of the model's own site.
func TestCustomChannels(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, e, "")
			f.enrich("2h")
			src, err := os.ReadFile(f.model)
			if err != nil {
				t.Fatal(err)
			}
			text := string(src) + `channels:
  - {channel: Own site, referrer: ["acme.example", "*.acme.example"]}
  - {channel: Spring, medium: [cpc, ppc], campaign: "spring_*"}
  - {channel: 100% organic, source: "*%*"}
  - {channel: Accented, medium: "Émail"}
  - defaults
`
			if err := os.WriteFile(f.model, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			f.load([]event{
				{table: "web", id: "c1", ts: "2024-03-07 10:00:00", user: "c1", ref: "https://www.ACME.example/pricing"},
				{table: "web", id: "c2", ts: "2024-03-07 10:00:00", user: "c2", url: "/?utm_medium=CPC&utm_campaign=Spring_2024"},
				{table: "web", id: "c3", ts: "2024-03-07 10:00:00", user: "c3", url: "/?utm_medium=cpc&utm_campaign=springx2024"},
				{table: "web", id: "c4", ts: "2024-03-07 10:00:00", user: "c4", url: "/?utm_source=50%25off"},
				{table: "web", id: "c5", ts: "2024-03-07 10:00:00", user: "c5", ref: "https://acme.example.org/"},
				{table: "web", id: "c6", ts: "2024-03-07 10:00:00", user: "c6"},
				// ASCII letters fold, É does not: ÉMAIL is Émail, émail is not
				{table: "web", id: "c7", ts: "2024-03-07 10:00:00", user: "c7", url: "/?utm_medium=%C3%89MAIL"},
				{table: "web", id: "c8", ts: "2024-03-07 10:00:00", user: "c8", url: "/?utm_medium=%C3%A9mail"},
			}, nil)
			f.sessionize(0, "run", "--full-refresh")
			check(t, "sessions", f.columns("sessions", "contact_id", "channel"),
				"c1|Own site", "c2|Spring", "c3|Paid Search", "c4|100% organic", "c5|Referral", "c6|Direct",
				"c7|Accented", "c8|Unassigned",
			)
		})
	}
}

// TestEnrichmentColumnsChecked: a table without a pass-through column of
// the model, or without the referrer it maps, is found before the run
// writes anything, at the table's position, on every engine.
func TestEnrichmentColumnsChecked(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, e, "")
			f.enrich("2h")
			f.exec("ALTER TABLE " + f.raw + ".docs DROP COLUMN plan")
			var out, errb strings.Builder
			if code := cli.Run(context.Background(), []string{"validate", "-f", f.model, "--target", "test"}, strings.NewReader(""), &out, &errb); code != 2 {
				t.Fatalf("validate --target: exit %d, want 2\n%s", code, errb.String())
			}
			stderr := errb.String()
			want := at(t, f.model, f.raw+".docs") + ": "
			if !strings.Contains(stderr, want) || !strings.Contains(stderr, `"plan"`) {
				t.Errorf("validate --target on a table without plan says:\n%s\nwant a message at %s naming plan", stderr, want)
			}
		})
	}
}
