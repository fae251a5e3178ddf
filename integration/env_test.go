//go:build integration

// Package integration deploys the local stack (Pulumi.local.yaml) onto a real kube-apiserver on
// this machine through the real Pulumi engine, and reads back what the cluster holds. The
// environment (Pulumi CLI, Kubernetes provider, etcd, control plane, kwok) is built from pinned
// sources by testenv/build.sh and started by testenv/cluster.sh.
//
//	go test -tags integration -count=1 -timeout 75m ./integration/
package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/internal/localstack"
	"github.com/openwan/openwan-infra/internal/model"
)

// env is the running test environment; kube reads the cluster back.
var (
	env  localstack.Env
	kube *localstack.Kube
)

func TestMain(m *testing.M) {
	os.Exit(runWithCluster(m))
}

func runWithCluster(m *testing.M) int {
	start := time.Now()
	binDir, err := script("build.sh")
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration: building the test environment:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "integration: test environment ready in %v\n", time.Since(start).Round(time.Second))
	kubeconfig, err := script("cluster.sh", "start")
	defer func() {
		if _, err := script("cluster.sh", "stop"); err != nil {
			fmt.Fprintln(os.Stderr, "integration: stopping the control plane:", err)
		}
	}()
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration: starting the control plane:", err)
		return 1
	}
	env = localstack.Env{Cache: filepath.Dir(binDir), Kubeconfig: kubeconfig}
	if kube, err = localstack.NewKube(kubeconfig); err != nil {
		fmt.Fprintln(os.Stderr, "integration:", err)
		return 1
	}
	return m.Run()
}

// script runs testenv/<name> and returns the last line it printed on stdout.
func script(name string, args ...string) (string, error) {
	return localstack.RunScript(filepath.Join("..", "testenv", name), nil, args...)
}

// get reads an object from the API server: its JSON, or nil when it does not exist.
func get(t *testing.T, path string) map[string]any {
	t.Helper()
	obj, err := kube.Get(context.Background(), path)
	require.NoError(t, err, "reading %s", path)
	return obj
}

// at reads a decoded object at a dotted path (numeric segments index lists), nil where there is
// nothing: the same walk the unit tests use on declared inputs.
func at(obj any, path string) any {
	v, err := model.Lookup(obj, path)
	if err != nil {
		return nil
	}
	return v
}

// eventually retries check every 200 ms until it returns "" or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, check func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		msg := check()
		if msg == "" {
			return
		}
		require.False(t, time.Now().After(deadline), "after %v: %s", timeout, msg)
		time.Sleep(200 * time.Millisecond)
	}
}
