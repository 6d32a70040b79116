package demo

import (
	"strconv"
	"strings"
)

// ModelYAML returns a complete, commented sessions.yaml (semantics §2) for the
// tables Generate writes, with one DuckDB target, local, at dbPath.
func ModelYAML(dbPath string) string {
	// strconv.Quote's escapes are all valid in a YAML double-quoted scalar.
	return strings.Replace(modelTemplate, "{{path}}", strconv.Quote(dbPath), 1)
}

const modelTemplate = `# sessions.yaml for the synthetic data of ` + "`sessionize demo`" + `.
#
# It turns raw Segment-style event tables into sessions. Edit it and run
# (sessionize installed, or ` + "`go run ./cmd/sessionize`" + ` in a clone)
#   sessionize validate    # check this file
#   sessionize render      # see the SQL it becomes
#   sessionize run         # build the output tables (incremental after the first run)
version: 1
name: demo                      # names this model in the state table and SQL comments

# Every source is one event stream. Its type says which property its events
# build sessions on: product, marketing, or asset:<class>.
# Columns default to Segment's names: id, timestamp, user_id, anonymous_id,
# received_at (the load time), event and url; override them per table.
# referrer and user_agent have no default: a table reads them where mapped.
sources:
  # The marketing website: page views, CTA clicks, newsletter signups and the
  # 'Email Opened' events of marketing emails. Anonymous until a visitor signs up.
  - name: website
    type: marketing
    tables:
      - table: website.pages
        columns:
          event: null                       # Segment pages tables have no event column
          referrer: referrer
          user_agent: context_user_agent
          locale: context_locale            # the pass-through column below
      - table: website.tracks
        columns:
          referrer: context_page_referrer   # Segment keeps a track call's page referrer here
          user_agent: context_user_agent
          locale: context_locale

  # The product: 'Account Created' when a user signs up, then feature events
  # ('Report Viewed', 'Query Run', 'Invite Sent', ...).
  - name: app
    type: product
    tables:
      - table: app_prod.tracks
        columns:
          url: context_page_url             # and the page url of track calls here
          referrer: context_page_referrer
          user_agent: context_user_agent
          locale: context_locale

  # Documentation and blog are content assets; their class names the property
  # (asset:docs, asset:articles), so each gets its own sessions.
  - name: docs
    type: asset
    class: docs
    tables:
      - table: docs.pages
        columns: {event: null, referrer: referrer, user_agent: context_user_agent, locale: context_locale}
  - name: blog
    type: asset
    class: articles
    tables:
      - table: blog.pages
        columns: {event: null, referrer: referrer, user_agent: context_user_agent, locale: context_locale}

# Identify calls map a browser's anonymous_id to the user_id it signed up or
# logged in as, so anonymous visits before signup count for that user.
identifies:
  - table: app_prod.identifies

sessions:
  inactivity_timeout: 30m         # a gap this long starts a new session
  cross_property_window: 30m      # joins an email open or blog visit with the product use after it
  late_window: 3d                 # each table is read again from its watermark minus this

lifecycle:
  lookback: 30d                   # a product session after a longer gap is 'resurrected'

timezone: America/New_York        # day buckets of daily_metrics and prompted_events

# Each session keeps where it came from: the referrer and the utm_* parameters
# of its first url, and a channel (Direct, Organic Search, Paid Search, Email,
# ...) from the channel rules: the first that matches names it. Links from our
# own pages (example.com) are not referrals; "defaults" is the default list.
# pass_through keeps more columns of the first event, by the name they get on
# sessions (each table maps it under columns:).
pass_through: [locale]
channels:
  - {channel: Direct, referrer: ["example.com", "*.example.com"]}
  - defaults

# Rows whose user agent matches one of these are crawlers, not people: they are
# rejected with reason bot (patterns ignore case; * is any run of characters).
bots: ["*bot*", "*crawler*", "*spider*", "*headlesschrome*"]

output:
  schema: sessionize              # where sessions, contact_sessions, ... are written

targets:
  local: {dialect: duckdb, path: {{path}}}
default_target: local
`
