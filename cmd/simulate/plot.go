package main

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"
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
)

// writePlot draws one row per fleet: its load, its desired and ready replicas, and its CPU and
// memory utilization with the targets, over the trace's hours. The format follows path's
// extension (.svg or .png).
func writePlot(path, stack string, r *simulation.Result) error {
	rows := make([][]*plot.Plot, len(r.Fleets))
	for i, f := range r.Fleets {
		row, err := fleetPlots(f)
		if err != nil {
			return err
		}
		rows[i] = row
	}
	rows[0][1].Title.Text = fmt.Sprintf("%s / %s\n%s", stack, r.Trace, rows[0][1].Title.Text)

	width, height := 16*vg.Inch, vg.Length(len(rows))*3*vg.Inch
	var canvas vg.CanvasWriterTo
	switch filepath.Ext(path) {
	case ".svg":
		canvas = vgsvg.New(width, height)
	case ".png":
		canvas = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(96))}
	default:
		return fmt.Errorf("plot %s: want .svg or .png", path)
	}
	dc := draw.New(canvas)
	tiles := draw.Tiles{Rows: len(rows), Cols: 3, PadX: vg.Millimeter * 6, PadY: vg.Millimeter * 6,
		PadTop: vg.Millimeter * 4, PadBottom: vg.Millimeter * 4, PadLeft: vg.Millimeter * 4, PadRight: vg.Millimeter * 4}
	canvases := plot.Align(rows, tiles, dc)
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

// fleetPlots are one fleet's three panels.
func fleetPlots(f simulation.FleetResult) ([]*plot.Plot, error) {
	s := f.Series
	unit := "requests/minute"
	if f.Name == "eks-worker" || f.Name == "ec2-worker" {
		unit = "queued jobs"
	}
	load, err := panel(f.Name+": load", unit, s.At, series{s.Load, "load", blue, false})
	if err != nil {
		return nil, err
	}
	replicas, err := panel(f.Name+": replicas", "count", s.At,
		series{s.Desired, "desired", orange, false}, series{s.Ready, "ready", blue, false})
	if err != nil {
		return nil, err
	}
	util, err := panel(f.Name+": utilization", "percent", s.At,
		series{s.CPU, "CPU", blue, false}, series{s.Memory, "memory", grey, false},
		series{constant(len(s.At), f.CPUTarget), fmt.Sprintf("CPU target %.0f %%", f.CPUTarget), red, true},
		series{constant(len(s.At), f.MemoryTarget), fmt.Sprintf("memory target %.0f %%", f.MemoryTarget), grey, true})
	if err != nil {
		return nil, err
	}
	util.Y.Min = 0
	return []*plot.Plot{load, replicas, util}, nil
}

type series struct {
	values []float64
	name   string
	color  color.Color
	dashed bool
}

func constant(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func panel(title, yLabel string, at []time.Duration, lines ...series) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "hours"
	p.Y.Label.Text = yLabel
	p.Legend.Top = true
	for _, l := range lines {
		xys := make(plotter.XYs, len(at))
		for i := range at {
			xys[i] = plotter.XY{X: at[i].Hours(), Y: l.values[i]}
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		line.Color = l.color
		if l.dashed {
			line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		}
		p.Add(line)
		p.Legend.Add(l.name, line)
	}
	p.Y.Min = 0
	return p, nil
}
