package main

import (
	"image/color"
	"math"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// columns is the most points a line of a panel holds: about one per pixel column of a panel's
// data area in the PNG (a fifth of its 20 inches at 96 dpi, less the axis). A longer series is
// drawn as the mean of each column's samples over a shaded band from their least to their most:
// a week of minutes drawn point by point filled the weekend with solid blocks (the workers'
// CPU moving with every job) and made a 5.6 MB SVG.
const columns = 400

// legendEntryShare is the part of a panel's height one legend entry takes (a line of
// legendFontSize in a data area about 120 pt high, less in a row whose titles carry a verdict
// of several lines), legendMargin the part kept between the legend and the highest line: the
// panel keeps that room above its lines, so the legend never covers one.
const (
	legendFontSize   = 10
	legendEntryShare = 0.09
	legendMargin     = 0.05
)

type lineStyle int

const (
	solid lineStyle = iota
	dashed
	dotted
)

// series is one line of a panel: its values at the panel's sample times, its legend and style.
type series struct {
	values []float64
	name   string
	color  color.Color
	style  lineStyle
}

// chart is a panel being built: the highest value drawn and the legend's entries set the room
// kept above the lines for the legend when it is done.
type chart struct {
	*plot.Plot
	high    float64
	entries int
	// marks are drawn from the bottom to the highest line when the chart is done, below the
	// legend: a scheduled action's line, the time-to-capacity window.
	marks []mark
}

// mark is a vertical mark's points, whose top is the chart's highest line.
type mark struct {
	top []*plotter.XY
}

// legend adds an entry to the panel's legend.
func (c *chart) legend(name string, thumbs ...plot.Thumbnailer) {
	c.Legend.Add(name, thumbs...)
	c.entries++
}

// done sets the value axis from 0 to the highest line and the legend's room above it, and
// raises the marks to the highest line.
func (c *chart) done() *plot.Plot {
	high := math.Max(c.high, 1)
	for _, m := range c.marks {
		for _, p := range m.top {
			p.Y = high
		}
	}
	c.Y.Min = 0
	c.Y.Max = high / (1 - legendMargin - legendEntryShare*float64(min(c.entries, 8)))
	return c.Plot
}

// aggregate is a series as a panel draws it: at most n points, each the mean, least and most
// of consecutive samples (hours from the start for x); per is how many samples a point stands
// for (1: the samples as they are).
func aggregate(at []time.Duration, values []float64, n int) (x, mean, lo, hi []float64, per int) {
	per = max(1, (len(at)+n-1)/n)
	for i := 0; i < len(at); i += per {
		j := min(i+per, len(at))
		sum, least, most := 0.0, math.Inf(1), math.Inf(-1)
		for _, v := range values[i:j] {
			sum += v
			least, most = math.Min(least, v), math.Max(most, v)
		}
		x = append(x, (at[i].Hours()+at[j-1].Hours())/2)
		mean = append(mean, sum/float64(j-i))
		lo, hi = append(lo, least), append(hi, most)
	}
	return x, mean, lo, hi, per
}

// panel is a chart of lines over the trace's time, each in at most columns points.
func panel(title, yLabel string, at []time.Duration, axis timeAxis, lines ...series) (*chart, error) {
	c := &chart{Plot: plot.New()}
	c.Title.Text = title
	c.X.Tick.Marker = axis
	c.X.Min, c.X.Max = 0, axis.span.Hours()
	c.Y.Label.Text = yLabel
	c.Y.Tick.Marker = valueTicks{}
	c.Legend.Top = true
	c.Legend.Left = true
	c.Legend.TextStyle.Font.Size = vg.Points(legendFontSize)
	for _, l := range lines {
		x, mean, lo, hi, per := aggregate(at, l.values, columns)
		if per > 1 {
			axis.per = time.Duration(per) * (at[1] - at[0])
			if err := c.band(x, lo, hi, l.color); err != nil {
				return nil, err
			}
		}
		for i := range x {
			c.high = math.Max(c.high, hi[i])
		}
		line, err := plotter.NewLine(flatRuns(x, mean))
		if err != nil {
			return nil, err
		}
		line.Color = l.color
		switch l.style {
		case dashed:
			line.Width = vg.Points(2)
			line.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		case dotted:
			line.Dashes = []vg.Length{vg.Points(1), vg.Points(3)}
		}
		c.Add(line)
		c.legend(l.name, line)
	}
	c.X.Label.Text = axis.label()
	return c, nil
}

// flatRuns are a line's points less those inside a run of equal values, which draw nothing the
// run's ends do not: a count or a target over a week is a few points, not hundreds.
func flatRuns(x, y []float64) plotter.XYs {
	out := make(plotter.XYs, 0, len(x))
	for i := range x {
		if i > 0 && i < len(x)-1 && y[i] == y[i-1] && y[i] == y[i+1] {
			continue
		}
		out = append(out, plotter.XY{X: x[i], Y: y[i]})
	}
	return out
}

// band shades the range of a line's samples behind it; nothing when they never spread.
func (c *chart) band(x, lo, hi []float64, col color.Color) error {
	spread := false
	ring := make(plotter.XYs, 0, 2*len(x))
	for i := range x {
		ring = append(ring, plotter.XY{X: x[i], Y: hi[i]})
		spread = spread || hi[i] > lo[i]
	}
	if !spread {
		return nil
	}
	for i := len(x) - 1; i >= 0; i-- {
		ring = append(ring, plotter.XY{X: x[i], Y: lo[i]})
	}
	poly, err := plotter.NewPolygon(ring)
	if err != nil {
		return err
	}
	poly.Color = translucent(col, 0x40)
	poly.LineStyle.Width = 0
	c.Add(poly)
	return nil
}

// translucent is col with alpha a (of 255).
func translucent(col color.Color, a uint8) color.Color {
	r, g, b, _ := col.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

func constant(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}
