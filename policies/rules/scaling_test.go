package rules

import (
	"testing"

	"github.com/openwan/openwan-infra/internal/model"
)

func TestUtilizationTargetRange(t *testing.T) {
	runRuleCases(t, "utilization-target-range", []ruleCase{
		{name: "70 % CPU and 100 % are in range", resources: []model.Resource{
			res(model.TypeK8sHPA, "hpa", hpaOK),
			res(model.TypeAutoscalingPolicy, "cpu", `{"targetTrackingConfiguration": {"predefinedMetricSpecification": {"predefinedMetricType": "ASGAverageCPUUtilization"}, "targetValue": 100}}`),
			res(model.TypeAutoscalingPolicy, "backlog", `{"targetTrackingConfiguration": {"customizedMetricSpecification": {"metricName": "backlog"}, "targetValue": 500}}`),
		}},
		{name: "HPA at 0 and 120", resources: []model.Resource{res(model.TypeK8sHPA, "hpa", `{"metadata": {"name": "h"}, "spec": {"metrics": [
			{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 0}}},
			{"type": "Resource", "resource": {"name": "memory", "target": {"type": "Utilization", "averageUtilization": 120}}}]}}`)},
			want: []string{
				"HorizontalPodAutoscaler h: spec.metrics[0] (cpu) averageUtilization is 0 %, outside (0, 100]; set the target in the stack config between 1 and 100",
				"HorizontalPodAutoscaler h: spec.metrics[1] (memory) averageUtilization is 120 %, outside (0, 100]; set the target in the stack config between 1 and 100",
			}},
		{name: "EC2 memory tracking at 150", resources: []model.Resource{
			res(model.TypeAutoscalingPolicy, "mem", `{"targetTrackingConfiguration": {"customizedMetricSpecification": {"metricName": "mem_used_percent"}, "targetValue": 150}}`),
		}, want: []string{"Policy mem: targetTrackingConfiguration.targetValue (mem_used_percent) is 150 %, outside (0, 100]; set the target in the stack config between 1 and 100"}},
		{name: "KEDA cpu trigger at 0", resources: []model.Resource{
			res(model.TypeKEDAScaledObject, "so", `{"metadata": {"name": "w"}, "spec": {"triggers": [{"type": "cpu", "metricType": "Utilization", "metadata": {"value": "0"}}, {"type": "rabbitmq", "metadata": {"value": "50"}}]}}`),
		}, want: []string{"ScaledObject w: spec.triggers[0] (cpu) value is 0 %, outside (0, 100]; set the target in the stack config between 1 and 100"}},
	})
}

func TestStabilizationOrder(t *testing.T) {
	runRuleCases(t, "stabilization-order", []ruleCase{
		{name: "300 s down, 0 s up", resources: []model.Resource{res(model.TypeK8sHPA, "hpa", hpaOK)}},
		{name: "defaults are 0 up and 300 down", resources: []model.Resource{res(model.TypeK8sHPA, "hpa", `{"metadata": {"name": "h"}, "spec": {}}`)}},
		{name: "down 0 below up 60", resources: []model.Resource{res(model.TypeK8sHPA, "hpa", `{"metadata": {"name": "h"}, "spec": {"behavior": {
			"scaleUp": {"stabilizationWindowSeconds": 60}, "scaleDown": {"stabilizationWindowSeconds": 0}}}}`)},
			want: []string{"HorizontalPodAutoscaler h: spec.behavior.scaleDown.stabilizationWindowSeconds 0 is below scaleUp's 60; make scale-down the slower direction"}},
		// An unset direction takes Kubernetes' default window: 0 s up, 300 s down.
		{name: "KEDA up 600 above default down", resources: []model.Resource{res(model.TypeKEDAScaledObject, "so", `{"metadata": {"name": "w"}, "spec": {"advanced": {"horizontalPodAutoscalerConfig": {"behavior": {
			"scaleUp": {"stabilizationWindowSeconds": 600}}}}}}`)},
			want: []string{"ScaledObject w: spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds 300 is below scaleUp's 600; make scale-down the slower direction"}},
	})
}

func TestScaledRequests(t *testing.T) {
	noMemory := res(model.TypeK8sDeployment, "api", `{"metadata": {"name": "openwan-api", "namespace": "openwan"}, "spec": {"template": {"spec": {
		"containers": [{"name": "api", "resources": {"requests": {"cpu": "250m"}}}, {"name": "sidecar"}]}}}}`)
	runRuleCases(t, "scaled-workload-requests", []ruleCase{
		{name: "cpu and memory requested", resources: []model.Resource{res(model.TypeK8sHPA, "hpa", hpaOK), res(model.TypeK8sDeployment, "api", deploymentOK)}},
		{name: "missing requests", resources: []model.Resource{res(model.TypeK8sHPA, "hpa", hpaOK), noMemory}, want: []string{
			"Deployment openwan-api: container api has no memory request, so HorizontalPodAutoscaler openwan-api-hpa cannot compute its utilization; set resources.requests.memory",
			"Deployment openwan-api: container sidecar has no cpu request, so HorizontalPodAutoscaler openwan-api-hpa cannot compute its utilization; set resources.requests.cpu",
			"Deployment openwan-api: container sidecar has no memory request, so HorizontalPodAutoscaler openwan-api-hpa cannot compute its utilization; set resources.requests.memory",
		}},
	})
}

func TestGroupIgnoresDesired(t *testing.T) {
	group := res(model.TypeAutoscalingGroup, "api-asg", `{"minSize": 2, "maxSize": 10, "desiredCapacity": 3}`)
	policy := dependsOn(res(model.TypeAutoscalingPolicy, "cpu", `{"autoscalingGroupName": "[unknown]"}`), "autoscalingGroupName", group)
	schedule := res(model.TypeAutoscalingSchedule, "night", `{"autoscalingGroupName": "api-asg"}`)
	runRuleCases(t, "asg-ignores-desired-capacity", []ruleCase{
		{name: "ignored", resources: []model.Resource{ignoring(group, "desiredCapacity"), policy, schedule}},
		{name: "a group without policies may set it", resources: []model.Resource{group}},
		{name: "policy found by dependency, schedule by name", resources: []model.Resource{group, policy, schedule}, want: []string{
			`Group api-asg: Policy cpu, Schedule night change its desiredCapacity but the resource does not ignore it; add pulumi.IgnoreChanges([]string{"desiredCapacity"})`,
		}},
	})
}

func TestAlarmHasAction(t *testing.T) {
	runRuleCases(t, "alarm-has-action", []ruleCase{
		{name: "action to a topic", resources: []model.Resource{res(model.TypeCloudWatchMetricAlarm, "a", `{"alarmActions": ["arn:aws:sns:us-east-1:1:alerts"]}`)}},
		{name: "action not known before deploy", resources: []model.Resource{res(model.TypeCloudWatchMetricAlarm, "a", `{"alarmActions": "[unknown]"}`)}},
		{name: "no actions", resources: []model.Resource{res(model.TypeCloudWatchMetricAlarm, "a", `{"metricName": "CPUUtilization"}`)},
			want: []string{"MetricAlarm a: no alarmActions; point it at a scaling policy or the alerts topic"}},
		{name: "actions disabled", resources: []model.Resource{res(model.TypeCloudWatchMetricAlarm, "a", `{"actionsEnabled": false, "alarmActions": ["arn"]}`)},
			want: []string{"MetricAlarm a: actionsEnabled is false; enable its actions or delete the alarm"}},
	})
}

func TestGroupMetricsEnabled(t *testing.T) {
	group := res(model.TypeAutoscalingGroup, "worker-asg", `{"enabledMetrics": ["GroupDesiredCapacity"]}`)
	byDimension := res(model.TypeCloudWatchMetricAlarm, "max", `{"namespace": "AWS/AutoScaling", "metricName": "GroupDesiredCapacity", "dimensions": {"AutoScalingGroupName": "worker-asg"}, "alarmActions": ["x"]}`)
	byQuery := dependsOn(res(model.TypeCloudWatchMetricAlarm, "scale-in", `{"alarmActions": ["x"], "metricQueries": [
		{"id": "cpu", "metric": {"namespace": "AWS/EC2", "metricName": "CPUUtilization", "dimensions": {"AutoScalingGroupName": "[unknown]"}}},
		{"id": "n", "metric": {"namespace": "AWS/AutoScaling", "metricName": "GroupInServiceInstances", "dimensions": {"AutoScalingGroupName": "[unknown]"}}}]}`),
		"metricQueries", group)
	runRuleCases(t, "group-metrics-enabled", []ruleCase{
		{name: "enabled", resources: []model.Resource{group, byDimension}},
		{name: "a metric query reads one not enabled", resources: []model.Resource{group, byDimension, byQuery}, want: []string{
			"Group worker-asg: MetricAlarm scale-in reads GroupInServiceInstances but the group does not enable it; add it to enabledMetrics",
		}},
	})
}

func TestAlarmPerGroup(t *testing.T) {
	api := res(model.TypeAutoscalingGroup, "api-asg", `{}`)
	worker := res(model.TypeAutoscalingGroup, "worker-asg", `{}`)
	runRuleCases(t, "alarm-per-group", []ruleCase{
		{name: "each watched", resources: []model.Resource{api, worker,
			dependsOn(res(model.TypeCloudWatchMetricAlarm, "a", `{"metricName": "GroupTerminatingInstances"}`), "dimensions", api),
			res(model.TypeCloudWatchMetricAlarm, "w", `{"metricName": "GroupDesiredCapacity", "dimensions": {"AutoScalingGroupName": "worker-asg"}}`)}},
		{name: "worker unwatched", resources: []model.Resource{api, worker,
			dependsOn(res(model.TypeCloudWatchMetricAlarm, "a", `{"metricName": "GroupTerminatingInstances"}`), "dimensions", api)},
			want: []string{"Group worker-asg: no CloudWatch alarm reads its metrics; declare its GroupAlarms (max capacity, terminating instances)"}},
	})
}

func TestAPILoadBalancerSLO(t *testing.T) {
	lb := res(model.TypeLBLoadBalancer, "api-lb", `{"loadBalancerType": "application"}`)
	internal := res(model.TypeLBLoadBalancer, "private-lb", `{"internal": true}`)
	p95 := dependsOn(res(model.TypeCloudWatchMetricAlarm, "p95", `{"metricName": "TargetResponseTime", "extendedStatistic": "p95", "alarmActions": ["[unknown]"]}`), "dimensions", lb)
	p99 := dependsOn(res(model.TypeCloudWatchMetricAlarm, "p99", `{"metricName": "TargetResponseTime", "extendedStatistic": "p99", "alarmActions": ["arn"]}`), "dimensions", lb)
	errs := dependsOn(res(model.TypeCloudWatchMetricAlarm, "errors", `{"alarmActions": "[unknown]", "metricQueries": [
		{"id": "errors", "metric": {"metricName": "HTTPCode_Target_5XX_Count"}}, {"id": "rate", "expression": "100 * errors / requests"}]}`), "metricQueries", lb)
	silent := dependsOn(res(model.TypeCloudWatchMetricAlarm, "p99", `{"metricName": "TargetResponseTime", "extendedStatistic": "p99"}`), "dimensions", lb)
	elsewhere := res(model.TypeCloudWatchMetricAlarm, "p99", `{"metricName": "TargetResponseTime", "extendedStatistic": "p99", "alarmActions": ["arn"]}`)
	runRuleCases(t, "api-load-balancer-slo", []ruleCase{
		{name: "all three, with actions", resources: []model.Resource{lb, p95, p99, errs}},
		{name: "an internal load balancer serves no users", resources: []model.Resource{internal}},
		{name: "none", resources: []model.Resource{lb},
			want: []string{"LoadBalancer api-lb: no alarm with actions on its p95 response time, p99 response time, 5xx share; declare its monitoring.SLOAlarms (openwan:alerts.latency, errorRatePercent)"}},
		{name: "p99 without actions", resources: []model.Resource{lb, p95, silent, errs},
			want: []string{"LoadBalancer api-lb: no alarm with actions on its p99 response time; declare its monitoring.SLOAlarms (openwan:alerts.latency, errorRatePercent)"}},
		{name: "p99 on another load balancer", resources: []model.Resource{lb, p95, elsewhere, errs},
			want: []string{"LoadBalancer api-lb: no alarm with actions on its p99 response time; declare its monitoring.SLOAlarms (openwan:alerts.latency, errorRatePercent)"}},
	})
}
