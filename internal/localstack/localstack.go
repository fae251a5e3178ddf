// Package localstack runs the program as a real Pulumi stack against an existing cluster: the
// Automation API with the program inline (no language plugin needed), the test environment's
// Pulumi CLI and Kubernetes provider, a file backend and a passphrase secrets provider. The
// integration suite and cmd/localstack share it.
package localstack

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/stacks"
)

// Env is where the test environment lives.
type Env struct {
	// Cache is testenv/build.sh's cache: bin/pulumi and pulumi-home with the provider plugin.
	Cache string
	// Kubeconfig is the cluster's kubeconfig (testenv/cluster.sh prints it).
	Kubeconfig string
	// State is the file backend's directory.
	State string
	// WorkDir is the workspace's directory (project and stack settings).
	WorkDir string
}

// Passphrase encrypts the local stacks' secrets; they hold none but the kubeconfig's path.
const Passphrase = "openwan-local"

// Stack selects or creates the named stack of the program and makes its config exactly cfg (full
// keys to raw values, as config.ReadStackFile returns them): a key a reused stack holds beyond
// cfg is removed, as a key deleted from a stack file is gone under `pulumi up`.
func Stack(ctx context.Context, env Env, name string, cfg map[string]string) (auto.Stack, error) {
	cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: env.Cache, SkipVersionCheck: true})
	if err != nil {
		return auto.Stack{}, fmt.Errorf("pulumi CLI in %s: %w", env.Cache, err)
	}
	backend := "file://" + env.State
	stack, err := auto.UpsertStackInlineSource(ctx, name, "openwan", Program(cfg),
		auto.Pulumi(cmd),
		auto.WorkDir(env.WorkDir),
		auto.Project(workspace.Project{
			Name:    tokens.PackageName("openwan"),
			Runtime: workspace.NewProjectRuntimeInfo("go", nil),
			Backend: &workspace.ProjectBackend{URL: backend},
		}),
		auto.SecretsProvider("passphrase"),
		auto.EnvVars(map[string]string{
			"PULUMI_CONFIG_PASSPHRASE": Passphrase,
			"PULUMI_HOME":              filepath.Join(env.Cache, "pulumi-home"),
			"PULUMI_BACKEND_URL":       backend,
			"PULUMI_SKIP_UPDATE_CHECK": "true",
			"KUBECONFIG":               env.Kubeconfig,
		}),
	)
	if err != nil {
		return auto.Stack{}, err
	}
	if err := setConfig(ctx, stack, cfg); err != nil {
		return auto.Stack{}, err
	}
	return stack, nil
}

// Program is the inline program of a stack whose config is cfg (exported for the test that runs
// it on the mocks). An inline program gets no PULUMI_CONFIG to list its stack's keys in, so it is
// told the keys of cfg, which setConfig makes all the stack holds: an unknown openwan:* key is
// refused here as under `pulumi up`.
func Program(cfg map[string]string) pulumi.RunFunc {
	return stacks.Program(slices.Sorted(maps.Keys(cfg)))
}

// setConfig makes the stack's config exactly cfg.
func setConfig(ctx context.Context, stack auto.Stack, cfg map[string]string) error {
	all := auto.ConfigMap{}
	for k, v := range cfg {
		all[k] = auto.ConfigValue{Value: v}
	}
	if err := stack.SetAllConfig(ctx, all); err != nil {
		return err
	}
	held, err := stack.GetAllConfig(ctx)
	if err != nil {
		return err
	}
	var stale []string
	for k := range held {
		if _, ok := cfg[k]; !ok {
			stale = append(stale, k)
		}
	}
	if len(stale) == 0 {
		return nil
	}
	slices.Sort(stale)
	return stack.RemoveAllConfig(ctx, stale)
}

// RunScript runs a testenv script (build.sh, cluster.sh) with extraEnv added to this process's
// environment, its stderr on ours, and returns the last line it printed on stdout: the bin
// directory or the kubeconfig the scripts print last.
func RunScript(path string, extraEnv []string, args ...string) (string, error) {
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), extraEnv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %v: %w", filepath.Base(path), args, err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	return strings.TrimSpace(lines[len(lines)-1]), nil
}
