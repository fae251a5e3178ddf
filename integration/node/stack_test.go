//go:build integration

package node

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/internal/localstack"
	"github.com/openwan/openwan-infra/internal/stackconfig"
)

// standinImage is the stand-in API of testenv/app, imported into the node's containerd.
const standinImage = "openwan.local/standin:1"

// realNodeEdits are what the local stack changes to run on one real 2-core node, each as a
// merge into its Pulumi.local.yaml section. Requests are a fifth of the guide's so that the
// API's maximum, the workers' minimum and metrics-server fit the node's 1600m allocatable with
// room for the control plane; the peak is what those pods serve, so the program's own capacity
// check still holds; the API's scale-down stabilization is 60 s instead of 300 s, so the test
// sees a scale-in in minutes. The simulator replays the load with this same config.
var realNodeEdits = map[string]map[string]any{
	"api": {
		"image": standinImage,
		"resources": map[string]any{
			"requests": map[string]any{"cpuMillis": 100, "memoryMiB": 64, "ephemeralGiB": 1},
			"limits":   map[string]any{"cpuMillis": 400, "memoryMiB": 128, "ephemeralGiB": 1},
		},
		"scaleDown": map[string]any{"stabilizationSeconds": 60},
	},
	"worker": {
		"image": standinImage,
		"resources": map[string]any{
			"requests": map[string]any{"cpuMillis": 50, "memoryMiB": 64, "ephemeralGiB": 1},
			"limits":   map[string]any{"cpuMillis": 200, "memoryMiB": 128, "ephemeralGiB": 1},
		},
	},
	"capacity": {"api": map[string]any{"peakRequestsPerMinute": 200}},
}

// realNodeStack is the local stack's raw config with realNodeEdits merged in, and the Config the
// program deploys from it (refused as the program would refuse it).
func realNodeStack(t *testing.T) (map[string]string, config.Config) {
	t.Helper()
	raw, err := config.ReadStackFile("../..", "local")
	require.NoError(t, err)
	for section, edit := range realNodeEdits {
		key := config.Namespace + ":" + section
		obj := map[string]any{}
		if v, ok := raw[key]; ok {
			require.NoError(t, json.Unmarshal([]byte(v), &obj), key)
		}
		merge(obj, edit)
		b, err := json.Marshal(obj)
		require.NoError(t, err)
		raw[key] = string(b)
	}
	sections := map[string]string{}
	for key, value := range raw {
		if section, ok := strings.CutPrefix(key, config.Namespace+":"); ok {
			sections[section] = value
		}
	}
	cfg, _, err := stackconfig.Load(slices.Sorted(maps.Keys(raw)), sections, "")
	require.NoError(t, err, "the real node's stack is one the program accepts")
	return raw, cfg
}

// merge writes edit into obj, object by object.
func merge(obj, edit map[string]any) {
	for k, v := range edit {
		sub, isObj := v.(map[string]any)
		have, hasObj := obj[k].(map[string]any)
		if isObj && hasObj {
			merge(have, sub)
			continue
		}
		obj[k] = v
	}
}

// deploy runs `pulumi up` of the real node's stack and returns it with its Config. The app's
// Secret (which an existing cluster keeps itself: openwan:cluster.externalSecrets is off) is
// created as soon as the stack's namespace exists, as an operator does; the pods wait for it.
func deploy(t *testing.T) (auto.Stack, config.Config) {
	t.Helper()
	ctx := context.Background()
	raw, cfg := realNodeStack(t)
	e := env
	e.State, e.WorkDir = t.TempDir(), t.TempDir()
	stack, err := localstack.Stack(ctx, e, "local", raw)
	require.NoError(t, err)

	done := make(chan struct{})
	secretErr := make(chan error, 1)
	go func() { secretErr <- createSecretWhenNamespaceExists(ctx, cfg, done) }()
	start := time.Now()
	_, err = stack.Up(ctx, optup.ProgressStreams(logWriter{t}))
	close(done)
	require.NoError(t, <-secretErr, "creating the app's Secret")
	require.NoError(t, err, "pulumi up of the local stack on the real node")
	t.Logf("pulumi up on the real node: %v", time.Since(start).Round(time.Second))
	return stack, cfg
}

func createSecretWhenNamespaceExists(ctx context.Context, cfg config.Config, done <-chan struct{}) error {
	ns := cfg.App.Namespace
	for {
		obj, err := kube.Get(ctx, "/api/v1/namespaces/"+ns)
		if err != nil {
			return err
		}
		if obj != nil {
			_, err := kube.Create(ctx, "/api/v1/namespaces/"+ns+"/secrets", map[string]any{
				"apiVersion": "v1", "kind": "Secret",
				"metadata":   map[string]any{"name": cfg.App.SecretName},
				"stringData": map[string]any{"DATABASE_URL": "postgres://stand-in"},
			}, false)
			return err
		}
		select {
		case <-done:
			return nil
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// logWriter sends the engine's progress to the test log.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
