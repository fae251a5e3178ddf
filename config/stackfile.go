package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// ReadStackFile reads the `config:` of Pulumi.<stack>.yaml in dir as the engine would pass it to
// the program: full keys to raw values, objects as JSON text.
func ReadStackFile(dir, stack string) (map[string]string, error) {
	path := filepath.Join(dir, "Pulumi."+stack+".yaml")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("stack %s: no %s; the stacks in %s are: %s", stack, filepath.Base(path), dir, strings.Join(StackNames(dir), ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("stack %s: %w", stack, err)
	}
	return parseStackFile(path, data)
}

// ReadStackPath is ReadStackFile of a stack file at any path (a stack file of another commit,
// say).
func ReadStackPath(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("stack file: %w", err)
	}
	return parseStackFile(path, data)
}

// parseStackFile reads the `config:` of a stack file's contents.
func parseStackFile(path string, data []byte) (map[string]string, error) {
	var file struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make(map[string]string, len(file.Config))
	for k, v := range file.Config {
		v = opaqueSecrets(v)
		switch v := v.(type) {
		case string:
			out[k] = v
		default:
			text, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", path, k, err)
			}
			out[k] = string(text)
		}
	}
	return out, nil
}

// FromStackFile reads and parses the `openwan:*` config of Pulumi.<stack>.yaml: the very Config
// the program would deploy from, for tools that run without Pulumi (the simulator). Capacity
// checks are the program's (capacity.Check); this is Parse's validation only.
func FromStackFile(dir, stack string) (Config, error) {
	raw, err := ReadStackFile(dir, stack)
	if err != nil {
		return Config{}, err
	}
	sections := map[string]string{}
	for key, value := range raw {
		if section, ok := strings.CutPrefix(key, Namespace+":"); ok {
			sections[section] = value
		}
	}
	cfg, err := Parse(sections)
	if err != nil {
		return Config{}, fmt.Errorf("stack %s: %w", stack, err)
	}
	return cfg, nil
}

// StackNames are the stacks whose Pulumi.<stack>.yaml is in dir, sorted.
func StackNames(dir string) []string {
	matches, _ := filepath.Glob(filepath.Join(dir, "Pulumi.*.yaml")) // the pattern is valid
	var names []string
	for _, m := range matches {
		names = append(names, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m), "Pulumi."), ".yaml"))
	}
	slices.Sort(names)
	return names
}

// SecretPlaceholder stands for a value `pulumi config set --secret` encrypted into the stack
// file: the offline tools never decrypt one, they read it as this string.
const SecretPlaceholder = "[secret]"

// opaqueSecrets replaces each encrypted value of a stack file ({secure: v1:...}, at the top or
// under a --path) by SecretPlaceholder.
func opaqueSecrets(v any) any {
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v["secure"]; ok && len(v) == 1 {
			return SecretPlaceholder
		}
		for k, e := range v {
			v[k] = opaqueSecrets(e)
		}
	case []any:
		for i, e := range v {
			v[i] = opaqueSecrets(e)
		}
	}
	return v
}
