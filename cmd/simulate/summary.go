package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/openwan/openwan-infra/simulation"
)

// printSummary prints one row per fleet.
func printSummary(w io.Writer, stack string, r *simulation.Result) error {
	fmt.Fprintf(w, "stack %s, trace %s, %v in %d steps of 15 s\n\n", stack, r.Trace, r.Duration, r.Steps)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "fleet\tpeak CPU %\tsteady CPU %\ttarget %\tmin > target\tmin overloaded\tscale events\treversals\ttime to capacity\treplica-h\tcost USD\t")
	for _, f := range r.Fleets {
		ttc := "-"
		switch {
		case f.MaxTimeToCapacity < 0:
			ttc = "never"
		case len(f.TimeToCapacity) > 0:
			ttc = f.MaxTimeToCapacity.Round(time.Second).String()
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.0f\t%.1f\t%.1f\t%d\t%d\t%s\t%.1f\t%.2f\t\n", f.Name, f.PeakCPU, f.SteadyCPU, f.CPUTarget,
			f.AboveTargetMinutes, f.OverloadMinutes, f.ScaleEvents, f.Reversals, ttc, f.ReplicaHours, f.CostUSD)
	}
	return tw.Flush()
}

// writeSeries writes every fleet's samples: one row per fleet and sample time.
func writeSeries(path string, r *simulation.Result) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"fleet", "seconds", "load", "desired", "ready", "cpu_percent", "memory_percent"})
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	for _, fl := range r.Fleets {
		s := fl.Series
		for i := range s.At {
			_ = w.Write([]string{fl.Name, strconv.FormatFloat(s.At[i].Seconds(), 'f', -1, 64),
				num(s.Load[i]), num(s.Desired[i]), num(s.Ready[i]), num(s.CPU[i]), num(s.Memory[i])})
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
