// Command gen writes docs/config.md from the config structs and config.Defaults(). It is what
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
	return os.WriteFile(filepath.Join(root, configdoc.OutputPath), out, 0o644)
}
