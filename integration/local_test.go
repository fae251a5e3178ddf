//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/internal/localstack"
)

// newStack is the named stack in a fresh state directory, configured from Pulumi.local.yaml
// with edits applied.
func newStack(t *testing.T, name string, edit func(map[string]string)) auto.Stack {
	t.Helper()
	cfg, err := config.ReadStackFile("..", "local")
	require.NoError(t, err)
	if edit != nil {
		edit(cfg)
	}
	e := env
	e.State, e.WorkDir = t.TempDir(), t.TempDir()
	stack, err := localstack.Stack(context.Background(), e, name, cfg)
	require.NoError(t, err, "creating stack %s", name)
	return stack
}

// logWriter sends the engine's progress to the test log.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// changes are the operations of a summary other than "same".
func changes(summary map[apitype.OpType]int) map[apitype.OpType]int {
	out := map[apitype.OpType]int{}
	for op, n := range summary {
		if op != apitype.OpSame && n > 0 {
			out[op] = n
		}
	}
	return out
}

// TestLocalStack deploys, re-previews, changes, and destroys the local stack, reading the
// cluster back at each step. The steps share the stack, so they run in order.
func TestLocalStack(t *testing.T) {
	ctx := context.Background()
	want, err := config.FromStackFile("..", "local")
	require.NoError(t, err)
	ns := want.App.Namespace
	stack := newStack(t, "local", nil)
	t.Cleanup(func() { _, _ = stack.Destroy(ctx) })

	start := time.Now()
	_, err = stack.Up(ctx, optup.ProgressStreams(logWriter{t}))
	require.NoError(t, err, "first up of the local stack")
	t.Logf("first up: %v", time.Since(start).Round(time.Second))

	t.Run("cluster holds what the config declares", func(t *testing.T) {
		checkDeployed(t, want)
	})

	t.Run("second preview changes nothing", func(t *testing.T) {
		res, err := stack.Preview(ctx, optpreview.Diff())
		require.NoError(t, err, "preview")
		assert.Empty(t, changes(res.ChangeSummary), "a preview right after up must change nothing:\n%s", res.StdOut)
	})

	t.Run("a new image and a new max update in place without dropping below the PDB", func(t *testing.T) {
		newMax := want.API.Replicas.Max + 1
		image := retag(t, want.API.Image, "rollout-test")
		cfg, err := config.ReadStackFile("..", "local")
		require.NoError(t, err)
		api := setJSON(t, cfg["openwan:api"], map[string]any{
			"image":    image,
			"replicas": map[string]any{"min": want.API.Replicas.Min, "max": newMax},
		})
		require.NoError(t, stack.SetConfig(ctx, "openwan:api", auto.ConfigValue{Value: api}))
		stop := watchLowest(t, availableOf(ns, "openwan-api"))
		res, err := stack.Up(ctx, optup.ProgressStreams(logWriter{t}))
		lowest := stop()
		require.NoError(t, err, "up with a new image and max")
		c := map[apitype.OpType]int{}
		if res.Summary.ResourceChanges != nil {
			for op, n := range *res.Summary.ResourceChanges {
				c[apitype.OpType(op)] = n
			}
		}
		c = changes(c)
		assert.Positive(t, c[apitype.OpUpdate], "the change must update in place: %v", c)
		assert.Zero(t, c[apitype.OpReplace]+c[apitype.OpDelete]+c[apitype.OpCreate], "nothing replaced, deleted or created: %v", c)
		require.NotEqual(t, noSample, lowest, "the rollout watcher read the API Deployment not once")
		assert.GreaterOrEqual(t, lowest, want.API.Replicas.Min-1,
			"available API pods during the rollout must stay at or above the PDB's floor (min - maxUnavailable 1)")
		hpa := get(t, "/apis/autoscaling/v2/namespaces/"+ns+"/horizontalpodautoscalers/openwan-api-hpa")
		assert.Equal(t, float64(newMax), at(hpa, "spec.maxReplicas"), "HPA maxReplicas after the change")
		eventually(t, 60*time.Second, func() string {
			d := get(t, "/apis/apps/v1/namespaces/"+ns+"/deployments/openwan-api")
			if img := at(d, "spec.template.spec.containers.0.image"); img != image {
				return fmt.Sprintf("deployment image %v, want %s", img, image)
			}
			if at(d, "status.updatedReplicas") != at(d, "status.replicas") || at(d, "status.availableReplicas") != at(d, "status.replicas") {
				return fmt.Sprintf("rollout not finished: %v", at(d, "status"))
			}
			return ""
		})
		res2, err := stack.Preview(ctx)
		require.NoError(t, err, "preview after the change")
		assert.Empty(t, changes(res2.ChangeSummary), "a preview after the change must change nothing:\n%s", res2.StdOut)
	})

	t.Run("destroy leaves nothing behind", func(t *testing.T) {
		_, err := stack.Destroy(ctx, optdestroy.ProgressStreams(logWriter{t}))
		require.NoError(t, err, "destroy")
		eventually(t, 120*time.Second, func() string {
			for _, path := range []string{
				"/api/v1/namespaces/" + ns,
				"/apis/apps/v1/namespaces/kube-system/deployments/metrics-server",
				"/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io",
				"/apis/rbac.authorization.k8s.io/v1/clusterroles/system:metrics-server",
				"/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/metrics-server-auth-delegator",
			} {
				if obj := get(t, path); obj != nil {
					return path + " still exists"
				}
			}
			return ""
		})
	})
}

// retag replaces the tag of an image reference, failing the test if it has none: an edit that
// did not apply would make the rollout test pass without rolling anything.
func retag(t *testing.T, image, tag string) string {
	t.Helper()
	i := strings.LastIndex(image, ":")
	require.Positive(t, i, "image %q has no tag to replace", image)
	out := image[:i+1] + tag
	require.NotEqual(t, image, out, "retagging %q changed nothing", image)
	return out
}

// setJSON sets top-level fields of a config section's JSON text and returns the new text.
func setJSON(t *testing.T, text string, fields map[string]any) string {
	t.Helper()
	var section map[string]any
	require.NoError(t, json.Unmarshal([]byte(text), &section), "config section %s", text)
	maps.Copy(section, fields)
	out, err := json.Marshal(section)
	require.NoError(t, err)
	return string(out)
}

// noSample is the lowest count of a watcher that read nothing.
const noSample = 1 << 30

// watchLowest calls read every 100 ms until stopped; stop returns the lowest count read, or
// noSample if no read succeeded. The test's cleanup stops a watcher that a failed check left
// running. A read that fails (the apiserver down, the object not there
// yet) is skipped, not counted as zero.
func watchLowest(t *testing.T, read func() (int, bool)) (stop func() int) {
	var mu sync.Mutex
	lowest := noSample
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			if n, ok := read(); ok {
				mu.Lock()
				lowest = min(lowest, n)
				mu.Unlock()
			}
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	var once sync.Once
	stop = func() int {
		once.Do(func() { close(done) })
		<-finished
		mu.Lock()
		defer mu.Unlock()
		return lowest
	}
	t.Cleanup(func() { stop() })
	return stop
}

// availableOf reads a Deployment's available replicas.
func availableOf(ns, name string) func() (int, bool) {
	return func() (int, bool) {
		d, err := kube.Get(context.Background(), "/apis/apps/v1/namespaces/"+ns+"/deployments/"+name)
		if err != nil || d == nil {
			return 0, false
		}
		n, _ := at(d, "status.availableReplicas").(float64) // absent means none available
		return int(n), true
	}
}

// field is one path of an object and the value the config says it holds.
type field struct {
	path string
	want any
}

// checkDeployed compares what the cluster holds with the typed config of Pulumi.local.yaml.
func checkDeployed(t *testing.T, want config.Config) {
	ns := want.App.Namespace
	services := map[string]config.Service{"openwan-api": want.API, "openwan-worker": want.Worker}
	for _, name := range slices.Sorted(maps.Keys(services)) {
		svc := services[name]
		eventually(t, 90*time.Second, func() string {
			d := get(t, "/apis/apps/v1/namespaces/"+ns+"/deployments/"+name)
			if d == nil {
				return "no deployment " + name
			}
			conditions, _ := at(d, "status.conditions").([]any) // none yet right after creation
			for _, c := range conditions {
				if at(c, "type") == "Available" && at(c, "status") == "True" {
					if n, _ := at(d, "status.availableReplicas").(float64); int(n) >= svc.Replicas.Min {
						return ""
					}
				}
			}
			return fmt.Sprintf("deployment %s not available with %d replicas: %v", name, svc.Replicas.Min, at(d, "status"))
		})
		hpa := get(t, "/apis/autoscaling/v2/namespaces/"+ns+"/horizontalpodautoscalers/"+name+"-hpa")
		require.NotNil(t, hpa, "no HPA %s-hpa in the cluster", name)
		checks := []field{
			{"spec.scaleTargetRef.name", name},
			{"spec.minReplicas", float64(svc.Replicas.Min)},
			{"spec.maxReplicas", float64(svc.Replicas.Max)},
			{"spec.metrics.0.resource.name", "cpu"},
			{"spec.metrics.0.resource.target.averageUtilization", float64(svc.Targets.CPUPercent)},
			{"spec.metrics.1.resource.name", "memory"},
			{"spec.metrics.1.resource.target.averageUtilization", float64(svc.Targets.MemoryPercent)},
			{"spec.behavior.scaleUp.stabilizationWindowSeconds", float64(svc.ScaleUp.StabilizationSeconds)},
			{"spec.behavior.scaleDown.stabilizationWindowSeconds", float64(svc.ScaleDown.StabilizationSeconds)},
		}
		for dir, b := range map[string]config.Behavior{"scaleUp": svc.ScaleUp, "scaleDown": svc.ScaleDown} {
			checks = append(checks, field{"spec.behavior." + dir + ".selectPolicy", b.SelectPolicy})
			for i, p := range b.Policies {
				prefix := fmt.Sprintf("spec.behavior.%s.policies.%d.", dir, i)
				checks = append(checks,
					field{prefix + "type", p.Type},
					field{prefix + "value", float64(p.Value)},
					field{prefix + "periodSeconds", float64(p.PeriodSeconds)})
			}
		}
		for _, c := range checks {
			assert.Equal(t, c.want, at(hpa, c.path), "cluster HPA %s-hpa %s: Pulumi.local.yaml says %v", name, c.path, c.want)
		}
		pdb := get(t, "/apis/policy/v1/namespaces/"+ns+"/poddisruptionbudgets/"+name)
		assert.Equal(t, float64(1), at(pdb, "spec.maxUnavailable"), "PDB %s lets one pod go at a time: %v", name, at(pdb, "spec"))
		assert.NotNil(t, get(t, "/api/v1/namespaces/"+ns+"/services/"+name), "Service %s", name)
		d := get(t, "/apis/apps/v1/namespaces/"+ns+"/deployments/"+name)
		res := svc.Resources
		assert.Equal(t, fmt.Sprintf("%dGi", res.Requests.EphemeralGiB), at(d, "spec.template.spec.containers.0.resources.requests.ephemeral-storage"), "%s's scratch request", name)
		assert.Equal(t, fmt.Sprintf("%dGi", res.Limits.EphemeralGiB), at(d, "spec.template.spec.containers.0.resources.limits.ephemeral-storage"), "%s's disk limit", name)
		assert.Equal(t, fmt.Sprintf("%dGi", res.Requests.EphemeralGiB), at(d, "spec.template.spec.volumes.0.emptyDir.sizeLimit"), "%s's /tmp", name)
	}
	deny := get(t, "/apis/networking.k8s.io/v1/namespaces/"+ns+"/networkpolicies/default-deny-ingress")
	require.NotNil(t, deny, "the namespace's default-deny NetworkPolicy")
	assert.Equal(t, []any{"Ingress"}, at(deny, "spec.policyTypes"))
	api := get(t, "/apis/networking.k8s.io/v1/namespaces/"+ns+"/networkpolicies/openwan-api-ingress")
	require.NotNil(t, api, "the API's NetworkPolicy")
	for i, cidr := range want.Cluster.Existing.APISourceCIDRs {
		assert.Equal(t, cidr, at(api, fmt.Sprintf("spec.ingress.0.from.%d.ipBlock.cidr", i)), "the API admits openwan:cluster.existing.apiSourceCidrs")
	}
	assert.NotNil(t, get(t, "/apis/apps/v1/namespaces/kube-system/deployments/metrics-server"), "metrics-server Deployment in kube-system")
}

// TestInvalidConfigCreatesNothing: a stack whose config is refused fails `up` with the config
// error and leaves neither resources in its state nor objects in the cluster.
func TestInvalidConfigCreatesNothing(t *testing.T) {
	ctx := context.Background()
	local, err := config.FromStackFile("..", "local")
	require.NoError(t, err)
	require.Greater(t, local.API.Replicas.Min, 1, "the refusal below needs a max under the local stack's min")
	stack := newStack(t, "local-invalid", func(cfg map[string]string) {
		cfg["openwan:app"] = setJSON(t, cfg["openwan:app"], map[string]any{"namespace": "openwan-invalid"})
		cfg["openwan:api"] = setJSON(t, cfg["openwan:api"], map[string]any{
			"replicas": map[string]any{"min": local.API.Replicas.Min, "max": 1},
		})
	})
	_, err = stack.Up(ctx, optup.ProgressStreams(logWriter{t}))
	require.Error(t, err, "up with api.replicas.max 1 must be refused")
	assert.Contains(t, err.Error(), fmt.Sprintf("openwan:api.replicas.max: 1 is below min %d", local.API.Replicas.Min))
	dep, err := stack.Export(ctx)
	require.NoError(t, err)
	var state struct {
		Resources []struct {
			Type string `json:"type"`
		} `json:"resources"`
	}
	require.NoError(t, json.Unmarshal(dep.Deployment, &state))
	for _, r := range state.Resources {
		assert.Equal(t, "pulumi:pulumi:Stack", r.Type, "a refused stack holds only its stack resource")
	}
	assert.Nil(t, get(t, "/api/v1/namespaces/openwan-invalid"), "a refused stack created its namespace")
}
