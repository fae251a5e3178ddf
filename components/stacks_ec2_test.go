package components_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/fleet"
	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/config/configtest"
	"github.com/openwan/openwan-infra/internal/plan"
)

// The EC2 path's two groups, as the stack names them.
const (
	apiGroup    = "openwan-api-asg"
	workerGroup = "openwan-worker-asg"
)

// TestProdGroupsCarryTheGuideNumbers pins prod's Auto Scaling Groups and their policies. The
// guide's own numbers stand as literals, as they are the specification; what the guide leaves
// open comes from Pulumi.prod.yaml over the defaults.
func TestProdGroupsCarryTheGuideNumbers(t *testing.T) {
	e := configtest.Prod(t).EC2
	checks := []check{
		// The guide's "Basic Settings": 2 to 10 instances, 3 desired, 300 s health check grace
		// period and default cooldown.
		{groupType, apiGroup, "minSize", 2},
		{groupType, apiGroup, "maxSize", 10},
		{groupType, apiGroup, "desiredCapacity", 3},
		{groupType, apiGroup, "healthCheckGracePeriod", 300},
		{groupType, apiGroup, "defaultCooldown", 300},
		{groupType, workerGroup, "minSize", 2},
		{groupType, workerGroup, "maxSize", 10},
		// Health from the load balancer, rolling refreshes, time to drain before termination (a
		// lifecycle hook of its own, so a new terminationHookSeconds reaches the group).
		{groupType, apiGroup, "healthCheckType", "ELB"},
		{groupType, apiGroup, "instanceRefresh.strategy", "Rolling"},
		{groupType, apiGroup, "instanceRefresh.preferences.minHealthyPercentage", e.API.InstanceRefreshMinHealthyPercent},
		{hookType, apiGroup + "-termination-hook", "lifecycleTransition", "autoscaling:EC2_INSTANCE_TERMINATING"},
		{hookType, apiGroup + "-termination-hook", "heartbeatTimeout", e.API.TerminationHookSeconds},
		{groupType, apiGroup, "metricsGranularity", "1Minute"},
		{hookType, workerGroup + "-termination-hook", "heartbeatTimeout", e.Worker.TerminationHookSeconds},
		// The workers on spot: rebalanced before interruptions, from the pools least likely to be
		// interrupted and of those the cheapest (AWS's recommendation), above an on-demand base.
		{groupType, workerGroup, "capacityRebalance", true},
		{groupType, workerGroup, "mixedInstancesPolicy.instancesDistribution.spotAllocationStrategy", "price-capacity-optimized"},
		{groupType, workerGroup, "mixedInstancesPolicy.instancesDistribution.onDemandBaseCapacity", e.Worker.OnDemandBase},
		{groupType, workerGroup, "mixedInstancesPolicy.instancesDistribution.onDemandPercentageAboveBaseCapacity", e.Worker.OnDemandPercentAboveBase},
		// The guide's target tracking: the API at 70 % CPU and 80 % memory, the workers at 75 %
		// and 85 % and "Queue depth > 50 messages per worker".
		{policyType, apiGroup + "-cpu", "targetTrackingConfiguration.predefinedMetricSpecification.predefinedMetricType", "ASGAverageCPUUtilization"},
		{policyType, apiGroup + "-cpu", "targetTrackingConfiguration.targetValue", 70},
		{policyType, apiGroup + "-memory", "targetTrackingConfiguration.targetValue", 80},
		{policyType, apiGroup + "-memory", "targetTrackingConfiguration.customizedMetricSpecification.metricName", "mem_used_percent"},
		{policyType, apiGroup + "-memory", "targetTrackingConfiguration.customizedMetricSpecification.namespace", "CWAgent"},
		{policyType, apiGroup + "-memory", "targetTrackingConfiguration.customizedMetricSpecification.metricDimensions.0.name", "AutoScalingGroupName"},
		{policyType, workerGroup + "-cpu", "targetTrackingConfiguration.targetValue", 75},
		{policyType, workerGroup + "-memory", "targetTrackingConfiguration.targetValue", 85},
		{policyType, workerGroup + "-backlog", "targetTrackingConfiguration.targetValue", 50},
		{policyType, workerGroup + "-backlog", "targetTrackingConfiguration.customizedMetricSpecification.metrics.2.expression", "queue / instances"},
		{policyType, workerGroup + "-backlog", "targetTrackingConfiguration.customizedMetricSpecification.metrics.0.metricStat.metric.metricName", e.Worker.Queue.MetricName},
		{policyType, workerGroup + "-backlog", "targetTrackingConfiguration.customizedMetricSpecification.metrics.0.metricStat.metric.dimensions.2",
			map[string]any{"name": "VirtualHost", "value": e.Worker.Queue.Dimensions["VirtualHost"]}},
		{policyType, workerGroup + "-backlog", "targetTrackingConfiguration.customizedMetricSpecification.metrics.1.metricStat.metric.metricName", "GroupInServiceInstances"},
		// The guide's step scaling above 1000 requests/minute per instance: 0-10 % over adds 10 %,
		// beyond that 30 % (10 % of 1000 is 100).
		{policyType, apiGroup + "-requests", "adjustmentType", "PercentChangeInCapacity"},
		{policyType, apiGroup + "-requests", "stepAdjustments", []any{
			map[string]any{"metricIntervalLowerBound": "0", "metricIntervalUpperBound": "100", "scalingAdjustment": 10},
			map[string]any{"metricIntervalLowerBound": "100", "scalingAdjustment": 30},
		}},
		{alarmType, apiGroup + "-requests-high", "threshold", 1000},
		{alarmType, apiGroup + "-requests-high", "metricName", "RequestCountPerTarget"},
		// The guide's "Scale In When": CPU under 30 %, memory under 40 %, and requests under 200 a
		// minute per instance (API) or under 5 messages per worker, all for 10 minutes. Requests
		// (not reported in a minute without any) and the queue depth (may be missing while the
		// queue is idle) count as 0 when missing, or an idle fleet would never shrink.
		{alarmType, apiGroup + "-scale-in", "metricQueries.3.expression", "IF(cpu < 30 AND mem < 40 AND FILL(requests, 0) < 200, 1, 0)"},
		{alarmType, apiGroup + "-scale-in", "evaluationPeriods", 10},
		{alarmType, apiGroup + "-scale-in", "datapointsToAlarm", 10},
		{alarmType, workerGroup + "-scale-in", "metricQueries.4.expression", "IF(cpu < 30 AND mem < 40 AND (FILL(queue, 0) / instances) < 5, 1, 0)"},
		// Scale-in removes one instance at a time, at most once per cooldown.
		{policyType, workerGroup + "-scale-in", "cooldown", e.Worker.ScaleIn.CooldownSeconds},
		{policyType, apiGroup + "-scale-in", "cooldown", e.API.ScaleIn.CooldownSeconds},
		{policyType, apiGroup + "-scale-in", "scalingAdjustment", -1},
	}
	// Every interchangeable worker type, preferred first.
	for i, it := range e.Worker.InstanceTypes {
		checks = append(checks, check{groupType, workerGroup, fmt.Sprintf("mixedInstancesPolicy.launchTemplate.overrides.%d.instanceType", i), it})
	}
	eachMode(t, func(t *testing.T, dryRun bool) {
		p := runStack(t, "prod", dryRun)
		runChecks(t, p, checks)
		assert.Len(t, input(t, p, groupType, workerGroup, "mixedInstancesPolicy.launchTemplate.overrides"), len(e.Worker.InstanceTypes),
			"one override per openwan:ec2.worker.instanceTypes")
		for _, name := range []string{apiGroup + "-cpu", apiGroup + "-memory", workerGroup + "-backlog"} {
			assert.Equal(t, true, input(t, p, policyType, name, "targetTrackingConfiguration.disableScaleIn"),
				"%s disableScaleIn: the scale-in alarm owns scale-in", name)
		}
	})
}

// schedule is one scheduled action as the plan declares it.
type schedule struct {
	recurrence, timeZone string
	min, max, desired    float64
}

func TestScheduledActions(t *testing.T) {
	for _, stack := range shippedStacks(t) {
		t.Run(stack, func(t *testing.T) {
			cfg := configtest.Stack(t, stack)
			// Each group's configured actions, named after the group.
			want := map[string]schedule{}
			if cfg.EC2.Enabled {
				for group, f := range map[string]config.Fleet{apiGroup: cfg.EC2.API.Fleet, workerGroup: cfg.EC2.Worker.Fleet} {
					for key, a := range f.Schedules {
						b := a.Bounds(f.Size)
						want[group+"-"+key] = schedule{a.Recurrence, cfg.EC2.TimeZone, float64(b.Min), float64(b.Max), float64(a.Desired)}
					}
				}
			}
			assert.Equal(t, want, schedules(runStack(t, stack, false)), "Pulumi.%s.yaml's scheduled actions", stack)
		})
	}
}

// TestProdSchedulesAreTheGuides pins prod's scheduled actions to the guide's "Scheduled Scaling",
// the specification: 3-10 instances, 5 desired, at 8:00 on weekdays; 2-10, 2 desired, at 22:00.
func TestProdSchedulesAreTheGuides(t *testing.T) {
	assert.Equal(t, map[string]schedule{
		apiGroup + "-scale-up-business-hours": {"0 8 * * MON-FRI", "UTC", 3, 10, 5},
		apiGroup + "-scale-down-night":        {"0 22 * * *", "UTC", 2, 10, 2},
	}, schedules(runStack(t, "prod", false)), "the guide's scheduled actions")
}

// schedules are a plan's scheduled actions by name.
func schedules(p *plan.Plan) map[string]schedule {
	got := map[string]schedule{}
	for _, s := range p.Find(scheduleType) {
		str := func(k string) string { v, _ := s.Inputs[k].(string); return v }
		num := func(k string) float64 { v, _ := s.Inputs[k].(float64); return v }
		got[s.Name] = schedule{str("recurrence"), str("timeZone"), num("minSize"), num("maxSize"), num("desiredCapacity")}
	}
	return got
}

// userData decodes a launch template's base64 user data.
func userData(t *testing.T, p *plan.Plan, name string) string {
	t.Helper()
	encoded, ok := mustGet(t, p, ltType, name).Inputs["userData"].(string)
	require.True(t, ok, "%s must have user data", name)
	script, err := base64.StdEncoding.DecodeString(encoded)
	require.NoError(t, err, "%s user data must be base64", name)
	return string(script)
}

func TestLaunchTemplatesAreLockedDown(t *testing.T) {
	e := configtest.Prod(t).EC2
	p := runStack(t, "prod", false)
	for _, name := range []string{"openwan-api-lt", "openwan-worker-lt"} {
		runChecks(t, p, []check{
			// IMDSv2 only, and no second hop for a container to reach it.
			{ltType, name, "metadataOptions.httpTokens", "required"},
			{ltType, name, "metadataOptions.httpPutResponseHopLimit", 1},
			{ltType, name, "blockDeviceMappings.0.ebs.encrypted", "true"},
			{ltType, name, "blockDeviceMappings.0.ebs.volumeType", "gp3"},
			{ltType, name, "networkInterfaces.0.associatePublicIpAddress", "false"},
			{ltType, name, "monitoring.enabled", true},
			{ltType, name, "imageId", "resolve:ssm:" + e.AMIParameter},
		})
		_, err := mustGet(t, p, ltType, name).Input("keyName")
		assert.Error(t, err, "%s must have no SSH key (SSM instead)", name)
		script := userData(t, p, name)
		// Host networking keeps the app within the metadata hop limit of 1.
		for _, want := range []string{`"mem_used_percent"`, `"AutoScalingGroupName": "${aws:AutoScalingGroupName}"`, "amazon-cloudwatch-agent-ctl", " --network host "} {
			assert.Contains(t, script, want, "%s user data must contain %s", name, want)
		}
	}
	runChecks(t, p, []check{{ltType, "openwan-api-lt", "instanceType", e.API.InstanceType}})
	assert.Contains(t, userData(t, p, "openwan-api-lt"), fmt.Sprintf("\nPORT=%d\n", e.API.Port),
		"API user data must tell the app the target group's port, openwan:ec2.api.port")
	// The guide's 4 concurrent transcoding jobs per c5.xlarge: one worker process per instance
	// runs them all.
	require.Equal(t, "c5.xlarge", e.Worker.InstanceTypes[0], "prod's workers are the guide's c5.xlarge")
	assert.Contains(t, userData(t, p, "openwan-worker-lt"), "\nWORKER_CONCURRENCY=4\n",
		"worker user data must run the guide's 4 jobs per instance")
}

func TestInstanceMetadataComesFromConfig(t *testing.T) {
	// Prod with IMDSv1 allowed over two hops: the templates follow openwan:ec2.metadata.
	raw := withConfig(t, configtest.Raw(t, "prod"), "openwan:ec2", "metadata", map[string]any{"httpTokens": "optional", "hopLimit": 2})
	p := runRaw(t, "prod", raw, false)
	for _, name := range []string{"openwan-api-lt", "openwan-worker-lt"} {
		runChecks(t, p, []check{
			{ltType, name, "metadataOptions.httpTokens", "optional"},
			{ltType, name, "metadataOptions.httpPutResponseHopLimit", 2},
		})
	}
}

func TestOnlyTheLoadBalancerIsOpen(t *testing.T) {
	api := configtest.Prod(t).EC2.API
	p := runStack(t, "prod", false)
	for _, r := range p.Find(sgRuleType) {
		cidrs, _ := r.Inputs["cidrBlocks"].([]any)
		v6, _ := r.Inputs["ipv6CidrBlocks"].([]any)
		open := len(cidrs) > 0 && cidrs[0] == "0.0.0.0/0" || len(v6) > 0 && v6[0] == "::/0"
		if open {
			assert.True(t, strings.HasPrefix(r.Name, "openwan-api-lb-lb-") && (r.Inputs["fromPort"] == 80.0 || r.Inputs["fromPort"] == 443.0),
				"%s opens port %v to the internet, want only the load balancer's 80/443", r.Name, r.Inputs["fromPort"])
		}
	}
	runChecks(t, p, []check{
		{sgRuleType, "openwan-api-lb-app-from-lb", "fromPort", api.Port},
		{"aws:lb/targetGroup:TargetGroup", "openwan-api-lb-api", "healthCheck.path", api.HealthPath},
	})
	_, err := mustGet(t, p, sgRuleType, "openwan-api-lb-app-from-lb").Input("sourceSecurityGroupId")
	assert.NoError(t, err, "the app port must be open to the load balancer's security group only")
}

// TestEveryAlarmNotifiesAndGuideAlarmsMatch: prod's alarms are exactly what its two groups and
// the API's load balancer declare, each with an action, and the guide's two CloudWatch alarms
// carry its numbers.
func TestEveryAlarmNotifiesAndGuideAlarmsMatch(t *testing.T) {
	cfg := configtest.Prod(t)
	groups := []string{"openwan-api", "openwan-worker"}
	// Each group declares:
	//   <group>-asg-scale-in         removes an instance once every signal is low (acts on the
	//                                group's scale-in policy)
	//   <group>-alarms-max-capacity  pages when the group reaches its maximum (the guide's
	//                                "Max capacity reached")
	// The guide's "Scaling activity failed" (GroupTerminatingInstances above 0) is not an alarm:
	// it would page on every scale-in. What failed pages through EventBridge (below) and the
	// groups' error notifications.
	perGroup := []string{"-asg-scale-in", "-alarms-max-capacity"}
	// The API group alone sits behind the load balancer and steps on its request count:
	apiOnly := []string{
		"openwan-api-asg-requests-high",        // steps the group out above 1000 requests/minute per instance
		"openwan-api-alarms-unhealthy-targets", // pages when targets fail the health check
	}
	// Both API load balancers (the EC2 path's and the EKS ingress's) page on the guide's targets
	// (monitoring_test.go pins them), and each EKS workload at its HPA maximum:
	for _, lb := range []string{"openwan-api-slo", "openwan-eks-api-slo"} {
		apiOnly = append(apiOnly, lb+"-p95", lb+"-p99", lb+"-error-rate")
	}
	apiOnly = append(apiOnly, "openwan-at-max-openwan-api", "openwan-at-max-openwan-worker")
	var want []string
	for _, g := range groups {
		for _, suffix := range perGroup {
			want = append(want, g+suffix)
		}
	}
	want = append(want, apiOnly...)

	p := runStack(t, "prod", false)
	alarms := p.Find(alarmType)
	var names []string
	for _, a := range alarms {
		names = append(names, a.Name)
		actions, _ := a.Inputs["alarmActions"].([]any)
		assert.NotEmpty(t, actions, "alarm %s must have an action", a.Name)
	}
	assert.ElementsMatch(t, want, names, "prod's alarms: %d per group x %d groups + %d of the API and the workloads",
		len(perGroup), len(groups), len(apiOnly))
	assert.Len(t, alarms, len(perGroup)*len(groups)+len(apiOnly), "prod's alarm count")

	runChecks(t, p, []check{
		// The guide's "Max capacity reached": desired capacity above 9 for its maximum of 10, i.e.
		// one below each group's maximum, over 300 s.
		{alarmType, "openwan-api-alarms-max-capacity", "threshold", cfg.EC2.API.Size.Max - 1},
		{alarmType, "openwan-api-alarms-max-capacity", "period", 300},
		{alarmType, "openwan-api-alarms-max-capacity", "metricName", "GroupDesiredCapacity"},
		{alarmType, "openwan-worker-alarms-max-capacity", "threshold", cfg.EC2.Worker.Size.Max - 1},
		{alarmType, "openwan-api-slo-error-rate", "threshold", cfg.Alerts.ErrorRatePercent},
		// 5xx responses are not reported in a minute without any: 0 %, not no rate.
		{alarmType, "openwan-api-slo-error-rate", "metricQueries.2.expression", "100 * FILL(errors, 0) / requests"},
	})
	// The guide's own example: a maximum of 10, threshold 9.
	runChecks(t, p, []check{{alarmType, "openwan-api-alarms-max-capacity", "threshold", 9}})

	for _, a := range alarms {
		assert.NotEqual(t, "GroupTerminatingInstances", a.Inputs["metricName"], "%s would page on every scale-in", a.Name)
	}
	// Each group pages through EventBridge on an instance replaced after failing a health check
	// and on a bootstrap that was abandoned, to the alerts topic.
	topic := mustGet(t, p, topicType, "openwan-alerts")
	for _, g := range groups {
		for _, e := range fleet.BadInstanceEvents() {
			name := g + "-alarms-" + e.Name
			mustGet(t, p, "aws:cloudwatch/eventRule:EventRule", name)
			target := mustGet(t, p, "aws:cloudwatch/eventTarget:EventTarget", name)
			assert.Contains(t, target.PropertyDependencies["arn"], topic.URN, "%s pages the alerts topic", name)
		}
	}
	assert.Len(t, p.Find("aws:autoscaling/notification:Notification"), len(groups), "one scaling notification per group")
	var endpoints []any
	for _, s := range p.Find("aws:sns/topicSubscription:TopicSubscription") {
		endpoints = append(endpoints, s.Inputs["endpoint"])
	}
	require.NotEmpty(t, cfg.Alerts.Emails, "Pulumi.prod.yaml pages someone")
	var emails []any
	for _, e := range cfg.Alerts.Emails {
		emails = append(emails, e)
	}
	assert.ElementsMatch(t, emails, endpoints, "one subscription per openwan:alerts.emails address")
}

func TestDevIsSmallerButStillHA(t *testing.T) {
	dev, prod := configtest.Stack(t, "dev"), configtest.Prod(t)
	assert.Less(t, dev.EC2.API.Size.Max, prod.EC2.API.Size.Max, "dev's API group has a lower ceiling than prod's")
	assert.Less(t, dev.Network.AvailabilityZones, prod.Network.AvailabilityZones, "dev spans fewer zones than prod")
	require.True(t, dev.Network.SingleNATGateway, "dev shares one NAT gateway")
	p := runStack(t, "dev", false)
	runChecks(t, p, []check{
		{groupType, apiGroup, "minSize", dev.EC2.API.Size.Min},
		{groupType, apiGroup, "maxSize", dev.EC2.API.Size.Max},
		{groupType, workerGroup, "minSize", dev.EC2.Worker.Size.Min},
		{groupType, workerGroup, "mixedInstancesPolicy.instancesDistribution.onDemandBaseCapacity", dev.EC2.Worker.OnDemandBase},
		{alarmType, "openwan-api-alarms-max-capacity", "threshold", dev.EC2.API.Size.Max - 1},
	})
	// Still HA: the guide's "Minimum 2 Replicas", and two zones.
	for _, g := range []string{apiGroup, workerGroup} {
		minSize, ok := input(t, p, groupType, g, "minSize").(float64)
		assert.True(t, ok && minSize >= 2, "dev's %s minSize = %v, want at least the guide's 2", g, minSize)
	}
	assert.Len(t, p.Find(natType), 1, "dev has one NAT gateway")
	assert.Len(t, p.Find(subnetType), 2*dev.Network.AvailabilityZones,
		"dev has a public and a private subnet in each of its %d zones", dev.Network.AvailabilityZones)
	assert.GreaterOrEqual(t, dev.Network.AvailabilityZones, 2, "dev still spans two zones")
}

func TestEachPathCanBeTurnedOff(t *testing.T) {
	raw := configtest.Raw(t, "prod")
	p := runRaw(t, "prod", withConfig(t, raw, "openwan:cluster", "enabled", false), false)
	assert.Empty(t, append(p.Find(clusterType), p.Find(hpaType)...), "with the EKS path off, no cluster or HPA remains")
	assert.Len(t, p.Find(groupType), 2, "with the EKS path off, the API and worker groups remain")

	p = runRaw(t, "prod", withConfig(t, raw, "openwan:ec2", "enabled", false), false)
	assert.Empty(t, p.Find(groupType), "with the EC2 path off, no Auto Scaling group remains")
	var templates []string
	for _, lt := range p.Find(ltType) {
		templates = append(templates, lt.Name)
	}
	assert.ElementsMatch(t, []string{"openwan-api", "openwan-workers"}, templates, "with the EC2 path off, only the node pools' launch templates remain")
}
