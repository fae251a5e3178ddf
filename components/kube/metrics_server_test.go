package kube

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/components/internal/componenttest"
)

func TestMetricsServerArgsRefusals(t *testing.T) {
	valid := func() *MetricsServerArgs {
		return &MetricsServerArgs{Chart: Chart{ChartVersion: "3.13.0", Requests: Resources{CPUMillis: 100, MemoryMiB: 200}}, Replicas: 2}
	}
	componenttest.Refusals(t, valid, (*MetricsServerArgs).validate, []componenttest.Refusal[MetricsServerArgs]{
		{Name: "manifests without an image", Change: func(a *MetricsServerArgs) { a.Manifests = true }, Fields: []string{"Image"}},
		{Name: "nothing set", Change: func(a *MetricsServerArgs) { *a = MetricsServerArgs{} },
			Fields: []string{"ChartVersion", "Requests.CPUMillis", "Requests.MemoryMiB", "Replicas"}},
	})
}

func TestMetricsServerRefusedDeclaresNothing(t *testing.T) {
	componenttest.DeclareRefused(t, NewMetricsServer, "metrics-server", &MetricsServerArgs{Chart: Chart{ChartVersion: "3.13.0"}, Replicas: 1, Manifests: true})
}

func TestMetricsServerPDBOnlyWithReplicasToSpare(t *testing.T) {
	for _, replicas := range []int{1, 2} {
		t.Run(fmt.Sprint(replicas), func(t *testing.T) {
			args := &MetricsServerArgs{Chart: Chart{ChartVersion: "3.13.0", Requests: Resources{CPUMillis: 100, MemoryMiB: 200}}, Replicas: replicas}
			p := componenttest.Declare(t, NewMetricsServer, "metrics-server", args)
			value := func(path string) any {
				return componenttest.Input(t, p, releaseType, "metrics-server-release", "values."+path)
			}
			assert.EqualValues(t, replicas, value("replicas"), "Replicas")
			assert.Equal(t, replicas > 1, value("podDisruptionBudget.enabled"),
				"a PDB of minAvailable 1 over one pod would block every node drain")
		})
	}
}

func TestMetricsServerManifests(t *testing.T) {
	args := &MetricsServerArgs{Chart: Chart{ChartVersion: "3.13.0", Requests: Resources{CPUMillis: 100, MemoryMiB: 200}}, Replicas: 2,
		Manifests: true, Image: "registry.k8s.io/metrics-server/metrics-server:v0.8.0"}
	p := componenttest.Declare(t, NewMetricsServer, "metrics-server", args)
	assert.Empty(t, componenttest.Names(p, releaseType), "with Manifests no chart is installed")
	assert.Equal(t, args.Image, componenttest.Input(t, p, deploymentType, "metrics-server-deployment", "spec.template.spec.containers.0.image"), "Image")
	assert.EqualValues(t, args.Replicas, componenttest.Input(t, p, deploymentType, "metrics-server-deployment", "spec.replicas"),
		"metrics-server has no HPA: its own count is fixed")
	assert.Equal(t, []string{"metrics-server-pdb"}, componenttest.Names(p, "kubernetes:policy/v1:PodDisruptionBudget"), "two replicas get a PDB")
}
