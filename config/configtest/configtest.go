// Package configtest gives tests the repository's own stacks: the config of Pulumi.<stack>.yaml as
// the program deploys it. There is one prod, read from Pulumi.prod.yaml; a test that needs
// another takes Prod and changes the one field it is about, saying why.
//
// It is pure: it imports only the standard library, config and testify, so a test of a pure
// package stays fast.
package configtest

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config"
)

// module is the module whose root holds the stack files.
const module = "github.com/openwan/openwan-infra"

// Prod is the config of Pulumi.prod.yaml.
func Prod(t testing.TB) config.Config {
	t.Helper()
	return Stack(t, "prod")
}

// Stack is the config of Pulumi.<name>.yaml, parsed and validated as config.FromStackFile does
// (the capacity checks are not part of it). Each call reads the file again, so the caller owns
// every map and slice of the result. It fails the test if the file does not parse.
func Stack(t testing.TB, name string) config.Config {
	t.Helper()
	cfg, err := config.FromStackFile(Root(t), name)
	require.NoError(t, err, "Pulumi.%s.yaml must parse and validate", name)
	return cfg
}

// Raw is the `config:` of Pulumi.<name>.yaml as the engine passes it to the program (full keys to
// raw values, objects as JSON text), as config.ReadStackFile reads it.
func Raw(t testing.TB, name string) map[string]string {
	t.Helper()
	raw, err := config.ReadStackFile(Root(t), name)
	require.NoError(t, err, "Pulumi.%s.yaml must be readable", name)
	return raw
}

// Root is the repository's root directory, where the stack files are: the nearest directory
// holding the module's go.mod, above the working directory (a test runs in its package's
// directory) or else above this source file.
func Root(t testing.TB) string {
	t.Helper()
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		starts = append(starts, filepath.Dir(file))
	}
	for _, start := range starts {
		for dir := start; ; dir = filepath.Dir(dir) {
			if IsModuleRoot(dir) {
				return dir
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	require.FailNow(t, "no repository root", "no go.mod of module %s above %q", module, starts)
	return ""
}

// IsModuleRoot reports whether dir holds the go.mod of this module: the test Root makes of each
// directory it walks up through.
func IsModuleRoot(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		if fields := strings.Fields(lines.Text()); len(fields) == 2 && fields[0] == "module" {
			return strings.Trim(fields[1], `"`) == module
		}
	}
	return false
}
