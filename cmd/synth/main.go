// Command synth is the offline plan: it runs the program on the recording mocks with the config
// of Pulumi.<stack>.yaml and prints every declared resource and the stack outputs as JSON.
//
//	go run ./cmd/synth --stack prod [--dir .] [--preview]
//
// Exit status: 0 with the plan on stdout; 1 on a config or program error, with the message on
// stderr and nothing on stdout; 2 on bad flags.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/openwan/openwan-infra/internal/plan"
	"github.com/openwan/openwan-infra/stacks"
	"github.com/openwan/openwan-infra/stacks/config"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("synth", flag.ContinueOnError)
	flags.SetOutput(stderr)
	stack := flags.String("stack", "", "stack whose Pulumi.<stack>.yaml to plan (required)")
	dir := flags.String("dir", ".", "directory holding the Pulumi.<stack>.yaml files")
	preview := flags.Bool("preview", false, "run as a preview: provider-computed values are unknown")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if *stack == "" {
		fmt.Fprintln(stderr, "synth: --stack is required")
		return 2
	}
	out, err := synth(*dir, *stack, *preview)
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 1
	}
	if _, err := stdout.Write(out); err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 1
	}
	return 0
}

func synth(dir, stack string, preview bool) ([]byte, error) {
	cfg, err := plan.StackConfig(dir, stack)
	if err != nil {
		return nil, err
	}
	var unknown []string
	for key := range cfg {
		if ns, section, ok := strings.Cut(key, ":"); ok && ns == config.Namespace && !slices.Contains(config.Sections, section) {
			unknown = append(unknown, key)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, fmt.Errorf("unknown config keys %v (known sections: %v)", unknown, config.Sections)
	}
	p, err := plan.Run(stack, cfg, stacks.Build, plan.Options{DryRun: preview})
	if err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}
