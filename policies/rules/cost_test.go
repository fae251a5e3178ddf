package rules

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/internal/model"
)

func TestSpotDiversity(t *testing.T) {
	fewest := fmtNum(defaults(t, "spot-diversity").Number("minInstanceTypes"))
	runRuleCases(t, "spot-diversity", []ruleCase{
		{name: "two types each and rebalance", resources: []model.Resource{
			res(model.TypeAutoscalingGroup, "w", `{"capacityRebalance": true, "mixedInstancesPolicy": {"instancesDistribution": {"onDemandBaseCapacity": 1, "onDemandPercentageAboveBaseCapacity": 0},
				"launchTemplate": {"overrides": [{"instanceType": "c5.xlarge"}, {"instanceType": "c5a.xlarge"}]}}}`),
			res(model.TypePulumiEKSManagedNodeGroup, "ng", `{"capacityType": "SPOT", "instanceTypes": ["c5.xlarge", "c6i.xlarge"]}`),
			res(model.TypePulumiEKSManagedNodeGroup, "api", `{"capacityType": "ON_DEMAND", "instanceTypes": ["t3.medium"]}`),
			res(model.TypeAutoscalingGroup, "api-asg", `{"launchTemplate": {"id": "lt"}}`),
		}},
		{name: "one type, no rebalance", resources: []model.Resource{
			res(model.TypeAutoscalingGroup, "w", `{"mixedInstancesPolicy": {"instancesDistribution": {"onDemandPercentageAboveBaseCapacity": 20},
				"launchTemplate": {"overrides": [{"instanceType": "c5.xlarge"}]}}}`),
			res(model.TypePulumiEKSManagedNodeGroup, "ng", `{"capacityType": "SPOT", "instanceTypes": ["c5.xlarge"]}`),
		}, want: []string{
			"Group w: spot group with 1 instance type(s), below " + fewest + "; list more in openwan:ec2.worker.instanceTypes",
			"Group w: spot group without capacityRebalance; set it true",
			"ManagedNodeGroup ng: spot node group with 1 instance type(s), below " + fewest + "; list more in openwan:cluster.nodePools.workers.instanceTypes",
		}},
		{name: "all on-demand mixed policy is not spot", resources: []model.Resource{
			res(model.TypeAutoscalingGroup, "w", `{"mixedInstancesPolicy": {"instancesDistribution": {"onDemandPercentageAboveBaseCapacity": 100}, "launchTemplate": {"overrides": [{"instanceType": "c5.xlarge"}]}}}`),
		}},
	})
}

func TestMaxHourlyCost(t *testing.T) {
	for _, typ := range []string{"t3.medium", "c5.xlarge", "c5d.xlarge"} {
		require.Contains(t, prices, typ, "the expected costs below price %s with the default price table", typ)
	}
	require.NotContains(t, prices, "p9.mega", "the unpriced case needs a type the default price table lacks")

	lt := res(model.TypeEC2LaunchTemplate, "api-lt", `{"instanceType": "t3.medium"}`)
	api := dependsOn(res(model.TypeAutoscalingGroup, "api-asg", `{"maxSize": 10, "launchTemplate": {"id": "[unknown]"}}`), "launchTemplate", lt)
	workers := res(model.TypeAutoscalingGroup, "worker-asg", `{"maxSize": 10, "mixedInstancesPolicy": {"launchTemplate": {"overrides": [{"instanceType": "c5.xlarge"}, {"instanceType": "c5d.xlarge"}]}}}`)
	nodes := res(model.TypePulumiEKSManagedNodeGroup, "workers", `{"scalingConfig": {"maxSize": 5}, "instanceTypes": ["c5.xlarge"]}`)
	odd := res(model.TypePulumiEKSManagedNodeGroup, "gpu", `{"scalingConfig": {"maxSize": 1}, "instanceTypes": ["p9.mega"]}`)

	// Each fleet at its maxSize, every instance at the dearest of its types on demand; the API
	// group's type comes from the launch template it depends on.
	apiUSD := 10 * prices["t3.medium"]
	workersUSD := 10 * max(prices["c5.xlarge"], prices["c5d.xlarge"])
	nodesUSD := 5 * prices["c5.xlarge"]
	total := apiUSD + workersUSD + nodesUSD
	ceiling := defaults(t, "max-hourly-cost").Number("maxHourlyUSD")
	require.LessOrEqual(t, total, ceiling, "the three fleets at their maxima ($%.2f/h) must fit the default ceiling for the first case", total)
	const lowCeiling = 3.0
	require.Greater(t, total, lowCeiling, "the three fleets at their maxima ($%.2f/h) must exceed the configured ceiling for the second case", total)

	runRuleCases(t, "max-hourly-cost", []ruleCase{
		{name: "under the default ceiling", resources: []model.Resource{lt, api, workers, nodes}},
		{name: "over a $3/h ceiling", config: Config{"max-hourly-cost": {Params: map[string]any{"maxHourlyUSD": lowCeiling}}},
			resources: []model.Resource{lt, api, workers, nodes}, want: []string{fmt.Sprintf(
				"stack prod: instances at maximum cost $%.2f/h, above the ceiling of $%.2f/h (api-asg 10 x t3.medium = $%.2f, worker-asg 10 x c5.xlarge|c5d.xlarge = $%.2f, workers 5 x c5.xlarge = $%.2f); lower the fleets' max or raise max-hourly-cost.maxHourlyUSD",
				total, lowCeiling, apiUSD, workersUSD, nodesUSD),
			}},
		{name: "unpriced type", resources: []model.Resource{odd}, want: []string{
			"stack prod: no price for instance types [p9.mega], so they count $0; add them to the default openwan:capacity.prices",
		}},
	})
}
