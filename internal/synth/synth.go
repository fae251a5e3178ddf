// Package synth is the offline plan command (cmd/synth): it runs a program on the recording
// mocks with a stack's config and prints its summary, its JSON, one output, its effective config
// or a diff, and the policy rules' verdict. The program is given (Run's build), so this package
// links no provider SDK: cmd/synth passes stacks.Build, and the tests that run the real program
// live with the stacks tests, in the one test binary that links the SDKs.
package synth

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/capacity"
	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/internal/cli"
	"github.com/openwan/openwan-infra/internal/plan"
	"github.com/openwan/openwan-infra/internal/stackconfig"
	"github.com/openwan/openwan-infra/policies/rules"
)

// command is synth's help and argument checks.
var command = cli.Command{
	Name:     "synth",
	Synopsis: "--stack NAME [--dir DIR] [--json [--preview] | --diff BASE.json | --against FILE | --output NAME] [--check [--policy-config FILE]] | --stack NAME --show-config",
	Summary: "synth is the offline plan of a stack: it runs the Pulumi program on recording mocks (no cloud, no\n" +
		"credentials) with the config of Pulumi.NAME.yaml, as a preview, and prints a summary: the resources\n" +
		"by component, the fleets with their bounds and monthly cost, how each fleet scales (read from the\n" +
		"HPAs, ScaledObjects, Auto Scaling policies and schedules it declares), the outputs (\"(known after\n" +
		"deploy)\" where only a deploy makes them) and the policy rules' verdict. --json prints every\n" +
		"declared resource with its inputs, and the outputs. --check makes a mandatory violation exit 3.\n" +
		"\n" +
		"--diff and --against print what a change does, per resource: + created, - deleted, ~ updated, +-\n" +
		"replaced (an input AWS sets at creation only, per the CloudFormation schemas, or one holding a\n" +
		"replaced resource's ID), each changed input as \"path old -> new\" (a launch template's user data as\n" +
		"the script's changed lines), then each fleet's cost and the counts, as pulumi preview closes.\n" +
		"--diff compares with an earlier synth --json of the same stack (a --preview one as a preview);\n" +
		"--against runs a variant stack file under the stack's name. --show-config prints the effective\n" +
		"config (the defaults with the stack's values over them), and for a refused stack also its problems.",
	Examples: []string{
		"synth --stack prod                      # the summary of prod's plan",
		"synth --stack prod --json > plan.json   # the whole plan, as an up would declare it",
		"synth --stack dev --show-config          # the config dev deploys with, defaults included",
		"synth --stack prod --diff main.json      # what this change does to the plan of main (synth --json)",
		"synth --stack prod --against Pulumi.try.yaml   # what prod would become with a variant's config",
		"synth --stack prod --output monthlyCostUSD    # one output",
		"synth --stack dev --check               # and its policy verdict; exit 3 on a mandatory violation",
		"synth --stack prod --check --policy-config policy.json   # with other rule levels and thresholds",
	},
	ExitCodes: []string{
		"0  the summary (or with --json the plan) is on stdout",
		"1  a config or program error, on stderr; nothing on stdout (--show-config prints what decodes)",
		"2  bad flags or arguments",
		"3  a mandatory policy rule failed (with --check); the plan is still printed",
	},
}

// Build makes the program for a stack whose config holds keys: stacks.Build.
type Build = func(keys []string) func(*pulumi.Context) (pulumi.Map, error)

// Run is the command: args as after "synth", the summary or document on stdout, problems on
// stderr; it returns the exit status (0, 1 on a config or program error, 2 on bad flags, 3 when
// --check finds a mandatory violation).
func Run(args []string, stdout, stderr io.Writer, build Build) int {
	flags := flag.NewFlagSet("synth", flag.ContinueOnError)
	stack := flags.String("stack", "", "stack whose Pulumi.<stack>.yaml to plan (required)")
	dir := flags.String("dir", ".", "directory holding the Pulumi.<stack>.yaml files")
	preview := flags.Bool("preview", false, "with --json: run as a preview, provider-computed values unknown (the summary always is)")
	check := flags.Bool("check", false, "evaluate the policy rules on the plan; exit 3 if a mandatory one fails")
	policyConfig := flags.String("policy-config", "", "policy config JSON overriding rule levels and thresholds (with --check)")
	diff := flags.String("diff", "", "print what would change from the plan in this file (an earlier synth --json of the same stack) instead of the summary")
	against := flags.String("against", "", "print what would change if the stack ran the config of this stack file (a variant, e.g. a copy of it) instead of its own")
	output := flags.String("output", "", "print only this stack output (JSON for an object), as the summary's preview shows it")
	showConfig := flags.Bool("show-config", false, "print the stack's effective config (the defaults with the stack's values over them) as JSON, and stop; on an invalid stack, with its problems on stderr")
	asJSON := flags.Bool("json", false, "print the plan as JSON (every resource with its inputs, the outputs) instead of the summary")
	if code, ok := command.Parse(flags, args, stdout, stderr); !ok {
		return code
	}
	if *stack == "" {
		return command.UsageError(stderr, "--stack is required")
	}
	set := map[string]bool{}
	flags.Visit(func(f *flag.Flag) { set[f.Name] = true })
	// Each way of printing a plan takes only the flags it uses: one it would ignore is refused,
	// so that nobody reads a plain summary as the checked, diffed or JSON one they asked for.
	for _, mode := range []struct {
		flag, does string
		excludes   []string
	}{
		{"show-config", "prints the config and stops", []string{"json", "preview", "diff", "against", "output", "check", "policy-config"}},
		{"diff", "prints a diff", []string{"json", "preview", "against", "output"}},
		{"against", "prints a diff", []string{"json", "preview", "output"}},
		{"output", "prints one output", []string{"json", "preview"}},
	} {
		for _, other := range mode.excludes {
			if set[mode.flag] && set[other] {
				return command.UsageError(stderr, fmt.Sprintf("--%s %s: it takes no --%s", mode.flag, mode.does, other))
			}
		}
	}
	if *policyConfig != "" && !*check {
		return command.UsageError(stderr, "--policy-config needs --check")
	}
	if *preview && !*asJSON {
		return command.UsageError(stderr, "--preview is for --json: the summary is always a preview's")
	}
	if *showConfig {
		return printConfig(*dir, *stack, stdout, stderr)
	}
	head := source{stack: *stack, dir: *dir}
	var base *plan.Plan
	switch {
	case *diff != "":
		var err error
		if base, err = readPlan(*diff); err != nil {
			fmt.Fprintf(stderr, "synth: --diff: %v\n", err)
			return 1
		}
		if base.Stack != *stack {
			// URNs hold the stack's name: every resource would read as added.
			fmt.Fprintf(stderr, "synth: --diff: %s is a plan of stack %s, not of %s: a diff compares two plans of one stack; "+
				"to compare a stack file with another stack: synth --stack %s --against Pulumi.%s.yaml\n", *diff, base.Stack, *stack, base.Stack, *stack)
			return 1
		}
	case *against != "":
		// The stack as it is, as an up declares it, and the variant under the stack's name.
		own, err := synth(source{stack: *stack, dir: *dir}, false, "", build)
		if err != nil {
			fmt.Fprintf(stderr, "synth: %v\n", err)
			return 1
		}
		base, head = own.Plan, source{stack: *stack, file: *against}
	}
	// The summary and one output are what a preview shows: values only a deploy makes print as
	// such. The document is an up's unless --preview asks otherwise; a diff runs as its base ran,
	// so that values known after deploy on one side are not read as changes.
	dryRun := *preview || (!*asJSON && base == nil)
	if base != nil {
		dryRun = base.Preview || base.HasUnknowns()
	}
	out, err := synth(head, dryRun, *policyConfig, build)
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
		err = WriteDiff(stdout, base, out.Plan, diffHeader(*stack, *diff, *against, dryRun))
	case *output != "":
		value, ok := out.Outputs[*output]
		if !ok {
			return command.UsageError(stderr, fmt.Sprintf("--output: stack %s has no output %q; its outputs are: %s",
				*stack, *output, strings.Join(slices.Sorted(maps.Keys(out.Outputs)), ", ")))
		}
		err = writeOutput(stdout, value)
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

// diffHeader says what a diff compares: its first line.
func diffHeader(stack, baseFile, variant string, preview bool) string {
	h := fmt.Sprintf("stack %s: from the plan in %s to Pulumi.%s.yaml", stack, baseFile, stack)
	if variant != "" {
		h = fmt.Sprintf("stack %s: from Pulumi.%s.yaml to %s", stack, stack, variant)
	}
	if preview {
		h += " (as previews: values known only after a deploy are not compared; a base of synth --json without --preview compares them all)"
	}
	return h
}

// writeOutput prints one output: a scalar as it is, an object or a list as indented JSON.
func writeOutput(w io.Writer, value any) error {
	switch value.(type) {
	case map[string]any, []any:
		text, err := json.MarshalIndent(value, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", text)
		return err
	}
	_, err := fmt.Fprintln(w, show(value))
	return err
}

// source is the config a plan is made from: Pulumi.<stack>.yaml in dir, or, for a variant, the
// stack file at file run under the stack's name (so that its URNs are the stack's).
type source struct {
	stack, dir, file string
}

// raw reads the source's config as the engine passes it to the program.
func (s source) raw() (map[string]string, error) {
	if s.file != "" {
		return config.ReadStackPath(s.file)
	}
	return plan.StackConfig(s.dir, s.stack)
}

// typed reads the source's config as the program does, after its checks.
func (s source) typed() (config.Config, error) {
	if s.file != "" {
		cfg, _, err := stackconfig.FromPath(s.file)
		return cfg, err
	}
	cfg, _, err := stackconfig.FromFile(s.dir, s.stack)
	return cfg, err
}

// printConfig prints the config the program would deploy the stack with, after the checks
// `pulumi up` runs before it declares anything. A stack they refuse is printed as far as it
// decodes, with its problems on stderr: the moment a person most needs to see it.
func printConfig(dir, stack string, stdout, stderr io.Writer) int {
	cfg, ok, err := stackconfig.Effective(dir, stack)
	code := 0
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		code = 1
	}
	if !ok {
		return code
	}
	text, merr := json.MarshalIndent(cfg, "", "  ")
	if merr == nil {
		_, merr = stdout.Write(append(text, '\n'))
	}
	if merr != nil {
		fmt.Fprintf(stderr, "synth: %v\n", merr)
		return 1
	}
	return code
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

func synth(src source, preview bool, policyConfigFile string, build Build) (*result, error) {
	cfg, err := src.raw()
	if err != nil {
		return nil, err
	}
	// Read before the program runs: a bad policy config is a usage error, not a finding.
	policy, err := policyConfig(cfg, policyConfigFile)
	if err != nil {
		return nil, err
	}
	// The program refuses the stack's unknown openwan:* keys itself, as under `pulumi up`.
	p, err := plan.RunStack(src.stack, cfg, build, plan.Options{DryRun: preview})
	if err != nil {
		return nil, err
	}
	// The verdict is part of the summary; --check makes it the exit status.
	out := &result{Plan: p}
	// The program ran, so the config is valid: read it typed for what stands in for real values.
	if typed, err := src.typed(); err == nil {
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
