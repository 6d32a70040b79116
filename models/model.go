// Package models turns sessions.yaml into a typed, validated Model.
//
// It knows nothing of SQL: the render package decides how the model becomes
// statements. Every problem found while loading carries the file, line and
// column of the YAML node it concerns, and all problems are reported together.
package models

import "time"

// Model is a validated sessions.yaml (semantics §2).
type Model struct {
	Version       int
	Name          string
	Sources       []Source
	Identifies    []IdentifiesTable
	Sessions      SessionsConfig
	Lifecycle     LifecycleConfig
	Timezone      string // IANA name, e.g. "UTC" or "Europe/Berlin"
	Output        Output
	Targets       map[string]Target
	DefaultTarget string
	// Enrichment holds the optional keys of docs/enrichment.md §2.1.
	Enrichment Enrichment

	// Path is the file the model was read from; Hash is the hex SHA-256 of the
	// model's semantic content (everything but targets), used to refuse
	// incremental runs after the model changed (semantics §5).
	Path string
	Hash string

	// targetErrs holds, per target, the ${VAR}s it uses that are not set;
	// Target reports them when that target is used. targetsAt is where
	// `targets:` is, for errors about a target named on the command line.
	targetErrs map[string]Errors
	targetsAt  Error
}

// SourceType is product, marketing or asset.
type SourceType string

// The three source types of semantics §1.
const (
	Product   SourceType = "product"
	Marketing SourceType = "marketing"
	Asset     SourceType = "asset"
)

// Source is one event stream mapped to a property.
type Source struct {
	Name   string
	Type   SourceType
	Class  string // asset class; empty unless Type == Asset
	Tables []SourceTable
	// InactivityTimeout is the source's own timeout for its property, or 0
	// for the model's (docs/enrichment.md §2.1).
	InactivityTimeout time.Duration
}

// Property is the key sessions are built on: product, marketing or asset:<class>.
func (s Source) Property() string {
	if s.Type == Asset {
		return "asset:" + s.Class
	}
	return string(s.Type)
}

// SourceTable is one table (or, on DuckDB, a file path or glob) of a source.
type SourceTable struct {
	Table   string // as written: "schema.table", "table" or a file path
	Filter  string // trusted SQL predicate, inlined as is; empty means none
	Columns EventColumns

	// at is where `table:` is written, columnsAt where each column mapped
	// under `columns:` is (by model name), for checking the target (Reads).
	at        Error
	columnsAt map[string]Error
}

// EventColumns names the source columns behind each model column. An empty
// string means the column is absent (written as `null` in the model) and
// reads as NULL; for LoadedAt it means "fall back to timestamp".
type EventColumns struct {
	EventID     string
	Timestamp   string
	UserID      string
	AnonymousID string
	LoadedAt    string
	Event       string
	URL         string
	// Referrer and UserAgent have no default: "" unless mapped.
	Referrer  string
	UserAgent string
	// PassThrough is the column behind each of the model's pass-through
	// columns, in their order ("" for a table that lacks it).
	PassThrough []string
}

// DefaultEventColumns are the Segment defaults of semantics §2.
func DefaultEventColumns() EventColumns {
	return EventColumns{
		EventID:     "id",
		Timestamp:   "timestamp",
		UserID:      "user_id",
		AnonymousID: "anonymous_id",
		LoadedAt:    "received_at",
		Event:       "event",
		URL:         "url",
	}
}

// IdentifiesTable is an identity-only table (semantics §2, §3.2).
type IdentifiesTable struct {
	Table   string
	Filter  string
	Columns IdentifyColumns

	at        Error            // as in SourceTable
	columnsAt map[string]Error // as in SourceTable
}

// IdentifyColumns names the columns of an identifies table; empty means absent
// (ID) or "fall back to timestamp" (LoadedAt).
type IdentifyColumns struct {
	ID          string
	UserID      string
	AnonymousID string
	Timestamp   string
	LoadedAt    string
}

// DefaultIdentifyColumns are the Segment defaults for identifies tables.
func DefaultIdentifyColumns() IdentifyColumns {
	return IdentifyColumns{
		ID:          "id",
		UserID:      "user_id",
		AnonymousID: "anonymous_id",
		Timestamp:   "timestamp",
		LoadedAt:    "received_at",
	}
}

// SessionsConfig holds the windows of semantics §3.3–§3.4 and §5.
type SessionsConfig struct {
	InactivityTimeout   time.Duration // default 30m
	CrossPropertyWindow time.Duration // default 30m, >= InactivityTimeout
	LateWindow          time.Duration // default 3d
	MaxDuration         time.Duration // 0: sessions are not cut (docs/enrichment.md §3.3)
}

// LifecycleConfig holds the lookback of semantics §3.5.
type LifecycleConfig struct {
	Lookback time.Duration // default 30d
}

// Output says where the output tables go.
type Output struct {
	Schema string // default "sessionize"
}

// DialectName names a SQL engine (dialects.Dialect writes its SQL).
type DialectName string

// The supported engines.
const (
	DuckDB     DialectName = "duckdb"
	Postgres   DialectName = "postgres"
	ClickHouse DialectName = "clickhouse"
)

// Target is one place the model can run.
type Target struct {
	Name    string
	Dialect DialectName
	Path    string // duckdb: database file, relative to the model file's folder
	DSN     string // postgres, clickhouse: after ${VAR} expansion
	// DuckDB tuning (memory_limit, threads): empty/zero means DuckDB's default.
	MemoryLimit string // e.g. "2GB"
	Threads     int
}
