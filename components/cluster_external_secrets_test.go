package components_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/components/cluster"
	"github.com/openwan/openwan-infra/components/kube"
	"github.com/openwan/openwan-infra/internal/componenttest"
)

func clusterValidExternalSecretsArgs() *cluster.ExternalSecretsOperatorArgs {
	return &cluster.ExternalSecretsOperatorArgs{Chart: kube.Chart{ChartVersion: "0.19.2",
		Requests: kube.Resources{CPUMillis: 50, MemoryMiB: 96}, NodeSelector: map[string]string{cluster.PoolLabel: "api"}}}
}

func TestExternalSecretsOperatorArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, clusterValidExternalSecretsArgs, componenttest.Validator(cluster.NewExternalSecretsOperator, "es"), []componenttest.Refusal[cluster.ExternalSecretsOperatorArgs]{
		{Name: "the chart's fields", Change: func(a *cluster.ExternalSecretsOperatorArgs) { a.Chart = kube.Chart{} },
			Fields: []string{"ChartVersion", "Requests.CPUMillis", "Requests.MemoryMiB"}},
	})
}

func TestExternalSecretsOperatorDeclares(t *testing.T) {
	args := clusterValidExternalSecretsArgs()
	p := componenttest.Declare(t, cluster.NewExternalSecretsOperator, "es", args)
	value := func(path string) any { return componenttest.Input(t, p, releaseType, "es-release", "values."+path) }
	assert.Equal(t, args.ChartVersion, componenttest.Input(t, p, releaseType, "es-release", "version"), "the pinned chart")
	// The operator's values are the chart's top level; its two other pods have their own keys.
	for pod, at := range map[string]string{"operator": "", "webhook": "webhook.", "cert controller": "certController."} {
		assert.Equal(t, fmt.Sprintf("%dm", args.Requests.CPUMillis), value(at+"resources.requests.cpu"), "the %s's CPU request", pod)
		assert.Equal(t, fmt.Sprintf("%dMi", args.Requests.MemoryMiB), value(at+"resources.requests.memory"), "the %s's memory request", pod)
		assert.Equal(t, map[string]any{cluster.PoolLabel: "api"}, value(at+"nodeSelector"), "the %s's node selector", pod)
	}
}
