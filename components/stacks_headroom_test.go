package components_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/cluster"
	"github.com/openwan/openwan-infra/components/kube"
	"github.com/openwan/openwan-infra/config/configtest"
)

const priorityClassType = "kubernetes:scheduling.k8s.io/v1:PriorityClass"

// TestProdKeepsHeadroom pins the API pool's headroom in the prod plan: prod takes the default of
// eight API pods (the 5x spike from the HPA's minimum, see config/cluster.go), as placeholders
// shaped like API pods on the API pool, below the app's priority; and no worker headroom.
func TestProdKeepsHeadroom(t *testing.T) {
	cfg := configtest.Prod(t)
	require.Equal(t, 8, cfg.Cluster.Headroom.APIPods, "prod keeps the default headroom of eight API pods")
	require.Zero(t, cfg.Cluster.Headroom.WorkerPods, "prod keeps no worker headroom")
	eachMode(t, func(t *testing.T, dryRun bool) {
		p := runStack(t, "prod", dryRun)
		num := func(typ, name, path string) float64 {
			v, err := mustGet(t, p, typ, name).Input(path)
			require.NoError(t, err)
			return v.(float64)
		}
		assert.EqualValues(t, kube.PlaceholderPriority, num(priorityClassType, "headroom-placeholder", "value"))
		assert.EqualValues(t, kube.AppPriority, num(priorityClassType, "headroom-app", "value"))
		assert.Less(t, kube.PlaceholderPriority, kube.AppPriority, "the app preempts the placeholders")

		runChecks(t, p, []check{
			{deploymentType, "headroom-api", "spec.replicas", 8},
			{deploymentType, "headroom-api", "spec.template.spec.priorityClassName", kube.PlaceholderPriorityClass},
			{deploymentType, "headroom-api", "spec.template.spec.nodeSelector", map[string]any{cluster.PoolLabel: "api"}},
			{deploymentType, "headroom-api", "spec.template.spec.containers.0.image", cfg.Cluster.Headroom.PauseImage},
			{deploymentType, "headroom-api", "spec.template.spec.containers.0.resources.requests",
				map[string]any{"cpu": "500m", "memory": "1024Mi", "ephemeral-storage": "1Gi"}},
		})
		_, err := p.Get(deploymentType, "headroom-workers")
		assert.Error(t, err, "no worker placeholders at workerPods 0")

		class := mustGet(t, p, priorityClassType, "headroom-app")
		for _, d := range []string{"openwan-api-deployment", "openwan-worker-deployment"} {
			runChecks(t, p, []check{{deploymentType, d, "spec.template.spec.priorityClassName", kube.AppPriorityClass}})
			assert.Contains(t, mustGet(t, p, deploymentType, d).Dependencies, class.URN, "%s waits for the class its pods name", d)
		}
	})
}

// TestHeadroomOnlyOnEKS: dev keeps its own smaller headroom; an existing cluster's nodes are not
// this stack's to overprovision, and its pods name no class of ours.
func TestHeadroomOnlyOnEKS(t *testing.T) {
	dev := runStack(t, "dev", true)
	runChecks(t, dev, []check{{deploymentType, "headroom-api", "spec.replicas", configtest.Stack(t, "dev").Cluster.Headroom.APIPods}})
	local := runStack(t, "local", true)
	assert.Empty(t, local.Find(priorityClassType), "no PriorityClass on an existing cluster")
	_, err := mustGet(t, local, deploymentType, "openwan-api-deployment").Input("spec.template.spec.priorityClassName")
	assert.Error(t, err, "the local API pods name no class")
}

// TestProdWarmPool pins the EC2 API group's warm pool in the prod plan: prod takes the default
// of three stopped instances, which scale-ins refill. The worker group has none: AWS takes no
// warm pool on a mixed instances group.
func TestProdWarmPool(t *testing.T) {
	cfg := configtest.Prod(t)
	require.Equal(t, 3, cfg.EC2.API.WarmPool.Size, "prod keeps the default warm pool of three")
	p := runStack(t, "prod", true)
	runChecks(t, p, []check{
		{groupType, "openwan-api-asg", "warmPool.poolState", "Stopped"},
		{groupType, "openwan-api-asg", "warmPool.minSize", 3},
		{groupType, "openwan-api-asg", "warmPool.maxGroupPreparedCapacity", 3},
		{groupType, "openwan-api-asg", "warmPool.instanceReusePolicy.reuseOnScaleIn", true},
	})
	_, err := mustGet(t, p, groupType, "openwan-worker-asg").Input("warmPool")
	assert.Error(t, err, "no warm pool on the spot group")
}

// TestOutputsShowWhatReadyCapacityCostsAndBuys: the headroom's and the warm pool's monthly
// share sit in monthlyCostUSD, and readyCapacity says what they buy: the spike's time to
// capacity with and without the headroom (the simulator's 45 s and 6m0s for prod), a launch's
// time to serve warm and cold.
func TestOutputsShowWhatReadyCapacityCostsAndBuys(t *testing.T) {
	cfg := configtest.Prod(t)
	p := runStack(t, "prod", true)
	assert.Greater(t, outputNumber(t, p, "monthlyCostUSD.headroom.monthlyUSD"), 0.0, "the headroom's nodes cost")
	assert.EqualValues(t, cfg.Cluster.Headroom.APIPods, outputNumber(t, p, "monthlyCostUSD.headroom.apiPods"))
	assert.EqualValues(t, cfg.EC2.API.WarmPool.Size*cfg.EC2.API.RootVolumeGiB, outputNumber(t, p, "monthlyCostUSD.warmPool.volumeGiB"))
	with, without := outputNumber(t, p, "readyCapacity.headroom.withSeconds"), outputNumber(t, p, "readyCapacity.headroom.withoutSeconds")
	assert.Less(t, with, without, "the headroom buys time on the spike")
	assert.LessOrEqual(t, with, float64(cfg.Capacity.TimeToCapacitySeconds), "within the guide's bound with it")
	assert.EqualValues(t, cfg.Capacity.ColdStartSeconds, outputNumber(t, p, "readyCapacity.warmPool.withoutSeconds"), "cold: the cold-start target")
	assert.Less(t, outputNumber(t, p, "readyCapacity.warmPool.withSeconds"), float64(cfg.Capacity.ColdStartSeconds), "warm: sooner")

	local := runStack(t, "local", true)
	_, ok := local.Outputs["readyCapacity"]
	assert.False(t, ok, "a stack that keeps nothing ready has no readyCapacity")
}
