package report

import "time"

// The day axis of the daily charts: which days get a label, and the days
// marked partial.

// dayAxis sets the x ticks of a daily chart and returns each day's slot width.
func (c *chart) dayAxis(days []time.Time) num {
	slot := (c.Right - c.Left) / num(len(days))
	for _, i := range dayTicks(days) {
		c.XTicks = append(c.XTicks, tick{Pos: c.Left + slot*(num(i)+0.5), Label: dayTickLabel(days, i)})
	}
	return slot
}

// dayTicks picks the days to label: every day, every other day or weekly
// on Mondays for a few months, else the first of every month (or of every
// 2nd, 3rd, 6th or 12th month), so a year of days gets about a dozen labels.
func dayTicks(days []time.Time) []int {
	n := len(days)
	var out []int
	if n <= 120 {
		step := 14
		for _, s := range []int{1, 2, 7} {
			if n/s <= 16 {
				step = s
				break
			}
		}
		first := 0
		if step >= 7 {
			for first < n && days[first].Weekday() != time.Monday {
				first++
			}
		}
		for i := first; i < n; i += step {
			out = append(out, i)
		}
		return out
	}
	months := 0
	for _, d := range days {
		if d.Day() == 1 {
			months++
		}
	}
	every := 12
	for _, s := range []int{1, 2, 3, 6} {
		if months/s <= 13 {
			every = s
			break
		}
	}
	for i, d := range days {
		if d.Day() == 1 && (int(d.Month())-1)%every == 0 {
			out = append(out, i)
		}
	}
	return out
}

func dayTickLabel(days []time.Time, i int) string {
	d := days[i]
	if len(days) > 120 {
		if d.Month() == time.January || i == dayTicks(days)[0] {
			return d.Format("Jan 2006")
		}
		return d.Format("Jan")
	}
	return d.Format("Jan 2")
}

// markPartial shades the given days of a daily chart of n days and labels
// them, so a low first or last day reads as partial, not as a drop.
func (c *chart) markPartial(n int, partial []partialDay) {
	if c.Empty != "" || n == 0 {
		return
	}
	slot := (c.Right - c.Left) / num(n)
	for _, p := range partial {
		b := band{X: c.Left + slot*num(p.Index), W: slot, Title: p.Note, Anchor: "middle"}
		b.LabelX = b.X + slot/2
		switch {
		case n == 1:
		case p.Index == 0:
			b.LabelX, b.Anchor = b.X, "start"
		case p.Index == n-1:
			b.LabelX, b.Anchor = b.X+slot, "end"
		}
		c.Partial = append(c.Partial, b)
	}
}
