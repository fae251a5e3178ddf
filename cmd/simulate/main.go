// Command simulate replays a load trace through a stack's autoscalers before anything is
// deployed, prints a summary per fleet and writes a plot (SVG and PNG) and the series (CSV).
//
//	go run ./cmd/simulate --stack prod --trace business-week [--dir .] [--out simulation-out]
//	go run ./cmd/simulate --stack prod --trace my-trace.csv
//	go run ./cmd/simulate --stack prod --trace spike --interrupt ec2-worker@20m:2
//
// --trace is a built-in scenario (load-test, business-week, spike, noisy, queue-burst), its
// request rates scaled to the stack's openwan:capacity.api.peakRequestsPerMinute, or a CSV file
// with the header "seconds,requests_per_minute,jobs_per_minute" (jobs arriving; the simulator
// queues and runs them) or "seconds,requests_per_minute,queue_depth" (a measured depth, read as
// it is), replayed as recorded. Exit 0 on success, 1 on a config, trace or output error, 2 on
// bad flags.
package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openwan/openwan-infra/internal/cli"
	"github.com/openwan/openwan-infra/internal/stackconfig"
	"github.com/openwan/openwan-infra/simulation"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is simulate's help and argument checks.
var command = cli.Command{
	Name:     "simulate",
	Synopsis: "--stack NAME --trace TRACE [--dir DIR] [--out DIR] [--interrupt FLEET@OFFSET:COUNT,...] [--compare FILE]",
	Summary: "simulate replays a load trace through a stack's autoscalers before anything is deployed: the\n" +
		"HPAs and cluster-autoscaler on EKS, the Auto Scaling policies on EC2. It prints a summary per\n" +
		"fleet and writes a plot (SVG, PNG) and the series (CSV). It loads the stack as `pulumi up`\n" +
		"does: a stack the program refuses is refused here too.",
	Examples: []string{
		"simulate --stack prod --trace business-week          # a week of office-hours load",
		"simulate --stack prod --trace spike --interrupt ec2-worker@20m:2   # a 5x spike and two spot interruptions",
		"simulate --stack dev --trace my-trace.csv            # seconds,requests_per_minute,jobs_per_minute",
		"simulate --stack prod --trace load-test --fail-on all  # a CI check: exit 3 if a fleet misses a target",
		"git show main:Pulumi.prod.yaml > /tmp/before.yaml",
		"simulate --stack prod --trace spike --compare /tmp/before.yaml   # before and after a change, one plot",
	},
	ExitCodes: []string{
		"0  the summary is on stdout, the files written",
		"3  a fleet missed a target that --fail-on names (after the summary and the files)",
		"1  a config, trace or output error (or nothing in the stack to model), on stderr",
		"2  bad flags or arguments",
	},
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("simulate", flag.ContinueOnError)
	stack := flags.String("stack", "", "stack whose Pulumi.<stack>.yaml to simulate (required)")
	traceArg := flags.String("trace", "", "built-in trace ("+strings.Join(simulation.BuiltinNames(), ", ")+
		"), scaled to the stack's openwan:capacity.api.peakRequestsPerMinute, or a CSV file (required)")
	dir := flags.String("dir", ".", "directory holding the Pulumi.<stack>.yaml files")
	out := flags.String("out", "simulation-out", "directory the plot and the series are written to")
	failOn := flags.String("fail-on", "", "checks whose miss exits 3, comma-separated, of "+strings.Join(simulation.Checks(), ", ")+" or all")
	interrupt := flags.String("interrupt", "", "spot interruptions to replay, FLEET@OFFSET:COUNT[,...], each before the trace's end, e.g. ec2-worker@20m:2")
	compare := flags.String("compare", "", "a stack file to replay the same trace through (before a change), side by side with --stack")
	if code, ok := command.Parse(flags, args, stdout, stderr); !ok {
		return code
	}
	if *stack == "" || *traceArg == "" {
		return command.UsageError(stderr, "--stack and --trace are required")
	}
	interruptions, err := parseInterruptions(*interrupt)
	if err != nil {
		return command.UsageError(stderr, "--interrupt: "+err.Error())
	}
	checks, err := parseFailOn(*failOn)
	if err != nil {
		return command.UsageError(stderr, "--fail-on: "+err.Error())
	}
	res, err := simulate(*dir, *stack, *traceArg, *out, *compare, interruptions, stdout)
	var usage usageError
	if errors.As(err, &usage) {
		return command.UsageError(stderr, usage.Error())
	}
	if err != nil {
		fmt.Fprintf(stderr, "simulate: %v\n", err)
		return 1
	}
	if misses := failed(res, checks); len(misses) > 0 {
		fmt.Fprintf(stderr, "simulate: the guide's targets missed: %s\n", strings.Join(misses, ", "))
		return 3
	}
	return 0
}

// parseFailOn reads "overload,capacity" or "all".
func parseFailOn(arg string) ([]string, error) {
	if arg == "" {
		return nil, nil
	}
	if arg == "all" {
		return simulation.Checks(), nil
	}
	var out []string
	for _, c := range strings.Split(arg, ",") {
		if !slices.Contains(simulation.Checks(), c) {
			return nil, fmt.Errorf("%q is not one of %s or all", c, strings.Join(simulation.Checks(), ", "))
		}
		out = append(out, c)
	}
	return out, nil
}

func simulate(dir, stack, traceArg, out, compareFile string, interruptions []simulation.Interruption, stdout io.Writer) (*simulation.Result, error) {
	// The same checks as `pulumi up` and synth: a stack they refuse is refused here too.
	cfg, plan, err := stackconfig.FromFile(dir, stack)
	if err != nil {
		return nil, err
	}
	trace, err := loadTrace(traceArg, float64(cfg.Capacity.API.PeakRequestsPerMinute))
	if err != nil {
		return nil, err
	}
	if err := interruptionsWithin(interruptions, trace); err != nil {
		return nil, err
	}
	opts := simulation.Defaults()
	opts.Interruptions = interruptions
	res, err := simulation.Simulate(cfg, trace, opts)
	if err != nil {
		return nil, err
	}
	var before *simulation.Result
	if compareFile != "" {
		beforeCfg, _, err := stackconfig.FromPath(compareFile)
		if err != nil {
			return nil, fmt.Errorf("--compare: %w", err)
		}
		if before, err = simulation.Simulate(beforeCfg, trace, opts); err != nil {
			return nil, fmt.Errorf("--compare %s: %w", compareFile, err)
		}
	}
	if err := printSummary(stdout, stack, cfg, res); err != nil {
		return nil, err
	}
	if err := printReadyCapacity(stdout, cfg, plan, opts); err != nil {
		return nil, err
	}
	beforeLabel := strings.TrimSuffix(filepath.Base(compareFile), filepath.Ext(compareFile))
	if before != nil {
		if err := printComparison(stdout, compared{beforeLabel, before}, compared{stack, res}); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	base := filepath.Join(out, stack+"-"+trace.Name)
	if err := writeSeries(base+".csv", res); err != nil {
		return nil, err
	}
	written := []string{base + ".svg", base + ".png", base + ".csv"}
	for _, ext := range []string{".svg", ".png"} {
		if err := writePlot(base+ext, stack, res); err != nil {
			return nil, err
		}
		if before != nil {
			path := base + "-compare" + ext
			if err := writeComparePlot(path, trace.Name, compared{beforeLabel, before}, compared{stack, res}); err != nil {
				return nil, err
			}
			written = append(written, path)
		}
	}
	_, err = fmt.Fprintf(stdout, "\nwrote %s\n", strings.Join(written, ", "))
	return res, err
}

// loadTrace is a built-in trace by name, scaled to the stack's peak (requests/minute), else a
// CSV file, replayed as recorded.
func loadTrace(arg string, peak float64) (simulation.Trace, error) {
	if trace, ok := simulation.Builtin(arg, peak); ok {
		return trace, nil
	}
	f, err := os.Open(arg)
	if err != nil {
		return simulation.Trace{}, fmt.Errorf("trace %q is neither a built-in (%s) nor a readable CSV file: %w",
			arg, strings.Join(simulation.BuiltinNames(), ", "), err)
	}
	defer f.Close()
	return simulation.ReadCSV(strings.TrimSuffix(filepath.Base(arg), filepath.Ext(arg)), f)
}

// usageError is a flag whose value only the loaded trace shows to be wrong: refused as bad flags
// are (exit 2).
type usageError string

func (e usageError) Error() string { return string(e) }

// interruptionsWithin refuses an interruption the trace would never reach: one at or past its
// end.
func interruptionsWithin(in []simulation.Interruption, trace simulation.Trace) error {
	for _, i := range in {
		if end := trace.Duration(); i.At >= end {
			return usageError(fmt.Sprintf("--interrupt: %s@%v:%d is at or past the end of trace %s, which is %v long",
				i.Fleet, i.At, i.Count, trace.Name, end))
		}
	}
	return nil
}

// parseInterruptions reads "ec2-worker@20m:2,eks-worker@1h:1", in time order.
func parseInterruptions(arg string) ([]simulation.Interruption, error) {
	var out []simulation.Interruption
	if arg == "" {
		return nil, nil
	}
	for _, part := range strings.Split(arg, ",") {
		fleet, rest, ok1 := strings.Cut(part, "@")
		offset, count, ok2 := strings.Cut(rest, ":")
		at, err := time.ParseDuration(offset)
		n, err2 := strconv.Atoi(count)
		if !ok1 || !ok2 || err != nil || err2 != nil || at < 0 || n < 1 || (fleet != "ec2-worker" && fleet != "eks-worker") {
			return nil, fmt.Errorf("%q is not FLEET@OFFSET:COUNT with FLEET ec2-worker or eks-worker, e.g. ec2-worker@20m:2", part)
		}
		out = append(out, simulation.Interruption{At: at, Fleet: fleet, Count: n})
	}
	slices.SortFunc(out, func(a, b simulation.Interruption) int { return cmp.Compare(a.At, b.At) })
	return out, nil
}
