package models

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// day is the `d` unit of model durations: 24 hours, not a calendar day.
const day = 24 * time.Hour

// durationForms is what a bad duration message asks for.
const durationForms = "want a number and a unit: 90s, 30m, 1h, 1h30m, or d for 24-hour days: 3d, 1d12h"

var dayCount = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// ParseDuration reads a model duration: Go's syntax (30m, 90s, 1h30m) plus a
// leading `d` part for 24-hour days (3d, 1d12h, 1.5d). It does not check the
// sign; the loader wants every duration greater than zero.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	body := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	if body == "" || strings.ContainsAny(body, "+- ") {
		return 0, errors.New("bad duration")
	}
	var d time.Duration
	rest := body
	if i := strings.IndexByte(body, 'd'); i >= 0 {
		days := body[:i]
		rest = body[i+1:]
		if !dayCount.MatchString(days) {
			return 0, errors.New("bad duration")
		}
		n, err := strconv.ParseFloat(days, 64)
		if err != nil || n*float64(day) > math.MaxInt64 {
			return 0, errors.New("duration out of range")
		}
		d = time.Duration(n * float64(day))
	}
	if rest != "" {
		r, err := time.ParseDuration(rest)
		if err != nil {
			return 0, errors.New("bad duration")
		}
		if r > math.MaxInt64-d {
			return 0, errors.New("duration out of range")
		}
		d += r
	}
	if neg {
		d = -d
	}
	return d, nil
}

// Duration formats d in the model's own syntax, the inverse of
// ParseDuration for whole seconds: 30d, 3d, 1d12h, 1h30m, 30m, 90s -> 1m30s.
func Duration(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d < 0:
		return "-" + Duration(-d)
	}
	var b strings.Builder
	if days := d / day; days > 0 {
		b.WriteString(strconv.FormatInt(int64(days), 10) + "d")
		d -= days * day
	}
	if d == 0 {
		return b.String()
	}
	if d%time.Second != 0 {
		// Sub-second durations keep Go's own spelling, which ParseDuration reads.
		return b.String() + d.String()
	}
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.unit; n > 0 {
			b.WriteString(strconv.FormatInt(int64(n), 10) + u.name)
			d -= n * u.unit
		}
	}
	return b.String()
}
