package kube

import (
	"fmt"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/components/internal/componenttest"
)

func TestMetricsServerArgsRefusals(t *testing.T) {
	var nilArgs *MetricsServerArgs
	assert.EqualError(t, nilArgs.validate(), "args are required")
	valid := MetricsServerArgs{ChartVersion: "3.13.0", Replicas: 2, Requests: Resources{CPUMillis: 100, MemoryMiB: 200}}
	assert.NoError(t, valid.validate())

	manifests := valid
	manifests.Manifests = true
	componenttest.AssertFields(t, manifests.validate(), "Image")
	componenttest.AssertFields(t, (&MetricsServerArgs{}).validate(), "ChartVersion", "Replicas", "Requests.CPUMillis", "Requests.MemoryMiB")
}

func TestMetricsServerRefusedDeclaresNothing(t *testing.T) {
	componenttest.Refused(t, func(ctx *pulumi.Context) error {
		_, err := NewMetricsServer(ctx, "metrics-server", &MetricsServerArgs{ChartVersion: "3.13.0", Replicas: 1, Manifests: true})
		return err
	})
}

func TestMetricsServerPDBOnlyWithReplicasToSpare(t *testing.T) {
	for _, replicas := range []int{1, 2} {
		t.Run(fmt.Sprint(replicas), func(t *testing.T) {
			args := &MetricsServerArgs{ChartVersion: "3.13.0", Replicas: replicas, Requests: Resources{CPUMillis: 100, MemoryMiB: 200}}
			p := componenttest.Run(t, func(ctx *pulumi.Context) error {
				_, err := NewMetricsServer(ctx, "metrics-server", args)
				return err
			})
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
	args := &MetricsServerArgs{ChartVersion: "3.13.0", Replicas: 2, Requests: Resources{CPUMillis: 100, MemoryMiB: 200},
		Manifests: true, Image: "registry.k8s.io/metrics-server/metrics-server:v0.8.0"}
	p := componenttest.Run(t, func(ctx *pulumi.Context) error {
		_, err := NewMetricsServer(ctx, "metrics-server", args)
		return err
	})
	assert.Empty(t, componenttest.Names(p, releaseType), "with Manifests no chart is installed")
	assert.Equal(t, args.Image, componenttest.Input(t, p, deploymentType, "metrics-server-deployment", "spec.template.spec.containers.0.image"), "Image")
	assert.EqualValues(t, args.Replicas, componenttest.Input(t, p, deploymentType, "metrics-server-deployment", "spec.replicas"),
		"metrics-server has no HPA: its own count is fixed")
	assert.Equal(t, []string{"metrics-server-pdb"}, componenttest.Names(p, "kubernetes:policy/v1:PodDisruptionBudget"), "two replicas get a PDB")
}
