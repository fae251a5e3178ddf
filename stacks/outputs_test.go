package stacks_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/capacity"
	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/config/configtest"
	"github.com/openwan/openwan-infra/internal/model"
)

func TestOutputs(t *testing.T) {
	p := runStack(t, "prod", false)
	assert.Equal(t, "openwan-prod", p.Outputs["clusterName"], "clusterName is openwan-<stack>")
	assert.Equal(t, model.Secret, p.Outputs["kubeconfig"], "the kubeconfig output must be secret")
	// The guide's API HPA bounds, 2 to 20 replicas: the specification.
	assertJSON(t, 2, output(t, p, "apiHpa.minReplicas"), "apiHpa.minReplicas: the guide's 2")
	assertJSON(t, 20, output(t, p, "apiHpa.maxReplicas"), "apiHpa.maxReplicas: the guide's 20")
	// The ALB the load balancer controller made for the API's Ingress, as the mocks' lookup
	// by its tags answers.
	assert.Equal(t, "https://k8s-openwan-openwanap-0123456789.us-east-1.elb.amazonaws.com", p.Outputs["eksApiUrl"], "eksApiUrl: prod has a certificate, HTTPS")
	assert.Equal(t, "https://openwan-api-lb.us-east-1.elb.amazonaws.com", p.Outputs["apiUrl"], "apiUrl: HTTPS on the EC2 path too")
	dev := runStack(t, "dev", false)
	assert.True(t, strings.HasPrefix(dev.Outputs["eksApiUrl"].(string), "http://"), "dev has no certificate: HTTP")
	assert.True(t, strings.HasPrefix(dev.Outputs["apiUrl"].(string), "http://"), "dev has no certificate: HTTP")
	assert.Equal(t, "app/k8s-openwan-openwanap/0123456789abcdef", p.Outputs["eksApiLoadBalancerArnSuffix"], "for the alarms on the EKS ALB")
}

// connectionsAtMaxima is what every fleet of a stack with both paths opens at its maximum: each
// API pod and instance openwan:api.dbPoolSize connections, each worker pod and instance
// openwan:worker.dbPoolSize (the EC2 fleets run the same processes).
func connectionsAtMaxima(t *testing.T, cfg config.Config) int {
	t.Helper()
	require.True(t, cfg.Cluster.Enabled && cfg.EC2.Enabled, "the stack runs both the EKS and the EC2 path")
	pods := cfg.API.Replicas.Max*cfg.API.DBPoolSize + cfg.Worker.Replicas.Max*cfg.Worker.DBPoolSize
	instances := cfg.EC2.API.Size.Max*cfg.API.DBPoolSize + cfg.EC2.Worker.Size.Max*cfg.Worker.DBPoolSize
	return pods + instances
}

// TestOutputsCarryCapacity checks the capacity plan every preview shows for prod against the
// guide's capacity planning, computed from Pulumi.prod.yaml.
func TestOutputsCarryCapacity(t *testing.T) {
	cfg := configtest.Prod(t)
	c := cfg.Capacity
	instance := func(key, name string) capacity.InstanceType {
		it, err := capacity.Lookup(key, name)
		require.NoError(t, err, "the instance table knows %s", name)
		return it
	}
	// The guide's "API Service (per instance)": one reference instance (a t3.medium, 2 vCPU)
	// serves RequestsPerMinute (1000) with its CPU at AtCPUPercent (70 %). A unit serves in
	// proportion to the CPU it may use: its millicores (an instance's vCPUs, a pod's request)
	// against the reference's, times its CPU target against the measured utilization.
	refMillis := float64(instance("capacity.api.referenceInstanceType", c.API.ReferenceInstanceType).VCPU * 1000)
	served := func(cpuMillis, targetPercent int) float64 {
		return float64(c.API.RequestsPerMinute) * float64(cpuMillis) / refMillis * float64(targetPercent) / float64(c.API.AtCPUPercent)
	}
	// EKS: openwan:api.replicas.max pods at the HPA's CPU target (prod: 20 pods of 500m, a
	// quarter of a t3.medium each, at 70 %: 20 x 250 = 5000 requests/minute).
	eks := float64(cfg.API.Replicas.Max) * served(cfg.API.Resources.Requests.CPUMillis, cfg.API.Targets.CPUPercent)
	// EC2: openwan:ec2.api.size.max instances at the group's CPU target (prod: 10 t3.medium at
	// 70 %: 10 x 1000 = 10000 requests/minute).
	apiMillis := instance("ec2.api.instanceType", cfg.EC2.API.InstanceType).VCPU * 1000
	ec2 := float64(cfg.EC2.API.Size.Max) * served(apiMillis, cfg.EC2.API.Targets.CPUPercent)
	// The database: every fleet at its maximum (prod: (20 + 10 pods + 10 + 10 instances) x 25 =
	// 1250 connections) against max_connections less the reserve (prod: 1500 - 20 = 1480).
	total := connectionsAtMaxima(t, cfg)
	available := c.Database.MaxConnections - c.Database.ReservedConnections

	p := runStack(t, "prod", true)
	tests := []struct {
		path string
		want float64
		why  string
	}{
		{"capacity.api.peakRequestsPerMinute", float64(c.API.PeakRequestsPerMinute), "openwan:capacity.api.peakRequestsPerMinute (prod: the guide's load test, 2500)"},
		{"capacity.api.eksRequestsPerMinute", eks, "the API pods at their maximum and CPU target"},
		{"capacity.api.ec2RequestsPerMinute", ec2, "the API instances at their maximum and CPU target"},
		{"capacity.database.total", float64(total), "every fleet's pools at its maximum"},
		{"capacity.database.available", float64(available), "max_connections less the reserved connections"},
	}
	for _, tt := range tests {
		assert.InDelta(t, tt.want, outputNumber(t, p, tt.path), 1e-9, "output %s: %s", tt.path, tt.why)
	}
	// What the program must have refused otherwise: each API fleet carries the peak at its
	// maximum, and the fleets' connections fit the database.
	peak := outputNumber(t, p, "capacity.api.peakRequestsPerMinute")
	assert.GreaterOrEqual(t, outputNumber(t, p, "capacity.api.eksRequestsPerMinute"), peak, "the API pods at their maximum carry the peak")
	assert.GreaterOrEqual(t, outputNumber(t, p, "capacity.api.ec2RequestsPerMinute"), peak, "the API instances at their maximum carry the peak")
	assert.LessOrEqual(t, outputNumber(t, p, "capacity.database.total"), outputNumber(t, p, "capacity.database.available"),
		"the fleets at their maxima fit the database")
}

// TestOutputsCarryCost checks the monthly cost every preview shows for prod against the guide's
// "Cost Monitoring" arithmetic, instances x hourly price x hours in a month, with spot capacity at
// the guide's spot saving, computed from Pulumi.prod.yaml and its price table.
func TestOutputsCarryCost(t *testing.T) {
	cfg := configtest.Prod(t)
	c, pools, ec2 := cfg.Capacity, cfg.Cluster.NodePools, cfg.EC2
	require.True(t, cfg.Cluster.EKS() && ec2.Enabled, "prod runs both paths: two node pools and two groups")
	require.True(t, pools.Workers.Spot && !pools.API.Spot, "prod's worker pool alone is spot")
	require.Zero(t, ec2.Worker.OnDemandPercentAboveBase, "above their on-demand base prod's worker instances are all spot")

	hours := float64(c.HoursPerMonth)                   // the guide's month: 730 hours
	spotShare := 1 - float64(c.SpotDiscountPercent)/100 // what spot costs of on demand: the guide's 50 % saving
	price := func(instanceType string) float64 {        // on demand, USD per hour
		p, ok := c.Prices[instanceType]
		require.True(t, ok, "openwan:capacity.prices has %s", instanceType)
		return p
	}

	// The EC2 API group's weekly baseline: its scheduled actions hold the business-hours count
	// from 8:00 to 22:00 on weekdays, 5 x 14 = 70 of the week's 168 hours, and the night's count
	// the other 98 (prod: (70 x 5 + 98 x 2) / 168 = 3.25 instances).
	up, down := ec2.API.Schedules["scale-up-business-hours"], ec2.API.Schedules["scale-down-night"]
	require.Len(t, ec2.API.Schedules, 2, "prod keeps the guide's two API schedules")
	require.Equal(t, "0 8 * * MON-FRI", up.Recurrence, "the 70 business hours start at 8:00 on weekdays")
	require.Equal(t, "0 22 * * *", down.Recurrence, "the 70 business hours end at 22:00")
	require.Equal(t, "UTC", ec2.TimeZone, "the schedules and the week are both UTC")
	apiBaseline := (70*float64(up.Desired) + 98*float64(down.Desired)) / 168
	require.Empty(t, ec2.Worker.Schedules, "prod's worker group has no schedules: its baseline is its desired count")

	// Each fleet at its minimum, baseline (node pools: desired count) and maximum, and how many
	// of n instances it buys on demand (the rest run on spot).
	type fleet struct {
		key, instanceType string
		instances         [3]float64
		onDemand          func(n float64) float64
	}
	allOnDemand := func(n float64) float64 { return n }
	levels := func(r config.Range, baseline float64) [3]float64 {
		return [3]float64{float64(r.Min), baseline, float64(r.Max)}
	}
	// The API pool rests on the nodes its minimum, the headroom's placeholders and the add-ons
	// need (prod: 5), at least its size's minimum and its desired count.
	resting, err := capacity.RestingNodes(pools.API, cfg.API, cfg.Cluster.Headroom.APIPods, capacity.AddOns(cfg), cfg)
	require.NoError(t, err)
	require.Greater(t, resting, pools.API.Desired, "precondition: prod's headroom keeps more API nodes than the desired count")
	apiPool := [3]float64{float64(max(pools.API.Size.Min, resting)), float64(max(pools.API.Desired, resting)), float64(pools.API.Size.Max)}
	fleets := []fleet{
		{"openwan:cluster.nodePools.api", pools.API.InstanceTypes[0], apiPool, allOnDemand},
		{"openwan:cluster.nodePools.workers", pools.Workers.InstanceTypes[0], levels(pools.Workers.Size, float64(pools.Workers.Desired)),
			func(float64) float64 { return 0 }},
		{"openwan:ec2.api", ec2.API.InstanceType, levels(ec2.API.Size, apiBaseline), allOnDemand},
		{"openwan:ec2.worker", ec2.Worker.InstanceTypes[0], levels(ec2.Worker.Size, float64(ec2.Worker.Desired)),
			func(n float64) float64 { return min(n, float64(ec2.Worker.OnDemandBase)) }},
	}
	// monthly is what n instances of a fleet cost a month: on demand at the price, spot at the
	// discount, each instances x USD/hour x hours.
	monthly := func(f fleet, n float64) (onDemand, spot float64) {
		od := f.onDemand(n)
		return od * price(f.instanceType) * hours, (n - od) * price(f.instanceType) * spotShare * hours
	}

	p := runStack(t, "prod", true)
	listed, ok := output(t, p, "monthlyCostUSD.fleets").([]any)
	require.True(t, ok, "monthlyCostUSD.fleets is a list")
	var keys []any
	for i := range listed {
		keys = append(keys, output(t, p, fmt.Sprintf("monthlyCostUSD.fleets.%d.fleet", i)))
	}
	require.Equal(t, []any{fleets[0].key, fleets[1].key, fleets[2].key, fleets[3].key}, keys,
		"the fleets in order: node pools, then groups; API before workers")

	var sum [3]struct{ onDemand, spot float64 }
	for i, f := range fleets {
		for l, level := range []string{"min", "baseline", "max"} {
			at := fmt.Sprintf("monthlyCostUSD.fleets.%d.", i)
			n := f.instances[l]
			assert.InDelta(t, hundredths(n), outputNumber(t, p, at+"instances."+level), 1e-9, "%s instances at its %s", f.key, level)
			od, sp := monthly(f, n)
			sum[l].onDemand += od
			sum[l].spot += sp
			cost := at + "monthlyUSD." + level + "."
			assert.InDelta(t, hundredths(od), outputNumber(t, p, cost+"onDemand"), 1e-9, "%s on-demand USD at its %s", f.key, level)
			assert.InDelta(t, hundredths(sp), outputNumber(t, p, cost+"spot"), 1e-9, "%s spot USD at its %s", f.key, level)
			assert.InDelta(t, hundredths(od+sp), outputNumber(t, p, cost+"total"), 1e-9, "%s USD at its %s", f.key, level)
		}
		// Relations the figures must keep whatever the prices: more instances never cost less.
		at := fmt.Sprintf("monthlyCostUSD.fleets.%d.monthlyUSD.", i)
		assert.LessOrEqual(t, outputNumber(t, p, at+"min.total"), outputNumber(t, p, at+"baseline.total"), "%s: min <= baseline", f.key)
		assert.LessOrEqual(t, outputNumber(t, p, at+"baseline.total"), outputNumber(t, p, at+"max.total"), "%s: baseline <= max", f.key)
	}

	// The stack's totals are the sums over its fleets (prod's baseline: 5 t3.medium nodes $151.84
	// + 2 spot c5.xlarge nodes $124.10 + 3.25 t3.medium instances $98.70 + 1 on-demand and 1 spot
	// c5.xlarge instance $186.15 = $560.79; at the minimum $522.83, at the maximum $1600.16).
	for l, level := range []string{"min", "baseline", "max"} {
		at := "monthlyCostUSD.monthlyUSD." + level + "."
		s := sum[l]
		assert.InDelta(t, hundredths(s.onDemand), outputNumber(t, p, at+"onDemand"), 1e-9, "prod's on-demand USD at its %s", level)
		assert.InDelta(t, hundredths(s.spot), outputNumber(t, p, at+"spot"), 1e-9, "prod's spot USD at its %s", level)
		assert.InDelta(t, hundredths(s.onDemand+s.spot), outputNumber(t, p, at+"total"), 1e-9, "prod's USD at its %s", level)
		// Rounded apart, the parts add up to the total within a cent per rounding.
		assert.InDelta(t, outputNumber(t, p, at+"total"), outputNumber(t, p, at+"onDemand")+outputNumber(t, p, at+"spot"), 0.01,
			"prod's %s: on demand + spot = total", level)
	}
	assert.LessOrEqual(t, outputNumber(t, p, "monthlyCostUSD.monthlyUSD.min.total"), outputNumber(t, p, "monthlyCostUSD.monthlyUSD.baseline.total"),
		"prod costs no more at its minimum than at its baseline")
	assert.LessOrEqual(t, outputNumber(t, p, "monthlyCostUSD.monthlyUSD.baseline.total"), outputNumber(t, p, "monthlyCostUSD.monthlyUSD.max.total"),
		"prod costs no more at its baseline than at its maximum")

	// Linear in the count: an all-on-demand fleet costs the same per instance at every level,
	// its price x hours (prod: a t3.medium is $30.37 a month).
	for i, f := range fleets {
		if f.onDemand(f.instances[2]) != f.instances[2] {
			continue
		}
		for _, level := range []string{"min", "max"} {
			at := fmt.Sprintf("monthlyCostUSD.fleets.%d.", i)
			perInstance := outputNumber(t, p, at+"monthlyUSD."+level+".total") / outputNumber(t, p, at+"instances."+level)
			assert.InDelta(t, price(f.instanceType)*hours, perInstance, 0.01, "%s: one instance a month at its %s", f.key, level)
		}
	}
}

// TestBillCountsWhatThePlanDeclares: the bill's counts of NAT gateways, load balancers, KMS keys,
// dashboards, clusters and alarm metrics (capacity.CountOf, from config) are the plan's own, so
// the monthly cost cannot leave out what a change adds.
func TestBillCountsWhatThePlanDeclares(t *testing.T) {
	for _, stack := range []string{"prod", "dev"} {
		t.Run(stack, func(t *testing.T) {
			p := runStack(t, stack, false)
			alarmMetrics := 0
			for _, a := range p.Find("aws:cloudwatch/metricAlarm:MetricAlarm") {
				queries, _ := a.Inputs["metricQueries"].([]any)
				n := 0
				for _, q := range queries {
					if _, ok := q.(map[string]any)["metric"]; ok {
						n++
					}
				}
				alarmMetrics += max(n, 1)
			}
			for _, pol := range p.Find("aws:autoscaling/policy:Policy") {
				tt, ok := pol.Inputs["targetTrackingConfiguration"].(map[string]any)
				if !ok {
					continue
				}
				metrics := 1
				if custom, ok := tt["customizedMetricSpecification"].(map[string]any); ok {
					if list, ok := custom["metrics"].([]any); ok {
						metrics = 0
						for _, m := range list {
							if _, ok := m.(map[string]any)["metricStat"]; ok {
								metrics++
							}
						}
					}
				}
				alarmMetrics += 2 * metrics // the policy's high and low alarms
			}
			assert.Equal(t, capacity.Counts{
				EKSClusters:   len(p.Find("eks:index:Cluster")),
				NATGateways:   len(p.Find("aws:ec2/natGateway:NatGateway")),
				LoadBalancers: len(p.Find("aws:lb/loadBalancer:LoadBalancer")) + len(p.Find("kubernetes:networking.k8s.io/v1:Ingress")),
				KMSKeys:       len(p.Find("aws:kms/key:Key")),
				Dashboards:    len(p.Find("aws:cloudwatch/dashboard:Dashboard")),
				AlarmMetrics:  alarmMetrics,
			}, capacity.CountOf(configtest.Stack(t, stack)))
		})
	}
}
