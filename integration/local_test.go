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

	"github.com/openwan/openwan-infra/internal/localstack"
	"github.com/openwan/openwan-infra/config"
)

// newStack is the named stack in a fresh state directory, configured from Pulumi.local.yaml
// with edits applied.
func newStack(t *testing.T, name string, edit func(map[string]string)) auto.Stack {
	t.Helper()
	cfg, err := config.ReadStackFile("..", "local")
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(cfg)
	}
	e := env
	e.State, e.WorkDir = t.TempDir(), t.TempDir()
	stack, err := localstack.Stack(context.Background(), e, name, cfg)
	if err != nil {
		t.Fatal(err)
	}
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
	if err != nil {
		t.Fatal(err)
	}
	ns := want.App.Namespace
	stack := newStack(t, "local", nil)
	t.Cleanup(func() { _, _ = stack.Destroy(ctx) })

	start := time.Now()
	if _, err := stack.Up(ctx, optup.ProgressStreams(logWriter{t})); err != nil {
		t.Fatalf("up: %v", err)
	}
	t.Logf("first up: %v", time.Since(start).Round(time.Second))

	t.Run("cluster holds what the config declares", func(t *testing.T) {
		checkDeployed(t, want)
	})

	t.Run("second preview changes nothing", func(t *testing.T) {
		res, err := stack.Preview(ctx, optpreview.Diff())
		if err != nil {
			t.Fatalf("preview: %v", err)
		}
		if c := changes(res.ChangeSummary); len(c) > 0 {
			t.Errorf("second preview wants changes %v:\n%s", c, res.StdOut)
		}
	})

	t.Run("a new image and a new max update in place without dropping below the PDB", func(t *testing.T) {
		newMax := want.API.Replicas.Max + 1
		image := strings.Replace(want.API.Image, ":1.9.0", ":1.9.1", 1)
		var api map[string]any
		if err := json.Unmarshal([]byte(mustConfig(t, "openwan:api")), &api); err != nil {
			t.Fatal(err)
		}
		api["image"] = image
		api["replicas"] = map[string]any{"min": want.API.Replicas.Min, "max": newMax}
		text, _ := json.Marshal(api)
		if err := stack.SetConfig(ctx, "openwan:api", auto.ConfigValue{Value: string(text)}); err != nil {
			t.Fatal(err)
		}
		stop := watchAvailable(ns, "openwan-api")
		res, err := stack.Up(ctx, optup.ProgressStreams(logWriter{t}))
		lowest := stop()
		if err != nil {
			t.Fatalf("up: %v", err)
		}
		c := map[apitype.OpType]int{}
		if res.Summary.ResourceChanges != nil {
			for op, n := range *res.Summary.ResourceChanges {
				c[apitype.OpType(op)] = n
			}
		}
		c = changes(c)
		if c[apitype.OpUpdate] == 0 || c[apitype.OpReplace]+c[apitype.OpDelete]+c[apitype.OpCreate] > 0 {
			t.Errorf("change applied as %v, want updates in place only", c)
		}
		if lowest == noSample {
			t.Error("the rollout watcher read the API Deployment not once")
		} else if floor := want.API.Replicas.Min - 1; lowest < floor {
			t.Errorf("available API pods fell to %d during the rollout, below the PDB's %d", lowest, floor)
		}
		hpa := get(t, "/apis/autoscaling/v2/namespaces/"+ns+"/horizontalpodautoscalers/openwan-api-hpa")
		if got := at(hpa, "spec.maxReplicas"); got != float64(newMax) {
			t.Errorf("HPA maxReplicas = %v after the change, want %d", got, newMax)
		}
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
		if err != nil {
			t.Fatalf("preview after the change: %v", err)
		}
		if c := changes(res2.ChangeSummary); len(c) > 0 {
			t.Errorf("preview after the change wants changes %v:\n%s", c, res2.StdOut)
		}
	})

	t.Run("destroy leaves nothing behind", func(t *testing.T) {
		if _, err := stack.Destroy(ctx, optdestroy.ProgressStreams(logWriter{t})); err != nil {
			t.Fatalf("destroy: %v", err)
		}
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

func mustConfig(t *testing.T, key string) string {
	t.Helper()
	cfg, err := config.ReadStackFile("..", "local")
	if err != nil {
		t.Fatal(err)
	}
	return cfg[key]
}

// noSample is the lowest count of a watcher that read nothing.
const noSample = 1 << 30

// watchAvailable polls a Deployment's available replicas until stopped; stop returns the
// lowest count seen.
func watchAvailable(ns, name string) (stop func() int) {
	var mu sync.Mutex
	lowest := noSample
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			d, err := kube.Get(context.Background(), "/apis/apps/v1/namespaces/"+ns+"/deployments/"+name)
			if err == nil && d != nil {
				n, _ := at(d, "status.availableReplicas").(float64) // absent means none available
				mu.Lock()
				lowest = min(lowest, int(n))
				mu.Unlock()
			}
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	return func() int {
		close(done)
		<-finished
		mu.Lock()
		defer mu.Unlock()
		return lowest
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
			for _, c := range at(d, "status.conditions").([]any) {
				if at(c, "type") == "Available" && at(c, "status") == "True" {
					if n, _ := at(d, "status.availableReplicas").(float64); int(n) >= svc.Replicas.Min {
						return ""
					}
				}
			}
			return fmt.Sprintf("deployment %s not available with %d replicas: %v", name, svc.Replicas.Min, at(d, "status"))
		})
		hpa := get(t, "/apis/autoscaling/v2/namespaces/"+ns+"/horizontalpodautoscalers/"+name+"-hpa")
		if hpa == nil {
			t.Fatalf("no HPA %s-hpa in the cluster", name)
		}
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
			if got := at(hpa, c.path); got != c.want {
				t.Errorf("cluster HPA %s-hpa %s = %v, Pulumi.local.yaml says %v", name, c.path, got, c.want)
			}
		}
		if pdb := get(t, "/apis/policy/v1/namespaces/"+ns+"/poddisruptionbudgets/"+name); at(pdb, "spec.maxUnavailable") != float64(1) {
			t.Errorf("PDB %s = %v, want maxUnavailable 1", name, at(pdb, "spec"))
		}
		if s := get(t, "/api/v1/namespaces/"+ns+"/services/"+name); s == nil {
			t.Errorf("no Service %s", name)
		}
	}
	if d := get(t, "/apis/apps/v1/namespaces/kube-system/deployments/metrics-server"); d == nil {
		t.Error("no metrics-server Deployment in kube-system")
	}
}

// TestInvalidConfigCreatesNothing: a stack whose config is refused fails `up` with the config
// error and leaves neither resources in its state nor objects in the cluster.
func TestInvalidConfigCreatesNothing(t *testing.T) {
	ctx := context.Background()
	stack := newStack(t, "local-invalid", func(cfg map[string]string) {
		cfg["openwan:app"] = strings.Replace(cfg["openwan:app"], "{", `{"namespace": "openwan-invalid",`, 1)
		cfg["openwan:api"] = strings.Replace(cfg["openwan:api"], `"max":5`, `"max":1`, 1)
	})
	_, err := stack.Up(ctx, optup.ProgressStreams(logWriter{t}))
	if err == nil || !strings.Contains(err.Error(), "openwan:api.replicas.max: 1 is below min 2") {
		t.Fatalf("up with api.replicas.max 1 = %v, want the config error", err)
	}
	dep, err := stack.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Resources []struct {
			Type string `json:"type"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(dep.Deployment, &state); err != nil {
		t.Fatal(err)
	}
	for _, r := range state.Resources {
		if r.Type != "pulumi:pulumi:Stack" {
			t.Errorf("a refused stack holds a %s", r.Type)
		}
	}
	if ns := get(t, "/api/v1/namespaces/openwan-invalid"); ns != nil {
		t.Error("a refused stack created its namespace")
	}
}
