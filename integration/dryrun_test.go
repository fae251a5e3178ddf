//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/internal/localstack"
	"github.com/openwan/openwan-infra/internal/model"
	"github.com/openwan/openwan-infra/internal/plan"
	"github.com/openwan/openwan-infra/stacks"
)

// kubeObject is a Kubernetes object of an offline plan, ready to submit.
type kubeObject struct {
	urn  string
	obj  map[string]any
	gv   string // apiVersion
	kind string
}

// planObjects runs a stack's program on the mocks and returns the Kubernetes objects it
// declares (no providers, no Helm releases: those are not objects).
func planObjects(t *testing.T, stack string) []kubeObject {
	t.Helper()
	raw, err := config.ReadStackFile("..", stack)
	require.NoError(t, err)
	p, err := plan.RunStack(stack, raw, stacks.Build, plan.Options{})
	require.NoError(t, err, "the offline plan of %s", stack)
	var out []kubeObject
	for _, r := range p.Resources {
		if !r.Custom || !strings.HasPrefix(r.Type, "kubernetes:") || r.Type == "kubernetes:helm.sh/v3:Release" {
			continue
		}
		var obj map[string]any
		b, err := json.Marshal(r.Inputs) // a deep copy the test may change
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &obj))
		require.NotContains(t, string(b), model.Unknown, "%s: the plan of an up knows every value", r.URN)
		gv, _ := obj["apiVersion"].(string)
		kind, _ := obj["kind"].(string)
		require.NotEmpty(t, gv+kind, "%s declares its apiVersion and kind", r.URN)
		out = append(out, kubeObject{urn: r.URN, obj: obj, gv: gv, kind: kind})
	}
	return out
}

// TestPlannedObjectsPassTheAPIServer submits every Kubernetes object of the prod and dev offline
// plans to the real kube-apiserver with server-side dry-run and strict field validation, into a
// namespace labelled as the plan labels its own (Pod Security "restricted"), and each
// Deployment's pod template as a Pod, which Pod Security admission judges. Custom resources
// whose CRDs the test server lacks (KEDA's, the External Secrets Operator's) are reported as
// skipped. The ServiceAccounts and PriorityClasses are created for real first: a Pod naming a
// missing account or class is refused, and a dry-run object is never stored.
func TestPlannedObjectsPassTheAPIServer(t *testing.T) {
	ctx := context.Background()
	for _, stack := range []string{"prod", "dev"} {
		t.Run(stack, func(t *testing.T) {
			objects := planObjects(t, stack)
			var gvs []string
			var nsLabels map[string]any
			for _, o := range objects {
				if !slices.Contains(gvs, o.gv) {
					gvs = append(gvs, o.gv)
				}
				if o.kind == "Namespace" {
					nsLabels, _ = at(o.obj, "metadata.labels").(map[string]any)
				}
			}
			require.Equal(t, "restricted", nsLabels["pod-security.kubernetes.io/enforce"], "the plan's namespace enforces the restricted profile")
			served, err := kube.Resources(ctx, append(gvs, "v1"))
			require.NoError(t, err)

			ns := "dryrun-" + stack
			_, err = kube.Create(ctx, "/api/v1/namespaces", map[string]any{
				"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns, "labels": nsLabels},
			}, false)
			require.NoError(t, err, "the dry-run namespace")
			t.Cleanup(func() { _ = kube.Delete(ctx, "/api/v1/namespaces/"+ns) })

			submit := func(o kubeObject, dryRun bool) {
				t.Helper()
				res := served[o.gv+"/"+o.kind]
				path := localstack.APIPath(o.gv)
				if res.Namespaced {
					o.obj["metadata"].(map[string]any)["namespace"] = ns
					path += "/namespaces/" + ns
				}
				warnings, err := kube.Create(ctx, path+"/"+res.Name, o.obj, dryRun)
				require.NoError(t, err, "%s: the API server refuses it", o.urn)
				assert.Empty(t, warnings, "%s: the API server warns", o.urn)
			}
			var submitted, skipped []string
			for _, o := range objects {
				switch o.kind {
				case "ServiceAccount":
					submit(o, false)
				case "PriorityClass":
					// Like an account, a class a Pod names must be stored: the Priority
					// admission plugin refuses the Pod otherwise. Cluster-wide, so removed again.
					submit(o, false)
					name, _ := at(o.obj, "metadata.name").(string)
					t.Cleanup(func() { _ = kube.Delete(ctx, localstack.APIPath(o.gv)+"/priorityclasses/"+name) })
				}
			}
			for _, o := range objects {
				if o.kind == "Namespace" {
					continue // made above, under the test's name, with the plan's labels
				}
				if _, ok := served[o.gv+"/"+o.kind]; !ok {
					skipped = append(skipped, o.gv+"/"+o.kind)
					continue
				}
				if o.kind != "ServiceAccount" && o.kind != "PriorityClass" {
					submit(o, true)
				}
				submitted = append(submitted, o.kind)
				if o.kind == "Deployment" {
					template, _ := at(o.obj, "spec.template").(map[string]any)
					meta, _ := template["metadata"].(map[string]any)
					meta["name"] = at(o.obj, "metadata.name")
					submit(kubeObject{urn: o.urn + " (its pod)", gv: "v1", kind: "Pod",
						obj: map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": template["spec"]}}, true)
					submitted = append(submitted, "Pod")
				}
			}
			for _, kind := range []string{"Deployment", "Pod", "Service", "ServiceAccount", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy", "Ingress", "PriorityClass"} {
				assert.Contains(t, submitted, kind, "%s's plan holds a %s, and the server took it", stack, kind)
			}
			slices.Sort(submitted)
			t.Logf("%s: the API server accepted %d objects (%v); skipped, CRD not installed: %v", stack, len(submitted), slices.Compact(submitted), slices.Compact(skipped))
		})
	}

	// The check is not vacuous: the same path refuses what the server must refuse.
	t.Run("refusals reach the test", func(t *testing.T) {
		ns := "dryrun-refusals"
		_, err := kube.Create(ctx, "/api/v1/namespaces", map[string]any{"apiVersion": "v1", "kind": "Namespace",
			"metadata": map[string]any{"name": ns, "labels": map[string]any{"pod-security.kubernetes.io/enforce": "restricted"}}}, false)
		require.NoError(t, err)
		t.Cleanup(func() { _ = kube.Delete(ctx, "/api/v1/namespaces/"+ns) })
		pod := func(container map[string]any) map[string]any {
			return map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "p"},
				"spec": map[string]any{"containers": []any{container}}}
		}
		_, err = kube.Create(ctx, "/api/v1/namespaces/"+ns+"/pods", pod(map[string]any{"name": "c", "image": "busybox:1.36"}), true)
		assert.ErrorContains(t, err, "violates PodSecurity", "a root pod in a restricted namespace")
		_, err = kube.Create(ctx, "/api/v1/namespaces/"+ns+"/pods", pod(map[string]any{"name": "c", "image": "busybox:1.36", "imagePullPolicyy": "Always"}), true)
		assert.ErrorContains(t, err, fmt.Sprintf("unknown field %q", "spec.containers[0].imagePullPolicyy"), "strict field validation")
	})
}
