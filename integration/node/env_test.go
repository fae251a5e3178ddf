//go:build integration

// Package node runs the guide's own scaling tests ("Testing Auto-Scaling": manual scaling,
// load-based scaling, graceful shutdown, cold start) on real pods: the local stack deployed by
// the real Pulumi engine onto the test environment's real node (kubelet v1.36.3, containerd,
// CNI, metrics-server from the program's own manifests), with the stand-in API of testenv/app.
//
// The test binary builds what it needs (testenv/build.sh, with the network), then runs itself
// again inside a private network and mount namespace (unshare), where testenv/cluster.sh starts
// the control plane and the node: nothing of it touches the host's network.
//
//	go test -tags integration -count=1 -timeout 30m ./integration/node/
package node

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/internal/localstack"
)

// insideNamespace is set, to build.sh's bin directory, on the run inside the namespace.
const insideNamespace = "OPENWAN_NODE_SUITE_BIN"

var (
	env  localstack.Env
	kube *localstack.Kube
)

func TestMain(m *testing.M) {
	if bin := os.Getenv(insideNamespace); bin != "" {
		os.Exit(runInside(m, bin))
	}
	os.Exit(runOutside())
}

// runOutside builds the environment, then runs this binary again, with its arguments, in a new
// network and mount namespace, and returns its exit status.
func runOutside() int {
	start := time.Now()
	bin, err := script("build.sh")
	if err != nil {
		fmt.Fprintln(os.Stderr, "node suite: building the test environment:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "node suite: test environment ready in %v\n", time.Since(start).Round(time.Second))
	cmd := exec.Command("unshare", append([]string{"--net", "--mount", "--propagation", "private", "--", os.Args[0]}, os.Args[1:]...)...)
	cmd.Env = append(os.Environ(), insideNamespace+"="+bin)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "node suite: running inside a private namespace:", err)
		return 1
	}
	return 0
}

func runInside(m *testing.M, bin string) int {
	kubeconfig, err := script("cluster.sh", "start")
	defer func() {
		if _, err := script("cluster.sh", "stop"); err != nil {
			fmt.Fprintln(os.Stderr, "node suite: stopping the cluster:", err)
		}
	}()
	if err != nil {
		fmt.Fprintln(os.Stderr, "node suite: starting the cluster with the real node:", err)
		return 1
	}
	env = localstack.Env{Cache: filepath.Dir(bin), Kubeconfig: kubeconfig}
	if kube, err = localstack.NewKube(kubeconfig); err != nil {
		fmt.Fprintln(os.Stderr, "node suite:", err)
		return 1
	}
	return m.Run()
}

// script runs testenv/<name> in the real-node mode, with this run's state directory and the
// images the node needs, and returns the last line it printed on stdout.
func script(name string, args ...string) (string, error) {
	extra := []string{"OPENWAN_TESTENV_NODES=real"}
	if bin := os.Getenv(insideNamespace); bin != "" {
		extra = append(extra, "OPENWAN_TESTENV_RUN="+filepath.Join(filepath.Dir(bin), "run-node"),
			"OPENWAN_TESTENV_IMAGES="+strings.Join([]string{
				filepath.Join(bin, "pause.tar"), filepath.Join(bin, "standin.tar"), filepath.Join(bin, "metrics-server.tar"),
			}, ":"))
	}
	return localstack.RunScript(filepath.Join("..", "..", "testenv", name), extra, args...)
}

// get reads an object from the API server: its JSON, or nil when it does not exist.
func get(t *testing.T, path string) map[string]any {
	t.Helper()
	obj, err := kube.Get(context.Background(), path)
	require.NoError(t, err, "reading %s", path)
	return obj
}

// waitFor retries check every 500 ms until it returns "" or the timeout passes; the timeout is a
// bound on a broken cluster, not the figure under test (those are measured and compared).
func waitFor(t *testing.T, timeout time.Duration, check func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		msg := check()
		if msg == "" {
			return
		}
		require.False(t, time.Now().After(deadline), "after %v: %s", timeout, msg)
		time.Sleep(500 * time.Millisecond)
	}
}
