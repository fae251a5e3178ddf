package components_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/components/kube"
	"github.com/openwan/openwan-infra/internal/componenttest"
	"github.com/openwan/openwan-infra/internal/model"
)

func TestMetricsServerArgsRefusals(t *testing.T) {
	valid := func() *kube.MetricsServerArgs {
		return &kube.MetricsServerArgs{Chart: kube.Chart{ChartVersion: "3.13.0", Requests: kube.Resources{CPUMillis: 100, MemoryMiB: 200}}, Replicas: 2}
	}
	componenttest.Refusals(t, valid, kubeValidation(t, kube.NewMetricsServer, "metrics server", "metrics-server"), []componenttest.Refusal[kube.MetricsServerArgs]{
		{Name: "manifests without an image", Change: func(a *kube.MetricsServerArgs) { a.Manifests = true }, Fields: []string{"Image"}},
		{Name: "nothing set", Change: func(a *kube.MetricsServerArgs) { *a = kube.MetricsServerArgs{} },
			Fields: []string{"ChartVersion", "Requests.CPUMillis", "Requests.MemoryMiB", "Replicas"}},
	})
}

func TestMetricsServerRefusedDeclaresNothing(t *testing.T) {
	componenttest.DeclareRefused(t, kube.NewMetricsServer, "metrics-server", &kube.MetricsServerArgs{Chart: kube.Chart{ChartVersion: "3.13.0"}, Replicas: 1, Manifests: true})
}

func TestMetricsServerPDBOnlyWithReplicasToSpare(t *testing.T) {
	for _, replicas := range []int{1, 2} {
		t.Run(fmt.Sprint(replicas), func(t *testing.T) {
			args := &kube.MetricsServerArgs{Chart: kube.Chart{ChartVersion: "3.13.0", Requests: kube.Resources{CPUMillis: 100, MemoryMiB: 200}}, Replicas: replicas}
			p := componenttest.Declare(t, kube.NewMetricsServer, "metrics-server", args)
			value := func(path string) any {
				return componenttest.Input(t, p, kubeReleaseType, "metrics-server-release", "values."+path)
			}
			assert.EqualValues(t, replicas, value("replicas"), "Replicas")
			assert.Equal(t, replicas > 1, value("podDisruptionBudget.enabled"),
				"a PDB of minAvailable 1 over one pod would block every node drain")
		})
	}
}

func TestMetricsServerManifests(t *testing.T) {
	args := &kube.MetricsServerArgs{Chart: kube.Chart{ChartVersion: "3.13.0", Requests: kube.Resources{CPUMillis: 100, MemoryMiB: 200}}, Replicas: 2,
		Manifests: true, Image: "registry.k8s.io/metrics-server/metrics-server:v0.8.0"}
	p := componenttest.Declare(t, kube.NewMetricsServer, "metrics-server", args)
	assert.Empty(t, componenttest.Names(p, kubeReleaseType), "with Manifests no chart is installed")
	assert.Equal(t, args.Image, componenttest.Input(t, p, model.TypeK8sDeployment, "metrics-server-deployment", "spec.template.spec.containers.0.image"), "Image")
	assert.EqualValues(t, args.Replicas, componenttest.Input(t, p, model.TypeK8sDeployment, "metrics-server-deployment", "spec.replicas"),
		"metrics-server has no HPA: its own count is fixed")
	assert.Equal(t, []string{"metrics-server-pdb"}, componenttest.Names(p, model.TypeK8sPodDisruptionBudget), "two replicas get a PDB")
}
