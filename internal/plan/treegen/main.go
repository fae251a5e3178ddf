// Command treegen writes the component tree of docs/components.md: prod's plan on the recording
// mocks, drawn by plan.Tree. It is what `go generate ./...` runs for package plan; a stacks test
// fails when the tree and the program drift apart.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/openwan/openwan-infra/internal/configdoc"
	"github.com/openwan/openwan-infra/internal/plan"
	"github.com/openwan/openwan-infra/stacks"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "treegen:", err)
		os.Exit(1)
	}
}

func run() error {
	root, err := configdoc.ModuleRoot()
	if err != nil {
		return err
	}
	cfg, err := plan.StackConfig(root, plan.TreeStack)
	if err != nil {
		return err
	}
	p, err := plan.RunStack(plan.TreeStack, cfg, stacks.Build, plan.Options{DryRun: true})
	if err != nil {
		return err
	}
	return configdoc.WriteBlock(filepath.Join(root, plan.TreeDoc), plan.TreeBlock, plan.TreeBlockText(p))
}
