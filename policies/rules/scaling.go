package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/openwan/openwan-infra/internal/model"
)

var utilizationTargetRange = Rule{
	Name:        "utilization-target-range",
	Description: "Every utilization target (HPA, ScaledObject cpu/memory trigger, EC2 target tracking on a percent metric) is in (0, 100].",
	Why:         "A target of 0 scales to the maximum at once; above 100 % the fleet is saturated before it grows.",
	Level:       Mandatory,
	Check: func(r model.Resource, _ Params) []string {
		var out []string
		check := func(where string, v float64) {
			if v <= 0 || v > 100 {
				out = append(out, fmt.Sprintf("%s: %s is %s %%, outside (0, 100]; set the target in the stack config between 1 and 100",
					label(r), where, fmtNum(v)))
			}
		}
		switch r.Type {
		case model.TypeK8sHPA:
			for i, m := range objects(r.Inputs, "spec.metrics") {
				if v, ok := num(m, "resource.target.averageUtilization"); ok {
					name, _ := str(m, "resource.name")
					check(fmt.Sprintf("spec.metrics[%d] (%s) averageUtilization", i, name), v)
				}
			}
		case model.TypeKEDAScaledObject:
			for i, t := range objects(r.Inputs, "spec.triggers") {
				typ, _ := str(t, "type")
				mt, _ := str(t, "metricType")
				if (typ == "cpu" || typ == "memory") && (mt == "" || mt == "Utilization") {
					if v, ok := num(t, "metadata.value"); ok {
						check(fmt.Sprintf("spec.triggers[%d] (%s) value", i, typ), v)
					}
				}
			}
		case model.TypeAutoscalingPolicy:
			tt := object(r.Inputs, "targetTrackingConfiguration")
			if tt == nil {
				return nil
			}
			metric, _ := str(tt, "predefinedMetricSpecification.predefinedMetricType")
			if metric == "" {
				metric, _ = str(tt, "customizedMetricSpecification.metricName")
			}
			if isPercentMetric(metric) {
				if v, ok := num(tt, "targetValue"); ok {
					check("targetTrackingConfiguration.targetValue ("+metric+")", v)
				}
			}
		}
		return out
	},
}

// isPercentMetric tells the utilization metrics (a percent) from counts such as queue backlog.
func isPercentMetric(name string) bool {
	return strings.HasSuffix(name, "Utilization") || strings.HasSuffix(name, "_percent")
}

// behaviorOf returns an autoscaler's behavior object and the path it lives at.
func behaviorOf(r model.Resource) (map[string]any, string) {
	switch r.Type {
	case model.TypeK8sHPA:
		return object(r.Inputs, "spec.behavior"), "spec.behavior"
	case model.TypeKEDAScaledObject:
		const path = "spec.advanced.horizontalPodAutoscalerConfig.behavior"
		return object(r.Inputs, path), path
	}
	return nil, ""
}

var stabilizationOrder = Rule{
	Name:        "stabilization-order",
	Description: "An autoscaler's scale-down stabilization window is at least its scale-up window.",
	Why:         "Scaling in faster than out makes the fleet flap: it sheds capacity the next burst needs again.",
	Level:       Mandatory,
	Check: func(r model.Resource, _ Params) []string {
		if r.Type != model.TypeK8sHPA && r.Type != model.TypeKEDAScaledObject {
			return nil
		}
		b, path := behaviorOf(r)
		// Kubernetes' defaults when a direction is unset: 0 s up, 300 s down.
		up, ok := num(b, "scaleUp.stabilizationWindowSeconds")
		if !ok {
			up = 0
		}
		down, ok := num(b, "scaleDown.stabilizationWindowSeconds")
		if !ok {
			down = 300
		}
		if down < up {
			return []string{fmt.Sprintf("%s: %s.scaleDown.stabilizationWindowSeconds %s is below scaleUp's %s; make scale-down the slower direction",
				label(r), path, fmtNum(down), fmtNum(up))}
		}
		return nil
	},
}

var scaledRequests = Rule{
	Name:        "scaled-workload-requests",
	Description: "Every container of an autoscaled Deployment requests CPU and memory.",
	Why:         "Utilization is usage divided by request: without requests the HPA cannot compute it and never scales.",
	Level:       Mandatory,
	CheckStack: func(s *Stack, _ Params) []Finding {
		var out []Finding
		for _, sc := range s.ScaledDeployments() {
			for _, c := range objects(sc.Target.Inputs, "spec.template.spec.containers") {
				name, _ := str(c, "name")
				for _, res := range []string{"cpu", "memory"} {
					if _, ok := at(c, "resources.requests."+res); !ok {
						out = append(out, Finding{URN: sc.Target.URN, Message: fmt.Sprintf(
							"%s: container %s has no %s request, so %s cannot compute its utilization; set resources.requests.%s",
							label(sc.Target), name, res, label(sc.Scaler), res)})
					}
				}
			}
		}
		return out
	},
}

// groupsActedOn returns the Auto Scaling Groups a scaling policy, schedule or alarm refers to:
// through the engine's dependencies, or by a literal group name.
func (s *Stack) groupsActedOn(r model.Resource, key string, names ...string) []model.Resource {
	groups := s.DependedOn(r, key, model.TypeAutoscalingGroup)
	for _, g := range s.OfType(model.TypeAutoscalingGroup) {
		if slices.ContainsFunc(groups, func(x model.Resource) bool { return x.URN == g.URN }) {
			continue
		}
		if slices.Contains(names, groupName(g)) {
			groups = append(groups, g)
		}
	}
	return groups
}

// groupName is a group's physical name where the program set one, else its logical name (which
// the recording mocks answer as its name).
func groupName(g model.Resource) string {
	if n, ok := str(g.Inputs, "name"); ok {
		return n
	}
	return g.Name
}

var groupIgnoresDesired = Rule{
	Name:        "asg-ignores-desired-capacity",
	Description: "An Auto Scaling Group with scaling policies or scheduled actions ignores changes to desiredCapacity.",
	Why:         "Policies and schedules move desiredCapacity; a `pulumi up` that resets it undoes a scale-out in the middle of a peak.",
	Level:       Mandatory,
	CheckStack: func(s *Stack, _ Params) []Finding {
		var out []Finding
		for _, g := range s.OfType(model.TypeAutoscalingGroup) {
			var actors []string
			for _, r := range s.OfType(model.TypeAutoscalingPolicy, model.TypeAutoscalingSchedule) {
				name, _ := str(r.Inputs, "autoscalingGroupName")
				if slices.ContainsFunc(s.groupsActedOn(r, "autoscalingGroupName", name), func(x model.Resource) bool { return x.URN == g.URN }) {
					actors = append(actors, label(r))
				}
			}
			if len(actors) > 0 && !slices.Contains(g.IgnoreChanges, "desiredCapacity") {
				out = append(out, Finding{URN: g.URN, Message: fmt.Sprintf(
					"%s: %s change its desiredCapacity but the resource does not ignore it; add pulumi.IgnoreChanges([]string{\"desiredCapacity\"})",
					label(g), strings.Join(actors, ", "))})
			}
		}
		return out
	},
}

var alarmHasAction = Rule{
	Name:        "alarm-has-action",
	Description: "Every CloudWatch alarm has an enabled alarm action.",
	Why:         "An alarm without an action changes state where nobody looks: neither a scaling policy nor a person acts on it.",
	Level:       Mandatory,
	Check: func(r model.Resource, _ Params) []string {
		if r.Type != model.TypeCloudWatchMetricAlarm {
			return nil
		}
		if enabled, ok := boolean(r.Inputs, "actionsEnabled"); ok && !enabled {
			return []string{fmt.Sprintf("%s: actionsEnabled is false; enable its actions or delete the alarm", label(r))}
		}
		if r.Inputs["alarmActions"] == model.Unknown {
			return nil
		}
		if len(list(r.Inputs, "alarmActions")) == 0 {
			return []string{fmt.Sprintf("%s: no alarmActions; point it at a scaling policy or the alerts topic", label(r))}
		}
		return nil
	},
}

// metricRef is one metric an alarm reads.
type metricRef struct {
	namespace, name, group string
}

// alarmMetrics lists the metrics an alarm reads: its own metric or each metric query's.
func alarmMetrics(alarm model.Resource) []metricRef {
	ref := func(m map[string]any) metricRef {
		ns, _ := str(m, "namespace")
		name, _ := str(m, "metricName")
		group, _ := str(m, "dimensions.AutoScalingGroupName")
		return metricRef{ns, name, group}
	}
	out := []metricRef{}
	if _, ok := at(alarm.Inputs, "metricName"); ok {
		out = append(out, ref(alarm.Inputs))
	}
	for _, q := range objects(alarm.Inputs, "metricQueries") {
		if m := object(q, "metric"); m != nil {
			out = append(out, ref(m))
		}
	}
	return out
}

var groupMetricsEnabled = Rule{
	Name:        "group-metrics-enabled",
	Description: "An Auto Scaling Group enables every AWS/AutoScaling group metric an alarm reads.",
	Why:         "Group metrics are off by default: an alarm on one that is not enabled sits in INSUFFICIENT_DATA forever.",
	Level:       Mandatory,
	CheckStack: func(s *Stack, _ Params) []Finding {
		var out []Finding
		for _, alarm := range s.OfType(model.TypeCloudWatchMetricAlarm) {
			for _, m := range alarmMetrics(alarm) {
				if m.namespace != "AWS/AutoScaling" || m.name == "" {
					continue
				}
				for _, g := range s.groupsActedOn(alarm, "", m.group) {
					if !slices.Contains(strs(g.Inputs, "enabledMetrics"), m.name) {
						out = append(out, Finding{URN: g.URN, Message: fmt.Sprintf(
							"%s: %s reads %s but the group does not enable it; add it to enabledMetrics",
							label(g), label(alarm), m.name)})
					}
				}
			}
		}
		return out
	},
}

var alarmPerGroup = Rule{
	Name:        "alarm-per-group",
	Description: "Every Auto Scaling Group is watched by at least one CloudWatch alarm.",
	Why:         "The guide's runbooks start from alarms; a group nobody alarms on fails silently.",
	Level:       Mandatory,
	CheckStack: func(s *Stack, _ Params) []Finding {
		var out []Finding
		for _, g := range s.OfType(model.TypeAutoscalingGroup) {
			watched := false
			for _, alarm := range s.OfType(model.TypeCloudWatchMetricAlarm) {
				var names []string
				for _, m := range alarmMetrics(alarm) {
					names = append(names, m.group)
				}
				if slices.ContainsFunc(s.groupsActedOn(alarm, "", names...), func(x model.Resource) bool { return x.URN == g.URN }) {
					watched = true
					break
				}
			}
			if !watched {
				out = append(out, Finding{URN: g.URN, Message: fmt.Sprintf(
					"%s: no CloudWatch alarm reads its metrics; declare its GroupAlarms (max capacity, terminating instances)", label(g))})
			}
		}
		return out
	},
}
