package bench

import (
	"os"
	"strconv"
	"strings"
)

// resetPeak resets the kernel's record of this process's peak resident set
// (VmHWM) to its current size, so the next run.PeakRSS is the peak since now.
// It reports whether the kernel allowed it (Linux 4.0 and newer).
func resetPeak() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// cpuSample is a reading of the machine's and this process's CPU time, in
// clock ticks, to tell how much of a measurement other processes took.
// self includes a local database server's processes, when asked for.
type cpuSample struct {
	busy, total, self int64
	ok                bool
}

// sampleCPU reads /proc/stat and /proc/self/stat, and with server set the
// stat of every process of that name; ok is false off Linux.
func sampleCPU(server string) cpuSample {
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuSample{}
	}
	line, _, _ := strings.Cut(string(stat), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return cpuSample{}
	}
	var s cpuSample
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i >= 8 { // guest time is already counted in user time
			break
		}
		s.total += n
		if i != 3 && i != 4 { // idle, iowait
			s.busy += n
		}
	}
	_, self, ok := procTicks("/proc/self/stat")
	if !ok {
		return cpuSample{}
	}
	s.self, s.ok = self, true
	if server != "" {
		s.self += serverTicks(server)
	}
	return s
}

// serverTicks sums the CPU time of the processes named name, with the time
// of their children that ended: a server's backend that exits is counted in
// its parent from then on, so the sum only grows.
func serverTicks(name string) int64 {
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var sum int64
	for _, d := range dirs {
		if d.Name()[0] < '0' || d.Name()[0] > '9' {
			continue
		}
		if comm, n, ok := procTicks("/proc/" + d.Name() + "/stat"); ok && comm == name {
			sum += n
		}
	}
	return sum
}

// procTicks reads a process's name and CPU time (its own and its ended
// children's) from a /proc/PID/stat file.
func procTicks(path string) (string, int64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", 0, false
	}
	// The name is in parentheses and may hold spaces; the fields after it are fixed.
	st := string(b)
	open, end := strings.IndexByte(st, '('), strings.LastIndexByte(st, ')')
	if open < 0 || end < open {
		return "", 0, false
	}
	f := strings.Fields(st[end+1:])
	if len(f) < 15 {
		return "", 0, false
	}
	var sum int64
	for _, v := range f[11:15] { // utime, stime, cutime, cstime
		n, _ := strconv.ParseInt(v, 10, 64)
		sum += n
	}
	return st[open+1 : end], sum, true
}

// othersShare is the share of the machine's CPU time from a to b that went
// to other processes, or -1 when unknown.
func othersShare(a, b cpuSample) float64 {
	total := b.total - a.total
	if !a.ok || !b.ok || total <= 0 {
		return -1
	}
	// Clock ticks are sampled, and a server's exiting processes are counted
	// only once reaped, so the share is rough: clamp it.
	others := (b.busy - a.busy) - (b.self - a.self)
	return min(1, max(0, float64(others)/float64(total)))
}
