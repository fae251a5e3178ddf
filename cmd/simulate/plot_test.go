package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot/plotter"

	"github.com/openwan/openwan-infra/config/configtest"
	"github.com/openwan/openwan-infra/simulation"
)

// TestBusinessWeekSVGIsSmall: a week of minutes is drawn a point per pixel column, not a point
// per sample (it was 5.6 MB).
func TestBusinessWeekSVGIsSmall(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"--stack", "prod", "--dir", configtest.Root(t), "--trace", "business-week", "--out", out}, &stdout, &stderr),
		"stderr: %s", stderr.String())
	info, err := os.Stat(filepath.Join(out, "prod-business-week.svg"))
	require.NoError(t, err)
	assert.Less(t, info.Size(), int64(1_000_000), "the business week's SVG is under 1 MB")
	assert.Greater(t, info.Size(), int64(50_000), "and holds the plot")
	svg, err := os.ReadFile(filepath.Join(out, "prod-business-week.svg"))
	require.NoError(t, err)
	assert.Contains(t, string(svg), "26m&#39;s mean; shaded: range", "the time axis says what a point stands for")
}

// TestPlotShowsWhatScalesAndTheVerdict: the workers' load panel shows jobs arriving and running,
// not only those queued; each fleet's verdict and the time-to-capacity target after a step are
// on the plot; the EC2 fleets' utilization is a percent of the instance.
func TestPlotShowsWhatScalesAndTheVerdict(t *testing.T) {
	t.Parallel()
	svg, err := os.ReadFile(filepath.Join(spike(t, "prod").out, "prod-spike.svg"))
	require.NoError(t, err)
	text := string(svg)
	for _, want := range []string{">arrivals (jobs/minute)<", ">running jobs<", ">queued jobs<", ">verdict: ok<",
		">target: at capacity within 5m0s of a step<", ">back at target<", ">percent of the instance<", ">percent of request<"} {
		assert.Contains(t, text, want, "the plot holds %q", want)
	}
	assert.Equal(t, 2, strings.Count(text, ">percent of the instance<"), "both EC2 fleets' utilization is a percent of the instance")
	assert.Equal(t, 2, strings.Count(text, ">percent of request<"), "both EKS fleets' is a percent of the pod's request")
}

func TestAggregate(t *testing.T) {
	at := make([]time.Duration, 10)
	values := []float64{1, 5, 3, 2, 2, 2, 9, 0, 3, 7}
	for i := range at {
		at[i] = time.Duration(i) * time.Hour
	}
	x, mean, lo, hi, per := aggregate(at, values, 4)
	assert.Equal(t, 3, per, "10 samples in at most 4 points: 3 a point")
	assert.Equal(t, []float64{1, 4, 7, 9}, x, "each point at the middle of its samples")
	assert.Equal(t, []float64{3, 2, 4, 7}, mean)
	assert.Equal(t, []float64{1, 2, 0, 7}, lo)
	assert.Equal(t, []float64{5, 2, 9, 7}, hi)

	x, mean, _, _, per = aggregate(at, values, 10)
	assert.Equal(t, 1, per, "as many columns as samples: the samples as they are")
	assert.Equal(t, values, mean)
	assert.Len(t, x, 10)
}

func TestFlatRuns(t *testing.T) {
	got := flatRuns([]float64{0, 1, 2, 3, 4, 5}, []float64{2, 2, 2, 3, 3, 3})
	assert.Equal(t, plotter.XYs{{X: 0, Y: 2}, {X: 2, Y: 2}, {X: 3, Y: 3}, {X: 5, Y: 3}}, got, "a run keeps its ends")
}

func TestValueTicks(t *testing.T) {
	labels := func(lo, hi float64, whole bool) []string {
		var out []string
		for _, tk := range (valueTicks{whole: whole}).Ticks(lo, hi) {
			out = append(out, tk.Label)
		}
		return out
	}
	assert.Equal(t, []string{"0", "1", "2"}, labels(0, 2.9, true), "a short count axis still gets its whole numbers")
	assert.Equal(t, []string{"0", "500", "1000", "1500", "2000", "2500"}, labels(0, 2717, false))
	assert.Equal(t, []string{"0.0", "0.5", "1.0", "1.5"}, labels(0, 1.56, false), "as many decimals as the step needs")
}

// TestEventsAreInTheLegend: each kind of event is a legend entry, one colour per kind, and its
// lines stop at the highest line, under the room the legend takes: no label is written beside
// a line, where it ran into the legend and into the next label.
func TestEventsAreInTheLegend(t *testing.T) {
	at := []time.Duration{0, time.Hour, 2 * time.Hour, 3 * time.Hour}
	c, err := panel("replicas", "count", at, timeAxis{span: 4 * time.Hour}, series{values: []float64{2, 5, 5, 2}, name: "ready", color: blue})
	require.NoError(t, err)
	before := c.entries
	require.NoError(t, markEvents(c, []simulation.Event{
		{At: time.Hour, Label: "scale-up-business-hours"}, {At: 2 * time.Hour, Label: "scale-down-night"}, {At: 3 * time.Hour, Label: "scale-up-business-hours"}}))
	assert.Equal(t, before+2, c.entries, "one legend entry per kind of event")
	c.done()
	require.Len(t, c.marks, 3, "a line per event")
	for _, m := range c.marks {
		for _, top := range m.top {
			assert.Equal(t, 5.0, top.Y, "an event's line stops at the highest line")
		}
	}
}

// TestCapacityMarks: each load step gets the target's window, clamped to the trace; a step the
// fleet came back from gets its line; one it never came back from is said in the legend.
func TestCapacityMarks(t *testing.T) {
	at := []time.Duration{0, 30 * time.Minute}
	c, err := panel("load", "requests/minute", at, timeAxis{span: 42 * time.Minute}, series{values: []float64{500, 2500}, name: "load", color: blue})
	require.NoError(t, err)
	before := c.entries
	f := simulation.FleetResult{LoadSteps: []time.Duration{15 * time.Minute, 40 * time.Minute},
		TimeToCapacity: []time.Duration{45 * time.Second, -1}, CapacityWithin: 5 * time.Minute}
	require.NoError(t, markCapacity(c, f, 42*time.Minute))
	assert.Equal(t, before+3, c.entries, "the target, back at target, never back: one legend entry each")
	require.Len(t, c.marks, 3, "two windows and one line")
	c.done()
	assert.InDelta(t, (42 * time.Minute).Hours(), c.marks[2].top[0].X, 1e-12, "the last step's window ends with the trace")
}
