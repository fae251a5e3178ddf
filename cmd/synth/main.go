// Command synth is the offline plan: it runs the program on the recording mocks with the config
// of Pulumi.<stack>.yaml and prints a summary of it (as a preview: values only a deploy makes are
// "(known after deploy)"), or with --json every declared resource and the stack outputs.
//
//	go run ./cmd/synth --stack prod [--dir .] [--json [--preview]] [--check [--policy-config file.json]]
//
// The policy rules (policies/rules) judge the plan as the policy pack does on a real preview:
// thresholds and levels from the stack's openwan-policy:* config, overlaid by --policy-config
// (the pack's policy config format). The summary ends with their verdict; with --check a
// mandatory violation exits 3, and each violation is a line on stderr and, with --json, an entry
// under "violations".
//
// Exit status: 0 with the summary or the plan on stdout; 1 on a config or program error, with
// the message on stderr and nothing on stdout; 2 on bad flags; 3 when --check finds a mandatory
// violation (the output is still printed).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/openwan/openwan-infra/capacity"
	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/internal/cli"
	"github.com/openwan/openwan-infra/internal/plan"
	"github.com/openwan/openwan-infra/internal/stackconfig"
	"github.com/openwan/openwan-infra/policies/rules"
	"github.com/openwan/openwan-infra/stacks"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is synth's help and argument checks.
var command = cli.Command{
	Name:     "synth",
	Synopsis: "--stack NAME [--dir DIR] [--json [--preview] | --diff BASE.json] [--check [--policy-config FILE]] | --stack NAME --show-config",
	Summary: "synth is the offline plan of a stack: it runs the Pulumi program on recording mocks (no cloud, no\n" +
		"credentials) with the config of Pulumi.NAME.yaml, as a preview, and prints a summary: the resources\n" +
		"by component, the fleets with their bounds and monthly cost, the outputs (\"(known after deploy)\"\n" +
		"where only a deploy makes them) and the policy rules' verdict. --json prints every declared\n" +
		"resource with its inputs, and the outputs. --check makes a mandatory violation exit 3.",
	Examples: []string{
		"synth --stack prod                      # the summary of prod's plan",
		"synth --stack prod --json > plan.json   # the whole plan, as an up would declare it",
		"synth --stack dev --show-config          # the config dev deploys with, defaults included",
		"synth --stack prod --diff main.json      # what this change does to the plan of main (synth --json)",
		"synth --stack dev --check               # and its policy verdict; exit 3 on a mandatory violation",
		"synth --stack prod --check --policy-config policy.json   # with other rule levels and thresholds",
	},
	ExitCodes: []string{
		"0  the summary (or with --json the plan) is on stdout",
		"1  a config or program error, on stderr; nothing on stdout",
		"2  bad flags or arguments",
		"3  a mandatory policy rule failed (with --check); the plan is still printed",
	},
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("synth", flag.ContinueOnError)
	stack := flags.String("stack", "", "stack whose Pulumi.<stack>.yaml to plan (required)")
	dir := flags.String("dir", ".", "directory holding the Pulumi.<stack>.yaml files")
	preview := flags.Bool("preview", false, "with --json: run as a preview, provider-computed values unknown (the summary always is)")
	check := flags.Bool("check", false, "evaluate the policy rules on the plan; exit 3 if a mandatory one fails")
	policyConfig := flags.String("policy-config", "", "policy config JSON overriding rule levels and thresholds (with --check)")
	diff := flags.String("diff", "", "print what would change from the plan in this file (an earlier synth --json of the stack) instead of the summary")
	showConfig := flags.Bool("show-config", false, "print the stack's effective config (the defaults with the stack's values over them) as JSON, and stop")
	asJSON := flags.Bool("json", false, "print the plan as JSON (every resource with its inputs, the outputs) instead of the summary")
	if code, ok := command.Parse(flags, args, stdout, stderr); !ok {
		return code
	}
	if *stack == "" {
		return command.UsageError(stderr, "--stack is required")
	}
	if *policyConfig != "" && !*check {
		return command.UsageError(stderr, "--policy-config needs --check")
	}
	if *showConfig {
		return printConfig(*dir, *stack, stdout, stderr)
	}
	if *diff != "" && (*asJSON || *preview) {
		return command.UsageError(stderr, "--diff prints a diff, not --json or --preview")
	}
	if *preview && !*asJSON {
		return command.UsageError(stderr, "--preview is for --json: the summary is always a preview's")
	}
	// The summary is what a preview shows: values only a deploy makes print as such. The
	// document is an up's unless --preview asks otherwise.
	var base *plan.Plan
	if *diff != "" {
		var err error
		if base, err = readPlan(*diff); err != nil {
			fmt.Fprintf(stderr, "synth: --diff: %v\n", err)
			return 1
		}
	}
	// A diff compares like with like: the base is an up's plan, so is this one.
	out, err := synth(*dir, *stack, (*preview || !*asJSON) && base == nil, *policyConfig)
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 1
	}
	for _, v := range out.Violations {
		if !*check {
			break // the summary shows them; stderr lists them for --check runs
		}
		fmt.Fprintf(stderr, "%s [%s] %s: %s\n", v.Rule, v.Level, v.URN, v.Message)
	}
	switch {
	case base != nil:
		err = writeDiff(stdout, base, out.Plan)
	case *asJSON:
		if !*check {
			out.Violations = nil // the document carries violations only when asked to check
		}
		var text []byte
		if text, err = json.MarshalIndent(out, "", "  "); err == nil {
			_, err = stdout.Write(append(text, '\n'))
		}
	default:
		err = writeSummary(stdout, out)
	}
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 1
	}
	if *check && rules.Failed(out.Violations) {
		fmt.Fprintf(stderr, "synth: mandatory policy violations in stack %s\n", *stack)
		return 3
	}
	return 0
}

// printConfig prints the config the program would deploy the stack with, after the checks
// `pulumi up` runs before it declares anything.
func printConfig(dir, stack string, stdout, stderr io.Writer) int {
	cfg, _, err := stackconfig.FromFile(dir, stack)
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 1
	}
	text, err := json.MarshalIndent(cfg, "", "  ")
	if err == nil {
		_, err = stdout.Write(append(text, '\n'))
	}
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 1
	}
	return 0
}

// result is the printed plan; Violations is there only with --check (then always a list).
type result struct {
	*plan.Plan
	Violations []rules.Violation `json:"violations,omitzero"`
	// Placeholders are the config values a real `pulumi up` refuses (config.Placeholders).
	Placeholders []string `json:"placeholders,omitzero"`
	// Paths are a normal month of the stack and of it running one path only (USD).
	Paths *paths `json:"paths,omitempty"`
}

// paths are capacity.PathCosts: a normal month with both paths and with each alone (USD).
type paths struct {
	Both    float64 `json:"bothUSD"`
	EKSOnly float64 `json:"eksOnlyUSD"`
	EC2Only float64 `json:"ec2OnlyUSD"`
}

func synth(dir, stack string, preview bool, policyConfigFile string) (*result, error) {
	cfg, err := plan.StackConfig(dir, stack)
	if err != nil {
		return nil, err
	}
	// Read before the program runs: a bad policy config is a usage error, not a finding.
	policy, err := policyConfig(cfg, policyConfigFile)
	if err != nil {
		return nil, err
	}
	// The program refuses the stack's unknown openwan:* keys itself, as under `pulumi up`.
	p, err := plan.RunStack(stack, cfg, stacks.Build, plan.Options{DryRun: preview})
	if err != nil {
		return nil, err
	}
	// The verdict is part of the summary; --check makes it the exit status.
	out := &result{Plan: p}
	// The program ran, so the config is valid: read it typed for what stands in for real values.
	if typed, _, err := stackconfig.FromFile(dir, stack); err == nil {
		out.Placeholders = config.Placeholders(typed)
		if both, eks, ec2, err := capacity.PathCosts(typed); err == nil && eks > 0 {
			out.Paths = &paths{both, eks, ec2}
		}
	}
	if out.Violations, err = p.Check(policy); err != nil {
		return nil, err
	}
	if out.Violations == nil {
		out.Violations = []rules.Violation{}
	}
	return out, nil
}

// policyConfig is the stack's openwan-policy:* settings overlaid by the file, if any.
func policyConfig(stackConfig map[string]string, file string) (rules.Config, error) {
	cfg, err := rules.FromStackConfig(stackConfig)
	if err != nil || file == "" {
		return cfg, err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	fromFile, err := rules.ParseConfig(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return cfg.Over(fromFile), nil
}
