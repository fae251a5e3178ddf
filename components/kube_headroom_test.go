package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/components/kube"
	"github.com/openwan/openwan-infra/internal/componenttest"
	"github.com/openwan/openwan-infra/internal/model"
)

const kubePriorityClassType = "kubernetes:scheduling.k8s.io/v1:PriorityClass"

func kubeValidHeadroomArgs() *kube.HeadroomArgs {
	return &kube.HeadroomArgs{
		Namespace: pulumi.String("openwan"), Image: "registry.k8s.io/pause:3.10",
		Pools: []kube.HeadroomPool{
			{Name: "api", Pods: 3, Requests: kube.Resources{CPUMillis: 500, MemoryMiB: 1024, EphemeralGiB: 1}, NodeSelector: map[string]string{"pool": "api"}},
			{Name: "workers", Pods: 0, NodeSelector: map[string]string{"pool": "workers"}},
		},
	}
}

func TestHeadroomArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, kubeValidHeadroomArgs, kubeValidation(t, kube.NewHeadroom, "headroom", "headroom"), []componenttest.Refusal[kube.HeadroomArgs]{
		{Name: "no image", Change: func(a *kube.HeadroomArgs) { a.Image = "" }, Fields: []string{"Image"}},
		{Name: "a pool twice", Change: func(a *kube.HeadroomArgs) { a.Pools[1].Name = "api" }, Fields: []string{"Pools[1].Name"}},
		{Name: "negative pods", Change: func(a *kube.HeadroomArgs) { a.Pools[1].Pods = -1 }, Fields: []string{"Pools[1].Pods"}},
		{Name: "placeholders without requests hold no room", Change: func(a *kube.HeadroomArgs) { a.Pools[0].Requests = kube.Resources{} },
			Fields: []string{"Pools[0].Requests.CPUMillis", "Pools[0].Requests.MemoryMiB"}},
		{Name: "placeholders on any node", Change: func(a *kube.HeadroomArgs) { a.Pools[0].NodeSelector = nil }, Fields: []string{"Pools[0].NodeSelector"}},
	})
}

// TestHeadroomDeclaresThePattern: the two classes of cluster-autoscaler's overprovisioning FAQ,
// and one Deployment of placeholders per pool that keeps room, shaped like one app pod.
func TestHeadroomDeclaresThePattern(t *testing.T) {
	p := componenttest.Declare(t, kube.NewHeadroom, "headroom", kubeValidHeadroomArgs())
	in := func(typ, name, path string) any { return componenttest.Input(t, p, typ, name, path) }
	assert.EqualValues(t, -10, in(kubePriorityClassType, "headroom-placeholder", "value"), "the lowest priority that still adds nodes")
	assert.Equal(t, "Never", in(kubePriorityClassType, "headroom-placeholder", "preemptionPolicy"), "a placeholder never evicts anything")
	assert.EqualValues(t, 0, in(kubePriorityClassType, "headroom-app", "value"), "the app: above the placeholders, level with the add-ons")
	assert.Equal(t, "PreemptLowerPriority", in(kubePriorityClassType, "headroom-app", "preemptionPolicy"))
	for _, c := range []string{"headroom-app", "headroom-placeholder"} {
		assert.Equal(t, false, in(kubePriorityClassType, c, "globalDefault"), "%s is never every pod's default", c)
	}

	assert.Equal(t, []string{"headroom-api"}, componenttest.Names(p, model.TypeK8sDeployment), "a pool of 0 pods gets no Deployment")
	d := func(path string) any { return in(model.TypeK8sDeployment, "headroom-api", path) }
	assert.EqualValues(t, 3, d("spec.replicas"), "the pool's placeholders")
	assert.Equal(t, map[string]any{"pulumi.com/skipAwait": "true"}, d("metadata.annotations"), "a placeholder may rightly stay pending")
	assert.Equal(t, kube.PlaceholderPriorityClass, d("spec.template.spec.priorityClassName"))
	assert.EqualValues(t, 0, d("spec.template.spec.terminationGracePeriodSeconds"), "preemption frees the room at once")
	assert.Equal(t, map[string]any{"pool": "api"}, d("spec.template.spec.nodeSelector"), "on the pool it keeps room on")
	assert.Equal(t, map[string]any{"cpu": "500m", "memory": "1024Mi", "ephemeral-storage": "1Gi"},
		d("spec.template.spec.containers.0.resources.requests"), "one app pod's requests, disk included")
	assert.Equal(t, "registry.k8s.io/pause:3.10", d("spec.template.spec.containers.0.image"))
	assert.Equal(t, true, d("spec.template.spec.securityContext.runAsNonRoot"), "restricted: non-root")
	assert.Equal(t, false, d("spec.template.spec.containers.0.securityContext.allowPrivilegeEscalation"))
}
