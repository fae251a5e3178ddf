// Command synth is the offline plan: it runs the program on the recording mocks with the config
// of Pulumi.<stack>.yaml and prints a summary of it (as a preview: values only a deploy makes are
// "(known after deploy)"), or with --json every declared resource and the stack outputs.
//
//	go run ./cmd/synth --stack prod [--dir .] [--json [--preview]] [--check [--policy-config file.json]]
//	go run ./cmd/synth --stack prod --diff base.json | --against Pulumi.try.yaml
//	go run ./cmd/synth --stack prod --output apiHpa | --show-config
//
// The policy rules (policies/rules) judge the plan as the policy pack does on a real preview:
// thresholds and levels from the stack's openwan-policy:* config, overlaid by --policy-config
// (the pack's policy config format). The summary ends with their verdict; with --check a
// mandatory violation exits 3, and each violation is a line on stderr and, with --json, an entry
// under "violations".
//
// Exit status: 0 with the summary or the plan on stdout; 1 on a config or program error, with
// the message on stderr and nothing on stdout (--show-config still prints what decodes); 2 on
// bad flags; 3 when --check finds a mandatory violation (the output is still printed).
package main

import (
	"os"

	"github.com/openwan/openwan-infra/internal/synth"
	"github.com/openwan/openwan-infra/stacks"
)

func main() {
	os.Exit(synth.Run(os.Args[1:], os.Stdout, os.Stderr, stacks.Build))
}
