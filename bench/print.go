package bench

import (
	"fmt"
	"io"
	"strings"
)

// Print writes the report as a short aligned table.
func (r *Report) Print(w io.Writer) {
	engine := r.Engine
	if r.Machine.EngineVersion != "" {
		engine += " (" + r.Machine.EngineVersion + ")"
	}
	fmt.Fprintf(w, "sessionize bench: %s, %s events + %s identifies, median of %d\n",
		engine, thousands(r.Events), thousands(r.Identifies), r.Repeat)
	m := r.Machine
	fmt.Fprintf(w, "machine: %s, %d CPUs, %.1f GiB, %s, %s\n",
		orUnknown(m.CPU), m.CPUs, float64(m.MemoryBytes)/(1<<30), m.OS, m.GoVersion)
	setup := fmt.Sprintf("data generated in %.1fs", r.GenerateSeconds)
	if r.CopySeconds > 0 {
		setup += fmt.Sprintf(", copied into the target in %.1fs", r.CopySeconds)
	}
	fmt.Fprintln(w, setup)
	fmt.Fprintln(w)

	mem := "peak RSS"
	if r.MemoryScope == "client" {
		mem = "peak RSS (client)"
	}
	fmt.Fprintf(w, "%-12s %10s %12s %11s %14s %18s %11s   %s\n", "measure", "median", "events/s", "events", "ratio", mem, "others' CPU", "each run (s)")
	type row struct {
		name  string
		m     Measure
		ratio string
	}
	rows := []row{{"floor", r.Floor, ""}}
	if r.hasHandwritten() {
		rows = append(rows, row{"hand-written", r.Handwritten, fmt.Sprintf("%.2fx floor", ratio(r.Handwritten.MedianSeconds, r.Floor.MedianSeconds))})
	}
	rows = append(rows,
		row{"full", r.Full, fmt.Sprintf("%.2fx floor", r.FullOverFloor)},
		row{"incremental", r.Incremental, fmt.Sprintf("%.3fx full", r.IncrementalOverFull)},
	)
	busiest := -1.0
	for _, row := range rows {
		each := make([]string, len(row.m.Seconds))
		for i, s := range row.m.Seconds {
			each[i] = fmt.Sprintf("%.2f", s)
		}
		fmt.Fprintf(w, "%-12s %9.2fs %12s %11s %14s %18s %11s   %s\n", row.name, row.m.MedianSeconds,
			thousands(int64(row.m.EventsPerSecond)), thousands(row.m.Events), row.ratio,
			bytes(row.m.PeakRSSBytes), percent(row.m.busiest()), strings.Join(each, " "))
		busiest = max(busiest, row.m.busiest())
	}
	for _, lw := range r.LateWindows {
		name := "late " + lw.LateWindow
		fmt.Fprintf(w, "%-12s %9.2fs %12s %11s %14s %18s %11s   read %s source rows\n", name, lw.Measure.MedianSeconds,
			thousands(int64(lw.Measure.EventsPerSecond)), thousands(lw.Measure.Events), fmt.Sprintf("%.3fx full", lw.OverFull),
			bytes(lw.Measure.PeakRSSBytes), percent(lw.Measure.busiest()), thousands(lw.RowsRead))
		busiest = max(busiest, lw.Measure.busiest())
	}
	fmt.Fprintln(w)
	if r.hasHandwritten() {
		fmt.Fprintf(w, "full / hand-written: %.2fx    ", r.FullOverHandwritten)
	}
	fmt.Fprintf(w, "incremental / full: %.3fx\n", r.IncrementalOverFull)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "floor: one LAG window over the staged events (the least any sessionization runs);")
	if r.hasHandwritten() {
		fmt.Fprintln(w, "hand-written: the chain of table models an analytics engineer would write instead (bench/handwritten),")
		fmt.Fprintln(w, "  run after each full run over the same sources;")
	}
	fmt.Fprintln(w, "incremental: a run after a new 1% batch (events: one batch's rows; 10% of them late).")
	if len(r.LateWindows) > 0 {
		fmt.Fprintln(w, "late W: an incremental run after a full run of the model with late_window W and a new batch.")
	}
	if busiest > 0.1 {
		fmt.Fprintf(w, "others' CPU: other processes took up to %s of the machine's CPU time during a run, so the times are slower than on an idle machine.\n", percent(busiest))
	}
	switch {
	case r.MemoryScope == "client":
		fmt.Fprintln(w, "memory: this process only; the engine's memory is server-side and not measured here.")
	case !r.PeakPerMeasure:
		fmt.Fprintln(w, "memory: the kernel would not reset the peak, so each figure is the process's peak so far.")
	}
}

// hasHandwritten says whether the hand-written chain ran (see
// Options.NoHandwritten).
func (r *Report) hasHandwritten() bool {
	return len(r.Handwritten.Seconds) > 0
}

// thousands writes n with thin separators: 1,234,567.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// bytes writes a size in MiB or GiB.
func bytes(n int64) string {
	switch {
	case n <= 0:
		return "n/a"
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	}
	return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
}

func percent(share float64) string {
	if share < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f%%", 100*share)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown CPU"
	}
	return s
}
