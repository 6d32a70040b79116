package bench

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/sessionize/sessionize/demo"
	"github.com/sessionize/sessionize/dialects"
	"github.com/sessionize/sessionize/engine/clickhouse/chdb"
	"github.com/sessionize/sessionize/models"
	"github.com/sessionize/sessionize/run"
)

// place is the fresh place the bench runs in: the demo data on the target,
// the model over it, and what to remove at the end.
type place struct {
	target models.Target
	model  *models.Model
	d      dialects.Dialect

	events, identifies int64
	generateSeconds    float64
	copySeconds        float64

	// server is the process name of a local database server, whose CPU time
	// is the measurement's own rather than other processes'.
	server string
	// inProcess says the engine runs inside this process (DuckDB, chdb), so
	// the process's memory is the engine's.
	inProcess bool
	// noTx says the engine has no transactions and reports no affected
	// rows (chdb): a batch's inserts go one by one, and are counted.
	noTx bool
	// prefix starts the names of the bench's PostgreSQL schemas ("" elsewhere).
	prefix string
	// schemas are the PostgreSQL schemas the bench created, dropped at the end.
	schemas []string
	// keep holds the chdb engine open from the copy to the end, as a
	// long-lived process would, so runs do not start ClickHouse each time.
	keep *sql.DB
	plan *batchPlan // made by the first batch
}

// demoSchemas are the schemas of the tables demo.Generate writes.
var demoSchemas = []string{"website", "app_prod", "docs", "blog"}

// prepare generates the demo data into a fresh place on opt.Target and
// writes the model over it into dir. It returns the place even on error,
// so what was created can be cleaned up.
func prepare(ctx context.Context, dir string, opt Options, w io.Writer) (*place, error) {
	p := &place{target: opt.Target}
	d, err := dialects.For(string(opt.Target.Dialect))
	if err != nil {
		return nil, err
	}
	p.d = d
	switch opt.Target.Dialect {
	case models.DuckDB:
		p.inProcess = true
		return p, p.prepareDuckDB(ctx, dir, opt, w)
	case models.Postgres:
		p.server = "postgres"
		return p, p.preparePostgres(ctx, dir, opt, w)
	case models.ClickHouse:
		if opt.Target.DSN != "" && !strings.HasPrefix(opt.Target.DSN, "chdb://") {
			return nil, fmt.Errorf("bench: target %s: only chdb (ClickHouse in-process, a chdb://DIR dsn) is supported, not a ClickHouse server", opt.Target.Name)
		}
		p.inProcess, p.noTx = true, true
		return p, p.prepareCHDB(ctx, dir, opt, w)
	}
	return nil, fmt.Errorf("bench: target %s: dialect %s is not supported yet (want duckdb, postgres or clickhouse)", opt.Target.Name, opt.Target.Dialect)
}

// prepareDuckDB generates straight into a new database file, which is the target.
func (p *place) prepareDuckDB(ctx context.Context, dir string, opt Options, w io.Writer) error {
	db := filepath.Join(dir, "bench.duckdb")
	if err := p.generate(ctx, db, opt, w); err != nil {
		return err
	}
	targets := fmt.Sprintf("targets:\n  %s: {dialect: duckdb, path: %s%s}\ndefault_target: %[1]s\n",
		opt.Target.Name, strconv.Quote(db), duckSettings(opt.Target))
	if err := p.writeModel(dir, demo.ModelYAML(db), "", targets); err != nil {
		return err
	}
	t, err := p.model.Target(opt.Target.Name)
	if err != nil {
		return err
	}
	p.target = t
	return nil
}

func duckSettings(t models.Target) string {
	var s string
	if t.MemoryLimit != "" {
		s += ", memory_limit: " + strconv.Quote(t.MemoryLimit)
	}
	if t.Threads > 0 {
		s += fmt.Sprintf(", threads: %d", t.Threads)
	}
	return s
}

// preparePostgres generates into a DuckDB file, then copies the tables into
// schemas of the bench's own on the server, named with a random prefix.
func (p *place) preparePostgres(ctx context.Context, dir string, opt Options, w io.Writer) error {
	src := filepath.Join(dir, "source.duckdb")
	if err := p.generate(ctx, src, opt, w); err != nil {
		return err
	}
	var rnd [4]byte
	rand.Read(rnd[:])
	prefix := "sessionize_bench_" + hex.EncodeToString(rnd[:])
	p.prefix = prefix
	// The DSN stays out of the file: the model names the variable, and the
	// bench passes the target itself.
	targets := fmt.Sprintf("targets:\n  %s: {dialect: postgres, dsn: \"${SESSIONIZE_BENCH_PG_DSN}\"}\ndefault_target: %[1]s\n", opt.Target.Name)
	if err := p.writeModel(dir, demo.ModelYAML(src), prefix, targets); err != nil {
		return err
	}

	var copies []run.TableCopy
	for _, s := range demoSchemas {
		p.schemas = append(p.schemas, prefix+"_"+s)
	}
	p.schemas = append(p.schemas, prefix, p.chainSchema()) // the output schema, the hand-written chain's
	for _, t := range p.modelTables() {
		from := strings.TrimPrefix(t, prefix+"_")
		copies = append(copies, run.TableCopy{From: from, To: t})
	}
	fmt.Fprintf(w, "bench: copying %d tables into PostgreSQL schemas %s_*\n", len(copies), prefix)
	return p.copyIn(ctx, src, copies, w)
}

// prepareCHDB generates into a DuckDB file, then copies the tables into a new
// chdb data directory in dir, which is the target: DuckDB writes each table to
// Parquet and ClickHouse reads it (run.CopyTables), which keeps NULLs and the
// timestamps' microseconds.
func (p *place) prepareCHDB(ctx context.Context, dir string, opt Options, w io.Writer) error {
	src := filepath.Join(dir, "source.duckdb")
	if err := p.generate(ctx, src, opt, w); err != nil {
		return err
	}
	data := filepath.Join(dir, "bench.chdb")
	if err := os.RemoveAll(data); err != nil {
		return err
	}
	targets := fmt.Sprintf("targets:\n  %s: {dialect: clickhouse, dsn: %s}\ndefault_target: %[1]s\n",
		opt.Target.Name, strconv.Quote("chdb://"+data))
	if err := p.writeModel(dir, demo.ModelYAML(src), "", targets); err != nil {
		return err
	}
	var err error
	if p.target, err = p.model.Target(opt.Target.Name); err != nil {
		return err
	}
	if p.keep, err = chdb.Open(data); err != nil {
		return err
	}

	var copies []run.TableCopy
	for _, t := range p.modelTables() {
		copies = append(copies, run.TableCopy{From: t, To: t})
	}
	fmt.Fprintf(w, "bench: copying %d tables into chdb at %s\n", len(copies), data)
	return p.copyIn(ctx, src, copies, w)
}

// copyIn copies tables of the DuckDB file src into the target, timing it.
func (p *place) copyIn(ctx context.Context, src string, copies []run.TableCopy, w io.Writer) error {
	db, err := sql.Open("duckdb", src)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	if _, err := run.CopyTables(ctx, db, p.target, copies, w); err != nil {
		return err
	}
	p.copySeconds = time.Since(start).Seconds()
	return nil
}

// generate writes the demo data into a new DuckDB file at path.
func (p *place) generate(ctx context.Context, path string, opt Options, w io.Writer) error {
	for _, f := range []string{path, path + ".wal"} {
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	fmt.Fprintf(w, "bench: generating %d demo events into %s\n", opt.Events, path)
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	st, err := demo.Generate(ctx, db, demo.Options{Events: opt.Events, Seed: opt.Seed})
	if err != nil {
		return err
	}
	p.generateSeconds = time.Since(start).Seconds()
	p.events, p.identifies = int64(st.Events), int64(st.Identifies)
	fmt.Fprintf(w, "  %d events, %d identifies in %.1fs\n", st.Events, st.Identifies, p.generateSeconds)
	return db.Close()
}

// writeModel writes the demo model with its targets replaced, and with every
// schema (tables and output) prefixed when prefix is set, and loads it.
func (p *place) writeModel(dir, yaml, prefix, targets string) error {
	head, _, ok := strings.Cut(yaml, "\ntargets:\n")
	if !ok {
		return fmt.Errorf("bench: the demo model has no targets section to replace")
	}
	yaml = head + "\n" + targets
	if prefix != "" {
		for _, s := range demoSchemas {
			yaml = strings.ReplaceAll(yaml, "table: "+s+".", "table: "+prefix+"_"+s+".")
		}
		yaml = strings.Replace(yaml, "\n  schema: "+models.DefaultSchema, "\n  schema: "+prefix, 1)
	}
	path := filepath.Join(dir, "sessions.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		return err
	}
	m, err := models.Load(path)
	if err != nil {
		return fmt.Errorf("bench: the model it wrote does not load: %w", err)
	}
	p.model = m
	if prefix == "" {
		return nil
	}
	// The renaming is textual; make sure nothing escaped it.
	if m.Output.Schema != prefix {
		return fmt.Errorf("bench: output schema is %s, want %s", m.Output.Schema, prefix)
	}
	for _, t := range p.modelTables() {
		if !strings.HasPrefix(t, prefix+"_") {
			return fmt.Errorf("bench: table %s of the demo model is outside the bench's schemas", t)
		}
	}
	return nil
}

// modelTables lists the model's source and identifies tables.
func (p *place) modelTables() []string {
	var ts []string
	for _, s := range p.model.Sources {
		for _, t := range s.Tables {
			ts = append(ts, t.Table)
		}
	}
	for _, t := range p.model.Identifies {
		ts = append(ts, t.Table)
	}
	return ts
}

// cleanup drops the PostgreSQL schemas the bench made, and lets the chdb
// engine close (its directory goes with dir).
func (p *place) cleanup(ctx context.Context) error {
	if p.keep != nil {
		p.keep.Close()
	}
	if len(p.schemas) == 0 || p.model == nil {
		return nil
	}
	s, d, err := run.OpenToWrite(ctx, p.model, p.target)
	if err != nil {
		return fmt.Errorf("bench: drop schemas %s: %w", strings.Join(p.schemas, ", "), err)
	}
	defer s.Close()
	for _, sc := range p.schemas {
		if _, err := s.Conn.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+d.Quote(sc)+" CASCADE"); err != nil {
			return fmt.Errorf("bench: drop schema %s: %w", sc, err)
		}
	}
	return nil
}

// floor times the engine's own minimum for the job once: the one window
// query over the staged events that any sessionization must run.
func (p *place) floor(ctx context.Context, m *Measure) error {
	s, d, err := run.Open(ctx, p.model, p.target)
	if err != nil {
		return err
	}
	defer s.Close()
	// LAG on DuckDB and PostgreSQL; on ClickHouse lagInFrame over the whole
	// frame so far, on a Nullable ts so that a first row's prev is NULL, not
	// 1970, and count(prev) counts the rows that have a previous one.
	q := "SELECT count(prev) FROM (SELECT " + d.Lag("ts", "PARTITION BY contact_id ORDER BY ts, event_id") + " AS prev FROM " +
		run.Table(d, p.model, "_sessionize_events") + ") AS floor"
	var n int64
	return p.measure(m, func() error { return s.Conn.GetContext(ctx, &n, q) })
}

// machine describes the host and the engine.
func machine(ctx context.Context, p *place) Machine {
	m := Machine{
		OS:        runtime.GOOS + "/" + runtime.GOARCH,
		CPUs:      runtime.NumCPU(),
		GoVersion: runtime.Version(),
	}
	m.CPU = procField("/proc/cpuinfo", "model name")
	if kb, err := strconv.ParseInt(strings.TrimSuffix(procField("/proc/meminfo", "MemTotal"), " kB"), 10, 64); err == nil {
		m.MemoryBytes = kb * 1024
	}
	if s, _, err := run.Open(ctx, p.model, p.target); err == nil {
		var v string
		if s.Conn.GetContext(ctx, &v, "SELECT version()") == nil {
			switch f := strings.Fields(v); p.target.Dialect {
			case models.Postgres:
				if len(f) >= 2 {
					v = f[0] + " " + f[1] // not the compiler and platform that follow
				}
			case models.DuckDB:
				v = "DuckDB " + v
			case models.ClickHouse:
				v = "ClickHouse " + v + ", chdb"
			}
			m.EngineVersion = v
		}
		s.Close()
	}
	return m
}

// procField is the value of the first "key: value" line of a /proc file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
