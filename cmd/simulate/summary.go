package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/openwan/openwan-infra/capacity"
	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/simulation"
)

// printSummary prints one row per fleet.
func printSummary(w io.Writer, stack string, cfg config.Config, r *simulation.Result) error {
	fmt.Fprintf(w, "stack %s, trace %s, %v in %d steps of %g s\n", stack, r.Trace, r.Duration, r.Steps, r.Step.Seconds())
	if r.Description != "" {
		fmt.Fprint(w, wrap(r.Description, "  ", 110))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "fleet\tpeak CPU %\tsteady CPU %\ttarget %\tmin > target\tmin overloaded\tscale events\treversals\ttime to capacity\treplica-h\tcost USD\t")
	defer func() { printNotes(w, cfg, r) }()
	for _, f := range r.Fleets {
		ttc := timeToCapacity(f)
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.0f\t%.1f\t%.1f\t%d\t%d\t%s\t%.1f\t%.2f\t\n", f.Name, f.PeakCPU, f.SteadyCPU, f.CPUTarget,
			f.AboveTargetMinutes, f.OverloadMinutes, f.ScaleEvents, f.Reversals, ttc, f.ReplicaHours, f.CostUSD)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := printQueues(w, r); err != nil {
		return err
	}
	within := time.Duration(cfg.Capacity.TimeToCapacitySeconds) * time.Second
	fmt.Fprintf(w, "\nverdict against the guide's targets (overload: none; capacity: within %v of a load step, openwan:capacity.timeToCapacitySeconds; flapping: no reversal)\n", within)
	for _, f := range r.Fleets {
		fmt.Fprintf(w, "  %-10s  %s\n", f.Name, strings.Join(verdict(f), "; "))
	}
	return nil
}

// printReadyCapacity prints what the stack's headroom and warm pool cost a month, next to what
// they buy on the built-in spike (whatever trace was replayed above).
func printReadyCapacity(w io.Writer, cfg config.Config, plan capacity.Plan, opts simulation.Options) error {
	h, wp := plan.Cost.Headroom, plan.Cost.WarmPool
	if h == nil && wp == nil {
		return nil
	}
	ready, err := simulation.ReadinessOf(cfg, opts)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\ncapacity kept ready, its monthly cost and what it buys:")
	if h != nil && ready.Headroom != nil {
		fmt.Fprintf(w, "  headroom: %d API and %d worker placeholder pods, %d more nodes, %.2f USD a month; eks-api reaches\n"+
			"    capacity after the 5x spike in %s, %s without it\n", h.APIPods, h.WorkerPods, h.Nodes, h.MonthlyUSD,
			secondsText(ready.Headroom.WithSeconds), secondsText(ready.Headroom.WithoutSeconds))
	}
	if wp != nil && ready.WarmPool != nil {
		fmt.Fprintf(w, "  warm pool: %d stopped ec2-api instances, %d GiB of volumes, %.2f USD a month; a launch serves in %s,\n"+
			"    %s from a cold boot\n", wp.Instances, wp.VolumeGiB, wp.MonthlyUSD,
			secondsText(ready.WarmPool.WithSeconds), secondsText(ready.WarmPool.WithoutSeconds))
	}
	return nil
}

// wrap breaks text into lines of at most width characters (a longer word stands alone), each
// after indent and ending in a newline.
func wrap(text, indent string, width int) string {
	var b strings.Builder
	line := 0
	for _, word := range strings.Fields(text) {
		switch {
		case line == 0:
			b.WriteString(indent)
			line = len(indent)
		case line+1+len(word) > width:
			b.WriteString("\n" + indent)
			line = len(indent)
		default:
			b.WriteString(" ")
			line++
		}
		b.WriteString(word)
		line += len(word)
	}
	if line > 0 {
		b.WriteString("\n")
	}
	return b.String()
}

func secondsText(s float64) string {
	if s < 0 {
		return "never"
	}
	return (time.Duration(s) * time.Second).String()
}

// printQueues prints one row per worker fleet whose queue was simulated: the time a backlog took
// to drain and the longest a job waited.
func printQueues(w io.Writer, r *simulation.Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	rows := 0
	for _, f := range r.Fleets {
		q := f.Queue
		if q == nil {
			continue
		}
		if rows == 0 {
			fmt.Fprintln(w)
			fmt.Fprintln(tw, "queue\tjobs\tjob min\tdrain time\toldest wait\t")
		}
		rows++
		drain := "-"
		switch {
		case q.DrainTime < 0:
			drain = "not drained"
		case q.DrainTime > 0:
			drain = q.DrainTime.Round(time.Second).String()
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%s\t%s\t\n", f.Name, q.Jobs, q.JobDuration.Minutes(), drain, q.OldestWait.Round(time.Second))
	}
	return tw.Flush()
}

// printNotes explains the table's columns under it, and a worker above 100 % of its request.
func printNotes(w io.Writer, cfg config.Config, r *simulation.Result) {
	fmt.Fprintf(w, "\ncolumns: min > target: minutes CPU was above the target; min overloaded: minutes the ready replicas could not\n"+
		"  serve the load even at full CPU (workers: held more jobs than the queue target per replica); time to capacity:\n"+
		"  the longest time from a load step (+50 %% within a minute) back to the target, \"-\" when the trace has no\n"+
		"  step, \"never\" when the fleet was not back at its target before the load fell back to its level before the\n"+
		"  step or the trace ended; replica-h: pod- or instance-hours; cost USD: the fleet's instances (EKS: its node\n"+
		"  pool's nodes) over the trace's %v. drain time: the longest backlog, from the first job that had to wait to\n"+
		"  the finish of its last job (\"-\": no job waited); oldest wait: the longest a job waited to start.\n", r.Duration)
	job, request := cfg.Capacity.Worker.JobCPUMillis, cfg.Worker.Resources.Requests.CPUMillis
	if cfg.Cluster.EKS() && job > request {
		fmt.Fprintf(w, "  eks-worker: a busy worker pod runs one job of %dm (openwan:capacity.worker.jobCpuMillis) on a request of\n"+
			"  %dm (openwan:worker.resources.requests.cpuMillis, so that the guide's four pods fit a node), up to its\n"+
			"  %dm limit: %d %% of its request while busy is expected, not an overload.\n",
			job, request, cfg.Worker.Resources.Limits.CPUMillis, 100*job/request)
	}
}

// failed is the checks of failOn a fleet's verdict misses, as "fleet: check".
func failed(r *simulation.Result, failOn []string) []string {
	var out []string
	for _, f := range r.Fleets {
		v := f.Verdict()
		for _, c := range failOn {
			if _, ok := v[c]; ok {
				out = append(out, f.Name+": "+c)
			}
		}
	}
	return out
}

// writeSeries writes every fleet's samples: one row per fleet and sample time. load is
// requests/minute for an API fleet, queued jobs for a worker fleet; arrivals_per_minute and
// running_jobs are a worker fleet's jobs coming in and running (0 for an API fleet).
func writeSeries(path string, r *simulation.Result) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"fleet", "seconds", "load", "desired", "ready", "cpu_percent", "memory_percent", "arrivals_per_minute", "running_jobs"})
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	for _, fl := range r.Fleets {
		s := fl.Series
		for i := range s.At {
			_ = w.Write([]string{fl.Name, strconv.FormatFloat(s.At[i].Seconds(), 'f', -1, 64),
				num(s.Load[i]), num(s.Desired[i]), num(s.Ready[i]), num(s.CPU[i]), num(s.Memory[i]), num(s.Arrivals[i]), num(s.Running[i])})
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
