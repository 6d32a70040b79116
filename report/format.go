package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Number and date formats of the page. Go formats everything, so the page
// is the same bytes for the same data in every locale.

// thousands formats n with comma separators: 1,234,567.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// compact formats an axis value: 950, 1.5k, 12k, 1.2M.
func compact(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6:
		return trimZero(strconv.FormatFloat(v/1e6, 'f', 1, 64)) + "M"
	case a >= 1e3:
		return trimZero(strconv.FormatFloat(v/1e3, 'f', 1, 64)) + "k"
	case a == math.Trunc(a):
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return trimZero(strconv.FormatFloat(v, 'f', 2, 64))
}

func trimZero(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// percentAxis formats percent ticks with as many decimals as the scale needs.
func percentAxis(max float64) func(float64) string {
	_, step := niceScale(max, false)
	decimals := 0
	for math.Abs(step-math.Round(step)) > 1e-9 && decimals < 3 { // 0.25 needs two
		step *= 10
		decimals++
	}
	return func(v float64) string { return strconv.FormatFloat(v, 'f', decimals, 64) + "%" }
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// percent formats a/b as a percentage with one decimal; "–" when b is 0.
func percent(a, b int64) string {
	if b == 0 {
		return "–"
	}
	return strconv.FormatFloat(100*float64(a)/float64(b), 'f', 1, 64) + "%"
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "y") && !strings.ContainsAny(word[len(word)-2:len(word)-1], "aeiou") {
		return thousands(int64(n)) + " " + strings.TrimSuffix(word, "y") + "ies"
	}
	return thousands(int64(n)) + " " + word + "s"
}

func dayTitle(t time.Time) string { return t.Format("Mon, Jan 2, 2006") }

// duration formats seconds as 0s, 45s, 3m 05s or 1h 02m.
func duration(sec float64) string {
	s := int64(math.Round(sec))
	switch {
	case s < 60:
		return strconv.FormatInt(s, 10) + "s"
	case s < 3600:
		return fmt.Sprintf("%dm %02ds", s/60, s%60)
	}
	return fmt.Sprintf("%dh %02dm", s/3600, s%3600/60)
}

// change formats the change from prev to cur as a signed percentage, with
// its class (up, down or flat); "new" when there was nothing before.
func change(cur, prev float64) (text, class string) {
	switch {
	case prev == 0 && cur == 0:
		return "±0%", "flat"
	case prev == 0:
		return "new", "up"
	}
	return signed(100*(cur-prev)/prev, "%")
}

// pointChange formats the change of a rate from prev to cur percent in
// percentage points.
func pointChange(cur, prev float64) (text, class string) { return signed(cur-prev, " pp") }

// signed formats v with one decimal and its sign (a true minus), and its class.
func signed(v float64, unit string) (text, class string) {
	s := strconv.FormatFloat(math.Abs(v), 'f', 1, 64)
	switch {
	case s == "0.0":
		return "±0" + unit, "flat"
	case v > 0:
		return "+" + s + unit, "up"
	}
	return "−" + s + unit, "down"
}
