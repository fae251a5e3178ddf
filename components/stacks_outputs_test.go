package components_test

import (
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

// TestOutputsCarryCost: the monthly cost every preview shows is the capacity model's for the
// stack's config, whole (its fleets at each level, the totals, the headroom's and the warm
// pool's shares, the platform). The model's figures are pinned where it lives, in capacity's
// TestCostOfProdByFleet and TestCostOfProdAtEveryLevel.
func TestOutputsCarryCost(t *testing.T) {
	for _, stack := range shippedStacks(t) {
		t.Run(stack, func(t *testing.T) {
			cfg := configtest.Stack(t, stack)
			want, err := capacity.Cost(cfg)
			require.NoError(t, err)
			if stack == "prod" {
				require.Len(t, want.Fleets, 4, "precondition: prod prices both node pools and both groups")
			}
			p := runStack(t, stack, true)
			assertJSON(t, want, output(t, p, "monthlyCostUSD"), "monthlyCostUSD is capacity.Cost of Pulumi.%s.yaml", stack)
		})
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
