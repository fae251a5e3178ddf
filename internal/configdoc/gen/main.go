// Command gen writes docs/config.md from the config structs and config.Defaults(), and the
// figures block of docs/capacity-and-simulation.md from the stack files. It is what
// `go generate ./...` runs for package configdoc.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/openwan/openwan-infra/internal/configdoc"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "configdoc:", err)
		os.Exit(1)
	}
}

func run() error {
	root, err := configdoc.ModuleRoot()
	if err != nil {
		return err
	}
	out, err := configdoc.Generate()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(root, configdoc.OutputPath), out, 0o644); err != nil {
		return err
	}
	return configdoc.WriteFigures(root)
}
