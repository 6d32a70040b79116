package report

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Charts are laid out in Go and drawn by the page template as inline SVG:
// the template only prints numbers and labels, html/template escapes them.

// Chart geometry, in SVG user units; the SVG scales to its container.
const (
	maxBarW  = 48 // the widest bar of a daily chart, however few the days
	chartW   = 1080
	chartH   = 300
	padLeft  = 60
	padRight = 16
	padTop   = 14
	padBot   = 34
)

// num is a coordinate, printed with at most one decimal so the page stays
// small and byte-for-byte the same for the same data.
type num float64

func (n num) String() string {
	s := strconv.FormatFloat(math.Round(float64(n)*10)/10, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		return "0"
	}
	return s
}

// chart is one SVG chart and its legend.
type chart struct {
	ID, Label                string // data-chart and aria-label
	W, H                     int
	Left, Top, Right, Bottom num    // the plot area
	YTicks                   []tick // horizontal grid lines, labelled at the left
	XTicks                   []tick // labels under the x axis
	VTicks                   []tick // vertical grid lines, labelled under the x axis
	Rows                     []rowLabel
	Columns                  []column
	Lines                    []line
	Legend                   []legendItem
	Partial                  []band // days that hold part of a day's data
	Empty                    string // shown instead of the plot when there is no data
}

// band is a day column marked as partial: shaded, with a label above the plot.
type band struct {
	X, W   num
	LabelX num
	Anchor string // text-anchor of the label, so it stays inside the chart
	Title  string
}

// tick is a labelled position on an axis.
type tick struct {
	Pos   num
	Label string
}

// column is one hover target: a day of a daily chart or a bucket of the
// histogram, with its tooltip and the bars drawn in it.
type column struct {
	X, Y, W, H num
	Title      string
	Bars       []bar
	Labels     []barLabel
}

type bar struct {
	X, Y, W, H num
	Color      string
}

// barLabel is a small value printed above a bar.
type barLabel struct {
	X, Y  num
	Text  string
	Class string
}

type line struct {
	Name, Color string
	D           string // SVG path data; gaps where a value is missing
	// Points are the values with no neighbour to draw a segment to (a
	// single day, or a day between gaps): a path of one point draws nothing.
	Points []point
}

type point struct{ X, Y num }

type legendItem struct {
	Name, Color string
}

// series is one named row of values; NaN is a missing value.
type series struct {
	Name, Color string
	Values      []float64
}

func newChart(id, label string) chart {
	return chart{ID: id, Label: label, W: chartW, H: chartH,
		Left: padLeft, Top: padTop, Right: chartW - padRight, Bottom: chartH - padBot}
}

// PlotH is the height of the plot area.
func (c chart) PlotH() num { return c.Bottom - c.Top }

// TickEnd is the lower end of an x tick mark.
func (c chart) TickEnd() num { return c.Bottom + 5 }

// LabelY is the baseline of the x tick labels.
func (c chart) LabelY() num { return c.Bottom + 20 }

// PartialY is the baseline of the label over a partial day.
func (c chart) PartialY() num { return c.Top - 3 }

// MidX is the horizontal centre of the plot area, for the empty message.
func (c chart) MidX() num { return (c.Left + c.Right) / 2 }

// MidY is the vertical centre of the plot area.
func (c chart) MidY() num { return (c.Top + c.Bottom) / 2 }

// axis is how a value axis is scaled and labelled.
type axis struct {
	format func(float64) string
	// whole keeps the ticks on whole numbers: an axis of counts has no
	// tick at 0.5 sessions.
	whole bool
}

// counts is the axis of a chart of counts.
var counts = axis{format: compact, whole: true}

// percents is the axis of a chart of shares up to max percent.
func percents(max float64) axis { return axis{format: percentAxis(max)} }

// yScale sets nice y ticks for values up to max and returns the function
// from a value to its y coordinate.
func (c *chart) yScale(max float64, ax axis) func(float64) num {
	top, step := niceScale(max, ax.whole)
	for i := 0; float64(i)*step <= top+step/2; i++ {
		v := float64(i) * step
		c.YTicks = append(c.YTicks, tick{Pos: c.Bottom - num(v/top)*(c.Bottom-c.Top), Label: ax.format(v)})
	}
	return func(v float64) num { return c.Bottom - num(v/top)*(c.Bottom-c.Top) }
}

// niceScale picks an axis top and a step of 1, 2, 2.5 or 5 times a power
// of ten (2.5 only from 25 up, so small counts step by whole numbers),
// giving four to ten steps. With whole, the step is at least 1, so counts
// up to 5 get a tick per count.
func niceScale(max float64, whole bool) (top, step float64) {
	if !(max > 0) {
		if whole {
			return 1, 1
		}
		return 1, 0.25
	}
	rough := max / 5
	mag := math.Pow(10, math.Floor(math.Log10(rough)))
	step = 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m == 2.5 && mag < 10 {
			continue // keep steps of small counts whole
		}
		if m*mag >= rough {
			step = m * mag
			break
		}
	}
	if whole && step < 1 {
		step = 1
	}
	top = math.Ceil(max/step-1e-9) * step
	return top, step
}

// lineChart draws one line per series over days, with a hover column per day.
func lineChart(id, label string, days []time.Time, ss []series, ax axis, tooltip func(int) string) chart {
	c := newChart(id, label)
	for _, s := range ss {
		c.Legend = append(c.Legend, legendItem{Name: s.Name, Color: s.Color})
	}
	max := 0.0
	for _, s := range ss {
		for _, v := range s.Values {
			if v > max {
				max = v
			}
		}
	}
	if len(days) == 0 {
		c.Empty = "No sessions in this range."
		return c
	}
	y := c.yScale(max, ax)
	slot := c.dayAxis(days)
	for i := range days {
		c.Columns = append(c.Columns, column{X: c.Left + slot*num(i), Y: c.Top, W: slot, H: c.PlotH(), Title: tooltip(i)})
	}
	present := func(vs []float64, i int) bool { return i >= 0 && i < len(vs) && !math.IsNaN(vs[i]) }
	for _, s := range ss {
		var b strings.Builder
		ln := line{Name: s.Name, Color: s.Color}
		for i, v := range s.Values {
			if math.IsNaN(v) {
				continue
			}
			x := c.Left + slot*(num(i)+0.5)
			cmd := "L"
			if !present(s.Values, i-1) {
				cmd = "M"
				if !present(s.Values, i+1) {
					ln.Points = append(ln.Points, point{X: x, Y: y(v)})
				}
			}
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(cmd + x.String() + "," + y(v).String())
		}
		ln.D = b.String()
		c.Lines = append(c.Lines, ln)
	}
	return c
}

// stackedBars draws one bar per day with the series stacked, first at the bottom.
func stackedBars(id, label string, days []time.Time, ss []series, ax axis, tooltip func(int) string) chart {
	c := newChart(id, label)
	for _, s := range ss {
		c.Legend = append(c.Legend, legendItem{Name: s.Name, Color: s.Color})
	}
	if len(days) == 0 {
		c.Empty = "No sessions in this range."
		return c
	}
	max := 0.0
	for i := range days {
		total := 0.0
		for _, s := range ss {
			total += s.Values[i]
		}
		max = math.Max(max, total)
	}
	y := c.yScale(max, ax)
	slot := c.dayAxis(days)
	gap := slot * 0.18
	if slot < 4 {
		gap = 0
	}
	if slot-gap > maxBarW { // a few days: bars of a bar's width, not of the chart's
		gap = slot - maxBarW
	}
	for i := range days {
		col := column{X: c.Left + slot*num(i), Y: c.Top, W: slot, H: c.PlotH(), Title: tooltip(i)}
		base := 0.0
		for _, s := range ss {
			v := s.Values[i]
			if v <= 0 {
				continue
			}
			top := y(base + v)
			col.Bars = append(col.Bars, bar{X: col.X + gap/2, Y: top, W: slot - gap, H: y(base) - top, Color: s.Color})
			base += v
		}
		c.Columns = append(c.Columns, col)
	}
	return c
}

// groupedBars draws, per category, one bar per series side by side, with
// its value printed above it when there is room.
func groupedBars(id, label string, categories []string, ss []series, ax axis, valueLabel func(float64) string, tooltip func(int) string) chart {
	c := newChart(id, label)
	for _, s := range ss {
		c.Legend = append(c.Legend, legendItem{Name: s.Name, Color: s.Color})
	}
	max := 0.0
	for _, s := range ss {
		for _, v := range s.Values {
			max = math.Max(max, v)
		}
	}
	if max == 0 || len(ss) == 0 {
		c.Empty = "No sessions in this range."
		return c
	}
	y := c.yScale(max, ax)
	slot := (c.Right - c.Left) / num(len(categories))
	inner := slot * 0.8
	bw := inner / num(len(ss))
	for i, name := range categories {
		col := column{X: c.Left + slot*num(i), Y: c.Top, W: slot, H: c.PlotH(), Title: tooltip(i)}
		c.XTicks = append(c.XTicks, tick{Pos: col.X + slot/2, Label: name})
		for j, s := range ss {
			v := s.Values[i]
			x := col.X + (slot-inner)/2 + bw*num(j)
			top := y(v)
			col.Bars = append(col.Bars, bar{X: x + 1, Y: top, W: bw - 2, H: c.Bottom - top, Color: s.Color})
			if bw >= 22 && v >= 0.5 {
				col.Labels = append(col.Labels, barLabel{X: x + bw/2, Y: top - 4, Text: valueLabel(v), Class: "val"})
			}
		}
		c.Columns = append(c.Columns, col)
	}
	return c
}

// rowLabel is the label of one row of a horizontal bar chart.
type rowLabel struct {
	Y     num
	Text  string
	Color string // the dot before it
}

// hbarRow is one category of a horizontal bar chart: its label, the color
// of the dot before it, and its values, one per series.
type hbarRow struct {
	Label, Color string
	Values       []float64
}

const (
	hbarLabelW = 350 // room for the row labels, left of the plot
	hbarRowH   = 30
)

// horizontalBars draws one row per category with a bar per series, values
// printed at the bars' ends; the x axis is at the bottom.
func horizontalBars(id, label string, rows []hbarRow, ss []series, ax axis, valueLabel func(float64) string, tooltip func(int) string) chart {
	c := newChart(id, label)
	for _, s := range ss {
		c.Legend = append(c.Legend, legendItem{Name: s.Name, Color: s.Color})
	}
	if len(rows) == 0 {
		c.H = 120
		c.Bottom = num(c.H - padBot)
		c.Empty = "No prompted product sessions in this range."
		return c
	}
	c.Left = hbarLabelW
	c.Right = chartW - 48 // room for the value after the longest bar
	c.H = padTop + hbarRowH*len(rows) + padBot
	c.Bottom = num(c.H - padBot)
	max := 0.0
	for _, r := range rows {
		for _, v := range r.Values {
			max = math.Max(max, v)
		}
	}
	top, step := niceScale(max, ax.whole)
	x := func(v float64) num { return c.Left + num(v/top)*(c.Right-c.Left) }
	for i := 0; float64(i)*step <= top+step/2; i++ {
		v := float64(i) * step
		c.VTicks = append(c.VTicks, tick{Pos: x(v), Label: ax.format(v)})
	}
	bh := num(hbarRowH-10) / num(len(ss))
	for i, r := range rows {
		y0 := c.Top + num(hbarRowH*i)
		col := column{X: 0, Y: y0, W: num(c.W), H: hbarRowH, Title: tooltip(i)}
		for j, s := range ss {
			v := r.Values[j]
			by := y0 + 5 + bh*num(j)
			col.Bars = append(col.Bars, bar{X: c.Left, Y: by, W: x(v) - c.Left, H: bh - 1, Color: s.Color})
			col.Labels = append(col.Labels, barLabel{X: x(v) + 4, Y: by + bh/2, Text: valueLabel(v), Class: "val end"})
		}
		c.Columns = append(c.Columns, col)
		c.Rows = append(c.Rows, rowLabel{Y: y0 + hbarRowH/2, Text: r.Label, Color: r.Color})
	}
	return c
}
