//go:build integration

package integration

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config"
)

// TestFaults deploys the local stack once and puts it through what its users meet at 3 a.m.:
// drift behind Pulumi's back, a node lost with an API pod on it, two nodes drained at once, an
// up killed mid-way, and kube-apiserver restarting under a rollout (the last two change the
// stack's images, so they run last). Each scenario logs its
// figures (time to converge, the lowest ready count, the re-preview's changes); docs/local-stack.md's
// "Faults the suite survives" quotes them.
func TestFaults(t *testing.T) {
	ctx := context.Background()
	want, err := config.FromStackFile("..", "local")
	require.NoError(t, err)
	ns := want.App.Namespace
	floor := want.API.Replicas.Min - 1 // the PDB's maxUnavailable of 1
	stack := newStack(t, "faults", nil)
	// The local stack's tests deploy the same namespace and cluster objects after this one:
	// they start only once the destroy has removed them.
	t.Cleanup(func() {
		_, err := stack.Destroy(ctx)
		assert.NoError(t, err, "destroy of the faults stack")
		eventually(t, 2*time.Minute, func() string {
			if get(t, "/api/v1/namespaces/"+ns) != nil {
				return "namespace " + ns + " still exists"
			}
			return ""
		})
	})
	_, err = stack.Up(ctx, optup.ProgressStreams(logWriter{t}))
	require.NoError(t, err, "up of the faults stack")
	waitAvailable(t, ns, "openwan-api", want.API.Replicas.Min)

	// Drift: someone edits the HPA's minimum and scales the Deployment by hand. The refreshed
	// preview reports the HPA and not the replica count, which the autoscaler owns (the
	// Deployment declares none); `up` restores the HPA and leaves the count alone. Checked the
	// other way: before the objects were applied with force (kube.PatchForceAnnotation), this
	// scenario failed, the preview refusing on the server-side apply conflict over
	// spec.minReplicas that the edit's field manager now owned.
	t.Run("drift", func(t *testing.T) {
		hpa := "/apis/autoscaling/v2/namespaces/" + ns + "/horizontalpodautoscalers/openwan-api-hpa"
		deployment := "/apis/apps/v1/namespaces/" + ns + "/deployments/openwan-api"
		edited := want.API.Replicas.Min + 1
		scaled := want.API.Replicas.Max - 1
		require.Greater(t, scaled, edited, "precondition: the hand-scaled count is within the edited bounds")
		require.NoError(t, kube.Patch(ctx, hpa, map[string]any{"spec": map[string]any{"minReplicas": edited}}))
		require.NoError(t, kube.Patch(ctx, deployment, map[string]any{"spec": map[string]any{"replicas": scaled}}))
		t.Cleanup(func() {
			_ = kube.Patch(ctx, hpa, map[string]any{"spec": map[string]any{"minReplicas": want.API.Replicas.Min}})
			_ = kube.Patch(ctx, deployment, map[string]any{"spec": map[string]any{"replicas": want.API.Replicas.Min}})
			waitAvailable(t, ns, "openwan-api", want.API.Replicas.Min)
		})

		start := time.Now()
		changed := previewChanges(t, stack, true)
		assert.Equal(t, map[string]apitype.OpType{"openwan-api-hpa": apitype.OpUpdate}, changed,
			"a refreshed preview reports the HPA's drift, and not the replica count the autoscaler owns")
		_, err := stack.Up(ctx, optup.Refresh(), optup.ProgressStreams(logWriter{t}))
		require.NoError(t, err, "up restores the config")
		assert.Equal(t, float64(want.API.Replicas.Min), at(get(t, hpa), "spec.minReplicas"), "the HPA's minimum is the config's again")
		assert.Equal(t, float64(scaled), at(get(t, deployment), "spec.replicas"), "the replica count stays the autoscaler's")
		after := previewChanges(t, stack, true)
		assert.Empty(t, after, "after the up, a refreshed preview changes nothing")
		t.Logf("figures: drift restored in %v; re-preview changes %d", time.Since(start).Round(time.Second), len(after))
	})

	// A lost node: the Node object of one API pod disappears (a reclaimed instance). The
	// EndpointSlice controller drops the pod at once, the pod garbage collector deletes it, the
	// ReplicaSet recreates it on another node, and the Service keeps the PDB's floor of ready
	// endpoints meanwhile. The protection is the topology spread (one API pod per node): with
	// both pods on the lost node, the lowest count is 0 and the floor assertion fails.
	t.Run("lost node", func(t *testing.T) {
		waitAvailable(t, ns, "openwan-api", want.API.Replicas.Min)
		pods := apiPods(t, ns)
		perNode := map[string]int{}
		for _, p := range pods {
			perNode[p.node]++
		}
		require.Len(t, perNode, len(pods), "precondition: the API pods are spread one per node: %v", pods)
		lost := pods[0].node
		node := get(t, "/api/v1/nodes/"+lost)
		require.NotNil(t, node, "precondition: the pod's node exists")
		t.Cleanup(func() { restoreNode(t, node) })

		stop := watchLowest(t, readyEndpointsOf(ns, "openwan-api"))
		start := time.Now()
		require.NoError(t, kube.Delete(ctx, "/api/v1/nodes/"+lost))
		eventually(t, 3*time.Minute, func() string {
			ready := 0
			for _, p := range apiPods(t, ns) {
				if p.node == lost {
					return fmt.Sprintf("pod %s still bound to the lost node %s", p.name, lost)
				}
				if p.ready {
					ready++
				}
			}
			if ready < want.API.Replicas.Min {
				return fmt.Sprintf("%d ready API pods, want %d", ready, want.API.Replicas.Min)
			}
			return ""
		})
		lowest := stop()
		require.NotEqual(t, noSample, lowest, "the endpoint watcher read the Service not once")
		assert.GreaterOrEqual(t, lowest, floor, "ready endpoints stayed at or above the PDB's floor")
		t.Logf("figures: lost node recovered in %v; lowest ready endpoints %d (floor %d)", time.Since(start).Round(time.Second), lowest, floor)
	})

	// Two nodes drained at once through the eviction API, as `kubectl drain` of both does: every
	// pod of the two nodes is asked to go at once, the evictions past the PDB are refused with
	// 429 and retried, and succeed once a replacement is ready on the third node. How it was
	// checked: a probe that evicted the two pods back to back saw the PDB at disruptionsAllowed 0
	// after the first and a 429 for the second. A budget that let both go (maxUnavailable 2)
	// answers neither with 429: both pods go at once, the available count drops to 0, nothing
	// reopens the third node, and the refusal, floor and availability checks all fail.
	t.Run("drain two nodes", func(t *testing.T) {
		waitAvailable(t, ns, "openwan-api", want.API.Replicas.Min)
		all := apiPods(t, ns)
		var nodes []string
		for _, p := range all {
			if !slices.Contains(nodes, p.node) && len(nodes) < 2 {
				nodes = append(nodes, p.node)
			}
		}
		require.Len(t, nodes, 2, "precondition: API pods on two nodes: %v", all)
		var pending []string
		for _, p := range all {
			if slices.Contains(nodes, p.node) {
				pending = append(pending, p.name)
			}
		}
		require.GreaterOrEqual(t, len(pending), 2, "precondition: two API pods to evict")
		// The disruption controller must have settled after the lost node: a budget still
		// counting a gone pod as healthy would allow two evictions.
		pdb := "/apis/policy/v1/namespaces/" + ns + "/poddisruptionbudgets/openwan-api"
		eventually(t, time.Minute, func() string {
			status := at(get(t, pdb), "status")
			if at(status, "currentHealthy") != float64(want.API.Replicas.Min) || at(status, "disruptionsAllowed") != 1.0 ||
				at(status, "disruptedPods") != nil {
				return fmt.Sprintf("PDB status %v", status)
			}
			return ""
		})
		// The third node is closed too until the budget has said no once: kwok starts a pod in
		// milliseconds, so a replacement could otherwise be ready before the second eviction
		// arrives, and whether a 429 comes would be a race.
		nodeList, _ := get(t, "/api/v1/nodes")["items"].([]any)
		var third string
		for _, n := range nodeList {
			if name := fmt.Sprint(at(n, "metadata.name")); !slices.Contains(nodes, name) {
				third = name
			}
		}
		require.NotEmpty(t, third, "precondition: a third node takes the pods")
		cordon := func(node string, closed bool) error {
			return kube.Patch(ctx, "/api/v1/nodes/"+node, map[string]any{"spec": map[string]any{"unschedulable": closed}})
		}
		for _, n := range append(slices.Clone(nodes), third) {
			require.NoError(t, cordon(n, true))
		}
		t.Cleanup(func() {
			for _, n := range append(slices.Clone(nodes), third) {
				_ = cordon(n, false)
			}
		})
		stop := watchLowest(t, availableOf(ns, "openwan-api"))
		start := time.Now()
		refused := 0
		deadline := start.Add(2 * time.Minute)
		for len(pending) > 0 {
			require.False(t, time.Now().After(deadline), "evictions still refused after 2 minutes: %v", pending)
			var still []string
			for _, pod := range pending {
				_, err := kube.Create(ctx, "/api/v1/namespaces/"+ns+"/pods/"+pod+"/eviction", map[string]any{
					"apiVersion": "policy/v1", "kind": "Eviction", "metadata": map[string]any{"name": pod, "namespace": ns},
				}, false)
				switch {
				case err == nil:
				case strings.Contains(err.Error(), "429"):
					refused++
					still = append(still, pod)
				default:
					require.NoError(t, err, "evicting %s", pod)
				}
			}
			if refused > 0 {
				require.NoError(t, cordon(third, false), "the third node opens once the budget has refused")
			}
			if pending = still; len(pending) > 0 {
				time.Sleep(200 * time.Millisecond)
			}
		}
		waitAvailable(t, ns, "openwan-api", want.API.Replicas.Min)
		lowest := stop()
		assert.Positive(t, refused, "an eviction past the budget was refused with 429")
		assert.GreaterOrEqual(t, lowest, floor, "available API pods stayed at or above the PDB's floor")
		for _, p := range apiPods(t, ns) {
			assert.NotContains(t, nodes, p.node, "pod %s moved off the drained nodes", p.name)
		}
		t.Logf("figures: two nodes drained in %v; evictions refused (429) %d; lowest available %d (floor %d)",
			time.Since(start).Round(time.Second), refused, lowest, floor)
	})
	t.Run("interrupted up", func(t *testing.T) { interruptedUp(t, stack, want) })
	t.Run("apiserver restart under a rollout", func(t *testing.T) { apiserverRestart(t, stack, want) })
}

// previewChanges runs a preview (refreshed first if asked) and returns the resources it would
// change, by name, with the operation.
func previewChanges(t *testing.T, stack auto.Stack, refresh bool) map[string]apitype.OpType {
	t.Helper()
	ch := make(chan events.EngineEvent)
	out := map[string]apitype.OpType{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range ch {
			if ev.ResourcePreEvent == nil {
				continue
			}
			m := ev.ResourcePreEvent.Metadata
			switch m.Op {
			case apitype.OpSame, apitype.OpRead, apitype.OpRefresh:
				continue
			}
			out[m.URN[strings.LastIndex(m.URN, "::")+2:]] = m.Op
		}
	}()
	opts := []optpreview.Option{optpreview.EventStreams(ch)}
	if refresh {
		opts = append(opts, optpreview.Refresh())
	}
	_, err := stack.Preview(context.Background(), opts...)
	<-done
	require.NoError(t, err, "preview")
	return out
}

// waitAvailable waits until the Deployment has n available replicas and no more.
func waitAvailable(t *testing.T, ns, name string, n int) {
	t.Helper()
	eventually(t, 2*time.Minute, func() string {
		d := get(t, "/apis/apps/v1/namespaces/"+ns+"/deployments/"+name)
		if at(d, "status.availableReplicas") != float64(n) || at(d, "status.replicas") != float64(n) {
			return fmt.Sprintf("%s: %v", name, at(d, "status"))
		}
		return ""
	})
}

// apiPod is one API pod: its name, its node and whether it is ready.
type apiPod struct {
	name, node string
	ready      bool
}

// apiPods are the API's pods that are not being deleted, by name.
func apiPods(t *testing.T, ns string) []apiPod {
	t.Helper()
	list := get(t, "/api/v1/namespaces/"+ns+"/pods?labelSelector=app.kubernetes.io/component%3Dapi")
	items, _ := list["items"].([]any)
	var out []apiPod
	for _, item := range items {
		if at(item, "metadata.deletionTimestamp") != nil {
			continue
		}
		p := apiPod{name: fmt.Sprint(at(item, "metadata.name")), node: fmt.Sprint(at(item, "spec.nodeName"))}
		conditions, _ := at(item, "status.conditions").([]any)
		for _, c := range conditions {
			if at(c, "type") == "Ready" && at(c, "status") == "True" {
				p.ready = true
			}
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b apiPod) int { return strings.Compare(a.name, b.name) })
	return out
}

// readyEndpointsOf reads the count of a Service's ready endpoints, over its EndpointSlices.
func readyEndpointsOf(ns, service string) func() (int, bool) {
	return func() (int, bool) {
		list, err := kube.Get(context.Background(), "/apis/discovery.k8s.io/v1/namespaces/"+ns+
			"/endpointslices?labelSelector=kubernetes.io/service-name%3D"+service)
		if err != nil || list == nil {
			return 0, false
		}
		ready := 0
		items, _ := list["items"].([]any)
		for _, s := range items {
			endpoints, _ := at(s, "endpoints").([]any)
			for _, e := range endpoints {
				if at(e, "conditions.ready") == true {
					ready++
				}
			}
		}
		return ready, true
	}
}

// restoreNode creates a lost node again from what it was, for the tests after, and waits for
// kwok to make it Ready.
func restoreNode(t *testing.T, node map[string]any) {
	name := at(node, "metadata.name")
	meta := map[string]any{"name": name, "labels": at(node, "metadata.labels"), "annotations": at(node, "metadata.annotations")}
	_, err := kube.Create(context.Background(), "/api/v1/nodes", map[string]any{
		"apiVersion": "v1", "kind": "Node", "metadata": meta,
		"status": map[string]any{"allocatable": at(node, "status.allocatable"), "capacity": at(node, "status.capacity")},
	}, false)
	assert.NoError(t, err, "restoring node %v", name)
	eventually(t, time.Minute, func() string {
		conditions, _ := at(get(t, fmt.Sprintf("/api/v1/nodes/%v", name)), "status.conditions").([]any)
		for _, c := range conditions {
			if at(c, "type") == "Ready" && at(c, "status") == "True" {
				return ""
			}
		}
		return fmt.Sprintf("node %v not ready again", name)
	})
}
