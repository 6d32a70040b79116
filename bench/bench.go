// Package bench measures sessionize against the engine's own limit (the floor)
// and against the SQL a person would write by hand instead.
//
// It generates the demo data at a chosen size into a fresh place on a target,
// then, in one process and several times each, times four things: the floor
// (the one window query any sessionization needs), a full refresh of the whole
// model, the hand-written chain of table models an analytics engineer would
// write instead (handwritten/), and an incremental run after a realistic 1%
// batch of new rows (Options.NoHandwritten leaves out the hand-written
// chain). It reports medians, events per second, the ratios full/floor,
// full/hand-written and incremental/full, and peak memory.
package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"time"

	"github.com/sessionize/sessionize/models"
	"github.com/sessionize/sessionize/run"
)

// Options say what to measure and where.
type Options struct {
	Events int   // rows across the demo's five event tables; default 1,000,000
	Repeat int   // times each measurement runs; the median is reported; default 3
	Seed   int64 // demo data seed; default 1
	// Dir holds the work: the model, the DuckDB database (the target's on
	// DuckDB, the staging copy on PostgreSQL and ClickHouse) and the chdb
	// data directory. Empty means a temporary folder, removed at the end; a
	// given Dir is kept.
	Dir string
	// Target says where to run. Only its dialect and connection settings are
	// used: a DuckDB target gets a new database file in Dir (with the
	// target's memory_limit and threads), a PostgreSQL target gets schemas of
	// its own in its database, dropped at the end, and a ClickHouse target
	// (chdb only: ClickHouse in-process) gets a new data directory in Dir.
	Target models.Target
	// Progress receives what the bench and each run are doing; nil discards it.
	Progress io.Writer
	// LateWindows, when given, are sessions.late_window values to measure
	// an incremental run with, each after a full run of the model with it
	// and a new batch: what reading each table's last late_window again
	// costs.
	LateWindows []time.Duration
	// NoHandwritten skips the hand-written chain after each full run, and
	// so its times and the full/hand-written ratio: at large sizes it
	// doubles the bench's time and disk.
	NoHandwritten bool
}

// Report is what the bench measured.
type Report struct {
	Engine     string  `json:"engine"`
	Events     int64   `json:"events"`     // rows in the five event tables, before any batch
	Identifies int64   `json:"identifies"` // rows in the identifies table, before any batch
	Repeat     int     `json:"repeat"`
	Machine    Machine `json:"machine"`

	GenerateSeconds float64 `json:"generate_seconds"`
	CopySeconds     float64 `json:"copy_seconds,omitempty"` // PostgreSQL, ClickHouse: loading the generated tables

	Floor       Measure `json:"floor"`
	Full        Measure `json:"full"`
	Incremental Measure `json:"incremental"`
	// Handwritten is the hand-written chain over the same sources, run
	// after each full run; HandwrittenSteps are its statements' times.
	// Both are empty (and left out of the JSON) with NoHandwritten.
	Handwritten      Measure     `json:"handwritten,omitzero"`
	HandwrittenSteps []StepTimes `json:"handwritten_steps,omitempty"`

	// LateWindows are the incremental runs with other late windows
	// (Options.LateWindows), one each.
	LateWindows []WindowMeasure `json:"late_windows,omitempty"`

	FullOverFloor       float64 `json:"full_over_floor"`
	FullOverHandwritten float64 `json:"full_over_handwritten,omitempty"` // 0 with NoHandwritten
	IncrementalOverFull float64 `json:"incremental_over_full"`

	// PeakRSSBytes is the largest peak resident set of this process during
	// the measurements. MemoryScope says what it covers: "process" when the
	// engine runs inside it (DuckDB, chdb), "client" when the engine's
	// memory is server-side and not measured (PostgreSQL).
	PeakRSSBytes int64  `json:"peak_rss_bytes"`
	MemoryScope  string `json:"memory_scope"`
	// PeakPerMeasure is false when the kernel would not reset the peak, so
	// each measurement's peak is the process's peak so far.
	PeakPerMeasure bool `json:"peak_per_measure"`
}

// Measure is one thing timed Repeat times.
type Measure struct {
	Seconds []float64 `json:"seconds"` // each repeat, in order
	// OthersCPU is, per repeat, the share of the machine's CPU time that
	// other processes took, roughly; -1 when unknown. Much above 0 means the
	// times are slower than on an idle machine. A local PostgreSQL server's
	// processes count as the bench's own, other clients' queries included.
	OthersCPU       []float64 `json:"others_cpu"`
	MedianSeconds   float64   `json:"median_seconds"`
	Events          int64     `json:"events"` // rows the measurement covers (for incremental: one batch)
	EventsPerSecond float64   `json:"events_per_second"`
	PeakRSSBytes    int64     `json:"peak_rss_bytes"`
	// Runs are the reports of sessionize runs (full and incremental only).
	Runs []*run.Report `json:"runs,omitempty"`
	// Batches are the rows each incremental repeat added first.
	Batches []Batch `json:"batches,omitempty"`
}

// WindowMeasure is an incremental run with a given late_window.
type WindowMeasure struct {
	LateWindow string  `json:"late_window"`
	Measure    Measure `json:"measure"`
	// RowsRead are the source rows the run read (the batch, and each
	// table's last late_window again).
	RowsRead int64 `json:"rows_read"`
	// OverFull is the run's time over the median full run's.
	OverFull float64 `json:"over_full"`
}

// Machine is where the figures came from.
type Machine struct {
	OS            string `json:"os"`
	CPU           string `json:"cpu"`
	CPUs          int    `json:"cpus"`
	MemoryBytes   int64  `json:"memory_bytes"`
	GoVersion     string `json:"go_version"`
	EngineVersion string `json:"engine_version"`
}

// Run generates the data, measures, cleans up and returns the report.
func Run(ctx context.Context, opt Options) (rep *Report, err error) {
	opt = opt.withDefaults()
	w := opt.Progress
	if w == nil {
		w = io.Discard
	}
	dir := opt.Dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "sessionize-bench-"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	// The model names its files by absolute path: it reads relative ones
	// from its own folder, which is dir.
	if dir, err = filepath.Abs(dir); err != nil {
		return nil, err
	}

	p, err := prepare(ctx, dir, opt, w)
	if p != nil {
		defer func() {
			if cerr := p.cleanup(context.WithoutCancel(ctx)); cerr != nil && err == nil {
				err = cerr
			}
		}()
	}
	if err != nil {
		return nil, err
	}
	rep = &Report{
		Engine:          string(p.target.Dialect),
		Events:          p.events,
		Identifies:      p.identifies,
		Repeat:          opt.Repeat,
		Machine:         machine(ctx, p),
		GenerateSeconds: p.generateSeconds,
		CopySeconds:     p.copySeconds,
		MemoryScope:     "process",
		PeakPerMeasure:  resetPeak(),
	}
	if !p.inProcess {
		rep.MemoryScope = "client"
	}

	// Full refreshes first: the floor reads the staged events a full run
	// leaves. Each is followed by a run of the hand-written chain over the
	// same sources (unless NoHandwritten), so that the two alternate and
	// share the machine's load.
	var steps []chainStep
	if opt.NoHandwritten {
		fmt.Fprintf(w, "bench: %d full runs\n", opt.Repeat)
	} else {
		if steps, err = p.chain(); err != nil {
			return nil, err
		}
		rep.HandwrittenSteps = make([]StepTimes, len(steps))
		for i, st := range steps {
			rep.HandwrittenSteps[i].Name = st.Name
		}
		rep.Handwritten.Events = p.events
		fmt.Fprintf(w, "bench: %d full runs, each followed by the hand-written chain\n", opt.Repeat)
	}
	rep.Full.Events = p.events
	for i := range opt.Repeat {
		err := p.measure(&rep.Full, func() error {
			r, err := run.Run(ctx, p.model, run.Options{Target: p.target, FullRefresh: true, Progress: opt.Progress})
			if err != nil {
				return err
			}
			rep.Full.Runs = append(rep.Full.Runs, r)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("full run %d: %w", i+1, err)
		}
		if opt.NoHandwritten {
			fmt.Fprintf(w, "  full %d: %.2fs\n", i+1, rep.Full.Seconds[i])
			continue
		}
		if err := p.handwritten(ctx, &rep.Handwritten, steps, rep.HandwrittenSteps, w); err != nil {
			return nil, fmt.Errorf("hand-written chain %d: %w", i+1, err)
		}
		fmt.Fprintf(w, "  full %d: %.2fs, hand-written %d: %.2fs\n", i+1, rep.Full.Seconds[i], i+1, rep.Handwritten.Seconds[i])
	}

	fmt.Fprintf(w, "bench: %d floor queries\n", opt.Repeat)
	rep.Floor.Events = p.events
	for i := range opt.Repeat {
		if err := p.floor(ctx, &rep.Floor); err != nil {
			return nil, fmt.Errorf("floor %d: %w", i+1, err)
		}
		fmt.Fprintf(w, "  floor %d: %.2fs\n", i+1, rep.Floor.Seconds[i])
	}

	fmt.Fprintf(w, "bench: %d incremental runs, each after a new 1%% batch\n", opt.Repeat)
	for i := range opt.Repeat {
		b, err := p.addBatch(ctx, i+1)
		if err != nil {
			return nil, fmt.Errorf("batch %d: %w", i+1, err)
		}
		rep.Incremental.Batches = append(rep.Incremental.Batches, b)
		fmt.Fprintf(w, "  batch %d: %d events (%d late), %d identifies, in %.2fs\n", i+1, b.Events, b.Late, b.Identifies, b.Seconds)
		err = p.measure(&rep.Incremental, func() error {
			r, err := run.Run(ctx, p.model, run.Options{Target: p.target, Progress: opt.Progress})
			if err != nil {
				return err
			}
			if r.Mode != "incremental" {
				return fmt.Errorf("the run after batch %d was %s, not incremental (%s)", i+1, r.Mode, r.Why)
			}
			rep.Incremental.Runs = append(rep.Incremental.Runs, r)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("incremental run %d: %w", i+1, err)
		}
	}
	var batchEvents int64
	for _, b := range rep.Incremental.Batches {
		batchEvents += b.Events
	}
	rep.Incremental.Events = batchEvents / int64(len(rep.Incremental.Batches))

	for _, m := range []*Measure{&rep.Floor, &rep.Full, &rep.Handwritten, &rep.Incremental} {
		m.summarize()
		rep.PeakRSSBytes = max(rep.PeakRSSBytes, m.PeakRSSBytes)
	}
	for i := range rep.HandwrittenSteps {
		rep.HandwrittenSteps[i].MedianSeconds = median(rep.HandwrittenSteps[i].Seconds)
	}
	rep.FullOverFloor = ratio(rep.Full.MedianSeconds, rep.Floor.MedianSeconds)
	rep.FullOverHandwritten = ratio(rep.Full.MedianSeconds, rep.Handwritten.MedianSeconds)
	rep.IncrementalOverFull = ratio(rep.Incremental.MedianSeconds, rep.Full.MedianSeconds)

	for j, lw := range opt.LateWindows {
		wm, err := p.lateWindow(ctx, opt, lw, opt.Repeat+j+1)
		if err != nil {
			return nil, fmt.Errorf("late_window %s: %w", models.Duration(lw), err)
		}
		wm.OverFull = ratio(wm.Measure.MedianSeconds, rep.Full.MedianSeconds)
		rep.LateWindows = append(rep.LateWindows, wm)
		rep.PeakRSSBytes = max(rep.PeakRSSBytes, wm.Measure.PeakRSSBytes)
	}
	return rep, nil
}

// lateWindow measures one incremental run of the model with late_window
// lw: a full run with it first (a changed model needs one), then batch k.
func (p *place) lateWindow(ctx context.Context, opt Options, lw time.Duration, k int) (WindowMeasure, error) {
	w := opt.Progress
	if w == nil {
		w = io.Discard
	}
	wm := WindowMeasure{LateWindow: models.Duration(lw)}
	m := p.model.WithLateWindow(lw)
	fmt.Fprintf(w, "bench: late_window %s: a full run, a new batch, an incremental run\n", wm.LateWindow)
	if _, err := run.Run(ctx, m, run.Options{Target: p.target, FullRefresh: true, Progress: opt.Progress}); err != nil {
		return wm, err
	}
	b, err := p.addBatch(ctx, k)
	if err != nil {
		return wm, err
	}
	wm.Measure.Batches = []Batch{b}
	wm.Measure.Events = b.Events
	err = p.measure(&wm.Measure, func() error {
		r, err := run.Run(ctx, m, run.Options{Target: p.target, Progress: opt.Progress})
		if err != nil {
			return err
		}
		if r.Mode != "incremental" {
			return fmt.Errorf("the run was %s, not incremental (%s)", r.Mode, r.Why)
		}
		wm.RowsRead = r.EventsRead
		wm.Measure.Runs = append(wm.Measure.Runs, r)
		return nil
	})
	wm.Measure.summarize()
	return wm, err
}

func (o Options) withDefaults() Options {
	if o.Events <= 0 {
		o.Events = 1_000_000
	}
	if o.Repeat <= 0 {
		o.Repeat = 3
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Target.Dialect == "" {
		o.Target.Dialect = models.DuckDB
	}
	if o.Target.Name == "" {
		o.Target.Name = "bench"
	}
	return o
}

// measure times f once into m, with the process's peak memory reset first
// (where the kernel allows) so the peak is f's own.
func (p *place) measure(m *Measure, f func() error) error {
	runtime.GC()
	debug.FreeOSMemory()
	resetPeak()
	cpu := sampleCPU(p.server)
	start := time.Now()
	if err := f(); err != nil {
		return err
	}
	m.Seconds = append(m.Seconds, time.Since(start).Seconds())
	m.OthersCPU = append(m.OthersCPU, othersShare(cpu, sampleCPU(p.server)))
	m.PeakRSSBytes = max(m.PeakRSSBytes, run.PeakRSS())
	return nil
}

// busiest is the largest of OthersCPU, or -1.
func (m *Measure) busiest() float64 {
	b := -1.0
	for _, s := range m.OthersCPU {
		b = max(b, s)
	}
	return b
}

func (m *Measure) summarize() {
	m.MedianSeconds = median(m.Seconds)
	m.EventsPerSecond = ratio(float64(m.Events), m.MedianSeconds)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
