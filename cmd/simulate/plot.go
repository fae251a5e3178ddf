package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/openwan/openwan-infra/simulation"
)

var (
	blue   = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	orange = color.RGBA{R: 255, G: 127, B: 14, A: 255}
	red    = color.RGBA{R: 214, G: 39, B: 40, A: 255}
	grey   = color.RGBA{R: 127, G: 127, B: 127, A: 255}
	purple = color.RGBA{R: 148, G: 103, B: 189, A: 255}
	green  = color.RGBA{R: 44, G: 160, B: 44, A: 255}
)

// legendRoom is the headroom above the highest line a panel keeps for its legend, so the
// legend never covers a line.
const legendRoom = 1.45

// writePlot draws one row per fleet: its load; its desired and ready replicas within its bounds,
// with its scheduled actions and interruptions marked; its CPU and memory utilization against
// the targets; its cost so far. The time axis is the clock, or the weekday for traces of a day
// or more. The format follows path's extension (.svg or .png).
func writePlot(path, stack string, r *simulation.Result) error {
	rows := make([][]*plot.Plot, len(r.Fleets))
	for i, f := range r.Fleets {
		row, err := fleetPlots(f, r)
		if err != nil {
			return err
		}
		rows[i] = row
	}
	rows[0][1].Title.Text = fmt.Sprintf("%s / %s\n%s", stack, r.Trace, rows[0][1].Title.Text)

	return drawRows(path, rows)
}

// drawRows draws rows of panels, one row a fleet, into path (.svg or .png).
func drawRows(path string, rows [][]*plot.Plot) error {
	width, height := 20*vg.Inch, vg.Length(len(rows))*3*vg.Inch
	var canvas vg.CanvasWriterTo
	switch filepath.Ext(path) {
	case ".svg":
		canvas = vgsvg.New(width, height)
	case ".png":
		canvas = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(96))}
	default:
		return fmt.Errorf("plot %s: want .svg or .png", path)
	}
	tiles := draw.Tiles{Rows: len(rows), Cols: len(rows[0]), PadX: vg.Millimeter * 6, PadY: vg.Millimeter * 6,
		PadTop: vg.Millimeter * 4, PadBottom: vg.Millimeter * 4, PadLeft: vg.Millimeter * 4, PadRight: vg.Millimeter * 4}
	canvases := plot.Align(rows, tiles, draw.New(canvas))
	for i := range rows {
		for j := range rows[i] {
			rows[i][j].Draw(canvases[i][j])
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := canvas.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// fleetPlots are one fleet's four panels.
func fleetPlots(f simulation.FleetResult, r *simulation.Result) ([]*plot.Plot, error) {
	s := f.Series
	axis := timeAxis{start: r.Start, span: r.Duration}
	unit := "requests/minute"
	if f.Name == "eks-worker" || f.Name == "ec2-worker" {
		unit = "queued jobs"
	}
	load, err := panel(f.Name+": load", unit, s.At, axis, series{s.Load, "load", blue, solid})
	if err != nil {
		return nil, err
	}
	replicas, err := panel(f.Name+": replicas", "count", s.At, axis,
		series{s.Max, "max", grey, dotted}, series{s.Min, "min", grey, dotted},
		series{s.Desired, "desired", orange, dashed}, series{s.Ready, "ready", blue, solid})
	if err != nil {
		return nil, err
	}
	replicas.Y.Tick.Marker = integerTicks{}
	replicas.Legend.Left = false // the event labels start at the left
	if err := markEvents(replicas, f.Events); err != nil {
		return nil, err
	}
	util, err := panel(f.Name+": utilization", "percent of request", s.At, axis,
		series{s.CPU, "CPU", blue, solid}, series{s.Memory, "memory", green, solid},
		series{constant(len(s.At), f.CPUTarget), fmt.Sprintf("CPU target %.0f %%", f.CPUTarget), red, dashed},
		series{constant(len(s.At), f.MemoryTarget), fmt.Sprintf("memory target %.0f %%", f.MemoryTarget), green, dashed})
	if err != nil {
		return nil, err
	}
	cost, err := panel(f.Name+": cost so far", "USD", s.At, axis, series{s.CostUSD, fmt.Sprintf("%.2f USD in all", f.CostUSD), purple, solid})
	if err != nil {
		return nil, err
	}
	return []*plot.Plot{load, replicas, util, cost}, nil
}

type lineStyle int

const (
	solid lineStyle = iota
	dashed
	dotted
)

type series struct {
	values []float64
	name   string
	color  color.Color
	style  lineStyle
}

func constant(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func panel(title, yLabel string, at []time.Duration, axis timeAxis, lines ...series) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = axis.label()
	p.X.Tick.Marker = axis
	p.Y.Label.Text = yLabel
	p.Legend.Top = true
	p.Legend.Left = true
	high := 0.0
	for _, l := range lines {
		xys := make(plotter.XYs, len(at))
		for i := range at {
			xys[i] = plotter.XY{X: at[i].Hours(), Y: l.values[i]}
			high = max(high, l.values[i])
		}
		line, err := plotter.NewLine(xys)
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
		p.Add(line)
		p.Legend.Add(l.name, line)
	}
	p.Y.Min = 0
	p.Y.Max = math.Max(high, 1) * legendRoom
	return p, nil
}

// markEvents draws each event as a vertical line across the panel, labelled at its top; when
// events recur (a schedule every weekday), each label is written once, at its first line.
func markEvents(p *plot.Plot, events []simulation.Event) error {
	if len(events) == 0 {
		return nil
	}
	var labels plotter.XYLabels
	labelled := map[string]bool{}
	for _, e := range events {
		x := e.At.Hours()
		line, err := plotter.NewLine(plotter.XYs{{X: x, Y: 0}, {X: x, Y: p.Y.Max}})
		if err != nil {
			return err
		}
		line.Color = purple
		line.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
		p.Add(line)
		if labelled[e.Label] {
			continue
		}
		labelled[e.Label] = true
		// Staggered, so two labels close in time do not print over each other.
		labels.XYs = append(labels.XYs, plotter.XY{X: x, Y: p.Y.Max * (0.95 - 0.08*float64(len(labelled)-1))})
		labels.Labels = append(labels.Labels, " "+e.Label)
	}
	text, err := plotter.NewLabels(labels)
	if err != nil {
		return err
	}
	p.Add(text)
	return nil
}

// integerTicks are the default ticks of a count axis without the fractions.
type integerTicks struct{}

func (integerTicks) Ticks(lo, hi float64) []plot.Tick {
	var out []plot.Tick
	for _, t := range (plot.DefaultTicks{}).Ticks(lo, hi) {
		if t.Label != "" && t.Value == math.Trunc(t.Value) {
			out = append(out, plot.Tick{Value: t.Value, Label: strconv.FormatFloat(t.Value, 'f', -1, 64)})
		} else {
			out = append(out, plot.Tick{Value: t.Value}) // a minor tick, unlabelled
		}
	}
	return out
}

// timeAxis labels the hours from the trace's start as the clock ("08:00"), or as weekday and
// clock ("Mon 08:00") for traces of a day or more.
type timeAxis struct {
	start time.Time
	span  time.Duration
}

func (a timeAxis) label() string {
	if a.span >= 24*time.Hour {
		return "weekday and time"
	}
	return "time of day"
}

func (a timeAxis) Ticks(lo, hi float64) []plot.Tick {
	step := 0.25 // hours
	switch h := hi - lo; {
	case h > 48:
		step = 24
	case h > 24:
		step = 12
	case h > 6:
		step = 2
	case h > 2:
		step = 0.5
	}
	var out []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		at := a.start.Add(time.Duration(v * float64(time.Hour)))
		label := at.Format("15:04")
		switch {
		case step >= 24:
			label = at.Format("Mon")
		case a.span >= 24*time.Hour:
			label = at.Format("Mon 15:04")
		}
		out = append(out, plot.Tick{Value: v, Label: label})
	}
	return out
}
