//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config"
)

// interruptedUp: an update of both Deployments (new images, new maximums) whose engine is killed
// while the provider waits for the API rollout, as a CI runner's timeout kills the job's process
// tree. The recovery is the runbook's: `pulumi cancel` removes the dead run's lock, `pulumi refresh
// --clear-pending-creates` reads the cluster back and drops the interrupted operations, and
// `pulumi up` finishes the change. What each step is for is checked along the way: before the
// cancel, the next up is refused on the lock; the cancel alone leaves the interrupted
// operations in the state, and the refresh clears them. (An up over pending updates would only
// warn, deploy/deployment_executor.go in pulumi v3.274.1; the refresh is what makes the state
// read the cluster before it is trusted, and what clears a pending create.)
func interruptedUp(t *testing.T, stack auto.Stack, want config.Config) {
	ctx := context.Background()
	ns := want.App.Namespace
	api, worker := rollTo(t, stack, want, "interrupted")

	t.Cleanup(func() { _ = stack.Cancel(ctx) }) // a failed check must not leave the lock to the scenarios after
	done := upInBackground(t, stack)
	// The moment to kill: the cluster holds the new API template, so the provider has applied it
	// and waits for the rollout; the engine has recorded the update as begun and not yet ended.
	deployment := "/apis/apps/v1/namespaces/" + ns + "/deployments/openwan-api"
	deadline := time.Now().Add(2 * time.Minute)
	for at(get(t, deployment), "spec.template.spec.containers.0.image") != api.Image {
		select {
		case r := <-done:
			require.Failf(t, "the up ended before it could be killed", "error: %v", r.err)
		default:
		}
		require.False(t, time.Now().After(deadline), "the API Deployment never got image %s", api.Image)
		time.Sleep(20 * time.Millisecond)
	}
	killed := killEngine(t)
	start := time.Now()
	require.Contains(t, killed, "pulumi-resource", "the provider plugin dies with the engine") // comm is cut at 15 bytes
	require.Error(t, (<-done).err, "a killed up reports an error")
	pending := pendingOperations(t, stack)
	require.Contains(t, pending, "updating openwan-api-deployment", "precondition: the kill left the API's update in flight in the state")
	t.Logf("killed %v mid-update; the state holds pending operations %v", killed, pending)

	_, err := stack.Up(ctx)
	require.Error(t, err, "the next up, before the recovery, is refused on the dead run's lock")
	assert.Contains(t, err.Error(), "pulumi cancel", "the refusal names the recovery")

	require.NoError(t, stack.Cancel(ctx), "pulumi cancel")
	require.Equal(t, pending, pendingOperations(t, stack), "the cancel removes the lock and leaves the state to the refresh")
	_, err = stack.Refresh(ctx, optrefresh.ClearPendingCreates(), optrefresh.ProgressStreams(logWriter{t}))
	require.NoError(t, err, "pulumi refresh --clear-pending-creates")
	assert.Empty(t, pendingOperations(t, stack), "the refresh clears the interrupted operations")
	_, err = stack.Up(ctx, optup.ProgressStreams(logWriter{t}))
	require.NoError(t, err, "the up after the recovery")

	checkConverged(t, stack, want, api, worker)
	after := previewChanges(t, stack, false)
	assert.Empty(t, after, "a preview after the recovery changes nothing")
	t.Logf("figures: interrupted up recovered (cancel, refresh, up) in %v; pending operations %d; re-preview changes %d",
		time.Since(start).Round(time.Second), len(pending), len(after))
}

// apiserverRestart: kube-apiserver is killed and started again (etcd keeps the state) while an
// up rolls both Deployments. The run may complete or fail, and a failure must say what broke;
// a rerun converges and a preview after it changes nothing. Across the rollout around the
// restart, the API's available pods never fall below the HPA's minimum, above the PDB's floor:
// nothing is evicted here, so the Deployment's own strategy (maxUnavailable 0,
// components/kube/scalable_service.go) is what holds it. (While the apiserver is down the
// watcher's reads fail and are skipped; the stored status cannot change meanwhile.) Checked the
// other way: with maxUnavailable 100% and no surge, this scenario failed with a lowest
// available count of 0.
func apiserverRestart(t *testing.T, stack auto.Stack, want config.Config) {
	ctx := context.Background()
	ns := want.App.Namespace
	floor := want.API.Replicas.Min
	api, worker := rollTo(t, stack, want, "apiserver-restart")

	stop := watchLowest(t, availableOf(ns, "openwan-api"))
	done := upInBackground(t, stack)
	deployment := "/apis/apps/v1/namespaces/" + ns + "/deployments/openwan-api"
	eventually(t, 2*time.Minute, func() string {
		if img := at(get(t, deployment), "spec.template.spec.containers.0.image"); img != api.Image {
			return fmt.Sprintf("API Deployment image %v, want %s", img, api.Image)
		}
		return ""
	})
	start := time.Now()
	_, err := script("cluster.sh", "restart-apiserver")
	require.NoError(t, err, "restarting kube-apiserver")
	outage := time.Since(start)
	first := <-done
	require.True(t, first.ended.After(start), "precondition: the up was still rolling when the apiserver went")
	upErr := first.err
	if upErr != nil {
		// The engine's error diagnostics (not the progress, which names every resource) say
		// which resource failed and the connection it lost, e.g. "openwan/openwan-worker" failed
		// to fully initialize ... connection reset by peer.
		assert.Regexp(t, `openwan-(api|worker)`, first.errors, "a failed up names the resource")
		assert.Regexp(t, `connection (refused|reset|lost)|EOF`, first.errors, "a failed up names the lost connection")
		t.Logf("the up during the restart failed: %s", first.errors)
	}
	_, err = stack.Up(ctx, optup.ProgressStreams(logWriter{t}))
	require.NoError(t, err, "the rerun after the restart")
	checkConverged(t, stack, want, api, worker)
	lowest := stop()
	require.NotEqual(t, noSample, lowest, "the watcher read the API Deployment not once")
	assert.GreaterOrEqual(t, lowest, floor, "available API pods stayed at or above the HPA's minimum")
	after := previewChanges(t, stack, false)
	assert.Empty(t, after, "a preview after the rerun changes nothing")
	t.Logf("figures: apiserver restarted in %v under a rollout (first up error: %v); converged %v after the restart; lowest available %d (minimum %d); re-preview changes %d",
		outage.Round(100*time.Millisecond), upErr != nil, time.Since(start).Round(time.Second), lowest, floor, len(after))
}

// upResult is how a background up ended: its error, the engine's error diagnostics, and when.
type upResult struct {
	err    error
	errors string
	ended  time.Time
}

// upInBackground starts an up of the stack and returns where its result arrives. The test's
// cleanup cancels an up still running and waits for it, so no engine outlives the test and no
// progress is logged after it.
func upInBackground(t *testing.T, stack auto.Stack) <-chan upResult {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan upResult, 1)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		stream := make(chan events.EngineEvent)
		var diagnostics strings.Builder
		read := make(chan struct{})
		go func() {
			defer close(read)
			for ev := range stream { // closed by the Automation API when the run ends
				if d := ev.DiagnosticEvent; d != nil && d.Severity == "error" {
					diagnostics.WriteString(d.Message)
				}
			}
		}()
		_, err := stack.Up(ctx, optup.ProgressStreams(logWriter{t}), optup.EventStreams(stream))
		<-read
		done <- upResult{err: err, errors: diagnostics.String(), ended: time.Now()}
	}()
	t.Cleanup(func() {
		cancel()
		<-finished
	})
	return done
}

// rollTo sets the stack's API and worker config to new images tagged tag and a maximum one
// higher, and returns the two services as the stack now declares them.
func rollTo(t *testing.T, stack auto.Stack, want config.Config, tag string) (api, worker config.Service) {
	t.Helper()
	cfg, err := config.ReadStackFile("..", "local")
	require.NoError(t, err)
	api, worker = want.API, want.Worker
	api.Image, worker.Image = retag(t, want.API.Image, tag), retag(t, want.Worker.Image, tag)
	api.Replicas.Max++
	worker.Replicas.Max++
	for key, svc := range map[string]config.Service{"openwan:api": api, "openwan:worker": worker} {
		value := setJSON(t, cfg[key], map[string]any{
			"image":    svc.Image,
			"replicas": map[string]any{"min": svc.Replicas.Min, "max": svc.Replicas.Max},
		})
		require.NoError(t, stack.SetConfig(context.Background(), key, auto.ConfigValue{Value: value}))
	}
	return api, worker
}

// checkConverged: the cluster holds the new images and maximums with the minimum's pods on the
// new image and none left over, and the state holds each resource once, with nothing pending
// and no object of the namespace that it does not know.
func checkConverged(t *testing.T, stack auto.Stack, want config.Config, api, worker config.Service) {
	t.Helper()
	ns := want.App.Namespace
	for name, svc := range map[string]config.Service{"openwan-api": api, "openwan-worker": worker} {
		eventually(t, 2*time.Minute, func() string {
			d := get(t, "/apis/apps/v1/namespaces/"+ns+"/deployments/"+name)
			if img := at(d, "spec.template.spec.containers.0.image"); img != svc.Image {
				return fmt.Sprintf("%s image %v, want %s", name, img, svc.Image)
			}
			status := at(d, "status")
			if at(status, "updatedReplicas") != float64(svc.Replicas.Min) || at(status, "replicas") != float64(svc.Replicas.Min) ||
				at(status, "availableReplicas") != float64(svc.Replicas.Min) {
				return fmt.Sprintf("%s not rolled to %d new pods and no others: %v", name, svc.Replicas.Min, status)
			}
			return ""
		})
		hpa := get(t, "/apis/autoscaling/v2/namespaces/"+ns+"/horizontalpodautoscalers/"+name+"-hpa")
		assert.Equal(t, float64(svc.Replicas.Max), at(hpa, "spec.maxReplicas"), "%s-hpa's maximum", name)
	}

	state := exportState(t, stack)
	assert.Empty(t, state.PendingOperations, "no operation left pending")
	seen := map[string]int{}
	declared := map[string][]string{} // kind to the names the state holds in the namespace
	for _, r := range state.Resources {
		seen[r.URN]++
		if r.Outputs.Metadata.Namespace == ns {
			declared[r.Outputs.Kind] = append(declared[r.Outputs.Kind], r.Outputs.Metadata.Name)
		}
	}
	for urn, n := range seen {
		assert.Equal(t, 1, n, "%s is in the state once", urn)
	}
	for kind, path := range map[string]string{
		"Deployment":              "/apis/apps/v1/namespaces/" + ns + "/deployments",
		"HorizontalPodAutoscaler": "/apis/autoscaling/v2/namespaces/" + ns + "/horizontalpodautoscalers",
		"PodDisruptionBudget":     "/apis/policy/v1/namespaces/" + ns + "/poddisruptionbudgets",
		"Service":                 "/api/v1/namespaces/" + ns + "/services",
	} {
		items, _ := get(t, path)["items"].([]any)
		var inCluster []string
		for _, item := range items {
			inCluster = append(inCluster, fmt.Sprint(at(item, "metadata.name")))
		}
		require.NotEmpty(t, inCluster, "precondition: the namespace holds %s objects", kind)
		assert.ElementsMatch(t, declared[kind], inCluster, "the cluster's %s objects are the state's, no orphan and no duplicate", kind)
	}
}

// stackState is what the checks read of an exported deployment.
type stackState struct {
	Resources []struct {
		URN     string `json:"urn"`
		Outputs struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		} `json:"outputs"`
	} `json:"resources"`
	PendingOperations []struct {
		Resource struct {
			URN string `json:"urn"`
		} `json:"resource"`
		Type string `json:"type"`
	} `json:"pending_operations"`
}

// exportState reads the stack's state as `pulumi stack export` prints it.
func exportState(t *testing.T, stack auto.Stack) stackState {
	t.Helper()
	dep, err := stack.Export(context.Background())
	require.NoError(t, err, "pulumi stack export")
	var state stackState
	require.NoError(t, json.Unmarshal(dep.Deployment, &state))
	return state
}

// pendingOperations are the state's pending operations, as "type name", sorted.
func pendingOperations(t *testing.T, stack auto.Stack) []string {
	t.Helper()
	var out []string
	for _, op := range exportState(t, stack).PendingOperations {
		out = append(out, op.Type+" "+op.Resource.URN[strings.LastIndex(op.Resource.URN, "::")+2:])
	}
	slices.Sort(out)
	return out
}

// killEngine SIGKILLs every pulumi CLI process this test started, with the plugins it started
// (the Kubernetes provider), as a runner's timeout kills a job's process tree; it returns the
// commands it killed.
func killEngine(t *testing.T) []string {
	t.Helper()
	children := map[int][]int{}
	comm := map[int]string{}
	entries, err := os.ReadDir("/proc")
	require.NoError(t, err)
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // gone meanwhile
		}
		// The command sits in parentheses and may hold spaces: the fields after it are
		// "state ppid ...".
		s := string(stat)
		end := strings.LastIndexByte(s, ')')
		if end < 0 {
			continue
		}
		fields := strings.Fields(s[end+1:])
		if len(fields) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		children[ppid] = append(children[ppid], pid)
		comm[pid] = s[strings.IndexByte(s, '(')+1 : end]
	}
	var tree []int
	var walk func(pid int)
	walk = func(pid int) {
		tree = append(tree, pid)
		for _, c := range children[pid] {
			walk(c)
		}
	}
	for _, c := range children[os.Getpid()] {
		if comm[c] == "pulumi" {
			walk(c)
		}
	}
	require.NotEmpty(t, tree, "precondition: a pulumi process is running under the test")
	var killed []string
	for _, pid := range tree {
		if syscall.Kill(pid, syscall.SIGKILL) == nil {
			killed = append(killed, comm[pid])
		}
	}
	return killed
}
