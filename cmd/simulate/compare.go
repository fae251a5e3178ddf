package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"gonum.org/v1/plot"

	"github.com/openwan/openwan-infra/simulation"
)

// compared is one simulated stack of a comparison: its label and result.
type compared struct {
	label string
	res   *simulation.Result
}

// printComparison prints, per fleet, the figures of both runs side by side: before (the
// --compare file) and after (the stack).
func printComparison(w io.Writer, before, after compared) error {
	fmt.Fprintf(w, "\ncompared: %s (before) and %s (after), the same trace\n\n", before.label, after.label)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "fleet\ttime to capacity\tmin overloaded\treversals\tpeak CPU %\tdrain time\tcost USD\t")
	for _, a := range after.res.Fleets {
		b, ok := before.res.Fleet(a.Name)
		if !ok {
			fmt.Fprintf(tw, "%s\t(not in %s)\t\t\t\t\t\t\n", a.Name, before.label)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s -> %s\t%.1f -> %.1f\t%d -> %d\t%.0f -> %.0f\t%s -> %s\t%.2f -> %.2f\t\n", a.Name,
			timeToCapacity(b), timeToCapacity(a), b.OverloadMinutes, a.OverloadMinutes, b.Reversals, a.Reversals,
			b.PeakCPU, a.PeakCPU, drainTime(b.Queue), drainTime(a.Queue), b.CostUSD, a.CostUSD)
	}
	return tw.Flush()
}

// timeToCapacity is a fleet's longest time to capacity as the summary prints it.
func timeToCapacity(f simulation.FleetResult) string {
	switch {
	case f.MaxTimeToCapacity < 0:
		return "never"
	case len(f.TimeToCapacity) > 0:
		return f.MaxTimeToCapacity.Round(time.Second).String()
	}
	return "-"
}

// drainTime is a queue's drain time as the summary prints it.
func drainTime(q *simulation.QueueResult) string {
	switch {
	case q == nil || q.DrainTime == 0:
		return "-"
	case q.DrainTime < 0:
		return "not drained"
	}
	return q.DrainTime.Round(time.Second).String()
}

// writeComparePlot draws one row per fleet of the after run: its load, and its ready replicas,
// CPU and cost in both runs, before dashed and after solid. The format follows path's extension.
func writeComparePlot(path string, trace string, before, after compared) error {
	var rows [][]*plot.Plot
	for _, a := range after.res.Fleets {
		b, ok := before.res.Fleet(a.Name)
		if !ok {
			continue
		}
		row, err := compareRow(a, b, before.label, after.label, after.res)
		if err != nil {
			return err
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return fmt.Errorf("plot %s: the two stacks share no fleet", path)
	}
	rows[0][1].Title.Text = fmt.Sprintf("%s -> %s / %s\n%s", before.label, after.label, trace, rows[0][1].Title.Text)
	return drawRows(path, rows)
}

// compareRow is one fleet's four panels with both runs, the verdict of each under the first.
func compareRow(a, b simulation.FleetResult, beforeLabel, afterLabel string, r *simulation.Result) ([]*plot.Plot, error) {
	axis := timeAxis{start: r.Start, span: r.Duration}
	at := a.Series.At
	title := verdictTitle(verdictTitle(a.Name+": load", " "+beforeLabel, b), " "+afterLabel, a)
	var load *chart
	var err error
	if isWorker(a.Name) {
		// The same arrivals in both runs; the jobs each ran and left waiting.
		load, err = panel(title, "jobs; arrivals: jobs/minute", at, axis,
			series{a.Series.Arrivals, "arrivals (jobs/minute)", purple, solid},
			series{b.Series.Running, beforeLabel + " running", orange, dashed}, series{a.Series.Running, afterLabel + " running", blue, solid},
			series{b.Series.Load, beforeLabel + " queued", grey, dashed}, series{a.Series.Load, afterLabel + " queued", green, solid})
	} else {
		load, err = panel(title, "requests/minute", at, axis,
			series{b.Series.Load, beforeLabel, grey, dashed}, series{a.Series.Load, afterLabel, blue, solid})
	}
	if err != nil {
		return nil, err
	}
	replicas, err := panel(a.Name+": ready replicas", "count", at, axis,
		series{b.Series.Ready, beforeLabel, orange, dashed}, series{a.Series.Ready, afterLabel, blue, solid})
	if err != nil {
		return nil, err
	}
	replicas.Y.Tick.Marker = valueTicks{whole: true}
	cpu, err := panel(a.Name+": CPU", utilizationUnit(a.Name), at, axis,
		series{b.Series.CPU, beforeLabel, orange, dashed}, series{a.Series.CPU, afterLabel, blue, solid},
		series{constant(len(at), a.CPUTarget), fmt.Sprintf("target %.0f %%", a.CPUTarget), red, dotted})
	if err != nil {
		return nil, err
	}
	cost, err := panel(a.Name+": cost so far", "USD", at, axis,
		series{b.Series.CostUSD, fmt.Sprintf("%s %.2f USD", beforeLabel, b.CostUSD), orange, dashed},
		series{a.Series.CostUSD, fmt.Sprintf("%s %.2f USD", afterLabel, a.CostUSD), blue, solid})
	if err != nil {
		return nil, err
	}
	return []*plot.Plot{load.done(), replicas.done(), cpu.done(), cost.done()}, nil
}
