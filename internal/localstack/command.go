package localstack

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/internal/cli"
)

// command is localstack's help and argument checks.
var command = cli.Command{
	Name:     "localstack",
	Synopsis: "--cache DIR --kubeconfig FILE [--dir DIR] up|preview|destroy",
	Summary: "localstack runs the local stack (Pulumi.local.yaml) with the real Pulumi engine onto the test\n" +
		"environment's cluster and, after up, prints the HPAs the cluster holds. testenv/local.sh builds\n" +
		"and starts what it needs and calls it. State is kept under DIR/local-state of --cache.",
	Args: []string{"up", "preview", "destroy"},
	Examples: []string{
		"testenv/local.sh up                     # builds the environment, starts it, runs this",
		"localstack --cache ~/.cache/openwan-testenv --kubeconfig /tmp/kubeconfig preview",
	},
	ExitCodes: []string{"0  done", "1  an engine, config or cluster error, on stderr", "2  bad flags or arguments"},
}

// Command is cmd/localstack: args as after "localstack", the engine's progress on stdout,
// problems on stderr; it returns the exit status (0, 1 on an engine, config or cluster error, 2
// on bad usage, before anything is made on disk).
func Command(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("localstack", flag.ContinueOnError)
	cache := flags.String("cache", "", "testenv/build.sh's cache directory (required)")
	kubeconfig := flags.String("kubeconfig", "", "the cluster's kubeconfig (required)")
	dir := flags.String("dir", ".", "directory holding Pulumi.local.yaml")
	// Every argument is checked before anything touches the disk.
	if code, ok := command.Parse(flags, args, stdout, stderr); !ok {
		return code
	}
	if *cache == "" || *kubeconfig == "" {
		return command.UsageError(stderr, "--cache and --kubeconfig are required")
	}
	if err := do(context.Background(), flags.Arg(0), *cache, *kubeconfig, *dir, stdout); err != nil {
		fmt.Fprintf(stderr, "localstack: %v\n", err)
		return 1
	}
	return 0
}

func do(ctx context.Context, command, cache, kubeconfig, dir string, stdout io.Writer) error {
	cfg, err := config.ReadStackFile(dir, "local")
	if err != nil {
		return err
	}
	env := Env{Cache: cache, Kubeconfig: kubeconfig,
		State: filepath.Join(cache, "local-state"), WorkDir: filepath.Join(cache, "local-workspace")}
	for _, d := range []string{env.State, env.WorkDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	stack, err := Stack(ctx, env, "local", cfg)
	if err != nil {
		return err
	}
	switch command {
	case "up":
		if _, err := stack.Up(ctx, optup.ProgressStreams(stdout)); err != nil {
			return err
		}
		return printHPAs(ctx, kubeconfig, dir, stdout)
	case "preview":
		_, err := stack.Preview(ctx, optpreview.ProgressStreams(stdout))
		return err
	case "destroy":
		_, err := stack.Destroy(ctx, optdestroy.ProgressStreams(stdout))
		return err
	}
	return fmt.Errorf("unknown command %q (up, preview or destroy)", command)
}

// printHPAs reads the HPAs back from the cluster.
func printHPAs(ctx context.Context, kubeconfig, dir string, w io.Writer) error {
	kube, err := NewKube(kubeconfig)
	if err != nil {
		return err
	}
	cfg, err := config.FromStackFile(dir, "local")
	if err != nil {
		return err
	}
	ns := cfg.App.Namespace
	list, err := kube.Get(ctx, "/apis/autoscaling/v2/namespaces/"+ns+"/horizontalpodautoscalers")
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nHPA\tTARGET\tMIN\tMAX\tREPLICAS\tCPU %\tMEMORY %\tDOWN STABILIZATION s")
	items, _ := list["items"].([]any)
	for _, item := range items {
		h, _ := item.(map[string]any)
		meta, _ := h["metadata"].(map[string]any)
		spec, _ := h["spec"].(map[string]any)
		status, _ := h["status"].(map[string]any)
		ref, _ := spec["scaleTargetRef"].(map[string]any)
		metrics, _ := spec["metrics"].([]any)
		target := func(i int) any {
			if i >= len(metrics) {
				return "-"
			}
			m, _ := metrics[i].(map[string]any)
			r, _ := m["resource"].(map[string]any)
			t, _ := r["target"].(map[string]any)
			return t["averageUtilization"]
		}
		behavior, _ := spec["behavior"].(map[string]any)
		down, _ := behavior["scaleDown"].(map[string]any)
		fmt.Fprintf(tw, "%v\t%v\t%v\t%v\t%v\t%v\t%v\t%v\n", meta["name"], ref["name"], spec["minReplicas"], spec["maxReplicas"],
			status["currentReplicas"], target(0), target(1), down["stabilizationWindowSeconds"])
	}
	return tw.Flush()
}
