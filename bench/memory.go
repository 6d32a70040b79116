package bench

import (
	"os"
	"strconv"
	"strings"
)

// resetPeak resets the kernel's record of this process's peak resident set
// (VmHWM) to its current size, so the next peakRSS is the peak since now.
// It reports whether the kernel allowed it (Linux 4.0 and newer).
func resetPeak() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSS is the peak resident set of this process in bytes (VmHWM), or 0
// where /proc does not tell.
func peakRSS() int64 {
	v := procField("/proc/self/status", "VmHWM")
	kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(v, "kB")), 10, 64)
	if err != nil {
		return 0
	}
	return kb * 1024
}

// cpuSample is a reading of the machine's and this process's CPU time, in
// clock ticks, to tell how much of a measurement other processes took.
type cpuSample struct {
	busy, total, self int64
	ok                bool
}

// sampleCPU reads /proc/stat and /proc/self/stat; ok is false off Linux.
func sampleCPU() cpuSample {
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
	self, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return cpuSample{}
	}
	// The command name may hold spaces; the fields after it are fixed.
	rest := string(self)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	sf := strings.Fields(rest)
	if len(sf) < 13 {
		return cpuSample{}
	}
	utime, _ := strconv.ParseInt(sf[11], 10, 64)
	stime, _ := strconv.ParseInt(sf[12], 10, 64)
	s.self = utime + stime
	s.ok = true
	return s
}

// othersShare is the share of the machine's CPU time from a to b that went
// to other processes, or -1 when unknown.
func othersShare(a, b cpuSample) float64 {
	total := b.total - a.total
	if !a.ok || !b.ok || total <= 0 {
		return -1
	}
	others := (b.busy - a.busy) - (b.self - a.self)
	return max(0, float64(others)/float64(total))
}
