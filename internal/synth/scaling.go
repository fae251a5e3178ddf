package synth

import (
	"fmt"
	"slices"
	"strings"

	"github.com/openwan/openwan-infra/internal/model"
)

// scalingLines say, one per fleet, how it scales, read from what the plan declares (the HPAs,
// KEDA's ScaledObjects, each Auto Scaling Group's policies, their alarms and its schedules),
// not from the config: the summary shows what a deploy would create.
func scalingLines(resources []model.Resource) [][2]string {
	var out [][2]string
	for _, r := range resources {
		switch r.Type {
		case model.TypeK8sHPA:
			out = append(out, [2]string{fmt.Sprint(at(r.Inputs, "spec.scaleTargetRef.name")) + " (EKS)", hpaLine(r.Inputs)})
		case model.TypeKEDAScaledObject:
			out = append(out, [2]string{fmt.Sprint(at(r.Inputs, "spec.scaleTargetRef.name")) + " (EKS)", scaledObjectLine(r.Inputs)})
		case model.TypeAutoscalingGroup:
			out = append(out, [2]string{r.Name + " (EC2)", groupLine(r, resources)})
		}
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return out
}

// hpaLine is an HPA's bounds, targets and behaviour.
func hpaLine(in map[string]any) string {
	var targets []string
	metrics, _ := lookupList(in, "spec.metrics")
	for _, m := range metrics {
		targets = append(targets, fmt.Sprintf("%s %s %%", resourceName(at(m, "resource.name")), show(at(m, "resource.target.averageUtilization"))))
	}
	return fmt.Sprintf("HPA, %s-%s pods: %s; %s", show(at(in, "spec.minReplicas")), show(at(in, "spec.maxReplicas")),
		strings.Join(targets, ", "), behaviour(at(in, "spec.behavior")))
}

// scaledObjectLine is a KEDA ScaledObject's bounds, triggers and the behaviour of its HPA.
func scaledObjectLine(in map[string]any) string {
	var targets []string
	triggers, _ := lookupList(in, "spec.triggers")
	for _, t := range triggers {
		switch kind := fmt.Sprint(at(t, "type")); kind {
		case "cpu", "memory":
			targets = append(targets, fmt.Sprintf("%s %s %%", resourceName(kind), show(at(t, "metadata.value"))))
		case "rabbitmq":
			targets = append(targets, fmt.Sprintf("queue %s %s messages per pod", show(at(t, "metadata.queueName")), show(at(t, "metadata.value"))))
		default:
			targets = append(targets, fmt.Sprintf("%s %s", kind, show(at(t, "metadata.value"))))
		}
	}
	return fmt.Sprintf("KEDA, %s-%s pods: %s; %s", show(at(in, "spec.minReplicaCount")), show(at(in, "spec.maxReplicaCount")),
		strings.Join(targets, ", "), behaviour(at(in, "spec.advanced.horizontalPodAutoscalerConfig.behavior")))
}

// behaviour is an HPA behaviour's stabilization windows, the delays a reader asks about first.
func behaviour(b any) string {
	up, down := show(at(b, "scaleUp.stabilizationWindowSeconds")), show(at(b, "scaleDown.stabilizationWindowSeconds"))
	if up == "0" || up == "-" {
		return fmt.Sprintf("up at once, down after %s s below target", down)
	}
	return fmt.Sprintf("up after %s s above target, down after %s s below", up, down)
}

// groupLine is a group's bounds, then each of its policies and scheduled actions.
func groupLine(g model.Resource, resources []model.Resource) string {
	parts := []string{fmt.Sprintf("%s-%s instances, desired %s", show(at(g.Inputs, "minSize")), show(at(g.Inputs, "maxSize")), show(at(g.Inputs, "desiredCapacity")))}
	alarms := map[string]model.Resource{} // by the URN of the policy they act on
	for _, r := range resources {
		if r.Type == model.TypeCloudWatchMetricAlarm {
			for _, urn := range r.PropertyDependencies["alarmActions"] {
				alarms[urn] = r
			}
		}
	}
	var tracked []string
	var schedules []string
	for _, r := range resources {
		// By the group it depends on: the group's name is AWS's to make, unknown in a preview.
		if !slices.Contains(r.PropertyDependencies["autoscalingGroupName"], g.URN) {
			continue
		}
		switch r.Type {
		case model.TypeAutoscalingPolicy:
			switch at(r.Inputs, "policyType") {
			case "TargetTrackingScaling":
				tracked = append(tracked, trackingTarget(r.Inputs))
			case "StepScaling":
				parts = append(parts, stepLine(r.Inputs, alarms[r.URN]))
			case "SimpleScaling":
				parts = append(parts, fmt.Sprintf("%s when %s, then %s s cooldown", signed(at(r.Inputs, "scalingAdjustment")),
					alarmCondition(alarms[r.URN]), show(at(r.Inputs, "cooldown"))))
			}
		case model.TypeAutoscalingSchedule:
			schedules = append(schedules, fmt.Sprintf("%s %q %s %s-%s desired %s", show(at(r.Inputs, "scheduledActionName")), show(at(r.Inputs, "recurrence")),
				show(at(r.Inputs, "timeZone")), show(at(r.Inputs, "minSize")), show(at(r.Inputs, "maxSize")), show(at(r.Inputs, "desiredCapacity"))))
		}
	}
	if len(tracked) > 0 {
		slices.Sort(tracked)
		parts = slices.Insert(parts, 1, "target tracking "+strings.Join(tracked, ", "))
	}
	if len(schedules) > 0 {
		slices.Sort(schedules)
		parts = append(parts, "schedules "+strings.Join(schedules, ", "))
	}
	return strings.Join(parts, "; ")
}

// trackingTarget is a target tracking policy's metric and target, "(out only)" when its scale-in
// is off (another policy scales in).
func trackingTarget(in map[string]any) string {
	metric := "?"
	switch {
	case at(in, "targetTrackingConfiguration.predefinedMetricSpecification.predefinedMetricType") == "ASGAverageCPUUtilization":
		metric = "CPU"
	case at(in, "targetTrackingConfiguration.customizedMetricSpecification.metricName") == "mem_used_percent":
		metric = "memory"
	default:
		if metrics, ok := lookupList(in, "targetTrackingConfiguration.customizedMetricSpecification.metrics"); ok {
			for _, m := range metrics {
				if at(m, "returnData") == true {
					metric = fmt.Sprint(at(m, "label"))
				}
			}
		} else if n := at(in, "targetTrackingConfiguration.customizedMetricSpecification.metricName"); n != nil {
			metric = fmt.Sprint(n)
		}
	}
	unit := ""
	if metric == "CPU" || metric == "memory" {
		unit = " %"
	}
	text := fmt.Sprintf("%s %s%s", metric, show(at(in, "targetTrackingConfiguration.targetValue")), unit)
	if at(in, "targetTrackingConfiguration.disableScaleIn") == true {
		text += " (out only)"
	}
	return text
}

// stepLine is a step policy's steps over its alarm's threshold: "+10 % above 1000
// RequestCountPerTarget, +30 % above 1100".
func stepLine(in map[string]any, alarm model.Resource) string {
	threshold, _ := at(alarm.Inputs, "threshold").(float64)
	unit := ""
	if at(in, "adjustmentType") == "PercentChangeInCapacity" {
		unit = " %"
	}
	steps, _ := lookupList(in, "stepAdjustments")
	var parts []string
	for _, s := range steps {
		var lower float64
		fmt.Sscan(fmt.Sprint(at(s, "metricIntervalLowerBound")), &lower)
		parts = append(parts, fmt.Sprintf("%s%s above %v", signed(at(s, "scalingAdjustment")), unit, threshold+lower))
	}
	return fmt.Sprintf("step %s %s", show(at(alarm.Inputs, "metricName")), strings.Join(parts, ", "))
}

// alarmCondition is what makes a policy's alarm fire: its metric and threshold, or the
// condition of its metric math, and for how long.
func alarmCondition(alarm model.Resource) string {
	if alarm.Name == "" {
		return "no alarm acts on it"
	}
	in := alarm.Inputs
	condition := fmt.Sprintf("%s %s %s", show(at(in, "metricName")), show(at(in, "comparisonOperator")), show(at(in, "threshold")))
	period := at(in, "period")
	queries, _ := lookupList(in, "metricQueries")
	for _, q := range queries {
		if period == nil {
			period = at(q, "metric.period")
		}
		if at(q, "returnData") == true {
			// The math's IF(condition, 1, 0) against a threshold of 1 reads as the condition.
			e := fmt.Sprint(at(q, "expression"))
			if inner, ok := strings.CutPrefix(e, "IF("); ok && strings.HasSuffix(inner, ", 1, 0)") {
				e = strings.TrimSuffix(inner, ", 1, 0)")
			}
			condition = e
		}
	}
	points := at(in, "datapointsToAlarm")
	if points == nil {
		points = at(in, "evaluationPeriods")
	}
	p, _ := period.(float64)
	n, _ := points.(float64)
	return fmt.Sprintf("%s for %v minutes", condition, n*p/60)
}

// signed prints a scaling adjustment with its sign: "+10", "-1".
func signed(v any) string {
	s := show(v)
	if !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return s
}

// resourceName is a Kubernetes resource metric's name as the guide writes it: "CPU", "memory".
func resourceName(v any) string {
	if v == "cpu" {
		return "CPU"
	}
	return fmt.Sprint(v)
}
