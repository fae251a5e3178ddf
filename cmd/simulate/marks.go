package main

import (
	"fmt"
	"image/color"
	"strings"
	"time"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/openwan/openwan-infra/simulation"
)

// eventColors tell a panel's kinds of events apart, in the order they first happen.
var eventColors = []color.Color{
	purple,
	color.RGBA{R: 140, G: 86, B: 75, A: 255}, // brown
	color.RGBA{R: 227, G: 119, B: 194, A: 255}, // pink
	color.RGBA{R: 23, G: 190, B: 207, A: 255},  // cyan
	color.RGBA{R: 188, G: 189, B: 34, A: 255},  // olive
}

// vertical adds a line at x (hours) from the bottom of the panel to its highest line.
func (c *chart) vertical(x float64, col color.Color, dashes ...vg.Length) (*plotter.Line, error) {
	line, err := plotter.NewLine(plotter.XYs{{X: x, Y: 0}, {X: x, Y: 0}})
	if err != nil {
		return nil, err
	}
	line.Color = col
	line.Dashes = dashes
	c.Add(line)
	c.marks = append(c.marks, mark{top: []*plotter.XY{&line.XYs[1]}})
	return line, nil
}

// window adds a shaded span from x0 to x1 (hours), from the bottom of the panel to its highest
// line.
func (c *chart) window(x0, x1 float64, col color.Color) (*plotter.Polygon, error) {
	poly, err := plotter.NewPolygon(plotter.XYs{{X: x0, Y: 0}, {X: x1, Y: 0}, {X: x1, Y: 0}, {X: x0, Y: 0}})
	if err != nil {
		return nil, err
	}
	poly.Color = col
	poly.LineStyle.Width = 0
	c.Add(poly)
	c.marks = append(c.marks, mark{top: []*plotter.XY{&poly.XYs[0][2], &poly.XYs[0][3]}})
	return poly, nil
}

// markEvents draws each event as a vertical line across the panel, one colour per kind (a
// scheduled action, an interruption), named in the legend: labels written beside the lines ran
// into the legend and into each other.
func markEvents(c *chart, events []simulation.Event) error {
	kinds := map[string]color.Color{}
	for _, e := range events {
		col, seen := kinds[e.Label]
		if !seen {
			col = eventColors[len(kinds)%len(eventColors)]
			kinds[e.Label] = col
		}
		line, err := c.vertical(e.At.Hours(), col, vg.Points(2), vg.Points(2))
		if err != nil {
			return err
		}
		if !seen {
			c.legend(e.Label, line)
		}
	}
	return nil
}

// markCapacity shades, after each step up in load, the time the fleet has to be back at its
// target (openwan:capacity.timeToCapacitySeconds) and draws where it was; the legend says when
// it never was.
func markCapacity(c *chart, f simulation.FleetResult, end time.Duration) error {
	if len(f.LoadSteps) == 0 {
		return nil
	}
	var back, never bool
	for i, step := range f.LoadSteps {
		until := min(step+f.CapacityWithin, end)
		window, err := c.window(step.Hours(), until.Hours(), translucent(red, 0x30))
		if err != nil {
			return err
		}
		if i == 0 {
			c.legend(fmt.Sprintf("target: at capacity within %v of a step", f.CapacityWithin), window)
		}
		ttc := f.TimeToCapacity[i]
		if ttc < 0 {
			never = true
			continue
		}
		line, err := c.vertical((step + ttc).Hours(), green)
		if err != nil {
			return err
		}
		line.Width = vg.Points(2)
		if !back {
			c.legend("back at target", line)
			back = true
		}
	}
	if never {
		// A legend entry only: there is no moment to mark.
		c.legend("never back at target while the load held", &plotter.Line{LineStyle: draw.LineStyle{Color: red, Width: vg.Points(2)}})
	}
	return nil
}

// verdict is a fleet's verdict against the guide's targets: "ok", or each miss on a line.
func verdict(f simulation.FleetResult) []string {
	v := f.Verdict()
	if len(v) == 0 {
		return []string{"ok"}
	}
	var misses []string
	for _, c := range simulation.Checks() {
		if m, ok := v[c]; ok {
			misses = append(misses, c+": "+m)
		}
	}
	return misses
}

// verdictTitle is a panel title with the fleet's verdict under it, each miss on a line.
func verdictTitle(title, label string, f simulation.FleetResult) string {
	lines := verdict(f)
	lines[0] = "verdict" + label + ": " + lines[0]
	return title + "\n" + strings.Join(lines, "\n")
}
