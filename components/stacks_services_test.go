package components_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/cluster"
	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/config/configtest"
	"github.com/openwan/openwan-infra/internal/model"
)

// guideColdStartSeconds is the guide's "Cold Start Test" target: under 60 s from launch to
// healthy. The startup probe gives a pod exactly that before the liveness probe takes over.
const guideColdStartSeconds = 60

func TestDeploymentsShutDownGracefullyAndLeaveTheCountToTheHPA(t *testing.T) {
	cfg := configtest.Prod(t)
	tests := []struct {
		name string
		svc  config.Service
		pool string // the node pool label value the pods select
	}{
		{"openwan-api-deployment", cfg.API, "api"},
		{"openwan-worker-deployment", cfg.Worker, "workers"},
	}
	eachMode(t, func(t *testing.T, dryRun bool) {
		p := runStack(t, "prod", dryRun)
		for _, tt := range tests {
			d := mustGet(t, p, deploymentType, tt.name)
			_, err := d.Input("spec.replicas")
			assert.Error(t, err, "%s must leave spec.replicas to its autoscaler", tt.name)
			const c = "spec.template.spec.containers.0."
			runChecks(t, p, []check{
				// A rollout never takes a serving pod away before its replacement is ready.
				{deploymentType, tt.name, "spec.strategy.rollingUpdate.maxUnavailable", 0},
				{deploymentType, tt.name, "spec.template.spec.terminationGracePeriodSeconds", tt.svc.TerminationGracePeriodSeconds},
				{deploymentType, tt.name, c + "lifecycle.preStop.sleep.seconds", tt.svc.PreStopSleepSeconds},
				{deploymentType, tt.name, c + "resources.requests.cpu", millis(tt.svc.Resources.Requests)},
				{deploymentType, tt.name, c + "resources.requests.memory", mebibytes(tt.svc.Resources.Requests)},
				{deploymentType, tt.name, c + "readinessProbe.httpGet.path", tt.svc.ReadinessPath},
				{deploymentType, tt.name, c + "livenessProbe.httpGet.path", tt.svc.LivenessPath},
				{deploymentType, tt.name, c + "startupProbe.failureThreshold", 12},
				{deploymentType, tt.name, "spec.template.spec.securityContext.runAsNonRoot", true},
				{deploymentType, tt.name, c + "securityContext.allowPrivilegeEscalation", false},
				{deploymentType, tt.name, c + "securityContext.readOnlyRootFilesystem", true},
				{deploymentType, tt.name, "spec.template.spec.topologySpreadConstraints.0.topologyKey", "topology.kubernetes.io/zone"},
			})
			// The startup probe's 12 checks, each period apart, are the guide's cold-start budget.
			period, err := d.Input(c + "startupProbe.periodSeconds")
			if assert.NoError(t, err, "%s must set its startup probe's period", tt.name) {
				assertJSON(t, guideColdStartSeconds/12, period,
					"%s: 12 startup checks %v s apart must span the guide's %d s cold start", tt.name, period, guideColdStartSeconds)
			}
			// The label key holds dots, so it is read from the map rather than by path.
			sel, err := d.Input("spec.template.spec.nodeSelector")
			if assert.NoError(t, err, "%s must select a node pool", tt.name) {
				labels, _ := sel.(map[string]any)
				assert.Equal(t, tt.pool, labels["openwan.io/pool"], "%s nodeSelector = %v, want the %s pool", tt.name, sel, tt.pool)
			}
		}
		env := envOf(t, mustGet(t, p, deploymentType, "openwan-api-deployment"))
		// The guide's 25 database connections per instance.
		assert.Equal(t, "25", env["DB_POOL_SIZE"], "api env DB_POOL_SIZE: the guide's pool of 25")
		assert.Equal(t, cfg.App.S3Bucket, env["S3_BUCKET"], "api env S3_BUCKET: openwan:app.s3Bucket")
	})
}

func TestWorkersAloneRunOnSpot(t *testing.T) {
	pools := configtest.Prod(t).Cluster.NodePools
	require.True(t, pools.Workers.Spot, "prod's worker pool is spot")
	require.False(t, pools.API.Spot, "prod's API pool is on demand")
	p := runStack(t, "prod", false)
	workers := mustGet(t, p, nodeGroupType, "openwan-workers")
	api := mustGet(t, p, nodeGroupType, "openwan-api")
	checks := []struct {
		r    model.Resource
		path string
		want any
	}{
		{workers, "capacityType", "SPOT"},
		{workers, "instanceTypes.0", pools.Workers.InstanceTypes[0]},
		{workers, "taints.0.key", "openwan.io/spot"},
		{workers, "taints.0.effect", "NO_SCHEDULE"},
		{workers, "scalingConfig.maxSize", pools.Workers.Size.Max},
		{api, "capacityType", "ON_DEMAND"},
		{api, "instanceTypes.0", pools.API.InstanceTypes[0]},
		{api, "scalingConfig.minSize", pools.API.Size.Min},
		{api, "scalingConfig.maxSize", pools.API.Size.Max},
	}
	for _, c := range checks {
		got, err := c.r.Input(c.path)
		if assert.NoError(t, err, "node group %s must declare %s", c.r.Name, c.path) {
			assertJSON(t, c.want, got, "node group %s %s", c.r.Name, c.path)
		}
	}
	_, err := api.Input("taints.0")
	assert.Error(t, err, "the api pool must carry no taint")
	assert.Equal(t, "openwan.io/spot", input(t, p, deploymentType, "openwan-worker-deployment", "spec.template.spec.tolerations.0.key"),
		"worker pods tolerate the spot taint")
	_, err = mustGet(t, p, deploymentType, "openwan-api-deployment").Input("spec.template.spec.tolerations.0")
	assert.Error(t, err, "api pods must tolerate no taint, which keeps them off spot")
}

// TestPodsTolerateTheirPoolsSpotTaint: a service's pods and its pool's headroom placeholders
// tolerate the spot taint because their node pool is spot, the API's as much as the workers':
// pinned to a tainted pool without the toleration they could run nowhere. Prod's API pool is on
// demand and its pods tolerate nothing (TestWorkersAloneRunOnSpot).
func TestPodsTolerateTheirPoolsSpotTaint(t *testing.T) {
	raw := withConfig(t, configtest.Raw(t, "prod"), "openwan:cluster", "nodePools.api.spot", true)
	raw = withConfig(t, raw, "openwan:cluster", "nodePools.api.instanceTypes", []string{"t3.medium", "t3.large"})
	p := runRaw(t, "prod", raw, false)
	for _, d := range []string{"openwan-api-deployment", "headroom-api"} {
		runChecks(t, p, []check{{deploymentType, d, "spec.template.spec.tolerations",
			[]map[string]any{{"key": cluster.SpotTaintKey, "operator": "Equal", "value": "true", "effect": "NoSchedule"}}}})
	}
}

func TestEveryServiceHasAPDB(t *testing.T) {
	ms := configtest.Prod(t).Cluster.MetricsServer
	p := runStack(t, "prod", false)
	for _, name := range []string{"openwan-api", "openwan-worker"} {
		assertJSON(t, 1, input(t, p, pdbType, name+"-pdb", "spec.maxUnavailable"), "%s-pdb maxUnavailable", name)
		sel := input(t, p, pdbType, name+"-pdb", "spec.selector.matchLabels")
		pods := input(t, p, deploymentType, name+"-deployment", "spec.template.metadata.labels")
		assertJSON(t, pods, sel, "%s-pdb must select exactly the pods' labels", name)
	}
	// The guide's "Minimum 2 Replicas": the autoscalers' own metrics must survive a node drain.
	require.GreaterOrEqual(t, ms.Replicas, 2, "prod runs metrics-server highly available")
	values, ok := input(t, p, releaseType, "metrics-server-release", "values").(map[string]any)
	require.True(t, ok, "metrics-server values are an object")
	assertJSON(t, ms.Replicas, values["replicas"], "metrics-server replicas: openwan:cluster.metricsServer.replicas")
	pdb, _ := values["podDisruptionBudget"].(map[string]any)
	assert.Equal(t, true, pdb["enabled"], "metrics-server values = %v, want its PDB enabled", values)
	assert.Equal(t, ms.ChartVersion, input(t, p, releaseType, "metrics-server-release", "version"),
		"metrics-server chart pinned to openwan:cluster.metricsServer.chartVersion")
}
