package rules

import "testing"

func TestSpotDiversity(t *testing.T) {
	runRuleCases(t, "spot-diversity", []ruleCase{
		{name: "four types and rebalance", resources: []Resource{
			res(typeGroup, "w", `{"capacityRebalance": true, "mixedInstancesPolicy": {"instancesDistribution": {"onDemandBaseCapacity": 1, "onDemandPercentageAboveBaseCapacity": 0},
				"launchTemplate": {"overrides": [{"instanceType": "c5.xlarge"}, {"instanceType": "c5a.xlarge"}]}}}`),
			res(typeManagedNodes, "ng", `{"capacityType": "SPOT", "instanceTypes": ["c5.xlarge", "c6i.xlarge"]}`),
			res(typeManagedNodes, "api", `{"capacityType": "ON_DEMAND", "instanceTypes": ["t3.medium"]}`),
			res(typeGroup, "api-asg", `{"launchTemplate": {"id": "lt"}}`),
		}},
		{name: "one type, no rebalance", resources: []Resource{
			res(typeGroup, "w", `{"mixedInstancesPolicy": {"instancesDistribution": {"onDemandPercentageAboveBaseCapacity": 20},
				"launchTemplate": {"overrides": [{"instanceType": "c5.xlarge"}]}}}`),
			res(typeManagedNodes, "ng", `{"capacityType": "SPOT", "instanceTypes": ["c5.xlarge"]}`),
		}, want: []string{
			"Group w: spot group with 1 instance type(s), below 2; list more in openwan:ec2.worker.instanceTypes",
			"Group w: spot group without capacityRebalance; set it true",
			"ManagedNodeGroup ng: spot node group with 1 instance type(s), below 2; list more in openwan:cluster.nodePools.workers.instanceTypes",
		}},
		{name: "all on-demand mixed policy is not spot", resources: []Resource{
			res(typeGroup, "w", `{"mixedInstancesPolicy": {"instancesDistribution": {"onDemandPercentageAboveBaseCapacity": 100}, "launchTemplate": {"overrides": [{"instanceType": "c5.xlarge"}]}}}`),
		}},
	})
}

func TestMaxHourlyCost(t *testing.T) {
	lt := res(typeLaunchTmpl, "api-lt", `{"instanceType": "t3.medium"}`)
	api := dependsOn(res(typeGroup, "api-asg", `{"maxSize": 10, "launchTemplate": {"id": "[unknown]"}}`), "launchTemplate", lt)
	workers := res(typeGroup, "worker-asg", `{"maxSize": 10, "mixedInstancesPolicy": {"launchTemplate": {"overrides": [{"instanceType": "c5.xlarge"}, {"instanceType": "c5d.xlarge"}]}}}`)
	nodes := res(typeManagedNodes, "workers", `{"scalingConfig": {"maxSize": 5}, "instanceTypes": ["c5.xlarge"]}`)
	odd := res(typeManagedNodes, "gpu", `{"scalingConfig": {"maxSize": 1}, "instanceTypes": ["p9.mega"]}`)
	runRuleCases(t, "max-hourly-cost", []ruleCase{
		// 10 x 0.0416 + 10 x 0.192 (the dearer type) + 5 x 0.17 = 3.186 $/h.
		{name: "under the default ceiling", resources: []Resource{lt, api, workers, nodes}},
		{name: "over a $3/h ceiling", config: Config{"max-hourly-cost": {Params: map[string]any{"maxHourlyUSD": 3.0}}},
			resources: []Resource{lt, api, workers, nodes}, want: []string{
				"stack prod: instances at maximum cost $3.19/h, above the ceiling of $3.00/h (api-asg 10 x t3.medium = $0.42, worker-asg 10 x c5.xlarge|c5d.xlarge = $1.92, workers 5 x c5.xlarge = $0.85); lower the fleets' max or raise max-hourly-cost.maxHourlyUSD",
			}},
		{name: "unpriced type", resources: []Resource{odd}, want: []string{
			"stack prod: no price for instance types [p9.mega], so they count $0; add them to the default openwan:capacity.prices",
		}},
	})
}
