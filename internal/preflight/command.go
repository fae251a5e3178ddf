package preflight

import (
	"flag"
	"fmt"
	"io"

	"github.com/openwan/openwan-infra/internal/cli"
	"github.com/openwan/openwan-infra/internal/stackconfig"
)

// command is preflight's help and argument checks.
var command = cli.Command{
	Name:     "preflight",
	Synopsis: "--stack NAME [--dir DIR]",
	Summary: "preflight checks with read-only AWS CLI calls (in openwan:app.region, with the caller's credentials)\n" +
		"what the stack uses but does not create, and prints one line per item: found, missing or wrong,\n" +
		"with the command that fixes it. The runbook and the deploy workflow run it before pulumi up.",
	Examples: []string{
		"go run ./cmd/preflight --stack prod",
	},
	ExitCodes: []string{"0  every item found (or unchecked)", "1  an item is missing or wrong, or the config is invalid", "2  bad flags or arguments"},
}

// Command is cmd/preflight: it checks the stack named by the arguments with the AWS that aws
// gives for the stack's region (CLI for the real one), prints a line per item to stdout and
// returns the exit status.
func Command(args []string, stdout, stderr io.Writer, aws func(region string) AWS) int {
	flags := flag.NewFlagSet("preflight", flag.ContinueOnError)
	stack := flags.String("stack", "", "the stack to check (required)")
	dir := flags.String("dir", ".", "directory holding Pulumi.<stack>.yaml")
	if code, ok := command.Parse(flags, args, stdout, stderr); !ok {
		return code
	}
	if *stack == "" {
		return command.UsageError(stderr, "--stack is required")
	}
	cfg, _, err := stackconfig.FromFile(*dir, *stack)
	if err != nil {
		fmt.Fprintf(stderr, "preflight: %v\n", err)
		return 1
	}
	results := Run(*stack, cfg, aws(cfg.App.Region))
	for _, r := range results {
		fmt.Fprintln(stdout, r)
	}
	if Failed(results) {
		fmt.Fprintf(stderr, "preflight: stack %s is not ready for pulumi up: fix the missing and wrong items above\n", *stack)
		return 1
	}
	return 0
}
