package main

import (
	"fmt"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
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

// writePlot draws one row per fleet: its load, with the time-to-capacity target after each load
// step and its verdict; its desired and ready replicas within its bounds, with its scheduled
// actions and interruptions marked; its CPU and memory utilization against the targets; its
// cost so far. The time axis is the clock, or the weekday for traces of a day or more. The
// format follows path's extension (.svg or .png).
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
		canvas = fastPNG{vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(96))}
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
		return fmt.Errorf("plot %s: %w", path, err)
	}
	return f.Close()
}

// fastPNG writes the canvas as a PNG compressed for speed. vgimg.PngCanvas encodes at the default
// level, whose deflate was a quarter of a run's CPU; the fastest level's file is about 4 % larger.
type fastPNG struct{ *vgimg.Canvas }

// WriteTo encodes the canvas's image into w.
func (c fastPNG) WriteTo(w io.Writer) (int64, error) {
	counted := &countingWriter{w: w}
	err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(counted, c.Image())
	return counted.n, err
}

// countingWriter counts the bytes written through it, for io.WriterTo.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// isWorker says whether a fleet runs the transcoding jobs.
func isWorker(name string) bool { return strings.HasSuffix(name, "-worker") }

// utilizationUnit is what a fleet's CPU and memory are a percent of: a pod's request, or an EC2
// instance.
func utilizationUnit(name string) string {
	if strings.HasPrefix(name, "ec2-") {
		return "percent of the instance"
	}
	return "percent of request"
}

// fleetPlots are one fleet's four panels.
func fleetPlots(f simulation.FleetResult, r *simulation.Result) ([]*plot.Plot, error) {
	s := f.Series
	axis := timeAxis{start: r.Start, span: r.Duration}
	title := verdictTitle(f.Name+": load", "", f)
	var load *chart
	var err error
	if isWorker(f.Name) {
		// What makes the workers scale is work coming in and running, not only the jobs that
		// wait, which a fleet keeping up holds at zero.
		load, err = panel(title, "jobs; arrivals: jobs/minute", s.At, axis,
			series{s.Arrivals, "arrivals (jobs/minute)", purple, solid},
			series{s.Running, "running jobs", blue, solid},
			series{s.Load, "queued jobs", orange, dashed})
	} else {
		load, err = panel(title, "requests/minute", s.At, axis, series{s.Load, "requests/minute", blue, solid})
	}
	if err != nil {
		return nil, err
	}
	if err := markCapacity(load, f, r.Duration); err != nil {
		return nil, err
	}
	replicas, err := panel(f.Name+": replicas", "count", s.At, axis,
		series{s.Max, "max", grey, dotted}, series{s.Min, "min", grey, dotted},
		series{s.Desired, "desired", orange, dashed}, series{s.Ready, "ready", blue, solid})
	if err != nil {
		return nil, err
	}
	replicas.Y.Tick.Marker = valueTicks{whole: true}
	replicas.Legend.Left = false
	if err := markEvents(replicas, f.Events); err != nil {
		return nil, err
	}
	util, err := panel(f.Name+": utilization", utilizationUnit(f.Name), s.At, axis,
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
	return []*plot.Plot{load.done(), replicas.done(), util.done(), cost.done()}, nil
}
