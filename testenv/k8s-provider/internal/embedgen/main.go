// Command embedgen writes the provider's embedded schema and mapping, as the provider module's
// own generate.go does: the schema with its version set, both compacted.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	src := flag.String("src", "", "the provider module's cmd/pulumi-resource-kubernetes directory")
	out := flag.String("out", ".", "directory to write schema-embed.json and terraform-mapping-embed.json to")
	version := flag.String("version", "", "the provider version to stamp into the schema, e.g. 4.32.0")
	flag.Parse()
	if err := run(*src, *out, *version); err != nil {
		fmt.Fprintln(os.Stderr, "embedgen:", err)
		os.Exit(1)
	}
}

func run(src, out, version string) error {
	if src == "" || version == "" {
		return fmt.Errorf("-src and -version are required")
	}
	var schema map[string]any
	if err := readJSON(filepath.Join(src, "schema.json"), &schema); err != nil {
		return err
	}
	schema["version"] = version
	var mapping any
	if err := readJSON(filepath.Join(src, "terraform-mapping.json"), &mapping); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(out, "schema-embed.json"), schema); err != nil {
		return err
	}
	return writeJSON(filepath.Join(out, "terraform-mapping-embed.json"), mapping)
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func writeJSON(path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
