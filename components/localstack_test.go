package components_test

import (
	"maps"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/internal/localstack"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config/configtest"
	"github.com/openwan/openwan-infra/internal/plan"
)

// TestInlineProgramIsToldTheStackKeys: the inline program that Stack runs (no PULUMI_CONFIG
// reaches it) knows the keys of the config Stack sets, so it refuses an unknown openwan:* key as
// the compiled program does under `pulumi up`. Here on the mocks, with the config the engine
// would pass it.
func TestInlineProgramIsToldTheStackKeys(t *testing.T) {
	run := func(cfg map[string]string) (*plan.Plan, error) {
		inline := localstack.Program(cfg)
		return plan.Run("local", cfg, func(ctx *pulumi.Context) (pulumi.Map, error) { return nil, inline(ctx) }, plan.Options{})
	}
	local := configtest.Raw(t, "local")
	p, err := run(local)
	require.NoError(t, err, "Pulumi.local.yaml runs")
	require.NotEmpty(t, p.Resources, "the local stack declares its Kubernetes services")

	misspelt := maps.Clone(local)
	misspelt["openwan:wroker"] = `{"replicas": {"min": 2, "max": 4}}`
	p, err = run(misspelt)
	assert.ErrorContains(t, err, "openwan:wroker: unknown config key")
	assert.Empty(t, p.Resources, "a refused stack declares nothing")
}
