package stacks_test

import (
	"encoding/base64"
	"maps"
	"strings"
	"testing"

	"github.com/openwan/openwan-infra/internal/plan"
	"github.com/openwan/openwan-infra/stacks"
)

const (
	groupType  = "aws:autoscaling/group:Group"
	policyType = "aws:autoscaling/policy:Policy"
	alarmType  = "aws:cloudwatch/metricAlarm:MetricAlarm"
	ltType     = "aws:ec2/launchTemplate:LaunchTemplate"
)

type check struct {
	typ, name, path string
	want            any
}

func runChecks(t *testing.T, p *plan.Plan, checks []check) {
	t.Helper()
	for _, c := range checks {
		r, err := p.Get(c.typ, c.name)
		if err != nil {
			t.Error(err)
			continue
		}
		got, err := r.Input(c.path)
		if err != nil || !equalJSON(got, c.want) {
			t.Errorf("%s %s = %v (%v), want %v", c.name, c.path, got, err, c.want)
		}
	}
}

func TestProdGroupsCarryTheGuideNumbers(t *testing.T) {
	eachMode(t, func(t *testing.T, dryRun bool) {
		p := runStack(t, "prod", dryRun)
		runChecks(t, p, []check{
			{groupType, "openwan-api-asg", "minSize", 2},
			{groupType, "openwan-api-asg", "maxSize", 10},
			{groupType, "openwan-api-asg", "desiredCapacity", 3},
			{groupType, "openwan-api-asg", "healthCheckGracePeriod", 300},
			{groupType, "openwan-api-asg", "defaultCooldown", 300},
			{groupType, "openwan-api-asg", "healthCheckType", "ELB"},
			{groupType, "openwan-api-asg", "instanceRefresh.strategy", "Rolling"},
			{groupType, "openwan-api-asg", "instanceRefresh.preferences.minHealthyPercentage", 90},
			{groupType, "openwan-api-asg", "initialLifecycleHooks.0.lifecycleTransition", "autoscaling:EC2_INSTANCE_TERMINATING"},
			{groupType, "openwan-api-asg", "initialLifecycleHooks.0.heartbeatTimeout", 120},
			{groupType, "openwan-api-asg", "metricsGranularity", "1Minute"},
			{groupType, "openwan-worker-asg", "minSize", 2},
			{groupType, "openwan-worker-asg", "maxSize", 10},
			{groupType, "openwan-worker-asg", "capacityRebalance", true},
			{groupType, "openwan-worker-asg", "mixedInstancesPolicy.instancesDistribution.spotAllocationStrategy", "capacity-optimized"},
			{groupType, "openwan-worker-asg", "mixedInstancesPolicy.instancesDistribution.onDemandBaseCapacity", 1},
			{groupType, "openwan-worker-asg", "mixedInstancesPolicy.instancesDistribution.onDemandPercentageAboveBaseCapacity", 0},
			{groupType, "openwan-worker-asg", "mixedInstancesPolicy.launchTemplate.overrides.0.instanceType", "c5.xlarge"},
			{groupType, "openwan-worker-asg", "mixedInstancesPolicy.launchTemplate.overrides.1.instanceType", "c5a.xlarge"},
			{groupType, "openwan-worker-asg", "initialLifecycleHooks.0.heartbeatTimeout", 1800},
			{policyType, "openwan-api-asg-cpu", "targetTrackingConfiguration.predefinedMetricSpecification.predefinedMetricType", "ASGAverageCPUUtilization"},
			{policyType, "openwan-api-asg-cpu", "targetTrackingConfiguration.targetValue", 70},
			{policyType, "openwan-api-asg-memory", "targetTrackingConfiguration.targetValue", 80},
			{policyType, "openwan-api-asg-memory", "targetTrackingConfiguration.customizedMetricSpecification.metricName", "mem_used_percent"},
			{policyType, "openwan-api-asg-memory", "targetTrackingConfiguration.customizedMetricSpecification.namespace", "CWAgent"},
			{policyType, "openwan-api-asg-memory", "targetTrackingConfiguration.customizedMetricSpecification.metricDimensions.0.name", "AutoScalingGroupName"},
			{policyType, "openwan-worker-asg-cpu", "targetTrackingConfiguration.targetValue", 75},
			{policyType, "openwan-worker-asg-memory", "targetTrackingConfiguration.targetValue", 85},
			{policyType, "openwan-worker-asg-backlog", "targetTrackingConfiguration.targetValue", 50},
			{policyType, "openwan-worker-asg-backlog", "targetTrackingConfiguration.customizedMetricSpecification.metrics.2.expression", "queue / instances"},
			{policyType, "openwan-worker-asg-backlog", "targetTrackingConfiguration.customizedMetricSpecification.metrics.0.metricStat.metric.metricName", "MessageCount"},
			{policyType, "openwan-worker-asg-backlog", "targetTrackingConfiguration.customizedMetricSpecification.metrics.0.metricStat.metric.dimensions.2", map[string]any{"name": "VirtualHost", "value": "/"}},
			{policyType, "openwan-worker-asg-backlog", "targetTrackingConfiguration.customizedMetricSpecification.metrics.1.metricStat.metric.metricName", "GroupInServiceInstances"},
			// 0-10 % above 1000 requests/minute adds 10 %, beyond that 30 %.
			{policyType, "openwan-api-asg-requests", "adjustmentType", "PercentChangeInCapacity"},
			{policyType, "openwan-api-asg-requests", "stepAdjustments", []any{
				map[string]any{"metricIntervalLowerBound": "0", "metricIntervalUpperBound": "100", "scalingAdjustment": 10},
				map[string]any{"metricIntervalLowerBound": "100", "scalingAdjustment": 30},
			}},
			{alarmType, "openwan-api-asg-requests-high", "threshold", 1000},
			{alarmType, "openwan-api-asg-requests-high", "metricName", "RequestCountPerTarget"},
			{alarmType, "openwan-api-asg-scale-in", "metricQueries.3.expression", "IF(cpu < 30 AND mem < 40 AND requests < 200, 1, 0)"},
			{alarmType, "openwan-api-asg-scale-in", "evaluationPeriods", 10},
			{alarmType, "openwan-api-asg-scale-in", "datapointsToAlarm", 10},
			{alarmType, "openwan-worker-asg-scale-in", "metricQueries.4.expression", "IF(cpu < 30 AND mem < 40 AND (queue / instances) < 5, 1, 0)"},
			{policyType, "openwan-worker-asg-scale-in", "cooldown", 600},
			{policyType, "openwan-api-asg-scale-in", "cooldown", 300},
			{policyType, "openwan-api-asg-scale-in", "scalingAdjustment", -1},
		})
		for _, name := range []string{"openwan-api-asg-cpu", "openwan-api-asg-memory", "openwan-worker-asg-backlog"} {
			if got := input(t, p, policyType, name, "targetTrackingConfiguration.disableScaleIn"); got != true {
				t.Errorf("%s disableScaleIn = %v, want true (the scale-in alarm owns scale-in)", name, got)
			}
		}
	})
}

func TestScheduledActions(t *testing.T) {
	tests := []struct {
		stack string
		want  map[string][4]any
	}{
		{"prod", map[string][4]any{
			"openwan-api-asg-scale-up-business-hours": {"0 8 * * MON-FRI", 3.0, 10.0, 5.0},
			"openwan-api-asg-scale-down-night":        {"0 22 * * *", 2.0, 10.0, 2.0},
		}},
		{"dev", map[string][4]any{
			"openwan-api-asg-scale-up-business-hours": {"0 8 * * MON-FRI", 2.0, 4.0, 3.0},
			"openwan-api-asg-scale-down-night":        {"0 22 * * *", 2.0, 4.0, 2.0},
		}},
	}
	for _, tt := range tests {
		p := runStack(t, tt.stack, false)
		schedules := p.Find("aws:autoscaling/schedule:Schedule")
		if len(schedules) != len(tt.want) {
			t.Errorf("%s: %d scheduled actions, want %d", tt.stack, len(schedules), len(tt.want))
		}
		for _, s := range schedules {
			want, ok := tt.want[s.Name]
			if !ok {
				t.Errorf("%s: unexpected scheduled action %s", tt.stack, s.Name)
				continue
			}
			got := [4]any{s.Inputs["recurrence"], s.Inputs["minSize"], s.Inputs["maxSize"], s.Inputs["desiredCapacity"]}
			if got != want {
				t.Errorf("%s %s = %v, want %v", tt.stack, s.Name, got, want)
			}
			if s.Inputs["timeZone"] != "UTC" {
				t.Errorf("%s %s timeZone = %v, want UTC", tt.stack, s.Name, s.Inputs["timeZone"])
			}
		}
	}
}

func TestLaunchTemplatesAreLockedDown(t *testing.T) {
	p := runStack(t, "prod", false)
	for _, name := range []string{"openwan-api-lt", "openwan-worker-lt"} {
		runChecks(t, p, []check{
			{ltType, name, "metadataOptions.httpTokens", "required"},
			{ltType, name, "metadataOptions.httpPutResponseHopLimit", 1},
			{ltType, name, "blockDeviceMappings.0.ebs.encrypted", "true"},
			{ltType, name, "blockDeviceMappings.0.ebs.volumeType", "gp3"},
			{ltType, name, "networkInterfaces.0.associatePublicIpAddress", "false"},
			{ltType, name, "monitoring.enabled", true},
			{ltType, name, "imageId", "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"},
		})
		lt := mustGet(t, p, ltType, name)
		if _, err := lt.Input("keyName"); err == nil {
			t.Errorf("%s has an SSH key, want none (SSM instead)", name)
		}
		encoded, _ := lt.Inputs["userData"].(string)
		script, err := base64.StdEncoding.DecodeString(encoded)
		if err != nil {
			t.Fatalf("%s userData is not base64: %v", name, err)
		}
		// Host networking keeps the app within the metadata hop limit of 1.
		for _, want := range []string{`"mem_used_percent"`, `"AutoScalingGroupName": "${aws:AutoScalingGroupName}"`, "amazon-cloudwatch-agent-ctl", " --network host "} {
			if !strings.Contains(string(script), want) {
				t.Errorf("%s user data lacks %s", name, want)
			}
		}
	}
	runChecks(t, p, []check{{ltType, "openwan-api-lt", "instanceType", "t3.medium"}})
	api, _ := base64.StdEncoding.DecodeString(mustGet(t, p, ltType, "openwan-api-lt").Inputs["userData"].(string))
	if !strings.Contains(string(api), "'PORT=8080'") {
		t.Errorf("API user data does not tell the app the target group's port 8080:\n%s", api)
	}
	// The guide's 4 jobs per c5.xlarge: one worker process per instance runs them all.
	worker, _ := base64.StdEncoding.DecodeString(mustGet(t, p, ltType, "openwan-worker-lt").Inputs["userData"].(string))
	if !strings.Contains(string(worker), "'WORKER_CONCURRENCY=4'") {
		t.Errorf("worker user data does not run 4 jobs per instance:\n%s", worker)
	}
}

func TestInstanceMetadataComesFromConfig(t *testing.T) {
	cfg, err := plan.StackConfig("..", "prod")
	if err != nil {
		t.Fatal(err)
	}
	cfg["openwan:ec2"] = strings.Replace(cfg["openwan:ec2"], `{`, `{"metadata": {"httpTokens": "optional", "hopLimit": 2},`, 1)
	p := runConfig(t, "prod", cfg, false)
	for _, name := range []string{"openwan-api-lt", "openwan-worker-lt"} {
		runChecks(t, p, []check{
			{ltType, name, "metadataOptions.httpTokens", "optional"},
			{ltType, name, "metadataOptions.httpPutResponseHopLimit", 2},
		})
	}
}

func TestOnlyTheLoadBalancerIsOpen(t *testing.T) {
	p := runStack(t, "prod", false)
	for _, r := range p.Find("aws:ec2/securityGroupRule:SecurityGroupRule") {
		cidrs, _ := r.Inputs["cidrBlocks"].([]any)
		v6, _ := r.Inputs["ipv6CidrBlocks"].([]any)
		open := len(cidrs) > 0 && cidrs[0] == "0.0.0.0/0" || len(v6) > 0 && v6[0] == "::/0"
		if open && (!strings.HasPrefix(r.Name, "openwan-api-lb-lb-") || r.Inputs["fromPort"] != 80.0 && r.Inputs["fromPort"] != 443.0) {
			t.Errorf("%s opens port %v to the internet, want only the load balancer's 80/443", r.Name, r.Inputs["fromPort"])
		}
	}
	runChecks(t, p, []check{
		{"aws:ec2/securityGroupRule:SecurityGroupRule", "openwan-api-lb-app-from-lb", "fromPort", 8080},
		{"aws:lb/targetGroup:TargetGroup", "openwan-api-lb-api", "healthCheck.path", "/health"},
	})
	if _, err := mustGet(t, p, "aws:ec2/securityGroupRule:SecurityGroupRule", "openwan-api-lb-app-from-lb").Input("sourceSecurityGroupId"); err != nil {
		t.Error("app port is not limited to the load balancer's security group")
	}
}

func TestEveryAlarmNotifiesAndGuideAlarmsMatch(t *testing.T) {
	p := runStack(t, "prod", false)
	alarms := p.Find(alarmType)
	if len(alarms) != 9 {
		t.Errorf("%d alarms, want 9", len(alarms))
	}
	for _, a := range alarms {
		actions, _ := a.Inputs["alarmActions"].([]any)
		if len(actions) == 0 {
			t.Errorf("alarm %s has no action", a.Name)
		}
	}
	runChecks(t, p, []check{
		// The guide: threshold 9 for a max of 10, over 300 s, once.
		{alarmType, "openwan-api-alarms-max-capacity", "threshold", 9},
		{alarmType, "openwan-api-alarms-max-capacity", "period", 300},
		{alarmType, "openwan-api-alarms-max-capacity", "metricName", "GroupDesiredCapacity"},
		{alarmType, "openwan-api-alarms-terminating", "metricName", "GroupTerminatingInstances"},
		{alarmType, "openwan-api-alarms-terminating", "period", 60},
		{alarmType, "openwan-api-alarms-terminating", "evaluationPeriods", 2},
		{alarmType, "openwan-api-alarms-error-rate", "threshold", 1},
		{alarmType, "openwan-api-alarms-error-rate", "metricQueries.2.expression", "100 * errors / requests"},
		{alarmType, "openwan-worker-alarms-max-capacity", "threshold", 9},
	})
	if n := len(p.Find("aws:autoscaling/notification:Notification")); n != 2 {
		t.Errorf("%d group notifications, want 2", n)
	}
	subs := p.Find("aws:sns/topicSubscription:TopicSubscription")
	if len(subs) != 1 || subs[0].Inputs["endpoint"] != "platform-oncall@openwan.example" {
		t.Errorf("subscriptions = %v, want the prod on-call address", subs)
	}
}

func TestDevIsSmallerButStillHA(t *testing.T) {
	p := runStack(t, "dev", false)
	runChecks(t, p, []check{
		{groupType, "openwan-api-asg", "minSize", 2},
		{groupType, "openwan-api-asg", "maxSize", 4},
		{groupType, "openwan-worker-asg", "minSize", 2},
		{groupType, "openwan-worker-asg", "mixedInstancesPolicy.instancesDistribution.onDemandBaseCapacity", 0},
		{alarmType, "openwan-api-alarms-max-capacity", "threshold", 3},
	})
	if n := len(p.Find("aws:ec2/natGateway:NatGateway")); n != 1 {
		t.Errorf("dev has %d NAT gateways, want 1", n)
	}
	if n := len(p.Find("aws:ec2/subnet:Subnet")); n != 4 {
		t.Errorf("dev has %d subnets, want 4 (public and private in 2 zones)", n)
	}
}

func TestEachPathCanBeTurnedOff(t *testing.T) {
	cfg, err := plan.StackConfig("..", "prod")
	if err != nil {
		t.Fatal(err)
	}
	ec2Only := maps.Clone(cfg)
	ec2Only["openwan:cluster"] = `{"enabled": false}`
	p := runConfig(t, "prod", ec2Only, false)
	if n := len(p.Find("eks:index:Cluster")) + len(p.Find(hpaType)); n != 0 {
		t.Errorf("with the EKS path off, %d cluster/HPA resources remain", n)
	}
	if n := len(p.Find(groupType)); n != 2 {
		t.Errorf("with the EKS path off, %d groups, want 2", n)
	}
	eksOnly := maps.Clone(cfg)
	eksOnly["openwan:ec2"] = `{"enabled": false}`
	p = runConfig(t, "prod", eksOnly, false)
	if n := len(p.Find(groupType)) + len(p.Find(ltType)); n != 0 {
		t.Errorf("with the EC2 path off, %d groups/launch templates remain", n)
	}
}

func TestBadScheduleIsAConfigError(t *testing.T) {
	cfg, err := plan.StackConfig("..", "prod")
	if err != nil {
		t.Fatal(err)
	}
	cfg["openwan:ec2"] = `{"api": {"image": "a:1", "schedules": {"scale-up-business-hours": {"recurrence": "0 8 * * MON-FRY", "min": 3, "max": 10, "desired": 11}}},
		"worker": {"image": "w:1", "queue": {"dimensions": {"Queue": "q"}}}}`
	p, err := plan.Run("prod", cfg, stacks.Build, plan.Options{})
	want := "invalid stack config:\n" +
		`openwan:ec2.api.schedules.scale-up-business-hours.recurrence: "0 8 * * MON-FRY": day of week field "MON-FRY": "FRY" is not a number` + "\n" +
		"openwan:ec2.api.schedules.scale-up-business-hours.desired: 11 is outside [min 3, max 10]"
	if err == nil || err.Error() != want {
		t.Errorf("plan.Run() error = %v, want %q", err, want)
	}
	if p != nil && len(p.Resources) != 0 {
		t.Errorf("%d resources declared before the error, want 0", len(p.Resources))
	}
}

func TestNetwork(t *testing.T) {
	p := runStack(t, "prod", false)
	want := map[string]string{
		"openwan-private-0": "10.0.0.0/19", "openwan-private-1": "10.0.32.0/19", "openwan-private-2": "10.0.64.0/19",
		"openwan-public-0": "10.0.192.0/22", "openwan-public-1": "10.0.196.0/22", "openwan-public-2": "10.0.200.0/22",
	}
	subnets := p.Find("aws:ec2/subnet:Subnet")
	if len(subnets) != len(want) {
		t.Errorf("%d subnets, want %d", len(subnets), len(want))
	}
	for _, s := range subnets {
		if s.Inputs["cidrBlock"] != want[s.Name] || s.Inputs["mapPublicIpOnLaunch"] != false {
			t.Errorf("%s = %v (public IPs %v), want %s without public IPs", s.Name, s.Inputs["cidrBlock"], s.Inputs["mapPublicIpOnLaunch"], want[s.Name])
		}
	}
	if n := len(p.Find("aws:ec2/natGateway:NatGateway")); n != 3 {
		t.Errorf("prod has %d NAT gateways, want one per zone (3)", n)
	}

	cfg, err := plan.StackConfig("..", "prod")
	if err != nil {
		t.Fatal(err)
	}
	cfg["openwan:network"] = `{"vpcId": "vpc-0abc", "publicSubnetIds": ["subnet-p1", "subnet-p2"], "privateSubnetIds": ["subnet-a", "subnet-b"]}`
	p = runConfig(t, "prod", cfg, false)
	if n := len(p.Find("aws:ec2/vpc:Vpc")) + len(p.Find("aws:ec2/subnet:Subnet")); n != 0 {
		t.Errorf("with an existing VPC, %d VPC/subnet resources were declared, want 0", n)
	}
	runChecks(t, p, []check{
		{"eks:index:Cluster", "openwan-eks", "vpcId", "vpc-0abc"},
		{"eks:index:Cluster", "openwan-eks", "privateSubnetIds", []any{"subnet-a", "subnet-b"}},
		{nodeGroupType, "openwan-workers", "subnetIds", []any{"subnet-a", "subnet-b"}},
		{groupType, "openwan-api-asg", "vpcZoneIdentifiers", []any{"subnet-a", "subnet-b"}},
		{"aws:lb/loadBalancer:LoadBalancer", "openwan-api-lb", "subnets", []any{"subnet-p1", "subnet-p2"}},
	})
}
