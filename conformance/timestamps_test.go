package conformance

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestTimestampsOutsideTheRange: a run reads timestamps from 1900-01-01
// up to 2200-01-01 (excluded), UTC. A row whose timestamp is there but
// outside that range ('infinity', which DuckDB and PostgreSQL read, the
// year 0001, 9999, 2300), or that the engine reads as no timestamp, is
// rejected as invalid_timestamp, after missing_event_id, missing_timestamp
// and missing_identity (semantics §3.1); a load time outside it is none, so the
// row's timestamp stands in for it (semantics §2); an identifies row with such a
// timestamp maps nothing. The same rows on every engine, from text and
// from typed timestamp columns, full and incremental.
func TestTimestampsOutsideTheRange(t *testing.T) {
	for _, e := range engines(t) {
		for _, typed := range []bool{false, true} {
			name := e.name + "/text"
			if typed {
				name = e.name + "/typed"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				timestampsOutsideTheRange(t, e, typed)
			})
		}
	}
}

func timestampsOutsideTheRange(t *testing.T, e engine, typed bool) {
	f := setup(t, e, "")
	if !typed {
		tsType := e.textType
		f.exec("DROP TABLE "+f.raw+".web", "DROP TABLE "+f.raw+".identifies",
			fmt.Sprintf(`CREATE TABLE %s.web (id %s, "timestamp" %s, user_id %s, anonymous_id %s, received_at %s, event %s, url %s)`,
				f.raw, e.textType, tsType, e.textType, e.textType, tsType, e.textType, e.textType)+e.tableSuffix,
			fmt.Sprintf(`CREATE TABLE %s.identifies (id %s, user_id %s, anonymous_id %s, "timestamp" %s, received_at %s)`,
				f.raw, e.textType, e.textType, e.textType, tsType, tsType)+e.tableSuffix)
		f.e.tsType = e.textType // literals go in as text
	}
	const at = "2024-01-01 00:00:00"
	events := []event{
		{table: "web", id: "ok", ts: at, user: "u1", loaded: at},
		{table: "web", id: "y0001", ts: "0001-01-01 00:00:00", user: "u1", loaded: "2024-01-01 00:00:01"},
		{table: "web", id: "y1899", ts: "1899-12-31 23:59:59.999999", user: "u1", loaded: "2024-01-01 00:00:02"},
		{table: "web", id: "y2200", ts: "2200-01-01 00:00:00", user: "u1", loaded: "2024-01-01 00:00:03"},
		{table: "web", id: "y2300", ts: "2300-01-01 00:00:00", user: "u1", loaded: "2024-01-01 00:00:04"},
		{table: "web", id: "y9999", ts: "9999-12-31 23:59:59", user: "u1", loaded: "2024-01-01 00:00:05"},
		// the range's first and last microseconds are read
		{table: "web", id: "y1900", ts: "1900-01-01 00:00:00", user: "u2", loaded: at},
		{table: "web", id: "y2199", ts: "2199-12-31 23:59:59.999999", user: "u3", loaded: at},
		// the other reasons come first
		{table: "web", id: "", ts: "2300-01-01 00:00:00", user: "u1", loaded: "2024-01-01 00:00:06"},
		{table: "web", id: "anon", ts: "2300-01-01 00:00:00", loaded: "2024-01-01 00:00:07"},
		// a load time outside the range is none: the timestamp stands in
		{table: "web", id: "load0001", ts: "2024-01-01 00:10:00", user: "u1", loaded: "0001-01-01 00:00:00"},
		{table: "web", id: "load9999", ts: "2024-01-01 00:20:00", loaded: "9999-12-31 23:59:59"},
		// identifies rows outside the range map nothing: a8 and a9 stay
		// contacts of their own, a7 maps to u7
		{table: "web", id: "a7", ts: at, anon: "a7", loaded: at},
		{table: "web", id: "a8", ts: at, anon: "a8", loaded: at},
		{table: "web", id: "a9", ts: at, anon: "a9", loaded: at},
	}
	ids := []identify{
		{id: "i7", user: "u7", anon: "a7", ts: at, loaded: at},
		{id: "i8", user: "u8", anon: "a8", ts: "2300-01-01 00:00:00", loaded: at},
		{id: "i9", user: "u9", anon: "a9", ts: "1899-12-31 23:59:59.999999", loaded: at},
	}
	rejected := []string{
		"y0001|web||2024-01-01 00:00:01|invalid_timestamp",
		"y1899|web||2024-01-01 00:00:02|invalid_timestamp",
		"y2200|web||2024-01-01 00:00:03|invalid_timestamp",
		"y2300|web||2024-01-01 00:00:04|invalid_timestamp",
		"y9999|web||2024-01-01 00:00:05|invalid_timestamp",
		"|web||2024-01-01 00:00:06|missing_event_id",
		"anon|web||2024-01-01 00:00:07|missing_identity",
		"load9999|web|2024-01-01 00:20:00|2024-01-01 00:20:00|missing_identity",
	}
	// 'infinity' is a timestamp in DuckDB and PostgreSQL, in a typed column
	// too; ClickHouse reads the text as none, which is invalid all the same.
	if !typed || e.name != "clickhouse" {
		events = append(events,
			event{table: "web", id: "inf", ts: "infinity", user: "u1", loaded: "2024-01-01 00:00:08"},
			event{table: "web", id: "-inf", ts: "-infinity", user: "u1", loaded: "2024-01-01 00:00:09"},
			event{table: "web", id: "loadinf", ts: "2024-01-01 00:12:00", user: "u1", loaded: "infinity"},
			event{table: "web", id: "loadinf-", ts: "2024-01-01 00:30:00", loaded: "-infinity"})
		ids = append(ids, identify{id: "i6", user: "u6", anon: "a8", ts: "-infinity", loaded: at})
		rejected = append(rejected,
			"inf|web||2024-01-01 00:00:08|invalid_timestamp",
			"-inf|web||2024-01-01 00:00:09|invalid_timestamp",
			"loadinf-|web|2024-01-01 00:30:00|2024-01-01 00:30:00|missing_identity")
	}
	f.load(events, ids)
	// Text that is no timestamp: DuckDB and ClickHouse read it as none, so
	// it is invalid, and empty text is missing. (PostgreSQL has no TRY_CAST:
	// such text fails the run.)
	if !typed && e.name != "postgres" {
		f.exec(fmt.Sprintf(`INSERT INTO %s.web (id, "timestamp", user_id, received_at) VALUES
  ('junk', 'not a time', 'u1', '2024-01-01 00:00:10'), ('empty', '', 'u1', '2024-01-01 00:00:11')`, f.raw))
		rejected = append(rejected,
			"junk|web||2024-01-01 00:00:10|invalid_timestamp",
			"empty|web||2024-01-01 00:00:11|missing_timestamp")
	}
	f.sessionize(0, "run")
	check(t, "rejected_events", f.columns("rejected_events", "event_id", "source", "timestamp", "loaded_at", "reason"), rejected...)
	sessions := []string{
		"a8|2024-01-01 00:00:00|1",
		"a9|2024-01-01 00:00:00|1",
		"u1|2024-01-01 00:00:00|2", // ok, load0001
		"u2|1900-01-01 00:00:00|1",
		"u3|2199-12-31 23:59:59.999999|1",
		"u7|2024-01-01 00:00:00|1",
	}
	if !typed || e.name != "clickhouse" {
		sessions[2] = "u1|2024-01-01 00:00:00|3" // and loadinf
	}
	check(t, "sessions", f.columns("sessions", "contact_id", "session_start", "event_count"), sessions...)

	// An incremental run reads a later batch: rows whose load time is out
	// of range are read by their timestamp, whichever side of the range.
	const later = "2024-01-02 00:00:00"
	f.load([]event{
		{table: "web", id: "b-y2300", ts: "2300-01-01 00:00:00", user: "u1", loaded: later},
		{table: "web", id: "b-load0001", ts: "2024-01-02 00:05:00", user: "u1", loaded: "0001-01-01 00:00:00"},
		{table: "web", id: "b-load2300", ts: "2024-01-02 00:06:00", user: "u1", loaded: "2300-01-01 00:00:00"},
		{table: "web", id: "b-y1899", ts: "1899-12-31 23:59:59.999999", anon: "a1", loaded: "1899-12-31 23:59:59.999999"},
	}, nil)
	f.sessionize(0, "run")
	check(t, "rejected_events", f.columns("rejected_events", "event_id", "reason"), append(reasons(rejected),
		"b-y2300|invalid_timestamp", "b-y1899|invalid_timestamp")...)
	check(t, "sessions", f.columns("sessions", "contact_id", "session_start", "event_count"), append(sessions,
		"u1|2024-01-02 00:05:00|2")...)
	incremental := outputs(f)
	if out, _ := f.verify(0); out != "" {
		t.Errorf("verify printed differences:\n%s", out)
	}
	f.dropScratchAtEnd()
	f.sessionize(0, "run", "--full-refresh")
	if got := outputs(f); !reflect.DeepEqual(got, incremental) {
		t.Error("the incremental outputs differ from a full refresh")
	}
}

// reasons projects rejected rows (event_id|source|timestamp|loaded_at|reason)
// onto event_id|reason.
func reasons(rows []string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		id, _, _ := strings.Cut(r, "|")
		out[i] = id + r[strings.LastIndex(r, "|"):]
	}
	return out
}
